# Copyright (c) mmmotionbert contributors. All rights reserved.
"""BVH (Biovision hierarchy) files of one person's metric 3D motion.

The file holds the skeleton of :mod:`mmmotionbert.exports.skeleton` (the
H36M-17 joints plus four zero-offset helper joints, constant bone lengths:
the medians over the frames) in a T-pose rest pose, and one line of
channels per frame:

* units: **metres** (offsets and root positions as they are; in Blender's
  importer keep Scale 1.0 for a life-size armature);
* axes: the input world frame, Y up (Blender's importer default
  ``Up: Y``, ``Forward: -Z`` turns it into Blender's Z up);
* the root (``pelvis``, OFFSET 0 0 0) has ``Xposition Yposition Zposition
  Zrotation Xrotation Yrotation``, the pelvis position in the world; every
  other joint ``Zrotation Xrotation Yrotation``;
* rotations: degrees, local to the parent joint, intrinsic Z then X then Y
  (the matrix ``Rz @ Rx @ Ry``, the CHANNELS order), each channel unwrapped
  over time (no 360 degree jumps);
* end sites (after the ankles, wrists and head) are cosmetic: a quarter of
  the last bone, along it (forward, +Z, for the feet).

What the file reproduces: with an input whose bone lengths are constant,
every joint position (forward kinematics within printing precision, well
under 1 mm); otherwise every bone's direction exactly, with its median
length, so the positions differ from the input by the length changes.

Missing frames (NaN): every joint coordinate is filled by linear
interpolation over time, holding the first and last finite value at the
ends, before the rotations are solved (:func:`~mmmotionbert.exports.
skeleton.fill_missing`); the file has every frame.

May import: numpy, scipy and :mod:`mmmotionbert.utils`; never ``apis``.
"""
import os
import os.path as osp
import warnings
from typing import List

import numpy as np

from .skeleton import (SKELETON, fill_missing, median_bone_lengths,
                       rest_offsets, solve_rotations)

__all__ = ['write_bvh', 'bvh_channels']

#: BVH Euler order (intrinsic) of every rotation channel triple.
EULER_ORDER = 'ZXY'
_ROT_CHANNELS = 'Zrotation Xrotation Yrotation'


def _check(joints: np.ndarray, fps: float) -> np.ndarray:
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[1:] != (17, 3):
        raise ValueError(f'expected (T, 17, 3) H36M-17 joints, got shape '
                         f'{joints.shape}')
    if not fps or not np.isfinite(fps) or fps <= 0:
        raise ValueError(f'fps must be a positive number, got {fps!r}')
    if not np.isfinite(joints).all(-1).any():
        raise ValueError('no frame has a finite joint')
    return joints


def bvh_channels(joints: np.ndarray) -> np.ndarray:
    """The MOTION values of :func:`write_bvh` for one person.

    Args:
        joints (np.ndarray): (T, 17, 3) H36M-17 world positions (metres,
            Y up), NaN where missing.

    Returns:
        np.ndarray: (T, 3 + 3 * len(SKELETON)) float64: pelvis position,
        then each joint's Z, X, Y Euler angles in degrees, in file order.
    """
    raw = np.asarray(joints, dtype=np.float64)
    offsets = rest_offsets(median_bone_lengths(raw))
    filled = fill_missing(raw)
    rots, _ = solve_rotations(filled, offsets)
    angles = []
    for i, joint in enumerate(SKELETON):
        local = rots[i] if joint.parent < 0 else rots[joint.parent].inv() * \
            rots[i]
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', UserWarning)  # gimbal lock
            euler = local.as_euler(EULER_ORDER, degrees=True)
        angles.append(np.unwrap(euler, period=360.0, axis=0))
    return np.concatenate([filled[:, 0]] + angles, axis=1)


def _hierarchy(offsets: np.ndarray, prefix: str) -> List[str]:
    children = [[] for _ in SKELETON]
    for i, joint in enumerate(SKELETON):
        if joint.parent >= 0:
            children[joint.parent].append(i)
    lines: List[str] = ['HIERARCHY']

    def emit(i: int, depth: int) -> None:
        pad = '\t' * depth
        joint = SKELETON[i]
        kind = 'ROOT' if joint.parent < 0 else 'JOINT'
        lines.append(f'{pad}{kind} {prefix}{joint.name}')
        lines.append(pad + '{')
        lines.append(f'{pad}\tOFFSET ' + ' '.join(f'{v:.6f}'
                                                   for v in offsets[i]))
        if joint.parent < 0:
            lines.append(f'{pad}\tCHANNELS 6 Xposition Yposition Zposition '
                         f'{_ROT_CHANNELS}')
        else:
            lines.append(f'{pad}\tCHANNELS 3 {_ROT_CHANNELS}')
        for c in children[i]:
            emit(c, depth + 1)
        if not children[i]:
            last = offsets[i]
            tip = (np.array([0., 0., np.linalg.norm(last)]) if joint.name in
                   ('left_ankle', 'right_ankle') else last) * 0.25
            lines.extend([
                f'{pad}\tEnd Site', pad + '\t{',
                f'{pad}\t\tOFFSET ' + ' '.join(f'{v:.6f}' for v in tip),
                pad + '\t}'])
        lines.append(pad + '}')

    emit(0, 0)
    return lines


def write_bvh(path: str, joints: np.ndarray, fps: float,
              name: str = '') -> str:
    """Write one person's motion as a BVH file (see the module docstring).

    Args:
        path (str): Output ``*.bvh`` file (its folder is created).
        joints (np.ndarray): (T, 17, 3) H36M-17 world positions in metres,
            Y up, NaN rows where the person was not detected.
        fps (float): Frame rate (``Frame Time`` is ``1 / fps``).
        name (str): Prefix of every joint name (e.g. ``'id3_'``); empty by
            default, so joints are named as in :data:`SKELETON`.

    Returns:
        str: ``path``.

    Raises:
        ValueError: On a wrong shape, a non-positive ``fps``, or a joint or
            bone never seen.
    """
    joints = _check(joints, fps)
    offsets = rest_offsets(median_bone_lengths(joints))
    values = bvh_channels(joints)
    lines = _hierarchy(offsets, name)
    lines += ['MOTION', f'Frames: {len(values)}',
              f'Frame Time: {1.0 / float(fps):.8f}']
    lines += [' '.join(f'{v:.6f}' for v in row) for row in values]
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path
