# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Official mesh pkl reading, clips, flips and the source-mixing sampler."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler, default_collate

from mmmotionbert.datasets import (MBMeshDataset, MBMeshMixDataset,
                                   MBMeshSourceBatchSampler, split_clips)
from mmmotionbert.utils.keypoints import flip_h36m
from mmmotionbert.utils.smpl import flip_smpl_pose


def _raw(path, split='train'):
    with open(path, 'rb') as f:
        return pickle.load(f)[split]


def test_pw3d_clips_and_normalisation(mesh_data):
    path = mesh_data['pw3d']
    raw = _raw(path)
    ds = MBMeshDataset(path, split='train')
    assert (ds.dataset_type, ds.clip_len, ds.data_stride) == ('pw3d', 16, 8)
    np.testing.assert_array_equal(ds.clips, split_clips(raw['source'], 16, 8))
    item = ds[1]
    rows = ds.clips[1]
    assert item['inputs'].shape == (16, 17, 3)
    expected_xy = raw['joint_2d'][rows] / np.float32(1920) * 2 - 1
    np.testing.assert_allclose(item['inputs'][..., :2], expected_xy, atol=1e-6)
    np.testing.assert_array_equal(item['inputs'][..., 2],
                                  np.clip(raw['confidence'][rows], 0, 1))
    np.testing.assert_array_equal(item['data_samples']['pose'],
                                  raw['smpl_pose'][rows])
    assert item['data_samples']['shape'].shape == (16, 10)
    test = MBMeshDataset(path, split='test')
    assert test.data_stride == 16
    assert len(test) == len(split_clips(_raw(path, 'test')['source'], 16, 16))


def test_h36m_uses_camera_resolution_and_coco_single_frames(mesh_data):
    raw = _raw(mesh_data['h36m'])
    ds = MBMeshDataset(mesh_data['h36m'], clip_len=8)
    first = ds[0]['inputs']
    w, h = {
        '54138969': (1000, 1002),
        '55011271': (1000, 1000),
        '58860488': (1000, 1000),
        '60457274': (1000, 1002)
    }[raw['camera_name'][0]]
    y = raw['joint_2d'][ds.clips[0], :, 1] / np.float32(w) * 2 - h / w
    np.testing.assert_allclose(first[..., 1], y, atol=1e-6)
    coco = MBMeshDataset(mesh_data['coco'])
    assert coco.clip_len == 1 and len(coco) == len(
        _raw(mesh_data['coco'])['source'])
    batch = default_collate([coco[i] for i in range(3)])
    assert batch['inputs'].shape == (3, 1, 17, 3)
    assert batch['data_samples']['pose'].shape == (3, 1, 72)


def test_flip_mirrors_keypoints_and_smpl_pose(mesh_data):
    plain = MBMeshDataset(mesh_data['pw3d'])[0]
    flipped = MBMeshDataset(mesh_data['pw3d'], flip_prob=1.0)[0]
    assert torch.equal(flipped['inputs'], flip_h36m(plain['inputs']))
    assert torch.equal(flipped['data_samples']['pose'],
                       flip_smpl_pose(plain['data_samples']['pose']))
    assert torch.equal(flipped['data_samples']['shape'],
                       plain['data_samples']['shape'])


def test_bad_files_give_clear_errors(tmp_path, mesh_data):
    with pytest.raises(FileNotFoundError, match='docs/mesh.md'):
        MBMeshDataset(str(tmp_path / 'mesh_det_pw3d.pkl'))
    with pytest.raises(ValueError, match='set dataset_type'):
        MBMeshDataset(mesh_data['pw3d'].replace('pw3d', 'xx'))
    with open(mesh_data['pw3d'], 'rb') as f:
        data = pickle.load(f)
    data['train']['smpl_shape'] = data['train']['smpl_shape'][:, :8]
    bad = tmp_path / 'mesh_det_pw3d.pkl'
    with open(bad, 'wb') as f:
        pickle.dump(data, f)
    with pytest.raises(ValueError, match=r"'smpl_shape' has shape .*, 10\)"):
        MBMeshDataset(str(bad))
    del data['train']['smpl_pose']
    with open(bad, 'wb') as f:
        pickle.dump(data, f)
    with pytest.raises(KeyError, match="no 'smpl_pose'"):
        MBMeshDataset(str(bad))


def _sampler(mix, batch_sizes, max_epochs=None, shuffle=True, **kwargs):
    base = DefaultSampler(mix, shuffle=shuffle, seed=0)
    return MBMeshSourceBatchSampler(
        base,
        batch_size=4,
        batch_sizes=batch_sizes,
        max_epochs=max_epochs,
        **kwargs)


def test_source_batches_sizes_order_and_epoch_limits(mesh_data):
    video = MBMeshDataset(mesh_data['pw3d'], clip_len=8)
    images = MBMeshDataset(mesh_data['coco'])
    mix = MBMeshMixDataset([video, images])
    n_video, n_img = len(video), len(images)
    sampler = _sampler(mix, [3, 16], max_epochs=[1, None])
    batches = list(sampler)
    assert (n_video, n_img) == (10, 40)
    # 10 clips in 3s: 3 + 3 + 4 (a last single clip joins the batch before,
    # BatchNorm cannot train on one); 40 images in 16s: 16 + 16 + 8
    assert len(batches) == len(sampler) == 6
    assert [len(b) for b in batches] == [3, 3, 4, 16, 16, 8]
    # official order: all video batches first, then the image batches
    sources = [int(b[0] >= n_video) for b in batches]
    assert sources == sorted(sources)
    assert all(
        all((i >= n_video) == s for i in b) for b, s in zip(batches, sources))
    assert sorted(i for b in batches for i in b) == list(range(len(mix)))
    # collated batches never mix clip lengths
    first = default_collate([mix[i] for i in batches[-1]])
    assert first['inputs'].shape[1] == 1
    # epoch 1: the video source has reached its limit (warm-up)
    sampler.sampler.set_epoch(1)
    assert all(i >= n_video for b in sampler for i in b)
    assert len(sampler) == 3
    # limit 0 switches a source off (e.g. no COCO mixing)
    assert all(i < n_video for b in _sampler(mix, [3, 16], [None, 0])
               for i in b)


def test_ranks_get_equal_batches_covering_every_sample(mesh_data):
    video = MBMeshDataset(mesh_data['pw3d'], clip_len=8)
    images = MBMeshDataset(mesh_data['coco'])
    mix = MBMeshMixDataset([video, images])
    per_rank = []
    for rank in range(3):
        sampler = _sampler(mix, [2, 5], shuffle_sources=True)
        sampler.rank, sampler.world_size = rank, 3
        per_rank.append(list(sampler))
    assert len({len(b) for b in per_rank}) == 1
    seen = {i for batches in per_rank for b in batches for i in b}
    assert seen == set(range(len(mix)))
    with pytest.raises(ValueError, match='one entry per source'):
        _sampler(mix, [2])
