# Copyright (c) mmmotionbert contributors. All rights reserved.
"""What every action transform shares: the skeleton checks and the base
class.

:func:`check_skeleton` checks a sample's ``keypoint`` (M, T, J, C) and
``keypoint_score`` (M, T, J) and returns them (with a message naming the
sample and the transform on a bad field); ``_is_3d`` tells 3D skeletons
(x, y, z, no scores) from 2D ones and ``_set`` writes both back with
``total_frames`` kept in sync. :class:`MBSkeletonTransform`, the base of the
transforms of :mod:`.action_transforms`, :mod:`.action_frames` and
:mod:`.action_geometry`, runs :func:`check_skeleton` before the subclass's
``apply`` and shows the settings named in ``_repr_keys`` in its ``repr``.

May import: numpy and mmcv's ``BaseTransform`` (no other module of ours).
"""
from abc import abstractmethod
from typing import Dict, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

__all__ = ['check_skeleton', 'MBSkeletonTransform']


def check_skeleton(results: Dict,
                   where: str) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Validate the skeleton fields of a sample and return them.

    Args:
        results (dict): The sample; needs ``keypoint`` (M, T, J, C) with
            C = 2 (2D, needs ``keypoint_score`` (M, T, J)) or C = 3 (3D).
        where (str): Name of the caller, used in error messages.

    Returns:
        tuple: ``keypoint`` as a float array and ``keypoint_score`` (or None
        for 3D skeletons).
    """
    name = results.get('frame_dir', results.get('filename', '<sample>'))
    if 'keypoint' not in results:
        raise ValueError(f'{where}: sample {name} has no "keypoint" field; '
                         f'expected pyskl/mmaction2 skeleton annotations')
    kp = np.asarray(results['keypoint'])
    if kp.ndim == 3:
        raise ValueError(
            f'{where}: sample {name} keypoint has shape {kp.shape}; expected '
            f'(persons M, frames T, joints J, C) -- add the person axis for '
            f'a single person')
    if kp.ndim != 4:
        raise ValueError(f'{where}: sample {name} keypoint must be (M, T, J, '
                         f'C), got shape {kp.shape}')
    m, t, j, c = kp.shape
    if m == 0:
        raise ValueError(f'{where}: sample {name} has no persons (keypoint '
                         f'shape {kp.shape}); drop it from the annotations')
    if t == 0:
        raise ValueError(f'{where}: sample {name} has zero frames (keypoint '
                         f'shape {kp.shape})')
    if j == 0 or c not in (2, 3):
        raise ValueError(
            f'{where}: sample {name} keypoint has shape {kp.shape}; expected '
            f'J > 0 joints and C = 2 (x, y with keypoint_score) or C = 3 '
            f'(x, y, z) channels')
    score = results.get('keypoint_score')
    if score is not None:
        score = np.asarray(score)
        if score.shape != (m, t, j):
            raise ValueError(
                f'{where}: sample {name} keypoint_score has shape '
                f'{score.shape}, expected {(m, t, j)} to match keypoint '
                f'{kp.shape}')
    elif c == 2:
        raise ValueError(f'{where}: sample {name} has 2D keypoints but no '
                         f'keypoint_score; MotionBERT needs (x, y, score)')
    return kp.astype(np.float64, copy=False), score


def _is_3d(kp: np.ndarray, score: Optional[np.ndarray]) -> bool:
    """Whether a sample holds 3D skeletons (x, y, z without scores)."""
    return kp.shape[-1] == 3 and score is None


def _set(results: Dict, kp: np.ndarray, score: Optional[np.ndarray]) -> None:
    """Write keypoints (and scores) back and keep the frame count in sync."""
    results['keypoint'] = kp
    if score is not None:
        results['keypoint_score'] = score
    results['total_frames'] = kp.shape[1]


class MBSkeletonTransform(BaseTransform):
    """Base of the action transforms (not registered itself).

    :meth:`transform` validates the sample's skeleton fields
    (:func:`check_skeleton`, errors naming the subclass) and hands them to
    the subclass's :meth:`apply`; ``repr`` shows the attributes named in
    ``_repr_keys`` (the default object ``repr`` when there are none).
    """

    #: Attributes shown by ``repr``, in order.
    _repr_keys: Tuple[str, ...] = ()

    def transform(self, results: Dict) -> Dict:
        """Check and transform one sample.

        Args:
            results (dict): The sample.

        Returns:
            dict: The transformed sample.
        """
        kp, score = check_skeleton(results, type(self).__name__)
        return self.apply(results, kp, score)

    @abstractmethod
    def apply(self, results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Transform a sample whose ``keypoint`` (float64) and
        ``keypoint_score`` (None for 3D skeletons) were checked."""

    def __repr__(self) -> str:
        """Show the settings."""
        if not self._repr_keys:
            return super().__repr__()
        args = ', '.join(f'{k}={getattr(self, k)!r}' for k in self._repr_keys)
        return f'{type(self).__name__}({args})'
