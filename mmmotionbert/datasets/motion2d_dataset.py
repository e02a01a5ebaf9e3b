# Copyright (c) mmmotionbert contributors. All rights reserved.
"""2D-only in-the-wild motion clips for pretraining (no 3D ground truth).

May import: numpy, torch, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils.keypoints`, :mod:`.crop_scale`, :mod:`.h36m_meta` and
:mod:`.h36m_reader`; never ``apis``.
"""
import glob
import json
import os.path as osp
from collections import defaultdict
from typing import List, Optional

import numpy as np

from mmmotionbert.registry import DATASETS, TRANSFORMS
from mmmotionbert.utils.keypoints import posetrack_to_h36m
from .crop_scale import crop_scale
from .default_pipelines import default_motion2d_pipeline
from .h36m_meta import H36M_METAINFO
from .h36m_reader import split_clips
from .pipeline_dataset import MBPipelineDataset

SOURCES = ('instavariety', 'posetrack', 'npz')


def load_instavariety(data_root: str, clip_len: int = 81,
                      data_stride: int = 27,
                      valid_threshold: float = 0.0) -> np.ndarray:
    """Clips of the official preprocessed InstaVariety 2D data.

    Args:
        data_root (str): Folder with ``motion_all.npy`` ((N, 17, 3)
            normalised H36M-17 keypoints + score) and ``id_all.npy`` ((N,)
            video ids), as the official ``tools/convert_insta.py`` writes.
        clip_len (int): Frames per clip. Defaults to 81 (official).
        data_stride (int): Offset between clips. Defaults to 27.
        valid_threshold (float): Keep clips whose first frame's root score
            exceeds it. Defaults to 0.

    Returns:
        np.ndarray: float32 (N_clips, clip_len, 17, 3).
    """
    files = {k: osp.join(data_root, f'{k}.npy') for k in ('motion_all',
                                                          'id_all')}
    for name, path in files.items():
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'InstaVariety: {path} not found ({name}.npy is written by '
                f'the official tools/convert_insta.py)')
    motion = np.load(files['motion_all'], allow_pickle=False)
    ids = np.load(files['id_all'], allow_pickle=False)
    if motion.ndim != 3 or motion.shape[1:] != (17, 3):
        raise ValueError(f'{files["motion_all"]}: expected (N, 17, 3), got '
                         f'{motion.shape}')
    if len(ids) != len(motion):
        raise ValueError(f'{files["id_all"]} has {len(ids)} rows but '
                         f'motion_all has {len(motion)}')
    clips = motion[split_clips(ids, clip_len, data_stride)]
    return clips[clips[:, 0, 0, 2] > valid_threshold].astype(np.float32)


def load_posetrack(ann_dir: str, clip_len: int = 30,
                   min_score_sum: float = 306.0) -> np.ndarray:
    """Clips of PoseTrack-18 tracks, as the official pretraining reads them.

    The first ``clip_len`` frames of every track that has at least that
    many; tracks with too few visible joints, or whose root is not visible
    in every frame, are dropped. Each clip is ``crop_scale``-normalised and
    converted to H36M-17; invisible joints become all zeros.

    Args:
        ann_dir (str): Folder of PoseTrack-18 annotation json files.
        clip_len (int): Frames per clip. Defaults to 30 (official).
        min_score_sum (float): Minimum sum of visibility flags over the
            clip (official: 306, i.e. 60% of 30 x 17). Defaults to 306.

    Returns:
        np.ndarray: float32 (N_clips, clip_len, 17, 3).
    """
    files = sorted(glob.glob(osp.join(ann_dir, '*.json')))
    if not files:
        raise FileNotFoundError(f'no PoseTrack json files in {ann_dir}')
    clips = []
    for path in files:
        with open(path) as f:
            annotations = json.load(f).get('annotations')
        if annotations is None:
            raise KeyError(f"{path}: no 'annotations' key")
        tracks = defaultdict(list)
        for ann in annotations:
            tracks[ann['track_id']].append(
                np.asarray(ann['keypoints'], dtype=np.float64).reshape(-1, 3))
        for track in tracks.values():
            if len(track) < clip_len:
                continue
            motion = np.stack(track[:clip_len])
            if motion[..., 2].sum() <= min_score_sum:
                continue
            motion = posetrack_to_h36m(crop_scale(motion))
            motion[motion[..., 2] == 0] = 0
            if motion[:, 0, 2].sum() < clip_len:
                continue
            clips.append(motion)
    if not clips:
        return np.zeros((0, clip_len, 17, 3), dtype=np.float32)
    return np.stack(clips).astype(np.float32)


@DATASETS.register_module()
class MBMotion2DDataset(MBPipelineDataset):
    """2D-only clips (InstaVariety, PoseTrack, or an npz of clips).

    Every item is a 2D clip both as input and as target, with
    ``has_3d=False`` so :class:`MBPoseLifter` trains it with the
    confidence-weighted 2D loss on its predicted x, y. The confidence used
    by the loss is the clip's own score channel before any masking.

    An ``mmengine`` ``BaseDataset``: ``load_data_list`` reads the clips
    (``self.clips``) and lists them (``dict(clip_index)``); an item runs
    ``pipeline`` on ``dict(rng, motion_2d (a copy of the clip), target (the
    clip), has_3d=False)``. With ``pipeline=None`` that is
    :func:`~mmmotionbert.datasets.default_pipelines.
    default_motion2d_pipeline` (``MBFlipH36M`` on input and target,
    ``augment`` on the input alone through ``MBIsolatedTransform``,
    ``MBPackMotion2DInputs``).

    Randomness: the flips draw from ``self.rng``, one
    ``np.random.default_rng(seed)`` stream for the dataset's life (in
    DataLoader workers each worker continues its own copy of it); the
    ``augment`` transform draws from its own generator.

    Args:
        source (str): ``'instavariety'`` (``data_root`` with the official
            npy files), ``'posetrack'`` (``data_root`` = annotation folder)
            or ``'npz'`` (``data_root`` = an ``.npz`` with ``clips``
            (N, T, 17, 3) normalised 2D + score).
        data_root (str): See ``source``.
        clip_len (int, optional): Frames per clip (official: 81 for
            InstaVariety, 30 for PoseTrack).
        flip_prob (float): Probability of a horizontal flip. Defaults to
            0.5 (official ``flip: True``).
        augment (dict, optional): 2D augmentation transform config (e.g.
            masking) built from the registry and applied to the input only.
        seed (int): Seed of the flip randomness. Defaults to 0.
        pipeline (list[dict], optional): Transform configs (or objects);
            None builds the default from ``flip_prob`` and ``augment`` (an
            explicit pipeline ignores both).
    """

    def __init__(self,
                 source: str,
                 data_root: str,
                 clip_len: Optional[int] = None,
                 flip_prob: float = 0.5,
                 augment: Optional[dict] = None,
                 seed: int = 0,
                 pipeline: Optional[List] = None) -> None:
        if source not in SOURCES:
            raise ValueError(f'source must be one of {SOURCES}, got '
                             f'{source!r}')
        self.source = source
        self.data_root = data_root
        self._clip_len = clip_len
        self.flip_prob = float(flip_prob)
        self.rng = np.random.default_rng(seed)
        self.augment = None
        if augment is not None:
            self.augment = TRANSFORMS.build(augment)
        if pipeline is None:
            pipeline = default_motion2d_pipeline(self.flip_prob, self.augment)
        super().__init__(pipeline, data_root=data_root)

    def load_data_list(self) -> List[dict]:
        """Read the clips (``self.clips``, float32 (N, T, 17, 3)).

        Returns:
            list[dict]: ``dict(clip_index)`` per clip.
        """
        source, data_root, clip_len = (self.source, self.data_root,
                                       self._clip_len)
        if source == 'instavariety':
            self.clips = load_instavariety(data_root, clip_len or 81)
        elif source == 'posetrack':
            self.clips = load_posetrack(data_root, clip_len or 30)
        else:
            if not osp.isfile(data_root):
                raise FileNotFoundError(f'2D clip file not found: {data_root}')
            with np.load(data_root, allow_pickle=False) as data:
                if 'clips' not in data:
                    raise KeyError(f"{data_root}: no 'clips' array")
                self.clips = data['clips'].astype(np.float32)
        if self.clips.ndim != 4 or self.clips.shape[2:] != (17, 3):
            raise ValueError(f'2D clips must be (N, T, 17, 3), got '
                             f'{self.clips.shape}')
        if len(self.clips) == 0:
            raise ValueError(f'no usable 2D clips in {data_root}')
        return [dict(clip_index=i) for i in range(len(self.clips))]

    @property
    def metainfo(self) -> dict:
        """Dataset meta information."""
        return dict(dataset_name=f'motion2d_{self.source}',
                    num_joints=H36M_METAINFO['num_joints'])

    def __len__(self) -> int:
        return len(self.clips)

    def get_data_info(self, idx: int) -> dict:
        """The pipeline input of clip ``idx``.

        Returns:
            dict: ``rng`` (``self.rng``), ``index``, ``sample_idx``,
            ``motion_2d`` (a float32 copy of the clip), ``target`` (the
            clip, a view), ``has_3d=False``.
        """
        clip = self.clips[idx]
        return dict(
            rng=self.rng,
            index=idx,
            sample_idx=idx,
            motion_2d=clip.copy(),
            target=clip,
            has_3d=False)

    def __getitem__(self, index: int) -> dict:
        """One clip: ``inputs`` float32 (T, 17, 3), ``data_samples`` with
        ``target`` (T, 17, 3), ``conf`` (T, 17) and ``has_3d=False``."""
        return self.prepare_data(index)
