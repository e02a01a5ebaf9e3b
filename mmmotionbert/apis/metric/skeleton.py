# Copyright (c) mmmotionbert contributors. All rights reserved.
"""A person's constant bone lengths in metres, from a height and the 2D.

* :func:`height_of_bones`: standing height of an H36M-17 skeleton. From
  the anthropometric proportions of Winter (*Biomechanics and Motor Control
  of Human Movement*, segment lengths as fractions of the height H): ankle
  0.039 H, shoulder (the H36M thorax) 0.818 H above the floor, so leg
  (hip to ankle) + spine (pelvis to spine to thorax) = 0.779 H.
* :func:`retarget`: a pose with each bone's direction kept and its length
  set, from the pelvis outwards.
* :func:`refine_bone_lengths`: proportions measured from the 2D keypoints:
  each bone's observed 2D length over its reprojected length (median over
  the frames where the bone lies across the view), divided by the median of
  that ratio over all bones (a global factor is the depth-scale ambiguity,
  fixed by the height); left and right averaged.

May import: numpy and :mod:`mmmotionbert.utils.keypoints`.
"""
import numpy as np

from mmmotionbert.utils.keypoints import H36M_BONES

__all__ = [
    'ADULT_HEIGHT_M', 'bone_lengths', 'height_of_bones', 'retarget',
    'initial_bone_lengths', 'symmetrize', 'refine_bone_lengths',
    'LEG_SPINE_FRACTION'
]

#: Height used without ``subject_height``: an adult (mean of adult women
#: and men, about 1.70 m).
ADULT_HEIGHT_M = 1.70
#: (leg + spine) / height (Winter: shoulder 0.818 H, ankle 0.039 H).
LEG_SPINE_FRACTION = 0.818 - 0.039
#: Bone indices into :data:`H36M_BONES`.
_THIGHS, _SHANKS, _SPINE = (1, 4), (2, 5), (6, 7)
#: Left/right bone pairs (hip, thigh, shank, shoulder, upper arm, forearm).
_SYMMETRIC = ((0, 3), (1, 4), (2, 5), (10, 13), (11, 14), (12, 15))
#: Nose -> head top has no counterpart among 2D keypoints (a 2D "head" is
#: usually the eyes' or ears' centre), so its proportion stays the model's.
_UNOBSERVED = (9, )


def bone_lengths(pose: np.ndarray) -> np.ndarray:
    """Bone lengths of H36M-17 poses.

    Args:
        pose (np.ndarray): (..., 17, 3) joints.

    Returns:
        np.ndarray: (..., 16) lengths in :data:`H36M_BONES` order.
    """
    child = [c for c, _ in H36M_BONES]
    parent = [p for _, p in H36M_BONES]
    return np.linalg.norm(pose[..., child, :] - pose[..., parent, :], axis=-1)


def height_of_bones(lengths: np.ndarray) -> float:
    """Standing height (metres) of a skeleton with these bone lengths.

    Args:
        lengths (np.ndarray): (16,) bone lengths.

    Returns:
        float: ``(leg + spine) / LEG_SPINE_FRACTION``, the leg the mean of
        both thigh + shank.
    """
    L = np.asarray(lengths, np.float64)
    leg = (L[list(_THIGHS)].sum() + L[list(_SHANKS)].sum()) / 2.0
    return float((leg + L[list(_SPINE)].sum()) / LEG_SPINE_FRACTION)


def retarget(pose: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Set every bone's length, keeping its direction.

    Args:
        pose (np.ndarray): (T, 17, 3) root-relative poses.
        lengths (np.ndarray): (16,) bone lengths.

    Returns:
        np.ndarray: (T, 17, 3) poses with the pelvis at the origin.
    """
    out = np.zeros_like(pose, dtype=np.float64)
    for b, (c, p) in enumerate(H36M_BONES):  # parents come first
        v = pose[..., c, :] - pose[..., p, :]
        n = np.linalg.norm(v, axis=-1, keepdims=True)
        out[..., c, :] = out[..., p, :] + v / np.maximum(n, 1e-9) * lengths[b]
    return out


def initial_bone_lengths(pose: np.ndarray, height: float) -> np.ndarray:
    """The model's proportions (per-frame bones over their sum, median over
    frames) scaled to ``height``.

    Args:
        pose (np.ndarray): (T, 17, 3) poses in any units.
        height (float): Subject height in metres.

    Returns:
        np.ndarray: (16,) bone lengths in metres.
    """
    b = bone_lengths(pose)
    ratio = np.median(b / np.maximum(b.sum(-1, keepdims=True), 1e-9), 0)
    ratio = symmetrize(ratio)
    return ratio * height / height_of_bones(ratio)


def symmetrize(lengths: np.ndarray) -> np.ndarray:
    """Average the left and right bones."""
    out = np.asarray(lengths, np.float64).copy()
    for a, b in _SYMMETRIC:
        out[a] = out[b] = (out[a] + out[b]) / 2.0
    return out


def refine_bone_lengths(lengths: np.ndarray,
                        projected: np.ndarray,
                        observed: np.ndarray,
                        weights: np.ndarray,
                        across: np.ndarray,
                        height: float,
                        min_frames: int = 5) -> np.ndarray:
    """One update of the proportions from the 2D keypoints.

    Args:
        lengths (np.ndarray): (16,) current bone lengths.
        projected (np.ndarray): (T, 17, 2) reprojected joints (pixels).
        observed (np.ndarray): (T, 17, 2) 2D keypoints (pixels).
        weights (np.ndarray): (T, 17) keypoint scores (0 = missing).
        across (np.ndarray): (T, 16) bool, frames where a bone's projection
            is at least a set fraction of its full length at its depth
            (bones pointing at the camera give unstable ratios).
        height (float): Height the result is scaled to.
        min_frames (int): Frames a bone needs to be updated.

    Returns:
        np.ndarray: (16,) updated, symmetric bone lengths of that height.
    """
    ratio = np.full(len(lengths), np.nan)
    for b, (c, p) in enumerate(H36M_BONES):
        if b in _UNOBSERVED:
            continue
        ok = (weights[:, c] > 0) & (weights[:, p] > 0) & across[:, b]
        if ok.sum() < min_frames:
            continue
        seen = np.linalg.norm(observed[ok, c] - observed[ok, p], axis=-1)
        proj = np.linalg.norm(projected[ok, c] - projected[ok, p], axis=-1)
        ratio[b] = np.median(seen / np.maximum(proj, 1e-9))
    if not np.isfinite(ratio).any():
        return np.asarray(lengths, np.float64)
    ratio = np.where(np.isfinite(ratio), ratio / np.nanmedian(ratio), 1.0)
    out = symmetrize(np.asarray(lengths, np.float64) * ratio)
    return out * height / height_of_bones(out)
