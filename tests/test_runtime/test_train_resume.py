# Copyright (c) mmmotionbert contributors. All rights reserved.
"""A tiny training run through mmengine's Runner; save and resume."""
import copy

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from tests.conftest import REPO_ROOT

CONFIG = REPO_ROOT / 'configs/pose3d/mb-tiny_dstformer-27frm_synthetic-h36m.py'


def _cfg(data_file, work_dir, **train_cfg):
    cfg = Config.fromfile(str(CONFIG))
    for part in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[part]['dataset']['data_file'] = data_file
    cfg.train_cfg.update(train_cfg)
    cfg.work_dir = str(work_dir)
    cfg.default_hooks.logger.interval = 1
    cfg.log_level = 'WARNING'
    cfg.experiment_name = work_dir.name
    return cfg


@pytest.fixture(scope='module')
def trained(synthetic_h36m_pkl, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('train')
    cfg = _cfg(synthetic_h36m_pkl, work_dir, max_epochs=6, val_interval=3)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner, cfg


@pytest.mark.slow
def test_training_lowers_the_loss(trained):
    runner, _ = trained
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    assert len(losses) >= 12
    first, last = np.mean(losses[:3]), np.mean(losses[-3:])
    assert last < 0.8 * first, (first, last)


@pytest.mark.slow
def test_checkpoints_and_best_by_mpjpe(trained):
    runner, cfg = trained
    work_dir = runner.work_dir
    import glob
    assert glob.glob(f'{work_dir}/epoch_6.pth')
    assert glob.glob(f'{work_dir}/best_MPJPE_epoch_*.pth')
    mpjpe = runner.message_hub.get_scalar('val/MPJPE').current()
    assert 0 < mpjpe < 1000


@pytest.mark.slow
def test_resume_continues_where_it_stopped(trained):
    runner, cfg = trained
    cfg = copy.deepcopy(cfg)
    cfg.train_cfg.max_epochs = 7
    cfg.resume = True
    cfg.load_from = f'{runner.work_dir}/epoch_6.pth'
    cfg.experiment_name = 'resumed'
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    assert resumed.epoch == 7
    assert resumed.iter == runner.iter + runner.iter // 6
    # the log history came back through the safe loader too
    assert len(resumed.message_hub.get_scalar('train/loss').data[0]) > \
        runner.iter // 6
