# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The tiny mesh config through tools/train.py (CPU), then its checkpoint.

That learning happens is checked in ``test_mesh_model.py`` (overfitting one
batch); ten iterations of the full recipe are too few for its loss to fall
reliably (the velocity term first grows as BatchNorm over frames turns
per-frame differences into jitter).
"""
import glob
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.runner import load_checkpoint

from mmmotionbert.datasets.synthetic_mesh import write_synthetic_mesh_data
from mmmotionbert.evaluation.metrics import MBMeshMetric
from mmmotionbert.registry import DATASETS, MODELS
from tests.conftest import REPO_ROOT
from ..conftest import run_tool

CONFIG = str(REPO_ROOT /
             'configs/mesh/mb-tiny_dstformer-8frm_synthetic-mesh.py')




@pytest.mark.slow
def test_train_mixes_sources_and_checkpoint_reproduces_val(
        tmp_path, smpl_paths, smpl_body):
    # the config's relative data/synthetic_mesh layout, inside tmp_path
    data_dir = tmp_path / 'data' / 'synthetic_mesh'
    data_dir.mkdir(parents=True)
    for path in smpl_paths.values():
        os.symlink(path, data_dir / osp.basename(path))
    write_synthetic_mesh_data(
        str(data_dir),
        str(data_dir),
        datasets=('pw3d', 'coco'),
        num_train=1,
        num_test=1,
        frames=(16, 16),
        body=smpl_body)
    work_dir = tmp_path / 'work'
    run_tool([
        str(REPO_ROOT / 'tools/train.py'), CONFIG, '--work-dir',
        str(work_dir), '--cfg-options', 'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2', 'default_hooks.logger.interval=1',
        'log_processor.window_size=1',
        'train_dataloader.batch_sampler.batch_sizes=[2,8]'
    ],
         cwd=tmp_path)
    records = [
        json.loads(line)
        for line in open(glob.glob(f'{work_dir}/*/vis_data/scalars.json')[0])
    ]
    train = [r for r in records if 'loss' in r]
    # per epoch: the 3 3DPW clips of 8 frames (batch size 2; the last
    # single clip joins the batch: BatchNorm), velocity term > 0, then 2
    # batches of 8 COCO images (single frames: no velocity)
    assert len(train) == 6
    assert all((r['loss_3d_velocity'] > 0) == (i % 3 == 0)
               for i, r in enumerate(train))
    assert all(np.isfinite(r['loss']) and r['loss'] > 0 for r in train)
    # the learning rates: backbone 1e-3, head 10x (x0.98 after epoch 1)
    assert train[0]['lr'] == pytest.approx(1e-3)
    assert train[-1]['lr'] == pytest.approx(0.98e-3)
    val = [r for r in records if 'MPVE' in r]
    assert len(val) == 1
    for key in ('MPVE', 'MPJPE', 'PA-MPJPE'):
        assert 0 < val[0][key] < 2000, val[0]
    assert val[0]['PA-MPJPE'] < val[0]['MPJPE']
    best = glob.glob(f'{work_dir}/best_MPJPE_epoch_2.pth')
    assert best
    # the best checkpoint (no SMPL data inside) reproduces the validation
    cfg = Config.fromfile(CONFIG)
    cfg.model.head.smpl_dir = str(data_dir)
    model = MODELS.build(cfg.model)
    ckpt = load_checkpoint(model, best[0], strict=True)
    assert not any('smpl.' in k for k in ckpt['state_dict'])
    model.eval()
    dataset = DATASETS.build(
        dict(
            cfg.val_dataloader.dataset,
            data_file=str(data_dir / 'mesh_det_pw3d.pkl')))
    metric = MBMeshMetric()
    batch = default_collate([dataset[i] for i in range(len(dataset))])
    metric.process(batch, model.test_step(batch))
    tested = metric.compute_metrics(metric.results)
    for key in ('MPVE', 'MPJPE', 'PA-MPJPE'):
        assert tested[key] == pytest.approx(val[0][key], abs=1e-3), key
