# Copyright (c) mmmotionbert contributors. All rights reserved.
"""3D pose task end to end through tools/train.py and tools/test.py.

Runs on the synthetic official-format H36M pkl of the parity fixtures.
"""
import glob
import json
import re

import numpy as np
import pytest
import torch

from mmmotionbert.apis import load_official_model
from tests.conftest import official_fixture
from ..conftest import run_tool

CONFIG = 'configs/pose3d/mb-tiny_dstformer-27frm_synthetic-h36m.py'




def _data_options(pkl):
    return [f'{part}.dataset.data_file={pkl}'
            for part in ('train_dataloader', 'val_dataloader',
                         'test_dataloader')]


@pytest.mark.slow
def test_train_on_fixture_lowers_loss_and_keeps_best(tmp_path):
    pkl = official_fixture('h36m_eval/h36m_sh_conf_cam_source_final_synthetic.pkl')
    work_dir = tmp_path / 'train'
    run_tool(['tools/train.py', CONFIG, '--work-dir', str(work_dir),
          '--cfg-options', *_data_options(pkl), 'train_cfg.max_epochs=12',
          'train_cfg.val_interval=4', 'default_hooks.logger.interval=1'])
    scalars = glob.glob(f'{work_dir}/*/vis_data/scalars.json')
    assert scalars
    records = [json.loads(line) for line in open(scalars[0])]
    losses = [r['loss'] for r in records if 'loss' in r]
    val = [r['MPJPE'] for r in records if 'MPJPE' in r]
    assert len(losses) >= 12 and len(val) == 3
    assert np.mean(losses[-3:]) < 0.7 * np.mean(losses[:3])
    best = glob.glob(f'{work_dir}/best_MPJPE_epoch_*.pth')
    assert len(best) == 1
    best_epoch = int(re.search(r'epoch_(\d+)', best[0]).group(1))
    assert val[best_epoch // 4 - 1] == min(val)


def _official_eval_numbers(fx, tmp_path):
    """Official reader clips + official model (+ flip) + official metric."""
    clips = np.load(official_fixture('h36m_eval/official_clips.npz'))
    model = load_official_model(fx['checkpoint'], num_heads=4)
    x = torch.from_numpy(clips['test_data'])
    with torch.no_grad():
        pred = model(x)
        pred_flip = model(_flip(x))
        pred = ((pred + _flip(pred_flip)) / 2).numpy()
    pred_file = tmp_path / 'official_preds.npy'
    np.save(pred_file, pred)
    pkl = official_fixture('h36m_eval/h36m_sh_conf_cam_source_final_synthetic.pkl')
    out = run_tool(['tools/misc/eval_h36m_predictions.py', str(pkl),
                str(pred_file), '--clip-len', '27', '--rootrel'])
    return json.loads(out[out.index('{'):])


def _flip(x):
    from mmmotionbert.utils.keypoints import flip_h36m
    return flip_h36m(x)


def test_official_checkpoint_through_tools_test(tmp_path):
    """tools/test.py == official reader + model + flip test + evaluate()."""
    fx = torch.load(official_fixture('dstformer.pt'), weights_only=True)
    src = tmp_path / 'best_epoch.bin'
    torch.save(fx['checkpoint'], src)
    dst = tmp_path / 'converted.pth'
    run_tool(['tools/convert_official_checkpoint.py', str(src), str(dst)])
    pkl = official_fixture('h36m_eval/h36m_sh_conf_cam_source_final_synthetic.pkl')
    log = run_tool(['tools/test.py', CONFIG, str(dst), '--work-dir',
                str(tmp_path / 'test'), '--cfg-options', *_data_options(pkl),
                'model.backbone.dim_feat=64', 'model.backbone.dim_rep=128',
                'model.backbone.num_heads=4', 'model.head.dim_rep=128'])
    ours = {k: float(v) for k, v in re.findall(
        r'\b(MPJPE|P-MPJPE): ([0-9.]+)', log.split('Epoch(test)')[-1])}
    expected = _official_eval_numbers(fx, tmp_path)
    assert ours['MPJPE'] == pytest.approx(expected['mpjpe'], abs=1e-3)
    assert ours['P-MPJPE'] == pytest.approx(expected['p_mpjpe'], abs=1e-3)
    assert 10 < ours['MPJPE'] < 10000
