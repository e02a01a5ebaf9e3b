# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Mesh recovery errors as the official ``evaluate_mesh`` computes them.

May import: numpy, torch, mmengine, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils.smpl` and :mod:`..functional`; never ``apis`` or
``datasets``.
"""
from collections.abc import Mapping
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmmotionbert.registry import METRICS
from mmmotionbert.utils.smpl import H36M_17_TO_14
from ..functional.errors import mpjpe, p_mpjpe

_FIELDS = ('verts', 'kp_3d', 'gt_verts', 'gt_kp_3d')


def _field(sample: Any, key: str) -> torch.Tensor:
    """``sample[key]`` as a float64 CPU tensor, or a KeyError saying why."""
    if isinstance(sample, Mapping) and key in sample:
        value = sample[key]
    elif hasattr(sample, key):
        value = getattr(sample, key)
    else:
        raise KeyError(
            f'MBMeshMetric needs model outputs with {list(_FIELDS)}; '
            f'{key!r} is missing (the ground truth mesh comes from '
            f"MBMeshRegressor.predict when data_samples hold 'pose' and "
            f"'shape')")
    return torch.as_tensor(value).detach().to('cpu', torch.float64)


def mesh_errors(pred_verts: np.ndarray, pred_kp: np.ndarray,
                gt_verts: np.ndarray, gt_kp: np.ndarray) -> Dict[str, float]:
    """Official ``evaluate_mesh`` on per-frame arrays (mm).

    Vertices and joints are centred on their own root (H36M pelvis, joint
    0). MPJPE / PA-MPJPE use the official 14 joints (no pelvis, spine,
    nose); the ``*-17`` variants all 17. PA-MPJPE aligns each frame by the
    optimal similarity transform.

    Args:
        pred_verts (np.ndarray): (N, V, 3) predicted vertices.
        pred_kp (np.ndarray): (N, 17, 3) predicted joints.
        gt_verts (np.ndarray): (N, V, 3) ground-truth vertices.
        gt_kp (np.ndarray): (N, 17, 3) ground-truth joints.

    Returns:
        dict[str, float]: ``MPVE``, ``MPJPE``, ``PA-MPJPE``, ``MPJPE-17``,
        ``PA-MPJPE-17``.
    """
    pve = vertex_errors(pred_verts, pred_kp, gt_verts, gt_kp)
    return joint_errors(pred_kp, gt_kp, mpve=float(np.mean(pve)))


def vertex_errors(pred_verts: np.ndarray, pred_kp: np.ndarray,
                  gt_verts: np.ndarray, gt_kp: np.ndarray) -> np.ndarray:
    """Per-frame mean vertex error after centring on each root joint.

    Args:
        pred_verts (np.ndarray): (N, V, 3).
        pred_kp (np.ndarray): (N, 17, 3).
        gt_verts (np.ndarray): (N, V, 3).
        gt_kp (np.ndarray): (N, 17, 3).

    Returns:
        np.ndarray: (N,) errors.
    """
    pred = np.asarray(pred_verts) - np.asarray(pred_kp)[:, :1]
    gt = np.asarray(gt_verts) - np.asarray(gt_kp)[:, :1]
    if pred.shape != gt.shape:
        raise ValueError(f'predicted vertices {pred.shape} and ground truth '
                         f'{gt.shape} differ')
    return np.linalg.norm(pred - gt, axis=-1).mean(axis=-1)


def joint_errors(pred_kp: np.ndarray,
                 gt_kp: np.ndarray,
                 mpve: Optional[float] = None) -> Dict[str, float]:
    """Root-relative MPJPE / PA-MPJPE on 14 and 17 H36M joints (mm).

    Args:
        pred_kp (np.ndarray): (N, 17, 3).
        gt_kp (np.ndarray): (N, 17, 3).
        mpve (float, optional): Added as ``MPVE`` when given.

    Returns:
        dict[str, float]: ``MPJPE``, ``PA-MPJPE``, ``MPJPE-17``,
        ``PA-MPJPE-17`` (and ``MPVE``).
    """
    pred = np.asarray(pred_kp, dtype=np.float64)
    gt = np.asarray(gt_kp, dtype=np.float64)
    if pred.ndim != 3 or pred.shape[1:] != (17, 3) or pred.shape != gt.shape:
        raise ValueError(f'joints must be (N, 17, 3) for both, got '
                         f'{pred.shape} and {gt.shape}')
    pred = pred - pred[:, :1]
    gt = gt - gt[:, :1]
    idx = list(H36M_17_TO_14)
    out = {} if mpve is None else {'MPVE': mpve}
    out.update({
        'MPJPE': float(np.mean(mpjpe(pred[:, idx], gt[:, idx]))),
        'PA-MPJPE': float(np.mean(p_mpjpe(pred[:, idx], gt[:, idx]))),
        'MPJPE-17': float(np.mean(mpjpe(pred, gt))),
        'PA-MPJPE-17': float(np.mean(p_mpjpe(pred, gt))),
    })
    return out


@METRICS.register_module()
class MBMeshMetric(BaseMetric):
    """MPVE, MPJPE and PA-MPJPE (mm) of MotionBERT's mesh evaluation.

    As the official ``evaluate_mesh`` over all test frames (3DPW and
    Human3.6M alike): vertices and H36M joints are centred on the regressed
    pelvis; MPJPE / PA-MPJPE use 14 joints, the ``-17`` variants all 17.
    Frames are weighted equally; clips duplicated by distributed padding are
    counted once (by ``clip_index`` when the batch carries it).

    The model outputs must hold ``verts``, ``kp_3d`` (predictions) and
    ``gt_verts``, ``gt_kp_3d`` (ground truth), as
    :meth:`MBMeshRegressor.predict` gives them. Only the per-frame vertex
    error and the joints are kept between batches, not the meshes.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            none: ``MPVE``, ``MPJPE``, ``PA-MPJPE``, ``MPJPE-17``,
            ``PA-MPJPE-17``.
    """

    default_prefix: Optional[str] = ''

    def __init__(self,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)

    @staticmethod
    def _clip_indices(data_batch: Any, size: int) -> List[Optional[int]]:
        """``clip_index`` of every clip of the batch, None if absent."""
        meta = data_batch.get('data_samples') if isinstance(
            data_batch, Mapping) else None
        if isinstance(meta, Mapping) and 'clip_index' in meta:
            return [int(i) for i in meta['clip_index']]
        if isinstance(meta, Sequence) and all(
                isinstance(m, Mapping) and 'clip_index' in m for m in meta):
            return [int(m['clip_index']) for m in meta]
        return [None] * size

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Keep per-frame vertex errors and joints of every clip.

        Args:
            data_batch (dict): The batch (for ``clip_index``).
            data_samples (Sequence): Model outputs, one dict per clip with
                ``verts`` (T, V, 3), ``kp_3d`` (T, 17, 3), ``gt_verts``,
                ``gt_kp_3d`` in mm.
        """
        clip_ids = self._clip_indices(data_batch, len(data_samples))
        if len(clip_ids) != len(data_samples):
            raise ValueError(f'MBMeshMetric: {len(data_samples)} outputs for '
                             f'a batch of {len(clip_ids)} clips')
        for clip_id, sample in zip(clip_ids, data_samples):
            verts, kp = _field(sample, 'verts'), _field(sample, 'kp_3d')
            gt_verts, gt_kp = _field(sample,
                                     'gt_verts'), _field(sample, 'gt_kp_3d')
            if verts.shape != gt_verts.shape or kp.shape != gt_kp.shape:
                raise ValueError(
                    f'MBMeshMetric: prediction {tuple(verts.shape)} / '
                    f'{tuple(kp.shape)} and ground truth '
                    f'{tuple(gt_verts.shape)} / {tuple(gt_kp.shape)} differ')
            pve = ((verts - kp[:, :1]) -
                   (gt_verts - gt_kp[:, :1])).norm(dim=-1).mean(dim=-1)
            self.results.append(
                dict(
                    clip_index=clip_id,
                    pve=pve.numpy(),
                    kp_3d=kp.numpy().astype(np.float32),
                    gt_kp_3d=gt_kp.numpy().astype(np.float32)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Average over all frames.

        Args:
            results (list[dict]): From :meth:`process`.

        Returns:
            dict[str, float]: ``MPVE``, ``MPJPE``, ``PA-MPJPE``,
            ``MPJPE-17``, ``PA-MPJPE-17`` (mm).
        """
        seen = set()
        kept = []
        for res in results:
            key = res['clip_index']
            if key is not None and key in seen:
                continue
            seen.add(key)
            kept.append(res)
        if not kept:
            raise ValueError('MBMeshMetric got no results to evaluate')
        pve = np.concatenate([r['pve'] for r in kept])
        metrics = joint_errors(
            np.concatenate([r['kp_3d'] for r in kept]),
            np.concatenate([r['gt_kp_3d'] for r in kept]),
            mpve=float(np.mean(pve)))
        MMLogger.get_current_instance().info(
            f'mesh evaluation on {len(pve)} frames (mm): ' +
            ', '.join(f'{k} {v:.2f}' for k, v in metrics.items()))
        return metrics
