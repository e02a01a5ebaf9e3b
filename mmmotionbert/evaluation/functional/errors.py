# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Per-frame 3D pose errors: MPJPE (Protocol #1) and P-MPJPE (Protocol #2).

Both reproduce the numpy ``mpjpe`` / ``p_mpjpe`` of MotionBERT's
``lib/model/loss.py``, including their dtype behaviour: the computation runs
in the inputs' floating dtype (float32 inputs give float32 errors).

May import: numpy only; never ``apis`` or ``datasets``.
"""
from typing import Tuple

import numpy as np

__all__ = ['mpjpe', 'p_mpjpe']


def _check_poses(predicted: np.ndarray, target: np.ndarray) -> None:
    """Raise unless both arrays are (N, J, C) with the same shape.

    Args:
        predicted (np.ndarray): Predicted poses.
        target (np.ndarray): Target poses.
    """
    if predicted.ndim != 3:
        raise ValueError(f'`predicted` must have shape (N, J, C), got '
                         f'{predicted.shape}')
    if predicted.shape != target.shape:
        raise ValueError(f'`predicted` and `target` must have the same shape, '
                         f'got {predicted.shape} and {target.shape}')


def _per_frame_error(predicted: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Mean Euclidean joint distance of each frame.

    Args:
        predicted (np.ndarray): (N, J, C) poses.
        target (np.ndarray): (N, J, C) poses.

    Returns:
        np.ndarray: (N, ) errors.
    """
    return np.mean(np.linalg.norm(predicted - target, axis=-1), axis=1)


def mpjpe(predicted: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Mean per-joint position error of each frame (Protocol #1).

    Args:
        predicted (np.ndarray): (N, J, C) predicted poses.
        target (np.ndarray): (N, J, C) target poses.

    Returns:
        np.ndarray: (N, ) mean Euclidean distance over the joints of each
        frame, in the inputs' units.
    """
    predicted, target = np.asarray(predicted), np.asarray(target)
    _check_poses(predicted, target)
    return _per_frame_error(predicted, target)


def _center_and_normalize(
        x: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Center each frame on its centroid and scale it to unit norm.

    Args:
        x (np.ndarray): (N, J, C) poses.

    Returns:
        tuple[np.ndarray]: ``(x_unit, mean, norm)``: (N, J, C) centered
        unit-Frobenius-norm poses, (N, 1, C) centroids and (N, 1, 1) norms.
    """
    mean = np.mean(x, axis=1, keepdims=True)
    centered = x - mean
    norm = np.sqrt(np.sum(centered**2, axis=(1, 2), keepdims=True))
    return centered / norm, mean, norm


def _procrustes_rotation(
        target_unit: np.ndarray,
        predicted_unit: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Optimal proper rotation mapping ``predicted_unit`` onto ``target_unit``.

    Args:
        target_unit (np.ndarray): (N, J, C) centered, normalized targets.
        predicted_unit (np.ndarray): (N, J, C) centered, normalized
            predictions.

    Returns:
        tuple[np.ndarray]: ``(rot, trace)``: (N, C, C) rotations applied as
        ``predicted @ rot`` (det +1: reflections are fixed by flipping the
        last singular vector) and (N, 1, 1) sums of the sign-corrected
        singular values.
    """
    cov = np.matmul(target_unit.transpose(0, 2, 1), predicted_unit)
    u, s, vt = np.linalg.svd(cov)
    v = vt.transpose(0, 2, 1)
    u_t = u.transpose(0, 2, 1)
    sign = np.sign(np.linalg.det(np.matmul(v, u_t)))[:, None]  # (N, 1)
    v[:, :, -1] *= sign
    s[:, -1] *= sign[:, 0]
    rot = np.matmul(v, u_t)
    trace = np.sum(s, axis=1, keepdims=True)[:, :, None]
    return rot, trace


def p_mpjpe(predicted: np.ndarray, target: np.ndarray) -> np.ndarray:
    """MPJPE of each frame after rigid alignment (Protocol #2).

    Each predicted frame is aligned to its target by the similarity
    transform (scale, proper rotation, translation) that minimizes the
    squared error, then the per-frame MPJPE is taken.

    Args:
        predicted (np.ndarray): (N, J, C) predicted poses.
        target (np.ndarray): (N, J, C) target poses.

    Returns:
        np.ndarray: (N, ) aligned errors, in the inputs' units.
    """
    predicted, target = np.asarray(predicted), np.asarray(target)
    _check_poses(predicted, target)
    target_unit, mu_target, norm_target = _center_and_normalize(target)
    pred_unit, mu_pred, norm_pred = _center_and_normalize(predicted)
    rot, trace = _procrustes_rotation(target_unit, pred_unit)
    scale = trace * norm_target / norm_pred
    translation = mu_target - scale * np.matmul(mu_pred, rot)
    aligned = scale * np.matmul(predicted, rot) + translation
    return _per_frame_error(aligned, target)
