# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Pretraining data sources (official clip folders, 2D-only) and the
curriculum loop that mixes 2D-only clips in after a given epoch."""
import json

import numpy as np
import pytest
import torch
from mmengine.runner import Runner

import mmmotionbert  # noqa: F401
from mmmotionbert.datasets import MBMotion2DDataset, MBMotionClipDataset
from mmmotionbert.utils.keypoints import flip_h36m, posetrack_to_h36m
from ..conftest import write_motion_clips


def test_official_clip_folders(tmp_path):
    write_motion_clips(tmp_path, 'AMASS', 3, with_input=False, t=8)
    write_motion_clips(tmp_path, 'H36M-SH', 2, with_input=True, t=8)
    ds = MBMotionClipDataset(str(tmp_path), ['AMASS', 'H36M-SH'],
                             synthetic=True, flip_prob=0.0)
    assert len(ds) == 5
    item = ds[0]
    target = item['data_samples']['target']
    torch.testing.assert_close(item['inputs'][..., :2], target[..., :2])
    assert torch.all(item['inputs'][..., 2] == 1)
    assert item['data_samples']['has_3d'] is True
    real = MBMotionClipDataset(str(tmp_path), ['H36M-SH'], flip_prob=0.0)
    assert torch.allclose(real[0]['inputs'][..., 2], torch.tensor(0.7))
    amass = MBMotionClipDataset(str(tmp_path), ['AMASS'], flip_prob=0.0)
    with pytest.raises(ValueError, match='synthetic=True'):
        amass[0]
    with pytest.raises(FileNotFoundError, match='nope'):
        MBMotionClipDataset(str(tmp_path), ['nope'])


def test_flip_applies_to_input_and_target(tmp_path):
    write_motion_clips(tmp_path, 'H36M-SH', 1, with_input=True, t=8)
    plain = MBMotionClipDataset(str(tmp_path), ['H36M-SH'], flip_prob=0.0)[0]
    flipped = MBMotionClipDataset(str(tmp_path), ['H36M-SH'],
                                  flip_prob=1.0)[0]
    torch.testing.assert_close(flipped['inputs'], flip_h36m(plain['inputs']))
    torch.testing.assert_close(flipped['data_samples']['target'],
                               flip_h36m(plain['data_samples']['target']))


def test_instavariety_clips(tmp_path):
    motion = np.random.default_rng(0).uniform(
        0.1, 1, size=(100 + 50, 17, 3)).astype(np.float32)
    ids = np.array([0] * 100 + [1] * 50)
    np.save(tmp_path / 'motion_all.npy', motion)
    np.save(tmp_path / 'id_all.npy', ids)
    ds = MBMotion2DDataset('instavariety', str(tmp_path), clip_len=20,
                           flip_prob=0.0)
    # clips start every 27 frames while a whole clip fits in the video
    assert len(ds) == (100 - 20) // 27 + 1 + (50 - 20) // 27 + 1
    item = ds[1]
    torch.testing.assert_close(item['inputs'],
                               torch.from_numpy(motion[27:47]))
    torch.testing.assert_close(item['data_samples']['conf'],
                               torch.from_numpy(motion[27:47, :, 2]))
    assert item['data_samples']['has_3d'] is False


def test_posetrack_reader(tmp_path):
    rng = np.random.default_rng(1)
    annotations = []
    for frame in range(32):
        kp = np.concatenate([rng.uniform(100, 300, (17, 2)), np.ones((17, 1))],
                            -1)
        kp[3, 2] = 0  # an invisible ear
        annotations.append({'track_id': 7, 'keypoints': kp.ravel().tolist()})
    annotations += [{'track_id': 8, 'keypoints': [0.0] * 51}] * 5  # short
    (tmp_path / 'seq.json').write_text(json.dumps(
        {'annotations': annotations}))
    ds = MBMotion2DDataset('posetrack', str(tmp_path), flip_prob=0.0)
    assert len(ds) == 1
    clip = ds[0]['inputs'].numpy()
    assert clip.shape == (30, 17, 3)
    assert np.abs(clip[..., :2]).max() <= 1.0
    # thorax is head_bottom, spine the midpoint of pelvis and thorax
    np.testing.assert_allclose(clip[:, 7, :2],
                               (clip[:, 0, :2] + clip[:, 8, :2]) / 2,
                               atol=1e-6)


def test_posetrack_scores_take_minimum():
    x = np.zeros((1, 17, 3))
    x[0, :, 2] = 1.0
    x[0, 11, 2], x[0, 12, 2], x[0, 1, 2] = 0.9, 0.4, 0.3
    y = posetrack_to_h36m(x)
    assert y[0, 0, 2] == pytest.approx(0.4)
    assert y[0, 7, 2] == pytest.approx(0.3)


def _runner_cfg(tmp_path, clips3d, clips2d):
    loader = dict(batch_size=2, num_workers=0, collate_fn=dict(
        type='default_collate'), sampler=dict(type='DefaultSampler',
                                              shuffle=False))
    return dict(
        model=dict(
            type='MBPoseLifter',
            backbone=dict(type='MBDSTformer', dim_feat=16, dim_rep=16,
                          depth=1, num_heads=2, mlp_ratio=1, maxlen=16),
            head=dict(type='MBPoseHead', dim_rep=16)),
        work_dir=str(tmp_path / 'work'),
        train_dataloader=dict(loader, dataset=dict(
            type='MBMotionClipDataset', data_root=clips3d,
            subsets=['AMASS'], synthetic=True)),
        train_cfg=dict(
            type='MBCurriculumTrainLoop', max_epochs=3, extra_start_epoch=1,
            extra_dataloaders=[dict(loader, dataset=dict(
                type='MBMotion2DDataset', source='npz',
                data_root=clips2d))]),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-3)),
        default_scope='mmpose',
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        log_level='WARNING')


def test_curriculum_loop_adds_2d_clips_after_start_epoch(tmp_path):
    write_motion_clips(tmp_path / 'c3d', 'AMASS', 4, with_input=False, t=8)
    rng = np.random.default_rng(0)
    clips = rng.uniform(0.1, 0.9, size=(6, 12, 17, 3)).astype(np.float32)
    np.savez(tmp_path / 'c2d.npz', clips=clips)
    runner = Runner.from_cfg(_runner_cfg(tmp_path, str(tmp_path / 'c3d'),
                                         str(tmp_path / 'c2d.npz')))
    loop = runner.train_loop
    assert [len(loop.active_dataloaders(e)) for e in range(3)] == [1, 2, 2]
    assert loop.max_iters == 3 * 2 + 2 * 3
    runner.train()
    assert runner.iter == 2 + 5 + 5
    hub = runner.message_hub
    assert 'train/loss_2d_proj' in hub.log_scalars
    # 2D-only batches are logged from the second epoch only: 2 x 3 batches
    assert len(hub.get_scalar('train/loss_2d_proj').data[0]) == 6


def test_official_augmentation_in_clip_dataset(tmp_path):
    write_motion_clips(tmp_path, 'AMASS', 2, with_input=False, t=64)
    ds = MBMotionClipDataset(
        str(tmp_path), ['AMASS'], synthetic=True, flip_prob=0.0,
        augment=dict(type='MBAugmenter2D', noise=True, mask=True,
                     joint_mask_prob=0.05, frame_mask_prob=0.1))
    item = ds[0]
    x, target = item['inputs'], item['data_samples']['target']
    conf = x[..., 2]
    masked = (x == 0).all(-1)
    assert masked.any()  # 64 frames x 17 joints: masking hits something
    visible = ~masked
    assert (conf[visible] < 1).any()  # noise gives confidences below 1
    err = (x[..., :2] - target[..., :2]).norm(dim=-1)[visible]
    assert 0 < err.median() < 0.1  # detection-like offsets, small vs [-1,1]
