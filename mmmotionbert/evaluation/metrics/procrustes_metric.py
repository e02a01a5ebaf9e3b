# Copyright (c) mmmotionbert contributors. All rights reserved.
"""P-MPJPE against ground truth in any metric unit (e.g. mocap in mm).

May import: numpy, mmengine, :mod:`mmmotionbert.registry` and
:mod:`..functional`; never ``apis`` or ``datasets``.
"""
from typing import Dict, List, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmmotionbert.registry import METRICS
from ..functional.errors import p_mpjpe


@METRICS.register_module()
class MBProcrustesMetric(BaseMetric):
    """Per-frame P-MPJPE of predictions against metric ground truth.

    Predictions live in the normalised screen space of the inputs; the
    similarity alignment (scale, rotation, translation) of every frame makes
    the error come out in the ground truth's unit, e.g. millimetres for
    :class:`MBMocapDataset` items built with ``with_meta=True``
    (``joints_cam_mm``). Frames are weighted equally.

    Args:
        gt_key (str): Key of the (T, J, 3) ground truth in each collated
            data sample. Defaults to ``'joints_cam_mm'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Metric name prefix.
    """

    default_prefix = ''

    def __init__(self,
                 gt_key: str = 'joints_cam_mm',
                 collect_device: str = 'cpu',
                 prefix: str = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.gt_key = gt_key

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Store per-frame aligned errors of a batch.

        Args:
            data_batch (dict): Collated batch; ``data_samples[gt_key]`` is
                (B, T, J, 3).
            data_samples (Sequence[dict]): Model outputs with ``pred``
                (T, J, 3).
        """
        meta = data_batch['data_samples']
        if self.gt_key not in meta:
            raise KeyError(f'MBProcrustesMetric: the batch has no '
                           f'{self.gt_key!r}; build the dataset with the '
                           f'ground truth (e.g. with_meta=True)')
        gts = meta[self.gt_key]
        for sample, gt in zip(data_samples, gts):
            pred = np.asarray(sample['pred'].detach().cpu(), np.float64)
            gt = np.asarray(gt.detach().cpu(), np.float64)
            if pred.shape != gt.shape:
                raise ValueError(f'prediction {pred.shape} and ground truth '
                                 f'{gt.shape} differ')
            self.results.append(p_mpjpe(pred, gt))

    def compute_metrics(self, results: List[np.ndarray]) -> Dict[str, float]:
        """Mean over all frames.

        Returns:
            dict: ``{'P-MPJPE': ...}`` in the ground truth's unit.
        """
        return {'P-MPJPE': float(np.concatenate(results).mean())}
