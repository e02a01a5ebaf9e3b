# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MotionBERT's ``crop_scale`` normalisation of in-the-wild 2D keypoints.

The official in-the-wild pipeline (``lib/utils/utils_data.py``
``crop_scale``) normalises a whole 2D sequence by one square box: the
bounding box of every valid joint (confidence != 0) over all frames, its
longer side times a ratio drawn from ``scale_range`` is the box side
``scale``, the box is centred on the bounding box, and coordinates are
mapped to ``[-1, 1]``::

    x_n = (x - cx) / (scale / 2),  y_n = (y - cy) / (scale / 2)

then the whole array is clipped to ``[-1, 1]``. A sequence with fewer than
4 valid joints, or a zero-sized box, becomes all zeros.

:func:`crop_scale` returns the box as well so the same transform can be
applied to other points (:func:`apply_crop_scale`, e.g. a 3D target whose
depth is in the same pixel units) and undone (:func:`invert_crop_scale`).

May import: numpy and :mod:`.utils` (the RNG helper); never ``apis``.
"""
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from .utils import as_rng

__all__ = [
    'crop_scale_box', 'crop_scale', 'apply_crop_scale', 'invert_crop_scale'
]

Box = Tuple[np.ndarray, float]


#: A numpy Generator from a seed, a Generator or None.
_rng = as_rng


def crop_scale_box(motion: np.ndarray,
                   scale_range: Sequence[float] = (1.0, 1.0),
                   rng: Union[None, int, np.random.Generator] = None,
                   valid: Optional[np.ndarray] = None) -> Optional[Box]:
    """The square box ``crop_scale`` normalises by.

    Args:
        motion (np.ndarray): (..., J, C) keypoints, ``[x, y, score, ...]``
            (C >= 3) or ``[x, y]`` with ``valid`` given.
        scale_range (Sequence[float]): ``(low, high)`` of the ratio applied
            to the bounding box's longer side. Defaults to ``(1, 1)``.
        rng (int | np.random.Generator, optional): Randomness of the ratio
            (unused when ``low == high``).
        valid (np.ndarray, optional): (..., J) bool mask of valid joints.
            Defaults to ``score != 0`` (the official rule).

    Returns:
        tuple | None: ``(center (2,) float64, scale float)``, or None when
        fewer than 4 joints are valid or the box is empty (the official
        function then returns zeros).
    """
    motion = np.asarray(motion)
    if valid is None:
        if motion.shape[-1] < 3:
            raise ValueError('crop_scale needs a score channel (C >= 3) or '
                             f'an explicit `valid` mask; got {motion.shape}')
        valid = motion[..., 2] != 0
    valid = np.asarray(valid, dtype=bool)
    if valid.shape != motion.shape[:-1]:
        raise ValueError(f'valid mask shape {valid.shape} does not match '
                         f'keypoints {motion.shape[:-1]}')
    coords = motion[..., :2][valid].astype(np.float64)
    if len(coords) < 4:
        return None
    low, high = float(scale_range[0]), float(scale_range[1])
    ratio = low if low == high else float(_rng(rng).uniform(low, high))
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    scale = float(np.max(hi - lo)) * ratio
    if scale == 0:
        return None
    return (lo + hi) / 2.0, scale


def apply_crop_scale(points: np.ndarray,
                     center: np.ndarray,
                     scale: float,
                     depth: bool = False) -> np.ndarray:
    """Map points with a ``crop_scale`` box, without clipping.

    Args:
        points (np.ndarray): (..., C) points; channels 0, 1 are x, y pixels.
        center (np.ndarray): (2,) box centre.
        scale (float): Box side.
        depth (bool): Also scale channel 2 (a depth in pixel units) by
            ``2 / scale`` (no offset). Otherwise channels >= 2 are kept.

    Returns:
        np.ndarray: Normalised float copy.
    """
    out = np.array(points, dtype=np.float64 if np.asarray(points).dtype ==
                   np.float64 else np.float32)
    half = scale / 2.0
    out[..., :2] = (out[..., :2] - np.asarray(center)) / half
    if depth:
        out[..., 2] = out[..., 2] / half
    return out


def invert_crop_scale(points: np.ndarray,
                      center: np.ndarray,
                      scale: float,
                      depth: bool = False) -> np.ndarray:
    """Undo :func:`apply_crop_scale`.

    Args:
        points (np.ndarray): (..., C) normalised points.
        center (np.ndarray): (2,) box centre.
        scale (float): Box side.
        depth (bool): Also rescale channel 2.

    Returns:
        np.ndarray: Pixel-space float copy.
    """
    out = np.array(points, dtype=np.float64 if np.asarray(points).dtype ==
                   np.float64 else np.float32)
    half = scale / 2.0
    out[..., :2] = out[..., :2] * half + np.asarray(center)
    if depth:
        out[..., 2] = out[..., 2] * half
    return out


def crop_scale(motion: np.ndarray,
               scale_range: Sequence[float] = (1.0, 1.0),
               rng: Union[None, int, np.random.Generator] = None,
               clip: bool = True,
               zero_invalid: bool = False,
               return_box: bool = False):
    """Normalise a 2D keypoint sequence to ``[-1, 1]`` (official crop_scale).

    Args:
        motion (np.ndarray): (..., J, C>=3) ``[x, y, score]`` keypoints in
            pixels (e.g. (T, 17, 3) or (M, T, 17, 3)).
        scale_range (Sequence[float]): Ratio range applied to the box side.
            Defaults to ``(1, 1)`` (the official in-the-wild inference).
        rng (int | np.random.Generator, optional): Randomness of the ratio.
        clip (bool): Clip the result to ``[-1, 1]`` like the official
            function (it clips every channel; scores are in [0, 1] anyway).
            Defaults to True.
        zero_invalid (bool): Set joints whose score is 0 to all zeros after
            normalising (how MotionBERT's masking shows missing joints).
            The official function leaves them at their normalised
            coordinates. Defaults to False.
        return_box (bool): Also return ``(center, scale)`` (None when the
            result is all zeros). Defaults to False.

    Returns:
        np.ndarray | tuple: The normalised float copy, same shape, and the
        box when ``return_box``.
    """
    motion = np.asarray(motion)
    box = crop_scale_box(motion, scale_range, rng)
    if box is None:
        result = np.zeros(motion.shape, dtype=np.result_type(
            motion.dtype, np.float32))
    else:
        result = apply_crop_scale(motion, *box)
        if clip:
            result = np.clip(result, -1, 1)
        if zero_invalid:
            result[motion[..., 2] == 0] = 0
    return (result, box) if return_box else result
