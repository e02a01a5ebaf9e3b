# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Skeleton action datasets; the class-balanced sampler of one-shot training.

:class:`MBPoseDataset` is mmaction2's ``PoseDataset`` plus what MotionBERT's
one-shot NTU-120 protocol needs: several splits at once (each sample tagged
with its split, so the one-shot metric can tell exemplars from queries),
class filtering (train on the 100 auxiliary classes) with relabelling, and
clear errors for malformed annotation files.

:class:`MBClassBalancedSampler` yields ``num_per_class`` samples of one class
in a row (the official one-shot training uses pytorch-metric-learning's
``MPerClassSampler`` with ``m = n_views = 2``), so every batch whose size is a
multiple of ``num_per_class`` holds positives for the supervised contrastive
loss.

May import: numpy, torch (``Sampler``), mmengine, mmaction2 (``PoseDataset``,
``DATA_SAMPLERS``) and :mod:`mmmotionbert.registry`; never ``apis``.
"""
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Union

import mmengine
import numpy as np
from mmaction.datasets import PoseDataset
from mmaction.registry import DATA_SAMPLERS
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmmotionbert.registry import ACTION_DATASETS

__all__ = ['MBPoseDataset', 'MBClassBalancedSampler', 'NTU120_ONESHOT_CLASSES']

#: The 20 NTU-120 evaluation classes of the one-shot protocol (0-based).
NTU120_ONESHOT_CLASSES = tuple(range(0, 120, 6))


@ACTION_DATASETS.register_module()
class MBPoseDataset(PoseDataset):
    """mmaction2 ``PoseDataset`` with split unions and class filtering.

    Args:
        ann_file (str): pyskl / mmaction2 skeleton pickle: a dict with
            ``split`` (name -> list of ``frame_dir``) and ``annotations``
            (list of dicts with ``frame_dir``, ``label``, ``keypoint``, ...),
            or a bare list of annotations when ``split`` is None.
        pipeline (list[dict | callable]): Transforms.
        split (str | Sequence[str], optional): Split name(s) to load. Every
            sample gets ``split_name`` (the first requested split holding
            it). None loads every annotation (``split_name`` None).
            Defaults to None.
        include_labels (Sequence[int], optional): Keep only these classes.
        exclude_labels (Sequence[int], optional): Drop these classes (e.g.
            :data:`NTU120_ONESHOT_CLASSES` for one-shot training).
        relabel (bool): Map the kept classes, in increasing order, to
            0..K-1 (the official one-shot training does); the original label
            stays in ``orig_label``. Defaults to False.
        **kwargs: ``PoseDataset`` / ``BaseActionDataset`` arguments.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[Dict, Callable]],
                 split: Optional[Union[str, Sequence[str]]] = None,
                 include_labels: Optional[Sequence[int]] = None,
                 exclude_labels: Optional[Sequence[int]] = None,
                 relabel: bool = False,
                 **kwargs) -> None:
        if include_labels is not None and exclude_labels is not None:
            raise ValueError('MBPoseDataset: pass include_labels or '
                             'exclude_labels, not both')
        self.include_labels = include_labels
        self.exclude_labels = exclude_labels
        self.relabel = relabel
        self.labels: List[int] = []
        super().__init__(ann_file, pipeline=pipeline, split=split, **kwargs)

    def _read(self) -> dict:
        """Load the annotation file and check its layout."""
        if not str(self.ann_file).endswith('.pkl'):
            raise ValueError(f'MBPoseDataset: ann_file must be a .pkl file, '
                             f'got {self.ann_file}')
        data = mmengine.load(self.ann_file)
        if isinstance(data, list):
            data = dict(annotations=data)
        if not isinstance(data, dict) or 'annotations' not in data:
            raise ValueError(
                f'MBPoseDataset: {self.ann_file} must hold a dict with '
                f'"annotations" (and "split"), got '
                f'{type(data).__name__} with keys '
                f'{sorted(data)[:10] if isinstance(data, dict) else "-"}')
        return data

    def load_data_list(self) -> List[Dict]:
        """Read the annotations of the requested splits and classes."""
        data = self._read()
        annos = data['annotations']
        if self.split is None:
            data_list = [dict(a, split_name=None) for a in annos]
        else:
            names = [self.split] if isinstance(self.split, str) else list(
                self.split)
            available = data.get('split', {})
            missing = [n for n in names if n not in available]
            if missing:
                raise ValueError(f'MBPoseDataset: split(s) {missing} not in '
                                 f'{self.ann_file}; available: '
                                 f'{sorted(available)}')
            owner = {}
            for name in names:
                for key in available[name]:
                    owner.setdefault(key, name)
            data_list = []
            for anno in annos:
                key = anno.get('filename', anno.get('frame_dir'))
                if key in owner:
                    data_list.append(dict(anno, split_name=owner[key]))
        for anno in data_list:
            for field in ('keypoint', 'label'):
                if field not in anno:
                    raise ValueError(
                        f'MBPoseDataset: annotation '
                        f'{anno.get("frame_dir", "?")} in {self.ann_file} '
                        f'has no {field!r}')
        if self.include_labels is not None:
            keep = set(int(c) for c in self.include_labels)
            data_list = [a for a in data_list if int(a['label']) in keep]
        if self.exclude_labels is not None:
            drop = set(int(c) for c in self.exclude_labels)
            data_list = [a for a in data_list if int(a['label']) not in drop]
        if self.relabel:
            classes = sorted({int(a['label']) for a in data_list})
            new_id = {c: i for i, c in enumerate(classes)}
            for anno in data_list:
                anno['orig_label'] = int(anno['label'])
                anno['label'] = new_id[int(anno['label'])]
        self.labels = [int(a['label']) for a in data_list]
        return data_list


@DATA_SAMPLERS.register_module()
class MBClassBalancedSampler(Sampler):
    """Groups of ``num_per_class`` same-class samples, classes shuffled.

    Each group draws a class (cycling through a fresh random permutation of
    all classes, so consecutive groups differ) and ``num_per_class`` of its
    samples (without replacement when the class has enough). An epoch holds
    about ``len(dataset)`` indices, split over the ranks; with a batch size
    that is a multiple of ``num_per_class`` every batch consists of whole
    groups, as with pytorch-metric-learning's ``MPerClassSampler``.

    Args:
        dataset: A dataset with a ``labels`` list (:class:`MBPoseDataset`)
            or whose ``get_data_info(i)['label']`` gives the class.
        num_per_class (int): Samples per class in a row (official
            ``n_views``). Defaults to 2.
        seed (int, optional): Random seed, shared by all ranks. Defaults to
            None (a synchronized random seed).
    """

    def __init__(self,
                 dataset,
                 num_per_class: int = 2,
                 seed: Optional[int] = None) -> None:
        if num_per_class < 1:
            raise ValueError(f'MBClassBalancedSampler: num_per_class must be '
                             f'>= 1, got {num_per_class}')
        labels = getattr(dataset, 'labels', None)
        if labels is None or len(labels) != len(dataset):
            labels = [
                int(dataset.get_data_info(i)['label'])
                for i in range(len(dataset))
            ]
        if not len(labels):
            raise ValueError('MBClassBalancedSampler: the dataset is empty')
        self.rank, self.world_size = get_dist_info()
        self.num_per_class = num_per_class
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        self.by_class: Dict[int, np.ndarray] = {}
        for idx, label in enumerate(labels):
            self.by_class.setdefault(int(label), []).append(idx)
        self.by_class = {
            k: np.asarray(v)
            for k, v in sorted(self.by_class.items())
        }
        groups = len(labels) // (num_per_class * self.world_size)
        self.groups_per_rank = max(groups, 1)

    def __iter__(self) -> Iterator[int]:
        """Indices of this rank for the current epoch."""
        rng = np.random.default_rng(self.seed + self.epoch)
        classes = np.array(list(self.by_class))
        total = self.groups_per_rank * self.world_size
        order: List[int] = []
        while len(order) < total:
            order.extend(rng.permutation(classes).tolist())
        indices = []
        for group, cls in enumerate(order[:total]):
            if group % self.world_size != self.rank:
                continue
            members = self.by_class[cls]
            replace = len(members) < self.num_per_class
            indices.extend(
                rng.choice(members, self.num_per_class,
                           replace=replace).tolist())
        return iter(indices)

    def __len__(self) -> int:
        """Indices per rank and epoch."""
        return self.groups_per_rank * self.num_per_class

    def set_epoch(self, epoch: int) -> None:
        """Use another permutation in each epoch (DistSamplerSeedHook)."""
        self.epoch = epoch
