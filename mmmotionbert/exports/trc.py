# Copyright (c) mmmotionbert contributors. All rights reserved.
"""TRC marker files (OpenSim, Pose2Sim) of one person's metric 3D motion.

The layout is the one Pose2Sim's triangulation writes and OpenSim's
Scale and Inverse Kinematics tools read: tab separated, five header lines

1. ``PathFileType  4  (X/Y/Z)  <file name>``
2. ``DataRate  CameraRate  NumFrames  NumMarkers  Units  OrigDataRate
   OrigDataStartFrame  OrigNumFrames``
3. their values (rates = ``fps``, start frame 1)
4. ``Frame#  Time  <marker 1>  <empty>  <empty>  <marker 2> ...``
5. ``<empty>  <empty>  X1  Y1  Z1  X2 ...``

then one row per frame: ``Frame#`` (from 1), ``Time`` (seconds,
``(Frame# - 1) / fps``, so the first frame is at 0) and X, Y, Z of every
marker with 6 decimals (micrometres in metres).

* Units: metres (``units='m'``, what Pose2Sim writes) or millimetres
  (``units='mm'``).
* Axes: the input world frame unchanged, Y up, which is OpenSim's
  convention (Pose2Sim turns its Z-up triangulation into Y up the same
  way before writing).
* Missing values: a frame where a joint is NaN has empty fields for that
  marker, as Pose2Sim writes them (pandas' ``to_csv``); OpenSim reads empty
  fields as missing markers, and its IK skips them for that frame.
* Marker names (:func:`resolve_marker_names`): by default the H36M-17
  joint names (:data:`~mmmotionbert.utils.keypoints.H36M_JOINT_NAMES`:
  ``pelvis, right_hip, right_knee, right_ankle, left_hip, left_knee,
  left_ankle, spine, thorax, nose, head, left_shoulder, left_elbow,
  left_wrist, right_shoulder, right_elbow, right_wrist``); with
  ``marker_names='pose2sim'`` the names of :data:`POSE2SIM_MARKER_NAMES`
  (``Hip, RHip, RKnee, RAnkle, LHip, ..., Neck, Nose, Head, LShoulder,
  ...``), which match the markers of Pose2Sim's OpenSim models where the
  joint is the same; ``spine`` (midway pelvis-thorax) has no Pose2Sim
  counterpart and is called ``Spine``.

May import: numpy and :mod:`mmmotionbert.utils`; never ``apis``.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np

from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES

__all__ = ['write_trc', 'resolve_marker_names', 'POSE2SIM_MARKER_NAMES']

#: Pose2Sim-style names of the H36M-17 joints (pelvis = mid-hips ``Hip``,
#: thorax = ``Neck``, as :data:`mmmotionbert.datasets.pose2sim_demo.
#: TRC_TO_H36M` maps Pose2Sim's markers to H36M-17).
POSE2SIM_MARKER_NAMES = ('Hip', 'RHip', 'RKnee', 'RAnkle', 'LHip', 'LKnee',
                         'LAnkle', 'Spine', 'Neck', 'Nose', 'Head',
                         'LShoulder', 'LElbow', 'LWrist', 'RShoulder',
                         'RElbow', 'RWrist')
_SCALE = {'m': 1.0, 'mm': 1000.0}


def resolve_marker_names(names: Union[None, str, Sequence[str]] = None,
                 num: int = 17) -> List[str]:
    """Resolve the marker names of :func:`write_trc`.

    Args:
        names (None | str | Sequence[str]): ``None`` (H36M-17 joint names),
            ``'pose2sim'`` (:data:`POSE2SIM_MARKER_NAMES`) or one name per
            joint.
        num (int): Number of joints.

    Returns:
        list[str]: ``num`` names.

    Raises:
        ValueError: On a wrong count, duplicates, or names with tabs or
            white space at the ends.
    """
    if names is None:
        names = H36M_JOINT_NAMES
    elif isinstance(names, str):
        if names != 'pose2sim':
            raise ValueError(f"marker_names must be None, 'pose2sim' or a "
                             f'sequence of names, got {names!r}')
        names = POSE2SIM_MARKER_NAMES
    names = [str(n) for n in names]
    if len(names) != num:
        raise ValueError(f'{len(names)} marker names for {num} joints')
    if len(set(names)) != num:
        raise ValueError(f'duplicate marker names in {names}')
    bad = [n for n in names if not n or '\t' in n or n != n.strip()]
    if bad:
        raise ValueError(f'marker names must be non-empty without tabs or '
                         f'surrounding spaces: {bad}')
    return names


def _fmt(v: float) -> str:
    return f'{v:.6f}' if np.isfinite(v) else ''


def write_trc(path: str,
              joints: np.ndarray,
              fps: float,
              marker_names: Optional[Union[str, Sequence[str]]] = None,
              units: str = 'm') -> str:
    """Write one person's joints as a TRC marker file.

    Args:
        path (str): Output ``*.trc`` file (its folder is created).
        joints (np.ndarray): (T, J, 3) world positions in metres, Y up, NaN
            where missing (J = 17 for the default names).
        fps (float): Frame rate (``DataRate`` and ``CameraRate``).
        marker_names (None | str | Sequence[str]): See
            :func:`resolve_marker_names`.
        units (str): ``'m'`` or ``'mm'``.

    Returns:
        str: ``path``.

    Raises:
        ValueError: On a wrong shape, ``fps`` or ``units``, or bad names.
    """
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[-1] != 3:
        raise ValueError(f'expected (T, J, 3) joints, got {joints.shape}')
    if not fps or not np.isfinite(fps) or fps <= 0:
        raise ValueError(f'fps must be a positive number, got {fps!r}')
    if units not in _SCALE:
        raise ValueError(f'units must be one of {sorted(_SCALE)}, got '
                         f'{units!r}')
    names = resolve_marker_names(marker_names, joints.shape[1])
    num_frames = len(joints)
    rate = f'{float(fps):g}'
    lines = [
        f'PathFileType\t4\t(X/Y/Z)\t{osp.basename(path)}',
        'DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate'
        '\tOrigDataStartFrame\tOrigNumFrames',
        '\t'.join([rate, rate, str(num_frames), str(len(names)), units, rate,
                   '1', str(num_frames)]),
        'Frame#\tTime\t' + '\t\t\t'.join(names) + '\t\t',
        '\t\t' + '\t'.join(f'X{i}\tY{i}\tZ{i}'
                           for i in range(1, len(names) + 1)),
    ]
    values = joints.reshape(num_frames, -1) * _SCALE[units]
    for t, row in enumerate(values):
        lines.append('\t'.join([str(t + 1), f'{t / float(fps):.6f}'] +
                               [_fmt(v) for v in row]))
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path

