# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Epoch loop that adds more data sources after a curriculum epoch.

May import: torch, mmengine and mmpose (its ``LOOPS`` registry); no module of
ours.
"""
from typing import Dict, List, Optional, Sequence, Union

from mmengine.runner import EpochBasedTrainLoop
from mmpose.registry import LOOPS
from torch.utils.data import DataLoader


@LOOPS.register_module()
class MBCurriculumTrainLoop(EpochBasedTrainLoop):
    """MotionBERT pretraining's epoch: 3D clips, then 2D-only clips.

    The official pretraining iterates, every epoch, the 3D motion loader
    (AMASS + H36M) and -- from epoch ``extra_start_epoch`` on (official
    ``pretrain_3d_curriculum: 30``) -- the in-the-wild 2D loaders
    (InstaVariety, PoseTrack), one after the other. Their clips have other
    lengths (81, 30 frames), so they are separate dataloaders, not one
    concatenated dataset.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The main (3D) training dataloader.
        max_epochs (int): Total epochs.
        extra_dataloaders (list[DataLoader | dict]): Loaders iterated after
            the main one from ``extra_start_epoch`` (0-based epoch index).
        extra_start_epoch (int): First epoch (0-based) that uses them.
            Defaults to 30.
        val_begin (int): First epoch that validates. Defaults to 1.
        val_interval (int): Validation interval. Defaults to 1.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 extra_dataloaders: Optional[Sequence[Union[DataLoader,
                                                            Dict]]] = None,
                 extra_start_epoch: int = 30,
                 val_begin: int = 1,
                 val_interval: int = 1) -> None:
        super().__init__(
            runner,
            dataloader,
            max_epochs,
            val_begin=val_begin,
            val_interval=val_interval)
        if extra_start_epoch < 0:
            raise ValueError(f'extra_start_epoch must be >= 0, got '
                             f'{extra_start_epoch}')
        seed = runner.seed if hasattr(runner, 'seed') else None
        self.extra_dataloaders: List[DataLoader] = [
            runner.build_dataloader(d, seed=seed)
            if isinstance(d, dict) else d for d in (extra_dataloaders or [])
        ]
        self.extra_start_epoch = int(extra_start_epoch)
        extra_iters = sum(len(d) for d in self.extra_dataloaders)
        self._max_iters = (
            self._max_epochs * len(self.dataloader) +
            max(0, self._max_epochs - self.extra_start_epoch) * extra_iters)

    def active_dataloaders(self, epoch: int) -> List[DataLoader]:
        """Dataloaders iterated in 0-based ``epoch``."""
        if epoch >= self.extra_start_epoch:
            return [self.dataloader] + self.extra_dataloaders
        return [self.dataloader]

    def run_epoch(self) -> None:
        """Iterate every active dataloader once."""
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        idx = 0
        for loader in self.active_dataloaders(self._epoch):
            sampler = getattr(loader, 'sampler', None)
            if loader is not self.dataloader and hasattr(sampler, 'set_epoch'):
                sampler.set_epoch(self._epoch)
            for data_batch in loader:
                self.run_iter(idx, data_batch)
                idx += 1
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
