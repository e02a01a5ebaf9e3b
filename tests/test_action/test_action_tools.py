# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Action recognition end to end: tools/train.py and tools/test.py with
mmaction2's runner on generated skeleton pickles, the inference API and the
demo."""
import glob
import json
import pickle
import re
import runpy
import sys

import numpy as np
import pytest
import torch

from mmmotionbert.apis import inference_action, init_action_model
from tests.conftest import REPO_ROOT
from ..conftest import run_tool

CONFIG = 'configs/action/mb-tiny_dstformer-16frm_synthetic-ntu.py'
ONESHOT = 'configs/action/mb-tiny_dstformer-16frm_synthetic-ntu-oneshot.py'




def _records(work_dir):
    scalars = glob.glob(f'{work_dir}/*/vis_data/scalars.json')
    assert len(scalars) == 1, scalars
    return [json.loads(line) for line in open(scalars[0])]


@pytest.fixture(scope='module')
def trained(ntu_pkl, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('action_train')
    run_tool([
        'tools/train.py', CONFIG, '--work-dir',
        str(work_dir), '--cfg-options'
    ] + [
        f'{part}.dataset.ann_file={ntu_pkl}'
        for part in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ])
    return work_dir


@pytest.mark.slow
def test_train_lowers_loss_and_keeps_best(trained):
    records = _records(trained)
    losses = [r['loss'] for r in records if 'loss' in r]
    top1 = [r['acc/top1'] for r in records if 'acc/top1' in r]
    assert len(losses) == 48 and len(top1) == 3  # 12 epochs x 4, val x 3
    assert np.mean(losses[-4:]) < 0.7 * np.mean(losses[:4])
    # 5 classes: better than chance on the 15 validation clips
    assert max(top1) >= 0.4
    best = glob.glob(f'{trained}/best_acc_top1_epoch_*.pth')
    assert len(best) == 1
    epoch = int(re.search(r'epoch_(\d+)', best[0]).group(1))
    assert top1[epoch // 4 - 1] == max(top1)


@pytest.mark.slow
def test_test_tool_dumps_predictions(trained, ntu_pkl, tmp_path):
    ckpt = glob.glob(f'{trained}/best_acc_top1_epoch_*.pth')[0]
    out = tmp_path / 'preds.pkl'
    log = run_tool([
        'tools/test.py', CONFIG, ckpt, '--work-dir',
        str(tmp_path / 'test'), '--out',
        str(out), '--cfg-options',
        f'test_dataloader.dataset.ann_file={ntu_pkl}'
    ])
    top1 = float(re.findall(r'acc/top1: ([0-9.]+)', log)[-1])
    with open(out, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 15
    scores = torch.stack([p['pred_score'] for p in preds])
    labels = torch.cat([p['gt_label'] for p in preds])
    torch.testing.assert_close(scores.sum(-1), torch.ones(15))
    assert (scores.argmax(-1) == labels).float().mean().item() == \
        pytest.approx(top1, abs=1e-4)

    # the API on a raw annotation gives the same probabilities
    model = init_action_model(str(REPO_ROOT / CONFIG), ckpt)
    with open(ntu_pkl, 'rb') as f:
        data = pickle.load(f)
    first = next(a for a in data['annotations']
                 if a['frame_dir'] == preds[0]['frame_dir'])
    result = inference_action(
        model,
        first['keypoint'],
        first['keypoint_score'],
        img_shape=first['img_shape'],
        topk=3,
        label_names=['a', 'b', 'c', 'd', 'e'])
    np.testing.assert_allclose(
        result['scores'], preds[0]['pred_score'], atol=1e-5)
    assert len(result['topk']) == 3
    label, prob, name = result['topk'][0]
    assert name == 'abcde'[label] and prob == pytest.approx(
        float(preds[0]['pred_score'].max()), abs=1e-5)
    # official score handling: channel 2 keeps the COCO joint order
    official = inference_action(
        model,
        first['keypoint'],
        first['keypoint_score'],
        img_shape=first['img_shape'],
        official_scores=True)
    frames = np.floor(
        np.linspace(0, first['total_frames'], 16, endpoint=False)).astype(int)
    np.testing.assert_allclose(
        official['inputs'][0, :, :, 2],
        first['keypoint_score'][0][frames],
        rtol=1e-6)
    assert not np.allclose(official['inputs'][0, :, :, 2],
                           result['inputs'][0, :, :, 2])
    with pytest.raises(ValueError, match='need img_shape'):
        inference_action(model, first['keypoint'], first['keypoint_score'])
    with pytest.raises(ValueError, match='no persons'):
        inference_action(
            model,
            np.zeros((0, 5, 17, 2)),
            np.zeros((0, 5, 17)),
            img_shape=(10, 10))
    with pytest.raises(ValueError, match="'coco' has 17 joints, got 18"):
        inference_action(model, np.zeros((5, 18, 3)), img_shape=(10, 10))


@pytest.mark.slow
def test_oneshot_train_and_evaluate(ntu_pkl, oneshot_pkl, tmp_path):
    work_dir = tmp_path / 'oneshot'
    run_tool([
        'tools/train.py', ONESHOT, '--work-dir',
        str(work_dir), '--cfg-options',
        f'train_dataloader.dataset.ann_file={ntu_pkl}',
        f'val_dataloader.dataset.ann_file={oneshot_pkl}',
        f'test_dataloader.dataset.ann_file={oneshot_pkl}'
    ])
    records = _records(work_dir)
    losses = [r['loss'] for r in records if 'loss' in r]
    top1 = [r['oneshot/top1'] for r in records if 'oneshot/top1' in r]
    # 27 auxiliary samples -> 13 pairs -> batches of 8, 8, 8, 2; 2 epochs
    assert len(losses) == 8 and all(np.isfinite(losses))
    assert len(top1) == 2
    # 2 classes x 3 queries: accuracy is a multiple of 1/6
    assert all(abs(a * 6 - round(a * 6)) < 1e-6 for a in top1)
    assert glob.glob(f'{work_dir}/best_oneshot_top1_epoch_*.pth')


def test_action_demo_with_official_checkpoint(action_fixture, tmp_path,
                                              monkeypatch, capsys):
    ckpt = tmp_path / 'best_epoch.bin'
    torch.save(action_fixture['checkpoint'], ckpt)
    rng = np.random.default_rng(0)
    skeleton = np.concatenate(
        [rng.uniform(0, 300, (20, 17, 2)),
         rng.uniform(0.5, 1, (20, 17, 1))], -1)
    src = tmp_path / 'skeleton.npy'
    np.save(src, skeleton)
    monkeypatch.setattr(sys, 'argv', [
        'action_demo.py',
        str(src), '--official',
        str(ckpt), '--num-heads', '4', '--format', 'coco', '--img-shape',
        '300', '300', '--topk', '3'
    ])
    runpy.run_path(str(REPO_ROOT / 'demo/action_demo.py'), run_name='__main__')
    log = capsys.readouterr().out
    assert '1 person(s), 20 frames, layout coco' in log
    lines = [line for line in log.splitlines() if line.startswith('top-')]
    assert len(lines) == 3
    probs = [float(line.split('p=')[1]) for line in lines]
    assert probs == sorted(probs, reverse=True) and 0 < probs[0] <= 1
