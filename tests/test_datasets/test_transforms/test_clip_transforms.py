# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Unit tests of the clip datasets' transforms (flip with precomputed
mirrors, mesh flip, packing), with numeric checks."""
import numpy as np
import pytest
import torch

from mmmotionbert.registry import TRANSFORMS
from mmmotionbert.utils.keypoints import flip_h36m, h36m_flip_permutation
from mmmotionbert.utils.smpl import flip_smpl_pose, smpl_flip_permutation


def _clip(frames=4, seed=0):
    return np.random.default_rng(seed).normal(
        size=(frames, 17, 3)).astype(np.float32)


def test_flip_h36m_uses_precomputed_mirrors_only_when_flipping():
    x = _clip()
    ready = np.full_like(x, 7.0)  # not a real mirror: shows it is taken
    flip = TRANSFORMS.build(
        dict(type='MBFlipH36M', prob=1.0, keys=('motion_2d', 'target')))
    out = flip(dict(motion_2d=x, target=x.copy(), rng=np.random.default_rng(0),
                    mirrored=dict(motion_2d=ready)))
    assert out['flipped'] and out['motion_2d'] is ready
    np.testing.assert_array_equal(out['target'], flip_h36m(x))
    never = TRANSFORMS.build(dict(type='MBFlipH36M', prob=0.0))
    out = never(dict(motion_2d=x, mirrored=dict(motion_2d=ready)))
    assert not out['flipped'] and out['motion_2d'] is x


def test_flip_mesh_numbers():
    x = _clip()
    pose = np.arange(2 * 72, dtype=np.float32).reshape(2, 72)
    shape = np.ones((2, 10), np.float32)
    flip = TRANSFORMS.build(dict(type='MBFlipMesh', prob=1.0))
    out = flip(dict(motion_2d=x[:2], pose=pose, shape=shape,
                    rng=np.random.default_rng(0)))
    perm = h36m_flip_permutation()
    assert perm[1] == 4 and perm[4] == 1  # right hip <-> left hip
    np.testing.assert_array_equal(out['motion_2d'][:, 1, 0], -x[:2, 4, 0])
    np.testing.assert_array_equal(out['motion_2d'][:, 1, 1:], x[:2, 4, 1:])
    joints = pose.reshape(2, 24, 3)
    sperm = smpl_flip_permutation()
    expected = joints[:, sperm] * np.array([1, -1, -1], np.float32)
    np.testing.assert_array_equal(out['pose'].reshape(2, 24, 3), expected)
    np.testing.assert_array_equal(out['pose'], flip_smpl_pose(pose))
    assert out['shape'] is shape and out['flipped'] is True


def test_flip_mesh_draws_once_and_is_seeded():
    flip = TRANSFORMS.build(dict(type='MBFlipMesh', prob=0.5))
    rng = np.random.default_rng(3)
    expect = np.random.default_rng(3).random(20) < 0.5
    got = [
        flip(dict(motion_2d=_clip(1), pose=np.zeros((1, 72)),
                  rng=rng))['flipped'] for _ in range(20)
    ]
    assert got == expect.tolist() and 0 < sum(got) < 20
    with pytest.raises(ValueError, match='prob'):
        TRANSFORMS.build(dict(type='MBFlipMesh', prob=1.5))


def test_pack_clip_inputs_views_order_and_types():
    store = _clip(10)
    view = store[2:6]
    strided = store[:, :, 2]  # not C-contiguous
    pack = TRANSFORMS.build(
        dict(type='MBPackClipInputs',
             sample_keys=('target', 'conf', 'clip_index', 'source',
                          'factor')))
    out = pack(dict(motion_2d=view, target=view, conf=strided, clip_index=3,
                    source='s_01', factor=np.float32(2.0) * np.ones(()),
                    unused=1))
    assert list(out) == ['inputs', 'data_samples']
    samples = out['data_samples']
    assert list(samples) == ['target', 'conf', 'clip_index', 'source',
                             'factor']
    assert out['inputs'].dtype == torch.float32
    assert np.shares_memory(out['inputs'].numpy(), store)  # zero-copy view
    assert not np.shares_memory(samples['conf'].numpy(), store)
    np.testing.assert_array_equal(samples['conf'].numpy(), store[:, :, 2])
    assert samples['factor'].shape == () and float(samples['factor']) == 2.0
    assert samples['clip_index'] == 3 and samples['source'] == 's_01'


def test_pack_motion2d_conf_is_target_score():
    target = _clip()
    inputs = np.zeros_like(target)  # e.g. fully masked input
    out = TRANSFORMS.build(dict(type='MBPackMotion2DInputs'))(
        dict(motion_2d=inputs, target=target, has_3d=False))
    samples = out['data_samples']
    assert list(samples) == ['target', 'conf', 'has_3d']
    np.testing.assert_array_equal(samples['conf'].numpy(), target[..., 2])
    assert samples['conf'].shape == (4, 17) and samples['has_3d'] is False
    assert torch.all(out['inputs'] == 0)


def test_pack_clip_inputs_keeps_strides_when_not_contiguous():
    store = _clip(10)
    mirrored = store.transpose(0, 2, 1).copy().transpose(0, 2, 1)[2:6]
    store = mirrored.base
    assert not mirrored.flags.c_contiguous
    pack = TRANSFORMS.build(
        dict(type='MBPackClipInputs', sample_keys=(), contiguous=False))
    out = pack(dict(motion_2d=mirrored))['inputs']
    assert out.stride() == tuple(s // 4 for s in mirrored.strides)
    assert np.shares_memory(out.numpy(), store)
    np.testing.assert_array_equal(out.numpy(), mirrored)
    dense = TRANSFORMS.build(dict(type='MBPackClipInputs', sample_keys=()))(
        dict(motion_2d=mirrored))['inputs']
    assert dense.is_contiguous() and torch.equal(dense, out)
