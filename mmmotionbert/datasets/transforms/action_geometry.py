# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Action transforms on the coordinates: the training augmentation
``MBRandomMove`` (official ``random_move``) and the box normalization
``MBCropScale`` (official ``crop_scale``), for 2D and 3D skeletons. Registered
in mmaction2's ``TRANSFORMS`` (see :mod:`.action_transforms` for the whole
pipeline). Randomness: NumPy's global generator, as in the official code.

May import: numpy, :mod:`mmmotionbert.registry` and :mod:`.action_base`.
"""
from typing import Dict, Optional, Sequence

import numpy as np

from mmmotionbert.registry import ACTION_TRANSFORMS
from .action_base import MBSkeletonTransform, _is_3d

__all__ = ['MBRandomMove', 'MBCropScale']


@ACTION_TRANSFORMS.register_module()
class MBRandomMove(MBSkeletonTransform):
    """Random rotation, scaling and translation of x, y (``random_move``).

    Angle, scale and translation are drawn at ``move_time + 1`` key frames
    (``move_time`` chosen from ``move_time_candidate``) and linearly
    interpolated in between, then applied to all persons (zero-padded ones
    included, as the official code does). For 3D skeletons z is scaled with
    x and y.

    Args:
        angle_range (Sequence[float]): Rotation range in degrees. Defaults to
            (-10, 10).
        scale_range (Sequence[float]): Scale range. Defaults to (0.9, 1.1).
        transform_range (Sequence[float]): Translation range (normalized
            units). Defaults to (-0.1, 0.1).
        move_time_candidate (Sequence[int]): Numbers of segments to choose
            from. Defaults to (1, ).
    """

    _repr_keys = ('angle_range', 'scale_range', 'transform_range',
                  'move_time_candidate')

    def __init__(
        self,
        angle_range: Sequence[float] = (-10., 10.),
        scale_range: Sequence[float] = (0.9, 1.1),
        transform_range: Sequence[float] = (-0.1, 0.1),
        move_time_candidate: Sequence[int] = (1, )
    ) -> None:
        for name, rng in (('angle_range', angle_range),
                          ('scale_range', scale_range), ('transform_range',
                                                         transform_range)):
            if len(rng) != 2 or rng[0] > rng[1]:
                raise ValueError(f'MBRandomMove: {name} must be (low, high) '
                                 f'with low <= high, got {rng}')
        if not move_time_candidate or min(move_time_candidate) < 1:
            raise ValueError(f'MBRandomMove: move_time_candidate must hold '
                             f'positive integers, got {move_time_candidate}')
        self.angle_range = tuple(angle_range)
        self.scale_range = tuple(scale_range)
        self.transform_range = tuple(transform_range)
        self.move_time_candidate = tuple(move_time_candidate)

    def apply(self, results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Move one sample's ``keypoint`` at random."""
        t = kp.shape[1]
        move_time = int(np.random.choice(self.move_time_candidate))
        nodes = np.append(
            np.arange(0, t, t * 1.0 / move_time).round().astype(int), t)
        num_node = len(nodes)
        angles = np.random.uniform(*self.angle_range, num_node)
        scales = np.random.uniform(*self.scale_range, num_node)
        shift_x = np.random.uniform(*self.transform_range, num_node)
        shift_y = np.random.uniform(*self.transform_range, num_node)
        a, s, tx, ty = (np.zeros(t) for _ in range(4))
        for i in range(num_node - 1):
            seg = slice(nodes[i], nodes[i + 1])
            n = nodes[i + 1] - nodes[i]
            a[seg] = np.linspace(angles[i], angles[i + 1], n) * np.pi / 180
            s[seg] = np.linspace(scales[i], scales[i + 1], n)
            tx[seg] = np.linspace(shift_x[i], shift_x[i + 1], n)
            ty[seg] = np.linspace(shift_y[i], shift_y[i + 1], n)
        cos, sin = np.cos(a) * s, np.sin(a) * s  # (T, )
        x, y = kp[..., 0], kp[..., 1]  # (M, T, J)
        kp = kp.copy()
        kp[..., 0] = cos[:, None] * x - sin[:, None] * y + tx[:, None]
        kp[..., 1] = sin[:, None] * x + cos[:, None] * y + ty[:, None]
        if _is_3d(kp, score):
            kp[..., 2] = kp[..., 2] * s[:, None]
        results['keypoint'] = kp
        return results


@ACTION_TRANSFORMS.register_module()
class MBCropScale(MBSkeletonTransform):
    """Normalize x, y by the sample's box to [-1, 1] (``crop_scale``).

    The box covers every joint with a non-zero score (all persons, all
    frames); its longer side times ``ratio ~ U(scale_range)`` becomes the
    unit, centred on the box, so ``ratio > 1`` shrinks the skeleton. Values
    are clipped to [-1, 1]. As in the official code, a sample with fewer than
    4 valid joints or a degenerate box becomes all zeros.

    For 3D skeletons the valid joints are the non-zero ones, x and y
    are normalized the same way and z is divided by the same scale after
    subtracting its mean over the valid joints.

    Args:
        scale_range (Sequence[float]): Range of ``ratio``: training (1, 3),
            testing (2, 2) in the official configs. Defaults to (1, 1).
    """

    _repr_keys = ('scale_range', )

    def __init__(self, scale_range: Sequence[float] = (1., 1.)) -> None:
        if len(scale_range) != 2 or not 0 < scale_range[0] <= scale_range[1]:
            raise ValueError(f'MBCropScale: scale_range must be (low, high) '
                             f'with 0 < low <= high, got {scale_range}')
        self.scale_range = tuple(scale_range)

    def apply(self, results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Box-normalize one sample's ``keypoint``."""
        is_3d = _is_3d(kp, score)
        if is_3d:
            valid = np.any(kp != 0, axis=-1)  # missing joints are zeros
        else:
            valid = score != 0
        coords = kp[valid]
        if len(coords) < 4:
            return self._zero(results, kp, score)
        lo, hi = coords[:, :2].min(0), coords[:, :2].max(0)
        ratio = np.random.uniform(*self.scale_range)
        scale = max(hi - lo) * ratio
        if scale == 0:
            return self._zero(results, kp, score)
        start = (lo + hi - scale) / 2
        kp = kp.copy()
        kp[..., :2] = ((kp[..., :2] - start) / scale - 0.5) * 2
        if is_3d:
            kp[..., 2] = (kp[..., 2] - coords[:, 2].mean()) / scale * 2
        results['keypoint'] = np.clip(kp, -1, 1)
        if score is not None:
            results['keypoint_score'] = np.clip(score, -1, 1)
        return results

    @staticmethod
    def _zero(results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Official behaviour for samples without a usable box."""
        results['keypoint'] = np.zeros_like(kp)
        if score is not None:
            results['keypoint_score'] = np.zeros_like(score)
        return results
