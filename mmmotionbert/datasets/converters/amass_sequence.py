# Copyright (c) mmmotionbert contributors. All rights reserved.
"""AMASS motion files: listing, reading and resampling one sequence.

An AMASS motion is an ``.npz`` of SMPL+H parameters (``poses`` (T, 156)
axis-angle, ``trans`` (T, 3) metres, ``betas``, ``gender``,
``mocap_framerate``, optionally ``dmpls``). :func:`read_amass_sequence`
reads one into an :class:`AmassSequence` (``allow_pickle=False``; files
that are not SMPL+H motions give None); :func:`resample_sequence` brings it
to a target frame rate -- the official "every ``round(fps_src / fps)``-th
frame", or slerp of the joint rotations to the exact rate
(:func:`resample_plan`; the slerp itself is
:func:`mmmotionbert.utils.rotation.slerp_axis_angle_np`).

May import: numpy, the standard library, :mod:`mmmotionbert.utils.rotation`
and :mod:`.amass_body_model` (for :data:`GENDERS`).
"""
import fnmatch
import os
import os.path as osp
import zipfile
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.utils.rotation import slerp_axis_angle_np
from .amass_body_model import GENDERS

__all__ = [
    'AmassSequence', 'list_amass_sequences', 'read_amass_sequence',
    'resample_plan', 'resample_sequence'
]


@dataclass
class AmassSequence:
    """One AMASS motion.

    Args:
        name (str): Path relative to the AMASS root, without ``.npz``.
        poses (np.ndarray): (T, P) axis-angle poses.
        trans (np.ndarray): (T, 3) translations.
        betas (np.ndarray): (B,) shape.
        gender (str): ``male``, ``female``, ``neutral`` or ``unknown``.
        fps (float): Frame rate.
        dmpls (np.ndarray, optional): (T, K) DMPL coefficients.
    """

    name: str
    poses: np.ndarray
    trans: np.ndarray
    betas: np.ndarray
    gender: str
    fps: float
    dmpls: Optional[np.ndarray] = field(default=None)


def list_amass_sequences(
        root: str,
        include: Optional[Sequence[str]] = None,
        exclude: Optional[Sequence[str]] = None) -> List[Tuple[str, str]]:
    """All ``.npz`` files under an AMASS folder.

    Args:
        root (str): AMASS folder (e.g. with ``CMU/``, ``BMLmovi/``...).
        include (Sequence[str], optional): Glob patterns on the relative path
            (e.g. ``CMU/*``); only matching files are kept.
        exclude (Sequence[str], optional): Glob patterns to leave out.

    Returns:
        list[tuple[str, str]]: ``(name, path)`` sorted by name, ``name``
        the relative path without ``.npz`` with ``/`` separators.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'AMASS folder not found: {root}')
    out = []
    for folder, _, files in os.walk(root):
        for fname in files:
            if not fname.endswith('.npz'):
                continue
            path = osp.join(folder, fname)
            rel = osp.relpath(path, root).replace(os.sep, '/')
            if include and not any(fnmatch.fnmatch(rel, p) for p in include):
                continue
            if exclude and any(fnmatch.fnmatch(rel, p) for p in exclude):
                continue
            out.append((rel[:-len('.npz')], path))
    return sorted(out)


def _gender(value) -> str:
    """Normalise an AMASS ``gender`` entry."""
    value = np.asarray(value).reshape(-1)
    if value.size == 0:
        return 'unknown'
    g = value[0]
    if isinstance(g, bytes):
        g = g.decode('utf-8', 'replace')
    g = str(g).strip().lower()
    return g if g in GENDERS else 'unknown'


def read_amass_sequence(path: str,
                        name: Optional[str] = None,
                        load_motion: bool = True) -> Optional[AmassSequence]:
    """Read one AMASS ``.npz`` (``allow_pickle=False``).

    Args:
        path (str): The file.
        name (str, optional): Name to give it. Defaults to the file stem.
        load_motion (bool): Read ``poses`` / ``trans`` / ``dmpls``; with
            False only gender, fps and betas are read (a quick scan).

    Returns:
        AmassSequence | None: None for files that are not SMPL+H motions
        (``shape.npz`` files with betas only, SMPL-X sequences).
    """
    name = name or osp.splitext(osp.basename(path))[0]
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile):
        return None
    with npz:
        keys = set(npz.files)
        if 'poses' not in keys or 'trans' not in keys:
            return None
        if 'surface_model_type' in keys:
            try:
                model_type = str(npz['surface_model_type']).lower()
            except ValueError:
                model_type = 'smplh'
            if 'smplh' not in model_type and model_type != 'smpl+h':
                return None
        fps_key = ('mocap_framerate' if 'mocap_framerate' in keys else
                   'mocap_frame_rate' if 'mocap_frame_rate' in keys else None)
        if fps_key is None:
            return None
        fps = float(npz[fps_key])
        try:
            gender = _gender(npz['gender']) if 'gender' in keys else 'unknown'
        except ValueError:  # an object array
            gender = 'unknown'
        betas = (
            np.asarray(npz['betas'], np.float32).reshape(-1)
            if 'betas' in keys else np.zeros(16, np.float32))
        poses = trans = dmpls = np.zeros((0, 0), np.float32)
        if load_motion:
            poses = np.asarray(npz['poses'], dtype=np.float32)
            trans = np.asarray(npz['trans'], dtype=np.float32)
            dmpls = (
                np.asarray(npz['dmpls'], dtype=np.float32)
                if 'dmpls' in keys else None)
            if poses.ndim != 2 or poses.shape[1] < 66 or trans.shape != (
                    len(poses), 3):
                return None
            if poses.shape[1] > 156:  # SMPL-X (165: jaw, eyes, hands)
                return None
    return AmassSequence(name, poses, trans, betas, gender, fps, dmpls)


# ------------------------------------------------------------ resampling
def resample_plan(num_frames: int,
                  src_fps: float,
                  fps: float,
                  mode: str = 'auto') -> Tuple[np.ndarray, np.ndarray, float]:
    """Which source frames (and blend weights) make the resampled sequence.

    Args:
        num_frames (int): Source frames.
        src_fps (float): Source frame rate.
        fps (float): Target frame rate.
        mode (str): ``'stride'`` (official: every ``round(src_fps / fps)``
            -th frame, at least 1, whatever rate that gives), ``'slerp'``
            (exactly ``fps``: frame ``j`` at time ``j / fps`` blended from
            its two source neighbours) or ``'auto'`` (``'stride'`` when the
            rates are an integer ratio apart within 1%, else ``'slerp'``).

    Returns:
        tuple: ``index`` (M, 2) int64 neighbour frames, ``weight`` (M,)
        float64 weight of the second neighbour, and the output rate.
    """
    if mode not in ('auto', 'stride', 'slerp'):
        raise ValueError(f"mode must be 'auto', 'stride' or 'slerp', got "
                         f'{mode!r}')
    if src_fps <= 0 or fps <= 0:
        raise ValueError(f'frame rates must be > 0, got {src_fps}, {fps}')
    ratio = src_fps / fps
    step = max(int(round(ratio)), 1)
    if mode == 'auto':
        mode = 'stride' if abs(src_fps / step - fps) <= 0.01 * fps else 'slerp'
    if num_frames < 1:
        return np.zeros((0, 2), np.int64), np.zeros(0), float(fps)
    if mode == 'stride':
        idx = np.arange(0, num_frames, step)
        return (np.stack([idx, idx], 1).astype(np.int64), np.zeros(len(idx)),
                float(src_fps / step))
    count = int(np.floor((num_frames - 1) / ratio + 1e-6)) + 1
    t = np.arange(count) * ratio
    low = np.minimum(np.floor(t + 1e-9).astype(np.int64), num_frames - 1)
    high = np.minimum(low + 1, num_frames - 1)
    weight = np.clip(t - low, 0.0, 1.0)
    weight[high == low] = 0.0
    return np.stack([low, high], 1), weight, float(fps)


def resample_sequence(seq: AmassSequence,
                      fps: float,
                      mode: str = 'auto') -> AmassSequence:
    """Resample an AMASS sequence's parameters to ``fps``.

    Rotations are blended by quaternion slerp
    (:func:`~mmmotionbert.utils.rotation.slerp_axis_angle_np`), translations
    and DMPLs
    linearly (only in ``'slerp'`` mode; ``'stride'`` picks frames).

    Args:
        seq (AmassSequence): Source.
        fps (float): Target rate.
        mode (str): See :func:`resample_plan`.

    Returns:
        AmassSequence: New sequence; its ``fps`` is the rate obtained.
    """
    index, weight, out_fps = resample_plan(len(seq.poses), seq.fps, fps, mode)
    lo, hi = index[:, 0], index[:, 1]
    if not np.any(weight > 0):
        poses, trans = seq.poses[lo], seq.trans[lo]
        dmpls = None if seq.dmpls is None else seq.dmpls[lo]
    else:
        p = seq.poses.astype(np.float64)
        joints = p.reshape(len(p), -1, 3)
        poses = slerp_axis_angle_np(joints[lo], joints[hi], weight[:, None])
        poses = poses.reshape(len(lo), -1).astype(np.float32)
        w = weight[:, None]
        trans = ((1 - w) * seq.trans[lo] + w * seq.trans[hi]).astype(
            np.float32)
        dmpls = None if seq.dmpls is None else ((1 - w) * seq.dmpls[lo] +
                                                w * seq.dmpls[hi]).astype(
                                                    np.float32)
    return AmassSequence(seq.name, poses, trans, seq.betas, seq.gender,
                         out_fps, dmpls)
