# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The official pre-sliced 3D motion clips (``MB3D_f243s81``) for pretraining.

May import: numpy, torch, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils` (keypoints, safe_pickle) and :mod:`.h36m_meta`; never
``apis``.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np

from mmmotionbert.registry import DATASETS, TRANSFORMS
from mmmotionbert.utils.safe_pickle import load_numpy_pickle
from .default_pipelines import default_motion_clip_pipeline
from .h36m_meta import H36M_METAINFO
from .pipeline_dataset import MBPipelineDataset


@DATASETS.register_module()
class MBMotionClipDataset(MBPipelineDataset):
    """Clips written by the official ``tools/convert_{h36m,amass}.py``.

    ``data_root/<subset>/<split>/%08d.pkl`` each hold ``data_label``
    (T, 17, 3) normalised 3D and ``data_input`` (T, 17, 3) 2D + confidence
    or None (AMASS). With ``synthetic=True`` (official pretraining) the
    input is the label's x, y with confidence 1; detection-like noise and
    masking come from ``augment``.

    An ``mmengine`` ``BaseDataset``: ``load_data_list`` lists the clip
    files (``self.files``); an item reads its file and runs ``pipeline`` on
    ``dict(rng, file, motion_2d, target, has_3d=True)``. With
    ``pipeline=None`` that is :func:`~mmmotionbert.datasets.
    default_pipelines.default_motion_clip_pipeline` (``MBFlipH36M`` on
    input and target, ``augment`` on the input alone through
    ``MBIsolatedTransform``, ``MBPackClipInputs``). ``test_mode`` is
    ``split == 'test'``, where ``flip_prob`` is always 0.

    Randomness: the flips draw from ``self.rng``, one
    ``np.random.default_rng(seed)`` stream for the dataset's life (in
    DataLoader workers each worker continues its own copy of it); the
    ``augment`` transform draws from its own generator.

    Args:
        data_root (str): E.g. ``data/motion3d/MB3D_f243s81``.
        subsets (Sequence[str]): E.g. ``('AMASS', 'H36M-SH')``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        synthetic (bool): Make the 2D input from the 3D label. Defaults to
            False.
        flip_prob (float): Probability of a horizontal flip (input and
            target together). Defaults to 0.5.
        augment (dict, optional): 2D augmentation transform config (noise,
            masking) applied to the input, e.g. the pretraining augmenter.
        seed (int): Seed of the flip randomness. Defaults to 0.
        pipeline (list[dict], optional): Transform configs (or objects);
            None builds the default from ``flip_prob`` and ``augment`` (an
            explicit pipeline ignores both).
    """

    def __init__(self,
                 data_root: str,
                 subsets: Sequence[str],
                 split: str = 'train',
                 synthetic: bool = False,
                 flip_prob: float = 0.5,
                 augment: Optional[dict] = None,
                 seed: int = 0,
                 pipeline: Optional[List] = None) -> None:
        if split not in ('train', 'test'):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        self.data_root = data_root
        self.subsets = list(subsets)
        self.split = split
        self.synthetic = synthetic
        self.flip_prob = float(flip_prob) if split == 'train' else 0.0
        self.rng = np.random.default_rng(seed)
        self.augment = None
        if augment is not None:
            self.augment = TRANSFORMS.build(augment)
        if pipeline is None:
            pipeline = default_motion_clip_pipeline(self.flip_prob,
                                                    self.augment)
        super().__init__(
            pipeline, data_root=data_root, test_mode=split == 'test')

    def load_data_list(self) -> List[dict]:
        """List the clip files (``self.files``).

        Returns:
            list[dict]: ``dict(file)`` per clip.
        """
        data_root, split = self.data_root, self.split
        self.files: List[str] = []
        for subset in self.subsets:
            folder = osp.join(data_root, subset, split)
            if not osp.isdir(folder):
                raise FileNotFoundError(
                    f'clip folder not found: {folder} (written by the '
                    f'official tools/convert_h36m.py / convert_amass.py)')
            names = sorted(n for n in os.listdir(folder) if n.endswith('.pkl'))
            if not names:
                raise ValueError(f'no .pkl clips in {folder}')
            self.files += [osp.join(folder, n) for n in names]
        return [dict(file=f) for f in self.files]

    @property
    def metainfo(self) -> dict:
        """Dataset meta information."""
        return dict(dataset_name='motion3d_clips',
                    num_joints=H36M_METAINFO['num_joints'])

    def __len__(self) -> int:
        return len(self.files)

    def _read(self, index: int):
        path = self.files[index]
        clip = load_numpy_pickle(path, 'motion clip')
        if not isinstance(clip, dict) or 'data_label' not in clip:
            raise KeyError(f"{path}: no 'data_label' entry")
        label = np.asarray(clip['data_label'], dtype=np.float32)
        if label.ndim != 3 or label.shape[1:] != (17, 3):
            raise ValueError(f'{path}: data_label must be (T, 17, 3), got '
                             f'{label.shape}')
        if self.synthetic:
            motion_2d = label.copy()
            motion_2d[..., 2] = 1.0
        elif clip.get('data_input') is None:
            raise ValueError(f'{path} has no data_input (2D); use '
                             f'synthetic=True for 3D-only sources like AMASS')
        else:
            motion_2d = np.asarray(clip['data_input'], dtype=np.float32)
        return motion_2d, label

    def get_data_info(self, idx: int) -> dict:
        """The pipeline input of clip ``idx`` (reads its file).

        Returns:
            dict: ``rng`` (``self.rng``), ``index``, ``sample_idx``,
            ``file``, ``motion_2d`` float32 (T, 17, 3), ``target`` float32
            (T, 17, 3), ``has_3d=True``.
        """
        motion_2d, label = self._read(idx)
        return dict(
            rng=self.rng,
            index=idx,
            sample_idx=idx,
            file=self.files[idx],
            motion_2d=motion_2d,
            target=label,
            has_3d=True)

    def __getitem__(self, index: int) -> dict:
        """One clip: ``inputs`` float32 (T, 17, 3), ``data_samples`` with
        ``target`` (T, 17, 3) and ``has_3d=True``."""
        return self.prepare_data(index)
