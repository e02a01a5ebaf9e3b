# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Joint angles (degrees) of one person's metric 3D motion, and their CSV.

Input: H36M-17 world positions, Y up. Every angle is computed per frame
from that frame's joints alone; a frame where a joint it uses is NaN gives
NaN. Vectors (``a -> b`` is ``b - a``):

* body axes: ``up`` = unit(pelvis -> thorax); ``left_hips`` = right_hip
  -> left_hip and ``left_shoulders`` = right_shoulder -> left_shoulder,
  each made perpendicular to ``up`` and unit; ``forward`` = ``left x up``
  (with left on +X and up on +Y, forward is +Z). The body's sagittal plane
  is spanned by ``up`` and ``forward``.
* ``trunk_tilt``: unsigned angle between pelvis -> thorax and the world
  up (+Y), in [0, 180]; 0 upright, 90 lying.
* ``<side>_hip_flexion``: the thigh (hip -> knee) projected into the
  sagittal plane of the hips' ``forward``, signed angle from ``-up``
  (trunk pointing down) towards ``forward``: 0 standing, +90 thigh
  forward and horizontal (sitting), negative for extension (thigh
  behind the trunk); in (-180, 180].
* ``<side>_knee_flexion``: 180 minus the angle between knee -> hip and
  knee -> ankle: 0 straight leg, 90 a right angle; in [0, 180], unsigned
  (the direction of bending is not checked).
* ``<side>_ankle_shank_inclination``: H36M-17 has no foot markers, so no
  true ankle dorsiflexion: this is the shank (ankle -> knee) in the
  vertical plane of world up (+Y) and the hips' ``forward`` made
  horizontal, signed angle from +Y towards forward: 0 vertical shank,
  positive when the knee is in front of the ankle (as in a squat),
  negative when behind; in (-180, 180]. It equals ankle dorsiflexion
  only for a foot flat on a level floor.
* ``<side>_shoulder_flexion``: the upper arm (shoulder -> elbow)
  projected into the sagittal plane of the shoulders' ``forward``, signed
  angle from ``-up`` towards ``forward``: 0 arm hanging, +90 arm forward
  and horizontal, +180 overhead, negative for extension; in (-180, 180].
* ``<side>_elbow_flexion``: 180 minus the angle between elbow -> shoulder
  and elbow -> wrist: 0 straight arm; in [0, 180], unsigned.

``<side>`` is ``left`` or ``right``: the person's own sides (H36M-17's).

The CSV (:func:`write_joint_angles_csv`): comma separated, a header
``frame,time,<angle names in the order of ANGLE_NAMES>``, one row per
frame: ``frame`` from 0, ``time = frame / fps`` seconds, angles with 4
decimals; NaN as an empty cell.

May import: numpy and :mod:`mmmotionbert.utils`; never ``apis``.
"""
import os
import os.path as osp
from typing import Dict

import numpy as np

from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES

__all__ = ['joint_angles', 'write_joint_angles_csv', 'ANGLE_NAMES']

_J = {name: i for i, name in enumerate(H36M_JOINT_NAMES)}
#: Column order of :func:`joint_angles` and the CSV.
ANGLE_NAMES = ('trunk_tilt', ) + tuple(
    f'{side}_{angle}' for side in ('left', 'right')
    for angle in ('hip_flexion', 'knee_flexion', 'ankle_shank_inclination',
                  'shoulder_flexion', 'elbow_flexion'))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle (degrees) between vectors (N, 3)."""
    return np.degrees(np.arctan2(np.linalg.norm(np.cross(a, b), axis=-1),
                                 _dot(a, b)))


def _signed(v: np.ndarray, zero: np.ndarray, positive: np.ndarray
            ) -> np.ndarray:
    """Signed angle (degrees) of ``v`` in the plane of the orthonormal
    ``zero``, ``positive`` axes, from ``zero`` towards ``positive``."""
    return np.degrees(np.arctan2(_dot(v, positive), _dot(v, zero)))


def _lateral(left: np.ndarray, up: np.ndarray) -> np.ndarray:
    return _unit(left - _dot(left, up)[:, None] * up)


def joint_angles(joints: np.ndarray) -> Dict[str, np.ndarray]:
    """Joint angles of every frame (definitions: the module docstring).

    Args:
        joints (np.ndarray): (T, 17, 3) H36M-17 world positions (Y up), NaN
            where missing.

    Returns:
        dict[str, np.ndarray]: :data:`ANGLE_NAMES` -> (T,) float64 degrees,
        NaN where a joint it needs is missing.

    Raises:
        ValueError: If ``joints`` is not (T, 17, 3).
    """
    x = np.asarray(joints, dtype=np.float64)
    if x.ndim != 3 or x.shape[1:] != (17, 3):
        raise ValueError(f'expected (T, 17, 3) H36M-17 joints, got shape '
                         f'{x.shape}')

    def p(name: str) -> np.ndarray:
        return x[:, _J[name]]

    world_up = np.array([0., 1., 0.])
    with np.errstate(invalid='ignore', divide='ignore'):
        trunk = p('thorax') - p('pelvis')
        up = _unit(trunk)
        left_hips = _lateral(p('left_hip') - p('right_hip'), up)
        left_arms = _lateral(p('left_shoulder') - p('right_shoulder'), up)
        fwd_hips = np.cross(left_hips, up)
        fwd_arms = np.cross(left_arms, up)
        fwd_flat = _unit(fwd_hips - _dot(fwd_hips, world_up)[:, None] *
                         world_up)
        out = {'trunk_tilt': _angle(trunk, np.broadcast_to(world_up,
                                                           trunk.shape))}
        for side in ('left', 'right'):
            hip, knee, ankle = (p(f'{side}_{j}')
                                for j in ('hip', 'knee', 'ankle'))
            sho, elb, wri = (p(f'{side}_{j}')
                             for j in ('shoulder', 'elbow', 'wrist'))
            out[f'{side}_hip_flexion'] = _signed(knee - hip, -up, fwd_hips)
            out[f'{side}_knee_flexion'] = 180.0 - _angle(hip - knee,
                                                         ankle - knee)
            out[f'{side}_ankle_shank_inclination'] = _signed(
                knee - ankle, np.broadcast_to(world_up, up.shape), fwd_flat)
            out[f'{side}_shoulder_flexion'] = _signed(elb - sho, -up,
                                                      fwd_arms)
            out[f'{side}_elbow_flexion'] = 180.0 - _angle(sho - elb,
                                                          wri - elb)
    return {name: out[name] for name in ANGLE_NAMES}


def write_joint_angles_csv(path: str, joints: np.ndarray,
                           fps: float) -> str:
    """Write :func:`joint_angles` as a CSV file (layout: module docstring).

    Args:
        path (str): Output ``*.csv`` file (its folder is created).
        joints (np.ndarray): (T, 17, 3) H36M-17 world positions (Y up), NaN
            where missing.
        fps (float): Frame rate, for the ``time`` column.

    Returns:
        str: ``path``.

    Raises:
        ValueError: On a wrong shape or a non-positive ``fps``.
    """
    if not fps or not np.isfinite(fps) or fps <= 0:
        raise ValueError(f'fps must be a positive number, got {fps!r}')
    angles = joint_angles(joints)
    lines = [','.join(('frame', 'time') + ANGLE_NAMES)]
    table = np.stack([angles[n] for n in ANGLE_NAMES], axis=1)
    for t, row in enumerate(table):
        cells = [f'{v:.4f}' if np.isfinite(v) else '' for v in row]
        lines.append(','.join([str(t), f'{t / float(fps):.6f}'] + cells))
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path
