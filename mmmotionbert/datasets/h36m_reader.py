# Copyright (c) mmmotionbert contributors. All rights reserved.
"""In-memory reader of MotionBERT's preprocessed Human3.6M pickle.

May import: numpy, :mod:`mmmotionbert.utils.safe_pickle`, :mod:`.h36m_camera`
and :mod:`.h36m_clips`; never ``apis``.

The official data file ``h36m_sh_conf_cam_source_final.pkl`` is a dict
``{'train': split, 'test': split}``; every split is a dict of per-frame rows
(frames of one video ``source`` are contiguous):

* ``joint_2d`` (N, 17, 2) detected 2D keypoints in pixels,
* ``confidence`` (N, 17) detector scores,
* ``joint3d_image`` (N, 17, 3) x, y in pixels, z root-relative depth in
  pixel units,
* ``2.5d_factor`` (N,) mm per pixel, ``joints_2.5d_image`` (N, 17, 3) mm,
* ``camera_name``, ``source``, ``action``: lists of N strings.

:class:`H36MReader` reproduces what the official ``DataReaderH36M`` (with
``sample_stride=1``) and ``split_clips`` produce, bit for bit, but with
vectorised numpy instead of per-frame Python loops and without per-clip
pickle files:

* **normalisation** by the camera resolution looked up from
  ``camera_name`` (:data:`H36M_CAMERA_RESOLUTIONS`): ``x / w * 2 - 1``,
  ``y / w * 2 - h / w`` (y is divided by the *width*), ``z / w * 2``. The
  arithmetic follows the official dtype promotion exactly (float32 division
  and scaling, the ``[1, h / w]`` offset subtracted in float64, the result
  rounded to float32);
* **clips** (:func:`split_clips`): windows of ``n_frames`` frames every
  ``stride`` frames inside each source; a source shorter than one clip gets
  one resampled clip (:func:`resample_indices`) -- except, like the official
  code, the very last source of a split, and any source whose name already
  produced a clip earlier.

Randomness: the official resampling of short sources draws from numpy's
global random state, so its exact indices cannot be reproduced anyway. Here
it is deterministic by default (evenly spaced, floored indices, i.e. the
official ``resample(..., randomness=False)``); pass a
``numpy.random.Generator`` as ``rng`` to get the official random
floor/ceil choice from that generator instead. The official H36M data has no
such short source, so its clips are deterministic either way.
"""
import os
from typing import Dict, List, Optional, Tuple, Union

import numpy as np

from mmmotionbert.utils.safe_pickle import load_numpy_pickle
from . import h36m_clips
# The normalisation (h36m_camera.py) and clip maths (h36m_clips.py) live in
# their own modules; re-exported so their old path here keeps working.
from .h36m_camera import (H36M_CAMERA_RESOLUTIONS, camera_resolution,
                          normalize_depth, normalize_xy)
from .h36m_clips import (factorize, resample_indices, source_segments,
                         split_clips)

__all__ = [
    'H36MReader', 'load_h36m_pkl', 'H36M_SPLITS', 'PathLike',
    'H36M_CAMERA_RESOLUTIONS', 'camera_resolution', 'normalize_xy',
    'normalize_depth', 'factorize', 'resample_indices', 'source_segments',
    'split_clips'
]
#: Old private path of :func:`.h36m_clips._short_segments_to_resample`.
_short_segments_to_resample = h36m_clips._short_segments_to_resample

#: The splits of the official data file.
H36M_SPLITS = ('train', 'test')
#: Per-frame float arrays and their expected trailing shapes.
_ARRAY_KEYS = {
    'joint_2d': (17, None),
    'confidence': (17, ),
    'joint3d_image': (17, None),
    '2.5d_factor': (),
    'joints_2.5d_image': (17, 3),
}
PathLike = Union[str, os.PathLike]


def load_h36m_pkl(data_file: PathLike) -> dict:
    """Load the official H36M data pickle (numpy arrays and lists only).

    Args:
        data_file (str | PathLike): Path of the ``.pkl`` file.

    Returns:
        dict: The unpickled dict of splits.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The file does not hold a dict.
        pickle.UnpicklingError: The file holds objects other than numpy
            arrays and plain Python data.
    """
    data_file = str(data_file)
    data = load_numpy_pickle(data_file, 'H36M data file')
    if not isinstance(data, dict):
        raise ValueError(f'{data_file}: expected a dict of splits '
                         f'{H36M_SPLITS}, got {type(data).__name__}')
    return data



class H36MReader:
    """Fast reader of the official H36M pickle (``DataReaderH36M`` parity).

    Everything is computed once per split and kept in memory: per-frame
    normalised inputs/labels and the clip table (row indices), so a clip is
    just ``array[clip_rows]``.

    Args:
        data_file (str | PathLike | dict): Path of
            ``h36m_sh_conf_cam_source_final.pkl`` (or an already loaded dict
            of splits, e.g. for tests).
        n_frames (int): Clip length. Defaults to 243.
        data_stride_train (int, optional): Train clip stride. Defaults to
            ``n_frames // 3`` (at least 1).
        data_stride_test (int, optional): Test clip stride. Defaults to
            ``n_frames`` (non-overlapping clips).
        read_confidence (bool): Append the detector confidence as input
            channel 2 (1.0 when the file has none). When False the inputs
            have only x, y, like the official reader. Defaults to True.
        rng (np.random.Generator, optional): Randomness for resampling
            sources shorter than one clip; deterministic when None.
    """

    def __init__(self,
                 data_file: Union[PathLike, dict],
                 n_frames: int = 243,
                 data_stride_train: Optional[int] = None,
                 data_stride_test: Optional[int] = None,
                 read_confidence: bool = True,
                 rng: Optional[np.random.Generator] = None) -> None:
        if isinstance(data_file, dict):
            self.data_file = '<dict>'
            self._data = data_file
        else:
            self.data_file = str(data_file)
            self._data = load_h36m_pkl(self.data_file)
        if n_frames < 1:
            raise ValueError(f'n_frames must be >= 1, got {n_frames}')
        self.n_frames = int(n_frames)
        self.strides = {
            'train': (max(self.n_frames // 3, 1) if data_stride_train is None
                      else int(data_stride_train)),
            'test': (self.n_frames
                     if data_stride_test is None else int(data_stride_test)),
        }
        self.read_confidence = read_confidence
        self.rng = rng
        self._cache: Dict[Tuple[str, str], np.ndarray] = {}
        self._strings: Dict[Tuple[str, str], Tuple[np.ndarray, List[str]]] = {}

    # ------------------------------------------------------------ raw rows
    def _split(self, split: str) -> dict:
        """The raw dict of one split (KeyError naming file and split)."""
        if split not in H36M_SPLITS:
            raise ValueError(
                f'split must be one of {H36M_SPLITS}, got {split!r}')
        if split not in self._data:
            raise KeyError(f'{self.data_file}: no split {split!r} '
                           f'(has {sorted(self._data)})')
        rows = self._data[split]
        if not isinstance(rows, dict):
            raise ValueError(f'{self.data_file}: split {split!r} must be a '
                             f'dict of per-frame arrays, got '
                             f'{type(rows).__name__}')
        return rows

    def has_key(self, split: str, key: str) -> bool:
        """Whether the split has a per-frame column ``key``."""
        return key in self._split(split)

    def num_frames(self, split: str) -> int:
        """Number of rows of a split, from its ``source`` column.

        Raises:
            ValueError: The split has no rows.
        """
        n = len(self._raw(split, 'source', check_len=False))
        if n == 0:
            raise ValueError(f'{self.data_file}: split {split!r} is empty '
                             f'(0 frames)')
        return n

    def _raw(self, split: str, key: str, check_len: bool = True):
        """One per-frame column, with its presence and length checked."""
        rows = self._split(split)
        if key not in rows:
            raise KeyError(f'{self.data_file}: split {split!r} has no key '
                           f'{key!r} (has {sorted(rows)})')
        value = rows[key]
        if check_len and len(value) != self.num_frames(split):
            raise ValueError(
                f'{self.data_file}: split {split!r} key {key!r} has '
                f'{len(value)} rows, but {self.num_frames(split)} sources')
        return value

    def array(self, split: str, key: str) -> np.ndarray:
        """A float per-frame column as float32, checked for shape and NaN.

        Args:
            split (str): ``'train'`` or ``'test'``.
            key (str): One of ``joint_2d``, ``confidence``,
                ``joint3d_image``, ``2.5d_factor``, ``joints_2.5d_image``.

        Returns:
            np.ndarray: float32 (N, ...) rows of the split.

        Raises:
            KeyError: The split lacks ``key``.
            ValueError: Wrong shape, or a non-finite value (naming the split
                and row).
        """
        cache_key = (split, key)
        if cache_key not in self._cache:
            value = np.asarray(self._raw(split, key)).astype(
                np.float32, copy=False)
            self._check_shape(split, key, value)
            self._check_finite(split, key, value)
            self._cache[cache_key] = value
        return self._cache[cache_key]

    def _check_shape(self, split: str, key: str, value: np.ndarray) -> None:
        """Raise ValueError unless ``value`` has the expected trailing dims."""
        expected = _ARRAY_KEYS[key]
        shape = value.shape[1:]
        ok = len(shape) == len(expected) and all(
            e is None or e == s for e, s in zip(expected, shape))
        if key in ('joint_2d', 'joint3d_image') and ok:
            ok = shape[1] >= (2 if key == 'joint_2d' else 3)
        if key == 'confidence' and not ok:  # official also takes (N, 17, 1)
            ok = shape == (17, 1)
        if not ok:
            raise ValueError(
                f'{self.data_file}: split {split!r} key {key!r} has shape '
                f'{value.shape}, expected (N, '
                f'{", ".join("C" if e is None else str(e) for e in expected)}'
                f')')

    def _check_finite(self, split: str, key: str, value: np.ndarray) -> None:
        """Raise ValueError naming the first row with a NaN or inf."""
        finite = np.isfinite(value.reshape(len(value), -1)).all(axis=1)
        if not finite.all():
            row = int(np.flatnonzero(~finite)[0])
            raise ValueError(
                f'{self.data_file}: split {split!r} key {key!r} has NaN or '
                f'inf values in row {row} ({int((~finite).sum())} bad rows)')

    def strings(self, split: str, key: str) -> Tuple[np.ndarray, List[str]]:
        """A string column as codes and unique values (see :func:`factorize`).

        Args:
            split (str): ``'train'`` or ``'test'``.
            key (str): ``camera_name``, ``source`` or ``action``.

        Returns:
            tuple: int64 codes (N,) and list of unique strings.
        """
        cache_key = (split, key)
        if cache_key not in self._strings:
            self._strings[cache_key] = factorize(self._raw(split, key))
        return self._strings[cache_key]

    def string_array(self, split: str, key: str) -> np.ndarray:
        """A string column as a numpy object array (N,)."""
        codes, uniques = self.strings(split, key)
        return np.asarray(uniques, dtype=object)[codes]

    # --------------------------------------------------------- per frame
    def camera_wh(self, split: str) -> np.ndarray:
        """float64 (N, 2) ``(res_w, res_h)`` of every row of the split."""
        if (split, 'camera_wh') not in self._cache:
            codes, names = self.strings(split, 'camera_name')
            self._cache[(split, 'camera_wh')] = camera_resolution(
                names, where=f'{self.data_file} split {split!r}', codes=codes)
        return self._cache[(split, 'camera_wh')]

    def read_2d(self, split: str) -> np.ndarray:
        """Normalised inputs of every row (official ``read_2d``).

        Returns:
            np.ndarray: float32 (N, 17, 3) ``[x_n, y_n, confidence]``, or
            (N, 17, 2) when ``read_confidence`` is False.
        """
        xy = normalize_xy(
            self.array(split, 'joint_2d')[..., :2], self.camera_wh(split))
        if not self.read_confidence:
            return xy
        if self.has_key(split, 'confidence'):
            conf = self.array(split, 'confidence').reshape(len(xy), 17, 1)
        else:
            conf = np.ones((len(xy), 17, 1), dtype=np.float32)
        return np.concatenate([xy, conf], axis=2)

    def read_3d(self, split: str) -> np.ndarray:
        """Normalised 3D labels of every row (official ``read_3d``).

        Returns:
            np.ndarray: float32 (N, 17, 3) ``[x_n, y_n, z_n]``.
        """
        xyz = self.array(split, 'joint3d_image')[..., :3]
        wh = self.camera_wh(split)
        xy = normalize_xy(xyz[..., :2], wh)
        return np.concatenate([xy, normalize_depth(xyz[..., 2:], wh)], axis=2)

    # ------------------------------------------------------------- clips
    def clip_ids(self, split: str) -> np.ndarray:
        """Row indices of every clip of a split (official ``split_clips``).

        Returns:
            np.ndarray: int64 (N_clips, n_frames).
        """
        if (split, 'clips') not in self._cache:
            self.num_frames(split)  # raises on an empty split
            codes, _ = self.strings(split, 'source')
            clips = split_clips(codes, self.n_frames, self.strides[split],
                                self.rng)
            self._cache[(split, 'clips')] = clips
        return self._cache[(split, 'clips')]

    def get_split_id(self) -> Tuple[np.ndarray, np.ndarray]:
        """Official ``get_split_id``: clip row indices of train and test."""
        return self.clip_ids('train'), self.clip_ids('test')

    def clip_camera_wh(self, split: str = 'test') -> np.ndarray:
        """float64 (N_clips, 2) resolution of every clip's first frame."""
        return self.camera_wh(split)[self.clip_ids(split)[:, 0]]

    def get_hw(self) -> np.ndarray:
        """Official ``get_hw``: first-frame (res_w, res_h) per test clip."""
        return self.clip_camera_wh('test')

    def get_sliced_data(
            self) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Official ``get_sliced_data``.

        Returns:
            tuple: ``train_data, test_data, train_labels, test_labels``,
            float32 (N_clips, n_frames, 17, 3).
        """
        train_ids, test_ids = self.get_split_id()
        return (self.read_2d('train')[train_ids],
                self.read_2d('test')[test_ids],
                self.read_3d('train')[train_ids],
                self.read_3d('test')[test_ids])
