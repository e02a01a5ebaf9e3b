# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Unit tests of the mocap pipeline transforms, with numeric checks."""
import numpy as np
import pytest
import torch

from mmmotionbert.datasets.h36m_meta import H36M_METAINFO, h36m_metainfo
from mmmotionbert.datasets.mocap.camera import project_points
from mmmotionbert.datasets.mocap.skeleton import (BONE_GROUPS,
                                                  approximate_face_points)
from mmmotionbert.datasets.utils import item_rng, worker_rng
from mmmotionbert.registry import TRANSFORMS
from mmmotionbert.utils.keypoints import h36m_flip_permutation

REST = np.array([[0, .9, 0], [0, .9, .1], [0, .48, .1], [0, .08, .1],
                 [0, .9, -.1], [0, .48, -.1], [0, .08, -.1], [0, 1.15, 0],
                 [0, 1.4, 0], [.1, 1.55, 0], [.02, 1.68, 0], [0, 1.4, -.18],
                 [0, 1.12, -.2], [0, .88, -.2], [0, 1.4, .18], [0, 1.12, .2],
                 [0, .88, .2]])
BONES = [(c, p) for bones in BONE_GROUPS.values() for c, p in bones]


def _results(frames=8, seed=0, **extra):
    t = np.linspace(0, 1, frames)[:, None, None]
    joints = REST[None] + np.concatenate(
        [0.3 * t, 0 * t, 0.05 * np.sin(5 * t)], -1)
    out = dict(joints=joints, face=approximate_face_points(joints),
               rng=np.random.default_rng(seed))
    out.update(extra)
    return out


def _build(type_, **kwargs):
    return TRANSFORMS.build(dict(type=type_, **kwargs))


def _lengths(joints):
    return np.stack([np.linalg.norm(joints[:, c] - joints[:, p], axis=-1)
                     for c, p in BONES], -1)


def test_scale_bones_keeps_root_and_scales_within_range():
    res = _results()
    old = res['joints'].copy()
    out = _build('MBScaleBones', scale_range=(0.8, 1.2),
                 group_scale_ranges=dict(head=(1.5, 1.5)))(res)
    np.testing.assert_array_equal(out['joints'][:, 0], old[:, 0])
    ratio = _lengths(out['joints']) / _lengths(old)
    assert np.all(ratio >= 0.8 - 1e-9) and np.all(ratio <= 1.5 + 1e-9)
    # one factor per group, shared by both sides and every frame
    for g, bones in BONE_GROUPS.items():
        for c, p in bones:
            r = (np.linalg.norm(out['joints'][:, c] - out['joints'][:, p],
                                axis=-1)
                 / np.linalg.norm(old[:, c] - old[:, p], axis=-1))
            np.testing.assert_allclose(r, out['bone_factors'][g])
    assert out['bone_factors']['head'] == 1.5
    # directions kept
    c, p = BONES[3]
    u = out['joints'][:, c] - out['joints'][:, p]
    v = old[:, c] - old[:, p]
    np.testing.assert_allclose(
        np.cross(u, v), np.zeros_like(u), atol=1e-12)
    with pytest.raises(ValueError):
        _build('MBScaleBones', group_scale_ranges=dict(tail=(1, 1)))


def test_rotate_joints_keeps_bones_and_moves_parts():
    res = _results()
    old = res['joints'].copy()
    out = _build('MBRotateJoints', prob=1.0)(res)
    np.testing.assert_allclose(_lengths(out['joints']), _lengths(old))
    np.testing.assert_array_equal(out['joints'][:, 0], old[:, 0])
    assert np.abs(out['joints'] - old).max() > 0.01
    res = _results()
    untouched = _build('MBRotateJoints', prob=0.0)(res)
    np.testing.assert_array_equal(untouched['joints'], old)
    assert res['rng'].random() == np.random.default_rng(0).random()


def test_mix_limbs_uses_donor_and_skips_test_mode():
    donor = _results()['joints'].copy()
    donor[:, [12, 13]] += [0.0, 0.3, 0.0]  # arms raised
    calls = []

    def sampler(rng):
        calls.append(rng)
        return donor

    res = _results(donor_sampler=sampler)
    old = res['joints'].copy()
    out = _build('MBMixLimbs', prob=1.0)(res)
    assert out['mixed_limbs'] == ['left_arm', 'right_arm', 'left_leg',
                                  'right_leg']
    assert len(calls) == 1 and calls[0] is res['rng']
    np.testing.assert_allclose(_lengths(out['joints']), _lengths(old))
    np.testing.assert_array_equal(out['joints'][:, [0, 7, 8, 9, 10]],
                                  old[:, [0, 7, 8, 9, 10]])
    res = _results(donor_sampler=sampler, test_mode=True)
    out = _build('MBMixLimbs', prob=1.0)(res)
    np.testing.assert_array_equal(out['joints'], old)
    assert len(calls) == 1


def _rendered(seed=0, wild_2d=True, min_depth=1.0, **cam):
    res = _build('MBVirtualCamera', camera=cam or None, look_at_jitter=0.0,
                 min_depth=min_depth)(_results(seed=seed))
    return _build('MBProjectMocap2D', wild_2d=wild_2d)(res)


def test_virtual_camera_aims_at_the_pelvis_and_keeps_min_depth():
    res = _rendered(distance_range=(4.0, 4.0))
    cam = res['camera']
    look_at = res['joints'][:, 0].mean(0)
    np.testing.assert_allclose(
        np.linalg.norm(cam['position'] - look_at), 4.0)
    centre = project_points((look_at - cam['position']) @ cam['rotation'].T,
                            cam['focal'], cam['center'])
    np.testing.assert_allclose(centre, cam['center'], atol=1e-9)
    near = _rendered(min_depth=5.0, distance_range=(3.0, 3.0))
    assert near['joints_cam'][..., 2].min() >= 5.0 - 1e-9
    assert near['face_cam'][..., 2].min() >= 5.0 - 1e-9
    np.testing.assert_allclose(
        min(near['joints_cam'][..., 2].min(), near['face_cam'][..., 2].min()),
        5.0)


def test_projection_target_and_plain_2d():
    res = _rendered(wild_2d=False)
    cam = res['camera']
    px = project_points(res['joints_cam'], cam['focal'], cam['center'])
    np.testing.assert_array_equal(res['motion_2d'][..., :2], px)
    np.testing.assert_array_equal(res['motion_2d'][..., 2], 1.0)
    np.testing.assert_array_equal(res['target'][..., :2], px)
    np.testing.assert_array_equal(res['target'][:, 0, 2], 0.0)  # root depth
    wild = _rendered(wild_2d=True)
    assert wild['wild_2d'] and not res['wild_2d']
    np.testing.assert_array_equal(wild['target'], res['target'])
    assert not np.allclose(wild['motion_2d'][:, 10], res['motion_2d'][:, 10])


def test_crop_scale_normalize_maps_box_to_unit_square():
    res = _rendered()
    px2d, target = res['motion_2d'].copy(), res['target'].copy()
    out = _build('MBCropScaleNormalize')(res)
    x = out['motion_2d']
    assert x.min() >= -1 and x.max() <= 1
    span = x[..., :2].max((0, 1)) - x[..., :2].min((0, 1))
    np.testing.assert_allclose(span.max(), 2.0)
    center, scale = out['crop_box']
    np.testing.assert_allclose(x[..., :2], (px2d[..., :2] - center) /
                               (scale / 2))
    np.testing.assert_allclose(out['target'][..., :2],
                               (target[..., :2] - center) / (scale / 2))
    np.testing.assert_allclose(out['target'][..., 2],
                               target[..., 2] / (scale / 2))
    with pytest.raises(ValueError, match='degenerate'):
        _build('MBCropScaleNormalize')(
            dict(motion_2d=np.zeros((4, 17, 3)), target=np.zeros((4, 17, 3))))


def test_flip_swaps_left_right_and_negates_x():
    x = np.random.default_rng(0).normal(size=(5, 17, 3))
    res = dict(motion_2d=x.copy(), target=x.copy() * 2, rng=None)
    out = _build('MBFlipH36M', prob=1.0, seed=1)(res)
    perm = h36m_flip_permutation()
    assert out['flipped']
    np.testing.assert_array_equal(out['motion_2d'][:, :, 0], -x[:, perm, 0])
    np.testing.assert_array_equal(out['motion_2d'][:, :, 1:], x[:, perm, 1:])
    np.testing.assert_array_equal(out['target'][:, 1], 2 * x[:, 4] * [-1, 1,
                                                                      1])
    rng = np.random.default_rng(3)
    out = _build('MBFlipH36M', prob=0.0)(dict(motion_2d=x.copy(), rng=rng))
    assert not out['flipped']
    np.testing.assert_array_equal(out['motion_2d'], x)
    assert rng.random() == np.random.default_rng(3).random()  # no draw


def test_noise_always_draw_prob_and_results_rng():
    x = np.random.default_rng(0).random((20, 17, 3))
    a = _build('MBDetectionNoise2D', prob=1.0)(
        dict(motion_2d=x, rng=np.random.default_rng(5)))
    b = _build('MBDetectionNoise2D', prob=1.0, always_draw_prob=True)(
        dict(motion_2d=x, rng=np.random.default_rng(5)))
    rng = np.random.default_rng(5)
    rng.random()  # the always-drawn decision
    c = _build('MBDetectionNoise2D', prob=1.0)(dict(motion_2d=x, rng=rng))
    np.testing.assert_array_equal(b['motion_2d'], c['motion_2d'])
    assert not np.array_equal(a['motion_2d'], b['motion_2d'])
    assert 0 <= b['motion_2d'][..., 2].min() <= b['motion_2d'][..., 2].max(
    ) <= 1
    # prob 0 with always_draw_prob: clean keypoints, confidence 1
    d = _build('MBDetectionNoise2D', prob=0.0, always_draw_prob=True)(
        dict(motion_2d=x, rng=np.random.default_rng(5)))
    np.testing.assert_allclose(d['motion_2d'][..., :2], x[..., :2],
                               rtol=1e-6)
    np.testing.assert_array_equal(d['motion_2d'][..., 2], 1.0)


def test_mask_zeroes_expected_fraction_from_results_rng():
    x = np.ones((4000, 17, 3))
    out = _build('MBRandomMask2D', joint_mask_prob=0.2, frame_mask_prob=0.1,
                 mask_key='keep')(dict(motion_2d=x,
                                       rng=np.random.default_rng(0)))
    kept = out['keep'].mean()
    assert abs(kept - 0.8 * 0.9) < 0.01
    zero = np.all(out['motion_2d'] == 0, -1)
    np.testing.assert_array_equal(zero, ~out['keep'])
    frames = np.all(zero, -1).mean()
    assert abs(frames - (0.1 + 0.9 * 0.2**17)) < 0.02
    again = _build('MBRandomMask2D', joint_mask_prob=0.2,
                   frame_mask_prob=0.1)(dict(motion_2d=x,
                                             rng=np.random.default_rng(0)))
    np.testing.assert_array_equal(again['motion_2d'], out['motion_2d'])


def test_face_occlusion_zeroes_nose_and_head_where_hidden():
    x = np.random.default_rng(0).random((6, 17, 3)) + 0.1
    hidden = np.array([True, False, True, False, False, True])
    out = _build('MBFaceOcclusion', prob=1.0)(
        dict(motion_2d=x, face_hidden=hidden, rng=np.random.default_rng(0)))
    y = out['motion_2d']
    assert np.all(y[hidden][:, [9, 10]] == 0)
    np.testing.assert_array_equal(y[~hidden], x[~hidden])
    np.testing.assert_array_equal(y[hidden][:, :9], x[hidden][:, :9])
    assert np.all(x[hidden][:, [9, 10]] > 0)  # the input is not modified
    rng = np.random.default_rng(0)
    out = _build('MBFaceOcclusion', prob=1.0)(
        dict(motion_2d=x, face_hidden=hidden, wild_2d=False, rng=rng))
    np.testing.assert_array_equal(out['motion_2d'], x)
    assert rng.random() == np.random.default_rng(0).random()


def test_face_hidden_when_seen_from_behind():
    # the rest pose faces +x; a camera at yaw 90 deg sits on +x
    front = _rendered(yaw_range=(90.0, 90.0), pitch_range=(0.0, 0.0))
    back = _rendered(yaw_range=(270.0, 270.0), pitch_range=(0.0, 0.0))
    assert not front['face_hidden'].any() and back['face_hidden'].all()


def test_isolated_transform_and_pack():
    x = np.random.default_rng(0).random((5, 17, 3))
    rng = np.random.default_rng(9)
    res = dict(motion_2d=x, rng=rng, target=x * 3)
    out = _build('MBIsolatedTransform',
                 transform=dict(type='MBRandomMask2D', joint_mask_prob=0.5,
                                seed=2))(res)
    assert out['motion_2d'].dtype == np.float32
    assert rng.random() == np.random.default_rng(9).random()  # not used
    assert (out['motion_2d'] == 0).any()
    packed = _build('MBPackMocapInputs')(out)
    assert set(packed) == {'inputs', 'data_samples'}
    assert packed['inputs'].dtype == torch.float32
    assert torch.equal(packed['inputs'], torch.from_numpy(out['motion_2d']))
    assert packed['data_samples']['has_3d'] is True
    np.testing.assert_array_equal(packed['data_samples']['target'].numpy(),
                                  (x * 3).astype(np.float32))
    assert set(packed['data_samples']) == {'target', 'has_3d'}


def test_rng_helpers_and_metainfo():
    a = item_rng(3, 7, True, {}).random(4)
    np.testing.assert_array_equal(a, np.random.default_rng([3, 7]).random(4))
    state = {}
    torch.manual_seed(11)
    g = worker_rng(3, state)
    assert worker_rng(3, state) is g
    assert item_rng(3, 0, False, state) is g
    torch.manual_seed(12)
    assert worker_rng(3, state) is not g
    np.testing.assert_array_equal(
        worker_rng(3, {}).random(2),
        np.random.default_rng([3, 12]).random(2))
    info = h36m_metainfo('x', split='train')
    assert list(info) == ['dataset_name', 'num_joints', 'keypoint_names',
                          'flip_indices', 'split']
    assert info['num_joints'] == 17 == H36M_METAINFO['num_joints']
    info['keypoint_names'].append('extra')  # a copy
    assert len(H36M_METAINFO['keypoint_names']) == 17
