# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The batch sampler of the mesh recipe: one source per batch.

:class:`MBMeshSourceBatchSampler` draws every batch of an
:class:`~mmmotionbert.datasets.MBMeshMixDataset` from one of its sources,
with per-source batch sizes and epoch limits (the official recipe: H36M and
3DPW clips in batches of 128, COCO images in batches of 512, H36M only in
the first epochs). Moved here from :mod:`.mesh_dataset`, which re-exports
it.

May import torch, mmengine and mmpose's registry.
"""
import math
from typing import Iterator, List, Optional, Sequence

import torch
from mmengine.dist import get_dist_info
from mmpose.registry import DATA_SAMPLERS

__all__ = ['MBMeshSourceBatchSampler']


@DATA_SAMPLERS.register_module()
class MBMeshSourceBatchSampler:
    """Batches that each come from one source of a :class:`MBMeshMixDataset`.

    Per epoch every active source is shuffled (seeded by the sampler's seed
    and the epoch), split evenly across ranks (padded like mmengine's
    ``DefaultSampler``, so all ranks run the same number of batches) and
    cut into batches of its own size. The official recipe runs the sources
    one after the other (H36M, COCO, 3DPW), which is the default;
    ``shuffle_sources`` interleaves their batches randomly instead.

    Built by mmengine's runner from ``train_dataloader.batch_sampler``; it
    gets the dataloader's ``sampler`` (whose ``epoch``, ``seed`` and
    ``shuffle`` it follows; ``DistSamplerSeedHook`` sets the epoch) and
    ``batch_size`` (the size for sources without their own).

    Args:
        sampler (Sampler): The dataloader's sampler (mmengine
            ``DefaultSampler``); its ``dataset`` must be an
            :class:`MBMeshMixDataset` (any other dataset is one source).
        batch_size (int): Default batch size.
        batch_sizes (list[int], optional): Batch size per source.
        max_epochs (list[int | None], optional): Per source, train on it only
            while ``epoch < max_epochs[i]`` (official ``warmup_h36m`` /
            ``warmup_coco``); None: every epoch; 0 turns a source off.
        shuffle_sources (bool): Interleave the sources' batches randomly.
            Defaults to False (one source after the other, official).
        drop_last (bool): Drop every source's last incomplete batch.
            Defaults to False (official); then a last batch of a single
            sample is merged into the one before, because the head's
            BatchNorm cannot train on one clip.
    """

    def __init__(self,
                 sampler,
                 batch_size: int,
                 batch_sizes: Optional[Sequence[int]] = None,
                 max_epochs: Optional[Sequence[Optional[int]]] = None,
                 shuffle_sources: bool = False,
                 drop_last: bool = False) -> None:
        self.sampler = sampler
        dataset = sampler.dataset
        if hasattr(dataset, 'source_ranges'):
            self.ranges = dataset.source_ranges()
        else:
            self.ranges = [(0, len(dataset))]
        num = len(self.ranges)
        sizes = [batch_size] * num if batch_sizes is None else list(
            batch_sizes)
        epochs = [None] * num if max_epochs is None else list(max_epochs)
        if len(sizes) != num or len(epochs) != num:
            raise ValueError(
                f'batch_sizes ({len(sizes)}) and max_epochs ({len(epochs)}) '
                f'need one entry per source ({num} sources)')
        if any(int(s) < 1 for s in sizes):
            raise ValueError(f'batch sizes must be >= 1, got {sizes}')
        if any(e is not None and int(e) < 0 for e in epochs):
            raise ValueError(f'max_epochs must be >= 0 or None, got {epochs}')
        self.batch_sizes = [int(s) for s in sizes]
        self.max_epochs = epochs
        self.shuffle_sources = shuffle_sources
        self.drop_last = drop_last
        self.rank, self.world_size = get_dist_info()

    @property
    def epoch(self) -> int:
        """The epoch the wrapped sampler was last set to."""
        return int(getattr(self.sampler, 'epoch', 0))

    def _active(self, epoch: int) -> List[int]:
        """Sources used in ``epoch``."""
        return [
            i for i, e in enumerate(self.max_epochs)
            if e is None or epoch < int(e)
        ]

    def _num_batches(self, source: int) -> int:
        """Batches of one source on one rank."""
        per_rank = math.ceil(self.ranges[source][1] / self.world_size)
        size = self.batch_sizes[source]
        if self.drop_last:
            return per_rank // size
        num = math.ceil(per_rank / size)
        if num > 1 and per_rank % size == 1:
            num -= 1  # a last single sample joins the previous batch
        return num

    def __iter__(self) -> Iterator[List[int]]:
        """Yield lists of dataset indices, one batch at a time."""
        epoch = self.epoch
        shuffle = bool(getattr(self.sampler, 'shuffle', True))
        seed = int(getattr(self.sampler, 'seed', 0) or 0)
        gen = torch.Generator()
        gen.manual_seed(seed + epoch)
        batches: List[List[int]] = []
        for source in self._active(epoch):
            start, length = self.ranges[source]
            order = (torch.randperm(length, generator=gen)
                     if shuffle else torch.arange(length)).tolist()
            total = math.ceil(length / self.world_size) * self.world_size
            order = (order * math.ceil(total / max(length, 1)))[:total]
            mine = [start + i for i in order[self.rank::self.world_size]]
            size = self.batch_sizes[source]
            num = self._num_batches(source)
            for k in range(num):
                end = len(mine) if k == num - 1 and not self.drop_last \
                    else (k + 1) * size
                batches.append(mine[k * size:end])
        if self.shuffle_sources:
            perm = torch.randperm(len(batches), generator=gen).tolist()
            batches = [batches[i] for i in perm]
        return iter(batches)

    def __len__(self) -> int:
        """Batches in the current epoch."""
        return sum(self._num_batches(s) for s in self._active(self.epoch))
