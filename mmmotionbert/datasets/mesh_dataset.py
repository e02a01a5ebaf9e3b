# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MotionBERT's mesh annotations: reader, clip dataset and source mixing.

The official mesh data (``data/mesh/mesh_det_{pw3d,h36m,coco}.pkl``) are
dicts ``{'train': split, 'test': split}``; every split holds per-frame rows
(frames of one video ``source`` are contiguous):

* ``joint_2d`` (N, 17, 2) detected H36M-17 keypoints in pixels,
* ``confidence`` (N, 17) or (N, 17, 1) detector scores,
* ``smpl_pose`` (N, 72) axis-angle SMPL pose, ``smpl_shape`` (N, 10) betas,
* ``source`` (N,) video names; the H36M file also has ``camera_name``.

Keypoints are normalised as the official ``DataReaderMesh`` /
``DataReaderH36M`` do: ``x / w * 2 - 1``, ``y / w * 2 - h / w`` with a fixed
resolution for 3DPW (1920 x 1920) and COCO (640 x 640) and the camera's for
H36M. Clips are the official ones (:func:`split_clips`): ``clip_len`` 16,
stride 8 for training and 16 for testing; COCO images are clips of one
frame.

The official recipe trains on several sources per epoch with their own
batch sizes (H36M and 3DPW clips in batches of 128, COCO images in batches
of 512), H36M only in the first epochs. :class:`MBMeshMixDataset` chains the
sources and :class:`MBMeshSourceBatchSampler` draws every batch from one
source, with per-source batch sizes and epoch limits.

May import: numpy, torch, mmengine, mmpose (``DATA_SAMPLERS``),
:mod:`mmmotionbert.registry`, :mod:`mmmotionbert.utils` (keypoints,
safe_pickle, smpl), :mod:`.h36m_meta`, :mod:`.h36m_reader` and :mod:`.utils`;
never ``apis``.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from torch.utils.data import Dataset

from mmmotionbert.registry import DATASETS
from mmmotionbert.utils.safe_pickle import load_numpy_pickle
from .default_pipelines import default_mesh_pipeline
from .h36m_meta import h36m_metainfo
from .h36m_reader import (camera_resolution, factorize, normalize_xy,
                          split_clips)
from .mesh_sampler import MBMeshSourceBatchSampler
from .pipeline_dataset import MBPipelineDataset
from .utils import worker_rng

__all__ = [
    'MESH_DATASET_RESOLUTIONS', 'load_mesh_pkl', 'MBMeshDataset',
    'MBMeshMixDataset', 'MBMeshSourceBatchSampler'
]

#: Fixed (res_w, res_h) of the official readers; None: per H36M camera.
MESH_DATASET_RESOLUTIONS: Dict[str, Optional[Tuple[int, int]]] = {
    'pw3d': (1920, 1920),
    'coco': (640, 640),
    'h36m': None,
}
_SPLITS = ('train', 'test')


def load_mesh_pkl(data_file: str) -> dict:
    """Load an official mesh annotation pickle (numpy and plain data only).

    Args:
        data_file (str): ``mesh_det_*.pkl``.

    Returns:
        dict: The dict of splits.

    Raises:
        FileNotFoundError: The file does not exist (the message says where
            the official files come from).
        ValueError: It does not hold a dict of splits.
    """
    data_file = str(data_file)
    if not osp.isfile(data_file):
        raise FileNotFoundError(
            f'mesh annotation file not found: {data_file}. The official '
            f'mesh_det_{{pw3d,h36m,coco}}.pkl come with the MotionBERT mesh '
            f'data (Walter0807/MotionBERT docs/mesh.md); see docs/mesh.md')
    data = load_numpy_pickle(data_file, 'mesh annotation file')
    if not isinstance(data, dict):
        raise ValueError(f'{data_file}: expected a dict of splits {_SPLITS}, '
                         f'got {type(data).__name__}')
    return data


def _infer_dataset_type(data_file: str) -> str:
    """``pw3d`` / ``h36m`` / ``coco`` from the official file name."""
    name = osp.basename(str(data_file)).lower()
    found = [k for k in MESH_DATASET_RESOLUTIONS if k in name]
    if len(found) != 1:
        raise ValueError(
            f'cannot tell the dataset of {data_file} from its name; set '
            f'dataset_type to one of {sorted(MESH_DATASET_RESOLUTIONS)}')
    return found[0]


@DATASETS.register_module()
class MBMeshDataset(MBPipelineDataset):
    """Clips of one official mesh annotation file, held in memory.

    An ``mmengine`` ``BaseDataset``: ``load_data_list`` reads and
    normalises the split and lists the clips (``dict(clip_index)``); an
    item gathers ``motion_2d``, ``pose``, ``shape``, ``frame_index``,
    ``clip_index``, ``source`` and the generator ``rng``
    (``get_data_info``) and runs ``pipeline`` on them. With
    ``pipeline=None`` that is
    :func:`~mmmotionbert.datasets.default_pipelines.default_mesh_pipeline`
    of ``flip_prob`` (``MBFlipMesh``, then ``MBPackClipInputs``). Flips
    draw from a generator seeded by ``(seed, torch.initial_seed())``
    (:func:`~mmmotionbert.datasets.utils.worker_rng`). ``test_mode`` is
    ``split == 'test'`` (informational: nothing is refetched).

    Args:
        data_file (str): ``mesh_det_pw3d.pkl``, ``mesh_det_h36m.pkl`` or
            ``mesh_det_coco.pkl`` (official format, see the module doc).
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        dataset_type (str, optional): ``'pw3d'``, ``'h36m'`` or ``'coco'``;
            chooses the normalisation. Defaults to the one in the file name.
        clip_len (int, optional): Frames per clip. Defaults to 16 (1 for
            COCO, whose samples are single images).
        data_stride (int, optional): Offset between clip starts. Defaults to
            ``clip_len // 2`` for train (official 8) and ``clip_len`` for
            test.
        sample_stride (int): Keep every n-th frame first (official
            ``sample_stride``). Defaults to 1.
        resolution (tuple[int, int], optional): ``(w, h)`` used to normalise
            pixels; defaults to the official one of ``dataset_type`` (per
            camera for H36M).
        flip_prob (float): Probability to mirror a clip (input keypoints and
            SMPL pose together); the official training uses 0.5. Defaults
            to 0.
        max_clips (int, optional): Keep only the first clips (quick runs).
        seed (int, optional): Seed of the flip randomness. Defaults to 0.
        pipeline (list[dict], optional): Transform configs (or objects) run
            on ``get_data_info``'s fields; None builds the default from
            ``flip_prob`` (an explicit pipeline ignores ``flip_prob``).
    """

    def __init__(self,
                 data_file: str,
                 split: str = 'train',
                 dataset_type: Optional[str] = None,
                 clip_len: Optional[int] = None,
                 data_stride: Optional[int] = None,
                 sample_stride: int = 1,
                 resolution: Optional[Sequence[int]] = None,
                 flip_prob: float = 0.0,
                 max_clips: Optional[int] = None,
                 seed: Optional[int] = None,
                 pipeline: Optional[List] = None) -> None:
        if split not in _SPLITS:
            raise ValueError(f'split must be one of {_SPLITS}, got {split!r}')
        self.data_file = str(data_file)
        self.split = split
        self.dataset_type = (
            _infer_dataset_type(self.data_file)
            if dataset_type is None else dataset_type)
        if self.dataset_type not in MESH_DATASET_RESOLUTIONS:
            raise ValueError(f'dataset_type must be one of '
                             f'{sorted(MESH_DATASET_RESOLUTIONS)}, got '
                             f'{self.dataset_type!r}')
        if clip_len is None:
            clip_len = 1 if self.dataset_type == 'coco' else 16
        if data_stride is None:
            data_stride = (
                max(clip_len // 2, 1) if split == 'train' else clip_len)
        for name, value in (('clip_len', clip_len),
                            ('data_stride', data_stride), ('sample_stride',
                                                           sample_stride)):
            if int(value) < 1:
                raise ValueError(f'{name} must be >= 1, got {value}')
        if not 0.0 <= flip_prob <= 1.0:
            raise ValueError(f'flip_prob must be in [0, 1], got {flip_prob}')
        if max_clips is not None and max_clips < 1:
            raise ValueError(f'max_clips must be >= 1, got {max_clips}')
        self.clip_len = int(clip_len)
        self.data_stride = int(data_stride)
        self.sample_stride = int(sample_stride)
        self.resolution = (
            tuple(resolution) if resolution is not None else
            MESH_DATASET_RESOLUTIONS[self.dataset_type])
        self.flip_prob = float(flip_prob)
        self.seed = 0 if seed is None else int(seed)
        self._max_clips = max_clips
        self._rng_state: dict = {}
        if pipeline is None:
            pipeline = default_mesh_pipeline(self.flip_prob)
        super().__init__(pipeline, test_mode=split == 'test')

    def load_data_list(self) -> List[dict]:
        """Read and normalise the split and list its clips.

        Returns:
            list[dict]: ``dict(clip_index)`` per clip.
        """
        self._load(load_mesh_pkl(self.data_file))
        if self._max_clips is not None:
            self.clips = self.clips[:self._max_clips]
        return [dict(clip_index=i) for i in range(len(self.clips))]

    # ----------------------------------------------------------- reading
    def _column(self, rows: dict, key: str) -> np.ndarray:
        """A per-frame float column, subsampled, float32, checked."""
        if key not in rows:
            raise KeyError(f'{self.data_file}: split {self.split!r} has no '
                           f'{key!r} (has {sorted(rows)})')
        value = np.asarray(rows[key])[::self.sample_stride]
        value = value.astype(np.float32, copy=False)
        if not np.isfinite(value).all():
            bad = int(
                np.flatnonzero(
                    ~np.isfinite(value.reshape(len(value), -1)).all(1))[0])
            raise ValueError(f'{self.data_file}: split {self.split!r} key '
                             f'{key!r} has NaN or inf (row {bad} after '
                             f'sample_stride {self.sample_stride})')
        return value

    def _expect(self, key: str, value: np.ndarray, shape: tuple,
                num: int) -> None:
        """Raise ValueError unless ``value`` is (num, *shape)."""
        if value.shape != (num, ) + shape:
            raise ValueError(
                f'{self.data_file}: split {self.split!r} key {key!r} has '
                f'shape {value.shape}, expected ({num}, '
                f'{", ".join(map(str, shape))})')

    def _load(self, data: dict) -> None:
        """Normalise inputs, keep SMPL labels and cut clips."""
        if self.split not in data or not isinstance(data[self.split], dict):
            raise KeyError(f'{self.data_file}: no split {self.split!r} dict '
                           f'(has {sorted(data)})')
        rows = data[self.split]
        joint_2d = self._column(rows, 'joint_2d')
        n = len(joint_2d)
        if n == 0:
            raise ValueError(f'{self.data_file}: split {self.split!r} is '
                             f'empty')
        if joint_2d.ndim != 3 or joint_2d.shape[1:2] != (17, ) or \
                joint_2d.shape[2] < 2:
            raise ValueError(
                f'{self.data_file}: split {self.split!r} key \'joint_2d\' has '
                f'shape {joint_2d.shape}, expected ({n}, 17, 2) H36M-17 '
                f'pixels')
        conf = self._column(rows, 'confidence')
        if conf.shape == (n, 17, 1):
            conf = conf[..., 0]
        self._expect('confidence', conf, (17, ), n)
        pose = self._column(rows, 'smpl_pose').reshape(n, -1)
        self._expect('smpl_pose', pose, (72, ), n)
        shape = self._column(rows, 'smpl_shape')
        self._expect('smpl_shape', shape, (10, ), n)
        if self.resolution is None:
            if 'camera_name' not in rows:
                raise KeyError(
                    f'{self.data_file}: H36M mesh data needs \'camera_name\' '
                    f'to normalise by camera, or pass resolution=(w, h)')
            wh = camera_resolution(
                list(rows['camera_name'])[::self.sample_stride],
                where=f'{self.data_file} split {self.split!r}')
        else:
            wh = np.tile(np.asarray(self.resolution, np.float64), (n, 1))
        xy = normalize_xy(joint_2d[..., :2], wh)
        conf = np.clip(conf, 0, 1)[..., None]
        self.inputs = np.concatenate([xy, conf], axis=-1).astype(np.float32)
        self.pose = pose
        self.shape = shape
        if 'source' in rows:
            sources = list(rows['source'])[::self.sample_stride]
            if len(sources) != n:
                raise ValueError(f'{self.data_file}: split {self.split!r} has '
                                 f'{len(sources)} sources for {n} frames')
            codes, names = factorize(sources)
        elif self.clip_len == 1:
            codes, names = np.arange(n), [str(i) for i in range(n)]
        else:
            raise KeyError(f'{self.data_file}: split {self.split!r} has no '
                           f'\'source\' to cut clips of {self.clip_len} '
                           f'frames')
        self.source_codes = codes
        self.source_names = names
        self.clips = split_clips(codes, self.clip_len, self.data_stride)

    @property
    def metainfo(self) -> dict:
        """Dataset meta information."""
        return h36m_metainfo(
            f'mesh_{self.dataset_type}',
            split=self.split,
            clip_len=self.clip_len,
            data_stride=self.data_stride,
            num_clips=len(self.clips),
            num_frames=len(self.inputs))

    def __len__(self) -> int:
        """Number of clips."""
        return len(self.clips)

    def get_data_info(self, idx: int) -> dict:
        """The pipeline input of clip ``idx``.

        Args:
            idx (int): Clip index in ``[0, len(self))``.

        Returns:
            dict: ``rng`` (see the class docstring), ``index``,
            ``sample_idx``, ``motion_2d`` float32 (T, 17, 3), ``pose``
            float32 (T, 72), ``shape`` float32 (T, 10), ``frame_index``
            int64 (T,), ``clip_index`` and ``source`` (str, first frame).
        """
        rows = self.clips[idx]
        return dict(
            rng=worker_rng(self.seed, self._rng_state),
            index=idx,
            sample_idx=idx,
            motion_2d=self.inputs[rows],
            pose=self.pose[rows],
            shape=self.shape[rows],
            frame_index=rows.copy(),
            clip_index=idx,
            source=self.source_names[self.source_codes[rows[0]]])

    def __getitem__(self, index: int) -> dict:
        """One clip.

        Args:
            index (int): Clip index.

        Returns:
            dict: ``inputs`` float32 (T, 17, 3) ``[x_n, y_n, conf]``;
            ``data_samples`` dict with ``pose`` float32 (T, 72), ``shape``
            float32 (T, 10), ``frame_index`` int64 (T,), ``clip_index``
            (int) and ``source`` (str) of the first frame.
        """
        return super().__getitem__(index)


@DATASETS.register_module()
class MBMeshMixDataset(Dataset):
    """Several mesh datasets chained; each is a source of its own batches.

    A plain ``torch`` ``Dataset`` wrapper (like mmengine's
    ``ConcatDataset``, plus :meth:`source_ranges` for the sampler): it
    holds no data and no per-item steps of its own; its sources are
    ``BaseDataset`` s with their pipelines.

    Use it with :class:`MBMeshSourceBatchSampler`, which never mixes
    sources inside a batch (their clip lengths may differ: COCO images are
    one frame).

    Args:
        datasets (list[dict | Dataset]): Source datasets or their configs.
    """

    def __init__(self, datasets: Sequence[Union[dict, Dataset]]) -> None:
        super().__init__()
        if not datasets:
            raise ValueError('MBMeshMixDataset needs at least one dataset')
        self.datasets: List[Dataset] = [
            DATASETS.build(d) if isinstance(d, dict) else d for d in datasets
        ]
        sizes = [len(d) for d in self.datasets]
        self.cumulative_sizes = np.cumsum(sizes).tolist()

    def source_ranges(self) -> List[Tuple[int, int]]:
        """``(start, length)`` of every source's indices."""
        starts = [0] + self.cumulative_sizes[:-1]
        return [(s, len(d)) for s, d in zip(starts, self.datasets)]

    @property
    def metainfo(self) -> dict:
        """Meta information of the first source plus all source names."""
        info = dict(getattr(self.datasets[0], 'metainfo', {}))
        info['sources'] = [
            getattr(d, 'metainfo', {}).get('dataset_name',
                                           type(d).__name__)
            for d in self.datasets
        ]
        return info

    def __len__(self) -> int:
        """Total number of samples."""
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> dict:
        """Sample ``index`` of the chain."""
        if not 0 <= index < len(self):
            raise IndexError(f'index {index} out of range for {len(self)}')
        source = int(np.searchsorted(self.cumulative_sizes, index, 'right'))
        start = self.cumulative_sizes[source - 1] if source else 0
        return self.datasets[source][index - start]
