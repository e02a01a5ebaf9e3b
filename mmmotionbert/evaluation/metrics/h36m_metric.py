# Copyright (c) mmmotionbert contributors. All rights reserved.
"""mmengine metric wrapping the official MotionBERT H36M evaluation.

May import: numpy, torch, mmengine, :mod:`mmmotionbert.registry` and
:mod:`..functional`; never ``apis`` or ``datasets``.
"""
from collections.abc import Mapping
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmmotionbert.registry import METRICS
from ..functional.h36m_eval import OFFICIAL_BLOCK_LIST, evaluate_h36m

#: Per-clip fields the metric needs from ``data_batch['data_samples']``.
_CLIP_FIELDS = ('target_2_5d', 'factor_2_5d', 'camera_wh', 'frame_index',
                'clip_index', 'source', 'action')


def _to_numpy(value: Any) -> np.ndarray:
    """Tensor or array-like to a numpy array (detached, on the CPU)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _get_pred(sample: Any) -> np.ndarray:
    """The ``pred`` (T, 17, 3) of one model output (dict or object)."""
    if isinstance(sample, Mapping) and 'pred' in sample:
        pred = sample['pred']
    elif hasattr(sample, 'pred'):
        pred = sample.pred
    else:
        raise KeyError(f'MBH36MMetric expects model outputs with a `pred` '
                       f'(T, 17, 3) entry, got {type(sample).__name__}')
    return _to_numpy(pred).astype(np.float32)


def _split_batch_meta(meta: Any) -> List[Mapping]:
    """Per-clip dicts from collated (dict of batched values) or listed meta.

    Args:
        meta (dict | list[dict]): ``data_batch['data_samples']``.

    Returns:
        list[Mapping]: One mapping per clip with the :data:`_CLIP_FIELDS`.
    """
    if isinstance(meta, Mapping):
        missing = [k for k in _CLIP_FIELDS if k not in meta]
        if missing:
            raise KeyError(f'MBH36MMetric: data_batch["data_samples"] lacks '
                           f'{missing}; use MBH36MDataset batches')
        size = len(meta['clip_index'])
        return [{k: meta[k][b] for k in _CLIP_FIELDS} for b in range(size)]
    metas = list(meta)
    for item in metas:
        if not isinstance(item, Mapping) or any(k not in item
                                                for k in _CLIP_FIELDS):
            raise KeyError(f'MBH36MMetric: every data sample needs '
                           f'{list(_CLIP_FIELDS)}; use MBH36MDataset batches')
    return metas


def _format_table(per_action: Dict[str, Dict[str, float]], mpjpe: float,
                  p_mpjpe: float) -> str:
    """Plain-text table of per-action errors (mm)."""
    width = max([len(a) for a in per_action] + [len('Average')])
    lines = [f'{"Action":<{width}}  {"MPJPE":>9}  {"P-MPJPE":>9}']
    for action, errs in per_action.items():
        lines.append(f'{action:<{width}}  {errs["mpjpe"]:9.3f}  '
                     f'{errs["p_mpjpe"]:9.3f}')
    lines.append(f'{"Average":<{width}}  {mpjpe:9.3f}  {p_mpjpe:9.3f}')
    return '\n'.join(lines)


@METRICS.register_module()
class MBH36MMetric(BaseMetric):
    """Official MotionBERT H36M MPJPE / P-MPJPE (``train.py::evaluate``).

    Feed it batches of :class:`~mmmotionbert.datasets.MBH36MDataset` (test
    split) and the model's predictions. Each clip carries its frames'
    ``2.5d_factor``, ``joints_2.5d_image``, row indices, first-frame
    resolution, source and action, so the metric reassembles the official
    per-frame evaluation from the clips alone: clips may arrive in any order
    and from several ranks; they are sorted by ``clip_index`` and duplicates
    (distributed padding) are dropped. Every frame of a clip takes the
    clip's action, which is exact because clips never cross a source and
    the action is a property of the source.

    Args:
        rootrel (bool): Zero the root joint of the predictions (official
            ``rootrel``; idempotent for root-relative outputs). Defaults to
            True.
        block_list (Sequence[str]): Sources (without ``_ca_XX``) to skip.
            Defaults to the official three S9 sequences.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            none, so the keys are ``MPJPE``, ``P-MPJPE``,
            ``MPJPE/<Action>`` and ``P-MPJPE/<Action>``.
    """

    default_prefix: Optional[str] = ''

    def __init__(self,
                 rootrel: bool = True,
                 block_list: Sequence[str] = OFFICIAL_BLOCK_LIST,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.rootrel = rootrel
        self.block_list = tuple(block_list)

    def process(self, data_batch: dict, data_samples: Sequence[Any]) -> None:
        """Store the prediction and ground truth of every clip of a batch.

        Args:
            data_batch (dict): A batch of :class:`MBH36MDataset` items;
                ``data_batch['data_samples']`` is their collated dict
                (``default_collate``) or the list of their dicts
                (``pseudo_collate``).
            data_samples (Sequence): Model outputs, one per clip, each with
                ``pred`` (T, 17, 3) in normalised space.
        """
        metas = _split_batch_meta(data_batch['data_samples'])
        if len(data_samples) != len(metas):
            raise ValueError(f'MBH36MMetric: {len(data_samples)} predictions '
                             f'for a batch of {len(metas)} clips')
        for meta, sample in zip(metas, data_samples):
            self.results.append(
                dict(
                    pred=_get_pred(sample),
                    target_2_5d=_to_numpy(meta['target_2_5d']).astype(
                        np.float32),
                    factor_2_5d=_to_numpy(meta['factor_2_5d']).astype(
                        np.float32),
                    camera_wh=_to_numpy(meta['camera_wh']).astype(np.float64),
                    frame_index=_to_numpy(meta['frame_index']).astype(
                        np.int64),
                    clip_index=int(meta['clip_index']),
                    source=str(meta['source']),
                    action=str(meta['action'])))

    @staticmethod
    def _unique_sorted(results: List[dict]) -> List[dict]:
        """Results sorted by clip index, first copy of each clip only."""
        by_clip: Dict[int, dict] = {}
        for res in results:
            by_clip.setdefault(res['clip_index'], res)
        return [by_clip[k] for k in sorted(by_clip)]

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Official evaluation of all stored clips.

        Args:
            results (list[dict]): Per-clip results from :meth:`process`.

        Returns:
            dict: ``MPJPE``, ``P-MPJPE`` and per action ``MPJPE/<Action>``,
            ``P-MPJPE/<Action>`` (mm).
        """
        clips = self._unique_sorted(results)
        if not clips:
            raise ValueError('MBH36MMetric got no results to evaluate')
        frame_index = np.stack([c['frame_index'] for c in clips])
        # Compact the covered rows of the split (order kept) to 0..F-1.
        rows, compact = np.unique(frame_index, return_inverse=True)
        compact = compact.reshape(frame_index.shape)
        factor = np.zeros(len(rows), dtype=np.float32)
        joints = np.zeros((len(rows), 17, 3), dtype=np.float32)
        actions = np.empty(len(rows), dtype=object)
        factor[compact] = np.stack([c['factor_2_5d'] for c in clips])
        joints[compact] = np.stack([c['target_2_5d'] for c in clips])
        actions[compact] = np.array([c['action'] for c in clips],
                                    dtype=object)[:, None]
        result = evaluate_h36m(
            np.stack([c['pred'] for c in clips]),
            compact,
            np.stack([c['camera_wh'] for c in clips]),
            [c['source'] for c in clips],
            factor,
            joints,
            actions,
            rootrel=self.rootrel,
            block_list=self.block_list)
        MMLogger.get_current_instance().info(
            'H36M evaluation (mm):\n' + _format_table(
                result['per_action'], result['mpjpe'], result['p_mpjpe']))
        metrics = {'MPJPE': result['mpjpe'], 'P-MPJPE': result['p_mpjpe']}
        for action, errs in result['per_action'].items():
            metrics[f'MPJPE/{action}'] = errs['mpjpe']
            metrics[f'P-MPJPE/{action}'] = errs['p_mpjpe']
        return metrics
