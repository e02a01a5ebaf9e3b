# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Human3.6M clips for MotionBERT 3D pose lifting, held in memory.

May import: numpy, mmengine, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils.keypoints` and this package's H36M modules
(:mod:`.h36m_meta`, :mod:`.h36m_reader`, :mod:`.default_pipelines`,
:mod:`.utils`); never ``apis``.
"""
from typing import Dict, Iterator, List, Mapping, Optional, Union

import numpy as np

from mmmotionbert.registry import DATASETS
from mmmotionbert.utils.keypoints import flip_h36m
from .default_pipelines import default_h36m_pipeline
from .h36m_meta import h36m_metainfo
from .h36m_reader import H36M_SPLITS, H36MReader
from .pipeline_dataset import MBPipelineDataset
from .utils import worker_rng


class _MirroredClip(Mapping):
    """``key -> mirrored[key][rows]``, gathered only when looked up.

    The ``mirrored`` of :class:`~.transforms.flip.MBFlipH36M`: a resampled
    clip gathers its mirrored rows only when the item is flipped.
    """

    def __init__(self, arrays: Dict[str, np.ndarray],
                 rows: Union[slice, np.ndarray]) -> None:
        self._arrays, self._rows = arrays, rows

    def __getitem__(self, key: str) -> np.ndarray:
        return self._arrays[key][self._rows]

    def __contains__(self, key: object) -> bool:
        return key in self._arrays  # no gather (Mapping's would gather)

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)


@DATASETS.register_module()
class MBH36MDataset(MBPipelineDataset):
    """Clips of the official H36M pickle, as the official pose3d pipeline.

    All per-frame arrays of the split are normalised once and kept in
    memory; a clip is gathered from them by its row indices (no per-clip
    files). Clips are exactly the official ones (see
    :class:`~mmmotionbert.datasets.h36m_reader.H36MReader`).

    An ``mmengine`` ``BaseDataset``: ``load_data_list`` reads the split and
    lists the clips (``dict(clip_index)``); an item gathers its fields
    (``get_data_info``: ``motion_2d``, ``target``, ``target_2_5d``,
    ``factor_2_5d``, ``camera_wh``, ``frame_index``, ``clip_index``,
    ``source``, ``action`` and the generator ``rng``) and runs ``pipeline``
    on them. With ``pipeline=None`` that is
    :func:`~mmmotionbert.datasets.default_pipelines.default_h36m_pipeline`
    of ``flip_prob`` (``MBFlipH36M`` on input and target, then
    ``MBPackClipInputs``). ``test_mode`` is ``split == 'test'``
    (informational: items never come back None, nothing is refetched).

    Items are cheap (``benchmarks/bench_dataset.py``): the usual contiguous
    clips are returned as zero-copy views of those arrays, like
    ``torch.utils.data.TensorDataset`` items, and with ``flip_prob > 0`` the
    mirrored input and target arrays are computed once (twice the memory of
    those two arrays) and handed to ``MBFlipH36M`` as ``mirrored`` views,
    so that a flipped clip costs the same as a plain one. Collation (``default_collate``) copies the items into
    the batch; treat an item you take with ``dataset[i]`` as read-only, or
    ``clone()`` its tensors before modifying them in place.

    Flip augmentation (``flip_prob > 0``, meant for training) mirrors the
    input and the target together with
    :func:`~mmmotionbert.utils.keypoints.flip_h36m`; the evaluation-only
    fields (``target_2_5d``, ``factor_2_5d``, ...) are never flipped.
    Randomness: a ``numpy.random.Generator`` seeded from
    ``(seed, torch.initial_seed())``, re-created whenever
    ``torch.initial_seed()`` changes. In DataLoader workers torch's initial
    seed is ``base_seed + worker_id`` with a fresh ``base_seed`` per epoch
    (drawn from torch's RNG, which mmengine's ``randomness.seed`` seeds), so
    the flips differ between workers and epochs yet are reproducible;
    ``seed`` (default 0) selects another reproducible stream.

    Args:
        data_file (str): Path of ``h36m_sh_conf_cam_source_final.pkl``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        clip_len (int): Frames per clip. Defaults to 243.
        data_stride (int, optional): Offset between clip starts. Defaults to
            ``clip_len // 3`` for train and ``clip_len`` for test (the
            official strides).
        flip_prob (float): Probability to flip a clip. Defaults to 0.
        read_confidence (bool): Use the detector confidence as input
            channel 2; when False that channel is 1.0 (inputs stay
            (T, 17, 3)). Defaults to True.
        max_clips (int, optional): Keep only the first ``max_clips`` clips
            (quick runs). Defaults to None (all).
        seed (int, optional): Seed of the flip randomness. Defaults to None
            (same as 0).
        pipeline (list[dict], optional): Transform configs (or objects) run
            on ``get_data_info``'s fields; None builds the default from
            ``flip_prob``. With an explicit pipeline ``flip_prob > 0`` only
            keeps the mirrored arrays (``mirrored``, used by a
            ``MBFlipH36M`` step; without them it flips per item).
    """

    def __init__(self,
                 data_file: str,
                 split: str = 'train',
                 clip_len: int = 243,
                 data_stride: Optional[int] = None,
                 flip_prob: float = 0.0,
                 read_confidence: bool = True,
                 max_clips: Optional[int] = None,
                 seed: Optional[int] = None,
                 pipeline: Optional[List] = None) -> None:
        if split not in H36M_SPLITS:
            raise ValueError(
                f'split must be one of {H36M_SPLITS}, got {split!r}')
        if not 0.0 <= flip_prob <= 1.0:
            raise ValueError(f'flip_prob must be in [0, 1], got {flip_prob}')
        if max_clips is not None and max_clips < 1:
            raise ValueError(f'max_clips must be >= 1, got {max_clips}')
        self.data_file = str(data_file)
        self.split = split
        self.clip_len = int(clip_len)
        self.flip_prob = float(flip_prob)
        self.read_confidence = read_confidence
        self.seed = 0 if seed is None else int(seed)
        self._data_stride_arg = data_stride
        self._max_clips = max_clips
        self._rng_state: dict = {}
        if pipeline is None:
            pipeline = default_h36m_pipeline(self.flip_prob)
        super().__init__(pipeline, test_mode=split == 'test')

    def load_data_list(self) -> List[dict]:
        """Read the split's per-frame arrays and list its clips.

        Returns:
            list[dict]: ``dict(clip_index)`` per clip.
        """
        stride_key = ('data_stride_train'
                      if self.split == 'train' else 'data_stride_test')
        reader = H36MReader(
            self.data_file,
            n_frames=self.clip_len,
            **{stride_key: self._data_stride_arg})
        self.data_stride = reader.strides[self.split]
        self._load(reader, self._max_clips)
        return [dict(clip_index=i) for i in range(len(self.clips))]

    def _load(self, reader: H36MReader, max_clips: Optional[int]) -> None:
        """Keep the split's per-frame arrays and clip table in memory."""
        split = self.split
        inputs = reader.read_2d(split)
        if not self.read_confidence:
            inputs = inputs.copy()
            inputs[..., 2] = 1.0
        self.inputs = inputs
        self.labels = reader.read_3d(split)
        self.joints_2_5d = reader.array(split, 'joints_2.5d_image')
        self.factor_2_5d = reader.array(split, '2.5d_factor')
        self.camera_wh = reader.camera_wh(split).astype(np.float32)
        self.sources = reader.string_array(split, 'source')
        self.actions = reader.string_array(split, 'action')
        clips = reader.clip_ids(split)
        self.clips = clips if max_clips is None else clips[:max_clips]
        # clips that are contiguous row ranges are read as slices
        self._starts = self.clips[:, 0].copy()
        self._contiguous = np.all(
            np.diff(self.clips, axis=1) == 1, axis=1) if self.clips.shape[
                1] > 1 else np.ones(len(self.clips), dtype=bool)
        # flipping permutes joints and negates x: exact, so flip(x)[rows]
        # equals flip(x[rows]) bit for bit
        self._flipped = (
            dict(motion_2d=flip_h36m(self.inputs),
                 target=flip_h36m(self.labels))
            if self.flip_prob > 0 else None)

    @property
    def metainfo(self) -> Dict:
        """Dataset meta information (also given to metrics/visualizers)."""
        return h36m_metainfo(
            'h36m_motionbert',
            split=self.split,
            clip_len=self.clip_len,
            data_stride=self.data_stride,
            num_clips=len(self.clips),
            num_frames=len(self.inputs))

    def __len__(self) -> int:
        """Number of clips."""
        return len(self.clips)

    def _flip_rng(self) -> np.random.Generator:
        """Generator for flips, re-seeded when torch's initial seed changes."""
        return worker_rng(self.seed, self._rng_state)

    def get_data_info(self, idx: int) -> dict:
        """The pipeline input of clip ``idx`` (no copies for a contiguous
        clip: its arrays are views of the split's arrays).

        Args:
            idx (int): Clip index in ``[0, len(self))``.

        Returns:
            dict: ``rng``, ``mirrored`` (a mapping to the ``motion_2d``
            and ``target`` rows of the pre-mirrored arrays, gathered on
            look-up, when ``flip_prob > 0``; else None), ``index``, ``sample_idx``, ``motion_2d``
            float32 (T, 17, 3), ``target`` float32 (T, 17, 3),
            ``target_2_5d``, ``factor_2_5d``, ``camera_wh`` (first frame),
            ``frame_index`` int64 (T,), ``clip_index``, ``source`` and
            ``action`` (str, first frame).
        """
        rows = self.clips[idx]
        if self._contiguous[idx]:
            start = int(self._starts[idx])
            rows_or_slice = slice(start, start + len(rows))  # views
        else:
            rows_or_slice = rows  # resampled clip: gathered copies
        first = int(rows[0])
        mirrored = None if self._flipped is None else _MirroredClip(
            self._flipped, rows_or_slice)
        return dict(
            rng=self._flip_rng(),
            mirrored=mirrored,
            index=idx,
            sample_idx=idx,
            motion_2d=self.inputs[rows_or_slice],
            target=self.labels[rows_or_slice],
            target_2_5d=self.joints_2_5d[rows_or_slice],
            factor_2_5d=self.factor_2_5d[rows_or_slice],
            camera_wh=self.camera_wh[first],
            frame_index=rows,
            clip_index=idx,
            source=str(self.sources[first]),
            action=str(self.actions[first]))

    def __getitem__(self, index: int) -> dict:
        """One clip.

        Args:
            index (int): Clip index in ``[0, len(self))``.

        Returns:
            dict: ``inputs`` float32 (T, 17, 3) ``[x_n, y_n, conf]``;
            ``data_samples`` dict with ``target`` float32 (T, 17, 3)
            normalised xyz, ``target_2_5d`` float32 (T, 17, 3) mm,
            ``factor_2_5d`` float32 (T,), ``camera_wh`` float32 (2,) of the
            first frame, ``frame_index`` int64 (T,), ``clip_index`` (int),
            ``source`` and ``action`` (str) of the first frame.
        """
        return super().__getitem__(index)
