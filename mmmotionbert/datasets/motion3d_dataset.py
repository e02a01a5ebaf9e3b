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
import torch
from torch.utils.data import Dataset

from mmmotionbert.registry import DATASETS
from mmmotionbert.utils.keypoints import flip_h36m
from mmmotionbert.utils.safe_pickle import load_numpy_pickle
from .h36m_meta import H36M_METAINFO


@DATASETS.register_module()
class MBMotionClipDataset(Dataset):
    """Clips written by the official ``tools/convert_{h36m,amass}.py``.

    ``data_root/<subset>/<split>/%08d.pkl`` each hold ``data_label``
    (T, 17, 3) normalised 3D and ``data_input`` (T, 17, 3) 2D + confidence
    or None (AMASS). With ``synthetic=True`` (official pretraining) the
    input is the label's x, y with confidence 1; detection-like noise and
    masking come from ``augment``.

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
    """

    def __init__(self,
                 data_root: str,
                 subsets: Sequence[str],
                 split: str = 'train',
                 synthetic: bool = False,
                 flip_prob: float = 0.5,
                 augment: Optional[dict] = None,
                 seed: int = 0) -> None:
        super().__init__()
        if split not in ('train', 'test'):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        self.files: List[str] = []
        for subset in subsets:
            folder = osp.join(data_root, subset, split)
            if not osp.isdir(folder):
                raise FileNotFoundError(
                    f'clip folder not found: {folder} (written by the '
                    f'official tools/convert_h36m.py / convert_amass.py)')
            names = sorted(n for n in os.listdir(folder) if n.endswith('.pkl'))
            if not names:
                raise ValueError(f'no .pkl clips in {folder}')
            self.files += [osp.join(folder, n) for n in names]
        self.split = split
        self.synthetic = synthetic
        self.flip_prob = float(flip_prob) if split == 'train' else 0.0
        self.rng = np.random.default_rng(seed)
        self.augment = None
        if augment is not None:
            from mmmotionbert.registry import TRANSFORMS
            self.augment = TRANSFORMS.build(augment)

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

    def __getitem__(self, index: int) -> dict:
        motion_2d, label = self._read(index)
        if self.flip_prob and self.rng.random() < self.flip_prob:
            motion_2d, label = flip_h36m(motion_2d), flip_h36m(label)
        if self.augment is not None:
            motion_2d = self.augment(dict(motion_2d=motion_2d))['motion_2d']
        return dict(
            inputs=torch.from_numpy(np.ascontiguousarray(motion_2d)),
            data_samples=dict(
                target=torch.from_numpy(np.ascontiguousarray(label)),
                has_3d=True))
