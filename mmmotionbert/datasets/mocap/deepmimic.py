# Copyright (c) mmmotionbert contributors. All rights reserved.
"""DeepMimic motion clips bundled with pybullet: find, read, resample.

pybullet (PyPI ``pybullet``, zlib licence) ships the DeepMimic clips
(Peng et al. 2018) in ``pybullet_data/data/motions``: ``humanoid3d_*.txt``
(15 actions) and ``walker/*.txt`` (5 walks and turns). Each is a JSON file
``{"Loop": ..., "Frames": [[dt, root xyz, root quat wxyz, chest quat, neck
quat, right hip quat, right knee angle, right ankle quat, right shoulder
quat, right elbow angle, left hip quat, left knee angle, left ankle quat,
left shoulder quat, left elbow angle], ...]}`` (44 values per frame) posing
pybullet's ``humanoid/humanoid.urdf`` loaded with ``globalScaling=0.25`` (as
``pybullet_envs.deep_mimic`` does). Quaternions in the clips are scalar
first (``w, x, y, z``, the convention of :mod:`mmmotionbert.utils.rotation`)
and not always of unit norm; pybullet's own API takes them scalar last.

The frame layout (:data:`_FRAME_LAYOUT`) is shared with the forward
kinematics of :mod:`.humanoid_fk`.

May import: the standard library, numpy and
:mod:`mmmotionbert.utils.rotation`; pybullet_data lazily. Nothing else from
mmmotionbert (the other ``mocap`` modules import this one).
"""
import glob
import json
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np

from mmmotionbert.utils.rotation import slerp_quaternion_np

__all__ = [
    'DEEPMIMIC_SCALE', 'pybullet_data_path', 'list_deepmimic_clips',
    'load_deepmimic_clip', 'resample_deepmimic_frames'
]

#: globalScaling DeepMimic loads ``humanoid/humanoid.urdf`` with.
DEEPMIMIC_SCALE = 0.25
#: Joints posed by a DeepMimic frame: (URDF joint, first value, #values).
_FRAME_LAYOUT = (('chest', 8, 4), ('neck', 12, 4), ('right_hip', 16, 4),
                 ('right_knee', 20, 1), ('right_ankle', 21, 4),
                 ('right_shoulder', 25, 4), ('right_elbow', 29, 1),
                 ('left_hip', 30, 4), ('left_knee', 34, 1),
                 ('left_ankle', 35, 4), ('left_shoulder', 39, 4),
                 ('left_elbow', 43, 1))
_FRAME_SIZE = 44
_PIP_HINT = 'pip install --no-deps pybullet==3.2.7'


def pybullet_data_path() -> str:
    """Folder of ``pybullet_data`` (the URDFs and the DeepMimic clips).

    Returns:
        str: ``pybullet_data.getDataPath()``.

    Raises:
        ImportError: If pybullet is not installed.
    """
    try:
        import pybullet_data
    except ImportError as err:
        raise ImportError(
            'The DeepMimic motion clips come with pybullet, which is not '
            f'installed: {_PIP_HINT} (or pip install -r '
            'requirements/optional.txt --no-deps)') from err
    return pybullet_data.getDataPath()


def list_deepmimic_clips(data_path: Optional[str] = None) -> Dict[str, str]:
    """Find the DeepMimic humanoid clips of pybullet_data.

    Args:
        data_path (str, optional): ``pybullet_data`` folder. Defaults to the
            installed one.

    Returns:
        dict[str, str]: Clip name -> file, sorted by name: ``humanoid3d_*``
        as ``walk``, ``run``, ... and ``walker/*`` as ``walker_<stem>``.
    """
    root = osp.join(data_path or pybullet_data_path(), 'data', 'motions')
    clips = {}
    for path in sorted(glob.glob(osp.join(root, 'humanoid3d_*.txt'))):
        clips[osp.basename(path)[len('humanoid3d_'):-4]] = path
    for path in sorted(glob.glob(osp.join(root, 'walker', '*.txt'))):
        clips['walker_' + osp.basename(path)[:-4]] = path
    if not clips:
        raise FileNotFoundError(f'no DeepMimic humanoid clips under {root}')
    return dict(sorted(clips.items()))


def load_deepmimic_clip(path: str) -> Tuple[np.ndarray, bool]:
    """Read one DeepMimic motion file.

    Args:
        path (str): ``humanoid3d_*.txt`` or ``walker/*.txt`` file.

    Returns:
        tuple: ``(frames, loop)``: (N, 44) float64 frames and whether the
        clip loops (``"Loop": "wrap"``).
    """
    with open(path) as f:
        data = json.load(f)
    frames = np.asarray(data['Frames'], dtype=np.float64)
    if frames.ndim != 2 or frames.shape[1] != _FRAME_SIZE:
        raise ValueError(f'{path}: expected (N, {_FRAME_SIZE}) DeepMimic '
                         f'humanoid frames, got {frames.shape}')
    return frames, str(data.get('Loop', 'none')).lower() == 'wrap'


def resample_deepmimic_frames(frames: np.ndarray, fps: float) -> np.ndarray:
    """Resample DeepMimic frames to a constant frame rate.

    Frame ``i`` starts at ``sum(dt[:i])``; new frames are taken every
    ``1 / fps`` seconds over the clip's duration, with linear interpolation
    of the root position and the knee/elbow angles and spherical linear
    interpolation (slerp) of every quaternion, so bone lengths stay exact.

    Args:
        frames (np.ndarray): (N, 44) DeepMimic frames.
        fps (float): Target frame rate.

    Returns:
        np.ndarray: (M, 44) frames; column 0 (dt) is ``1 / fps``.
    """
    if fps <= 0:
        raise ValueError(f'fps must be positive, got {fps}')
    n = len(frames)
    if n < 2:
        return frames.copy()
    times = np.concatenate([[0.0], np.cumsum(frames[:-1, 0])])
    duration = times[-1]
    new_t = np.arange(0.0, duration + 1e-9, 1.0 / fps)
    seg = np.clip(np.searchsorted(times, new_t, side='right') - 1, 0, n - 2)
    span = times[seg + 1] - times[seg]
    w = np.clip((new_t - times[seg]) / np.where(span > 0, span, 1.0), 0, 1)
    f0, f1 = frames[seg], frames[seg + 1]
    out = f0 + (f1 - f0) * w[:, None]  # linear for positions and angles
    quat_cols = [4] + [start for _, start, size in _FRAME_LAYOUT if size == 4]
    for c in quat_cols:
        out[:, c:c + 4] = slerp_quaternion_np(f0[:, c:c + 4],
                                              f1[:, c:c + 4], w)
    out[:, 0] = 1.0 / fps
    return out
