# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Human3.6M clips for MotionBERT 3D pose lifting, held in memory.

May import: numpy, torch, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils.keypoints`, :mod:`.h36m_meta`, :mod:`.h36m_reader` and
:mod:`.utils`; never ``apis``.
"""
from typing import Dict, Optional

import numpy as np
import torch
from torch.utils.data import Dataset

from mmmotionbert.registry import DATASETS
from mmmotionbert.utils.keypoints import flip_h36m
from .h36m_meta import h36m_metainfo
from .h36m_reader import H36M_SPLITS, H36MReader
from .utils import worker_rng


@DATASETS.register_module()
class MBH36MDataset(Dataset):
    """Clips of the official H36M pickle, as the official pose3d pipeline.

    All per-frame arrays of the split are normalised once and kept in
    memory; a clip is gathered from them by its row indices (no per-clip
    files). Clips are exactly the official ones (see
    :class:`~mmmotionbert.datasets.h36m_reader.H36MReader`).

    Items are cheap (``benchmarks/bench_dataset.py``): the usual contiguous
    clips are returned as zero-copy views of those arrays, like
    ``torch.utils.data.TensorDataset`` items, and with ``flip_prob > 0`` the
    mirrored input and target arrays are computed once (twice the memory of
    those two arrays) so that a flipped clip costs the same as a plain one.
    Collation (``default_collate``) copies the items into the batch; treat
    an item you take with ``dataset[i]`` as read-only, or ``clone()`` its
    tensors before modifying them in place.

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
    """

    def __init__(self,
                 data_file: str,
                 split: str = 'train',
                 clip_len: int = 243,
                 data_stride: Optional[int] = None,
                 flip_prob: float = 0.0,
                 read_confidence: bool = True,
                 max_clips: Optional[int] = None,
                 seed: Optional[int] = None) -> None:
        super().__init__()
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
        stride_key = ('data_stride_train'
                      if split == 'train' else 'data_stride_test')
        reader = H36MReader(
            self.data_file,
            n_frames=self.clip_len,
            **{stride_key: data_stride})
        self.data_stride = reader.strides[split]
        self._load(reader, max_clips)
        self._rng_state: dict = {}

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
        self._flipped = ((flip_h36m(self.inputs), flip_h36m(self.labels))
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

    def _should_flip(self) -> bool:
        """Draw the flip decision of one item."""
        if self.flip_prob <= 0:
            return False
        return bool(self._flip_rng().random() < self.flip_prob)

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
        if not -len(self) <= index < len(self):
            raise IndexError(f'clip index {index} out of range for '
                             f'{len(self)} clips')
        index = int(index) % len(self)
        rows = self.clips[index]
        if self._should_flip():
            inputs, labels = self._flipped
        else:
            inputs, labels = self.inputs, self.labels
        if self._contiguous[index]:
            start = int(self._starts[index])
            rows_or_slice = slice(start, start + len(rows))  # views
        else:
            rows_or_slice = rows  # resampled clip: gathered copies
        first = int(rows[0])
        return dict(
            inputs=torch.from_numpy(inputs[rows_or_slice]),
            data_samples=dict(
                target=torch.from_numpy(labels[rows_or_slice]),
                target_2_5d=torch.from_numpy(
                    self.joints_2_5d[rows_or_slice]),
                factor_2_5d=torch.from_numpy(
                    self.factor_2_5d[rows_or_slice]),
                camera_wh=torch.from_numpy(self.camera_wh[first]),
                frame_index=torch.from_numpy(rows),
                clip_index=index,
                source=str(self.sources[first]),
                action=str(self.actions[first])))
