# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Writers of converted motion capture: the mocap ``.npz`` and official clips.

:class:`MocapNpzWriter` streams H36M-17 clips into the ``.npz`` that
:func:`~mmmotionbert.datasets.mocap.pybullet_fk.load_mocap_cache` reads
(the file never sits in memory); :class:`OfficialClipWriter` writes the
official pre-sliced clip folder ``<root>/AMASS/train/%08d.pkl`` of
:class:`~mmmotionbert.datasets.MBMotionClipDataset` (official camera axes
and scale, pieces of at most :data:`OFFICIAL_MAX_PIECE_LEN` frames, clips
of :func:`official_clip_indices`).

May import: numpy, the standard library, :mod:`.frames` and (lazily)
:mod:`mmmotionbert.datasets` / :mod:`mmmotionbert.utils.keypoints` for
names.
"""
import os
import os.path as osp
import pickle
import zipfile
from typing import List, Optional

import numpy as np

from .frames import OFFICIAL_AMASS_SCALE, yup_to_official_camera

__all__ = [
    'OFFICIAL_MAX_PIECE_LEN', 'official_clip_indices', 'MocapNpzWriter',
    'OfficialClipWriter'
]

#: Official ``preprocess_amass.py`` cuts sequences into pieces this long.
OFFICIAL_MAX_PIECE_LEN = 2916


def official_clip_indices(num_frames: int,
                          clip_len: int = 243,
                          stride: int = 81) -> np.ndarray:
    """Frame indices of the official clips of one sequence piece.

    Clips start every ``stride`` frames while a whole clip fits; a piece
    shorter than ``clip_len`` gives one clip stretched to ``clip_len`` (the
    official ``resample``, no randomness).

    Args:
        num_frames (int): Frames of the piece.
        clip_len (int): Clip length. Defaults to 243.
        stride (int): Clip stride. Defaults to 81.

    Returns:
        np.ndarray: int64 (N, clip_len).
    """
    from mmmotionbert.datasets.h36m_reader import resample_indices
    if num_frames < 1:
        return np.zeros((0, clip_len), np.int64)
    if num_frames < clip_len:
        return resample_indices(num_frames, clip_len)[None]
    starts = np.arange(0, num_frames - clip_len + 1, stride)
    return starts[:, None] + np.arange(clip_len)[None]


# --------------------------------------------------------------- writers
class MocapNpzWriter:
    """Stream clips into the ``.npz`` layout of ``write_mocap_cache``.

    ``names``, ``fps``, ``joints/<name>`` (T, 17, 3), ``face/<name>``
    (T, 5, 3), ``loop``, ``joint_names``, ``face_names``, ``source``,
    ``source_fps`` and ``clip_fps`` (per clip: recorded and stored rates).
    Arrays are compressed one by one into a temporary file that replaces
    ``path`` on :meth:`close`.

    Args:
        path (str): Output ``.npz``.
        fps (float): Frame rate of every clip.
        source (str): Provenance stored in the file.
    """

    def __init__(self, path: str, fps: float, source: str = 'AMASS') -> None:
        self.path = path
        os.makedirs(osp.dirname(osp.abspath(path)) or '.', exist_ok=True)
        self.tmp = path + '.tmp.npz'
        self.zip = zipfile.ZipFile(
            self.tmp,
            mode='w',
            compression=zipfile.ZIP_DEFLATED,
            allowZip64=True)
        self.fps = float(fps)
        self.source = source
        self.names: List[str] = []
        self.source_fps: List[float] = []
        self.clip_fps: List[float] = []
        self.frames = 0

    def _put(self, key: str, array: np.ndarray) -> None:
        with self.zip.open(key + '.npy', 'w', force_zip64=True) as f:
            np.lib.format.write_array(
                f, np.asanyarray(array), allow_pickle=False)

    def add(self,
            name: str,
            joints: np.ndarray,
            face: Optional[np.ndarray] = None,
            source_fps: float = float('nan'),
            fps: Optional[float] = None) -> None:
        """Add one clip.

        Args:
            name (str): Unique clip name.
            joints (np.ndarray): (T, 17, 3) metres, Y up.
            face (np.ndarray, optional): (T, 5, 3).
            source_fps (float): Frame rate of the original recording.
            fps (float, optional): Rate of this clip when it differs from
                the file's (official stride resampling). Defaults to the
                file's rate.
        """
        if name in self.names:
            raise ValueError(f'duplicate clip name {name!r}')
        joints = np.asarray(joints, np.float32)
        if joints.ndim != 3 or joints.shape[1:] != (17, 3):
            raise ValueError(f'{name}: joints must be (T, 17, 3), got '
                             f'{joints.shape}')
        self._put(f'joints/{name}', joints)
        if face is not None:
            self._put(f'face/{name}', np.asarray(face, np.float32))
        self.names.append(name)
        self.source_fps.append(float(source_fps))
        self.clip_fps.append(float(self.fps if fps is None else fps))
        self.frames += len(joints)

    def close(self) -> str:
        """Write the index arrays and move the file into place.

        Returns:
            str: The output path.
        """
        from mmmotionbert.datasets.mocap.pybullet_fk import FACE_NAMES
        from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES
        self._put('names', np.array(self.names, dtype=str))
        self._put('fps', np.float64(self.fps))
        self._put('joint_names', np.array(H36M_JOINT_NAMES, dtype=str))
        self._put('face_names', np.array(FACE_NAMES, dtype=str))
        self._put('source', np.array(self.source))
        self._put('loop', np.zeros(len(self.names), dtype=bool))
        self._put('source_fps', np.array(self.source_fps, dtype=np.float64))
        self._put('clip_fps', np.array(self.clip_fps, dtype=np.float64))
        self.zip.close()
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Drop the temporary file."""
        self.zip.close()
        if osp.exists(self.tmp):
            os.remove(self.tmp)


class OfficialClipWriter:
    """Write the official ``MB3D_f243s81/AMASS/train/%08d.pkl`` clips.

    Each file is a dict ``{'data_input': None, 'data_label': (T, 17, 3)
    float32}`` (what :class:`~mmmotionbert.datasets.MBMotionClipDataset`
    reads with ``synthetic=True``).

    Args:
        root (str): Clip root, e.g. ``data/motion3d/MB3D_f243s81``.
        subset (str): Subset folder. Defaults to ``'AMASS'``.
        split (str): Split folder. Defaults to ``'train'``.
        clip_len (int): Clip length. Defaults to 243.
        stride (int): Clip stride. Defaults to 81.
        scale (float): Official metres -> clip units factor (0.298).
        max_piece_len (int, optional): Sequences are cut into independent
            pieces this long before slicing (official: 2916); None keeps them
            whole.
        overwrite (bool): Replace existing ``.pkl`` clips in the folder
            (otherwise a non-empty folder is an error).
    """

    def __init__(self,
                 root: str,
                 subset: str = 'AMASS',
                 split: str = 'train',
                 clip_len: int = 243,
                 stride: int = 81,
                 scale: float = OFFICIAL_AMASS_SCALE,
                 max_piece_len: Optional[int] = OFFICIAL_MAX_PIECE_LEN,
                 overwrite: bool = False) -> None:
        self.folder = osp.join(root, subset, split)
        if osp.isdir(self.folder):
            old = [n for n in os.listdir(self.folder) if n.endswith('.pkl')]
            if old and not overwrite:
                raise FileExistsError(
                    f'{self.folder} already holds {len(old)} clips; pass '
                    f'--overwrite (overwrite=True) to replace them')
            for n in old:
                os.remove(osp.join(self.folder, n))
        os.makedirs(self.folder, exist_ok=True)
        self.clip_len, self.stride = int(clip_len), int(stride)
        self.scale = float(scale)
        self.max_piece_len = max_piece_len
        self.count = 0

    def add(self, joints_yup: np.ndarray) -> int:
        """Slice one sequence (Y-up metres) into clips and write them.

        Args:
            joints_yup (np.ndarray): (T, 17, 3).

        Returns:
            int: Clips written.
        """
        motion = yup_to_official_camera(joints_yup, self.scale)
        piece = self.max_piece_len or len(motion)
        written = 0
        for start in range(0, len(motion), piece):
            part = motion[start:start + piece]
            for rows in official_clip_indices(
                    len(part), self.clip_len, self.stride):
                clip = dict(
                    data_input=None,
                    data_label=np.ascontiguousarray(part[rows]))
                path = osp.join(self.folder, f'{self.count:08d}.pkl')
                with open(path, 'wb') as f:
                    pickle.dump(clip, f, protocol=4)
                self.count += 1
                written += 1
        return written
