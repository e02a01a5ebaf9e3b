# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The H36M-17 mocap cache: converting the DeepMimic clips, writing, reading.

:func:`convert_deepmimic_clips` runs the forward kinematics of
:mod:`.humanoid_fk` over the clips of :mod:`.deepmimic`;
:func:`write_mocap_cache` stores the result as one pickle-free ``.npz`` at
:func:`default_mocap_cache` (``tools/dataset_converters/pybullet_mocap.py``
is the command-line entry) and :func:`load_mocap_cache` reads it back (or
any ``.npz`` of (T, 17, 3) clips, e.g. the AMASS converter's).

May import: the standard library, numpy, :mod:`.deepmimic`,
:mod:`.humanoid_fk` and (lazily) :mod:`mmmotionbert.utils.keypoints`;
tqdm lazily.
"""
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np

from .deepmimic import (_PIP_HINT, list_deepmimic_clips, load_deepmimic_clip,
                        pybullet_data_path, resample_deepmimic_frames)
from .humanoid_fk import FACE_NAMES, HumanoidModel

__all__ = [
    'MOCAP_CACHE_VERSION', 'default_mocap_cache', 'convert_deepmimic_clips',
    'write_mocap_cache', 'load_mocap_cache'
]

#: Version of the joint definitions in the cache file name; bumped whenever
#: they change so that stale caches are rebuilt, never silently reused
#: (2: thorax raised to the base of the neck).
MOCAP_CACHE_VERSION = 2


def default_mocap_cache() -> str:
    """Default path of the converted DeepMimic cache.

    ``$MMMOTIONBERT_CACHE/mocap/pybullet_h36m_v{MOCAP_CACHE_VERSION}.npz``,
    where
    ``MMMOTIONBERT_CACHE`` defaults to ``~/.cache/mmmotionbert`` (as in
    ``tools/install.sh``; ``XDG_CACHE_HOME`` is honoured).

    Returns:
        str: The path (not necessarily existing).
    """
    base = os.environ.get('MMMOTIONBERT_CACHE')
    if not base:
        xdg = os.environ.get('XDG_CACHE_HOME') or osp.join(
            osp.expanduser('~'), '.cache')
        base = osp.join(xdg, 'mmmotionbert')
    return osp.join(base, 'mocap',
                    f'pybullet_h36m_v{MOCAP_CACHE_VERSION}.npz')


def convert_deepmimic_clips(clips: Optional[Sequence[str]] = None,
                            fps: float = 60.0,
                            data_path: Optional[str] = None,
                            progress: bool = True) -> dict:
    """Forward kinematics of DeepMimic clips, resampled to ``fps``.

    Args:
        clips (Sequence[str], optional): Clip names (see
            :func:`list_deepmimic_clips`). Defaults to all 20.
        fps (float): Common frame rate of the output. Defaults to 60 (the
            Pose2Sim demo's rate; most clips are recorded at 30 or 60).
        data_path (str, optional): ``pybullet_data`` folder.
        progress (bool): Show a tqdm progress bar. Defaults to True.

    Returns:
        dict: ``joints`` and ``face`` (dict name -> float32 (T, 17, 3) /
        (T, 5, 3), metres, Y up), ``fps`` (float), ``loop`` (dict name ->
        bool) and ``source_fps`` (dict name -> float).
    """
    available = list_deepmimic_clips(data_path)
    names = list(available) if clips is None else list(clips)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f'unknown DeepMimic clips {unknown}; available: '
                         f'{sorted(available)}')
    model = HumanoidModel(
        osp.join(data_path or pybullet_data_path(), 'humanoid',
                 'humanoid.urdf'))
    result = dict(joints={}, face={}, fps=float(fps), loop={}, source_fps={})
    iterator = names
    if progress:
        from tqdm import tqdm
        iterator = tqdm(names, desc='DeepMimic FK', unit='clip')
    for name in iterator:
        frames, loop = load_deepmimic_clip(available[name])
        dt = frames[:-1, 0]
        result['source_fps'][name] = float(1.0 / np.median(dt)) if len(
            dt) else float('nan')
        frames = resample_deepmimic_frames(frames, fps)
        joints, face = model.h36m(frames)
        result['joints'][name] = joints.astype(np.float32)
        result['face'][name] = face.astype(np.float32)
        result['loop'][name] = loop
    return result


def write_mocap_cache(converted: dict, path: Optional[str] = None,
                      source: str = 'pybullet DeepMimic') -> str:
    """Write converted clips as one ``.npz`` (no pickled objects).

    Layout: ``names`` (unicode array), ``fps`` (float), ``joints/<name>``
    (T, 17, 3), optional ``face/<name>`` (T, 5, 3), ``loop`` (bool array in
    ``names`` order), ``joint_names``, ``face_names`` and ``source``.

    Args:
        converted (dict): Output of :func:`convert_deepmimic_clips` (or any
            dict with ``joints``, optional ``face``, ``fps``).
        path (str, optional): Output file. Defaults to
            :func:`default_mocap_cache`.
        source (str): Provenance string stored in the file.

    Returns:
        str: The path written.
    """
    from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES
    path = path or default_mocap_cache()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    names = list(converted['joints'])
    arrays = {
        'names': np.array(names, dtype=str),
        'fps': np.float64(converted['fps']),
        'joint_names': np.array(H36M_JOINT_NAMES, dtype=str),
        'face_names': np.array(FACE_NAMES, dtype=str),
        'source': np.array(source),
        'loop': np.array([bool(converted.get('loop', {}).get(n, False))
                          for n in names]),
    }
    for name in names:
        arrays[f'joints/{name}'] = np.asarray(converted['joints'][name],
                                              np.float32)
        if name in converted.get('face', {}):
            arrays[f'face/{name}'] = np.asarray(converted['face'][name],
                                                np.float32)
    tmp = path + '.tmp.npz'
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)
    return path


def load_mocap_cache(path: Optional[str] = None) -> dict:
    """Read H36M-17 3D clips from an ``.npz``.

    Reads the layout of :func:`write_mocap_cache`, or any ``.npz`` whose
    arrays of shape (T, 17, 3) are clips (named by their keys). Loaded with
    ``allow_pickle=False``.

    Args:
        path (str, optional): File. Defaults to :func:`default_mocap_cache`.

    Returns:
        dict: ``joints`` (dict name -> float32 (T, 17, 3)), ``face`` (dict
        name -> float32 (T, 5, 3), possibly empty), ``fps`` (float or None).
    """
    path = path or default_mocap_cache()
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'mocap cache {path} not found; create it with '
            '`python tools/dataset_converters/pybullet_mocap.py` (needs '
            f'{_PIP_HINT})')
    with np.load(path, allow_pickle=False) as data:
        keys = list(data.keys())
        joints, face = {}, {}
        if 'names' in keys:
            for name in data['names'].tolist():
                joints[name] = data[f'joints/{name}'].astype(np.float32)
                if f'face/{name}' in keys:
                    face[name] = data[f'face/{name}'].astype(np.float32)
        else:
            for key in keys:
                arr = data[key]
                if arr.ndim == 3 and arr.shape[1:] == (17, 3):
                    joints[key] = arr.astype(np.float32)
        fps = float(data['fps']) if 'fps' in keys else None
    if not joints:
        raise ValueError(f'{path} holds no (T, 17, 3) H36M-17 clips')
    return dict(joints=joints, face=face, fps=fps)
