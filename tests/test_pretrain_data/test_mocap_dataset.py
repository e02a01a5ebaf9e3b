# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBMocapDataset: virtual cameras, normalisation, augmentation, items."""
import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate

from mmmotionbert.datasets import MBMocapDataset
from mmmotionbert.datasets.mocap.pybullet_fk import (load_mocap_cache,
                                                     write_mocap_cache)
from mmmotionbert.datasets.mocap_dataset import (
    augment_joint_rotations,
    BONE_GROUPS, approximate_face_points, augment_bone_lengths,
    canonical_mean_pose, make_camera, mix_limbs, project_points,
    world_to_camera)
from mmmotionbert.registry import DATASETS, MODELS
from mmmotionbert.utils.keypoints import H36M_BONES, flip_h36m

# rest pose, metres, Y up, facing +x, right side +z
REST = np.array([[0, .9, 0], [0, .9, .1], [0, .48, .1], [0, .08, .1],
                 [0, .9, -.1], [0, .48, -.1], [0, .08, -.1], [0, 1.15, 0],
                 [0, 1.4, 0], [.1, 1.55, 0], [.02, 1.68, 0], [0, 1.4, -.18],
                 [0, 1.12, -.2], [0, .88, -.2], [0, 1.4, .18], [0, 1.12, .2],
                 [0, .88, .2]])
CLEAN = dict(noise_prob=0, joint_mask_prob=0, frame_mask_prob=0, flip_prob=0)


def _yaw(points, angle):
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return points @ rot.T


def _clip(frames, turn=1.0, walk=0.5):
    t = np.linspace(0, 1, frames)
    clip = np.stack([_yaw(REST, turn * a) for a in t])
    clip[..., 0] += walk * t[:, None]
    clip[:, [12, 13], 0] += 0.2 * np.sin(6 * t)[:, None]  # swing an arm
    return clip


@pytest.fixture(scope='module')
def cache(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('mocap') / 'clips.npz')
    joints = dict(a=_clip(60), b=_clip(40, turn=-2), short=_clip(10))
    return write_mocap_cache(dict(joints=joints, fps=60.0), path)


def test_cache_round_trip(cache):
    data = load_mocap_cache(cache)
    assert list(data['joints']) == ['a', 'b', 'short'] and data['fps'] == 60
    assert data['joints']['a'].shape == (60, 17, 3)
    np.testing.assert_allclose(data['joints']['b'], _clip(40, turn=-2),
                               atol=1e-6)


def test_camera_projects_a_known_point():
    cam = make_camera([0, 1, 0], yaw=0, pitch=0, distance=4, focal=1000,
                      resolution=(1000, 800))
    np.testing.assert_allclose(cam['position'], [0, 1, 4])
    p_cam = world_to_camera(np.array([0.5, 1.2, 0.0]), cam)
    np.testing.assert_allclose(p_cam, [0.5, -0.2, 4.0], atol=1e-12)
    np.testing.assert_allclose(
        project_points(p_cam, cam['focal'], cam['center']), [625, 350])
    # from the side (yaw 90: camera on +x looking at -x): -z is on the right
    side = make_camera([0, 1, 0], 90, 0, 4, 1000, (1000, 800))
    np.testing.assert_allclose(
        world_to_camera(np.array([0, 1, -1.0]), side), [1, 0, 4], atol=1e-12)
    # pitched camera: the aim point stays at the principal point, up is up
    high = make_camera([0, 1, 0], 30, 20, 5, 1200, (1920, 1080))
    uv = project_points(world_to_camera(np.array([[0, 1, 0], [0, 2, 0.]]),
                                        high), 1200, high['center'])
    np.testing.assert_allclose(uv[0], [960, 540], atol=1e-9)
    assert uv[1, 1] < uv[0, 1]
    np.testing.assert_allclose(high['rotation'] @ high['rotation'].T,
                               np.eye(3), atol=1e-12)
    assert np.linalg.det(high['rotation']) == pytest.approx(1)


def test_items_collate_and_train_a_lifter(cache):
    ds = DATASETS.build(dict(type='MBMocapDataset', data_file=cache,
                             clip_len=27))
    # windows of 27 with stride 9: a (60) 0..27 + 33, b (40) 0, 9, 13, short 0
    assert len(ds) == 5 + 3 + 1
    item = ds[0]
    assert item['inputs'].dtype == torch.float32
    assert item['inputs'].shape == (27, 17, 3)
    assert item['data_samples']['target'].shape == (27, 17, 3)
    batch = default_collate([ds[i] for i in range(4)])
    model = MODELS.build(dict(
        type='MBPoseLifter',
        backbone=dict(type='MBDSTformer', dim_in=3, dim_feat=16, dim_rep=16,
                      depth=1, num_heads=2, mlp_ratio=1, maxlen=27),
        head=dict(type='MBPoseHead', dim_rep=16, dim_out=3)))
    losses = model(batch['inputs'], batch['data_samples'], mode='loss')
    total = sum(v for v in losses.values())
    total.backward()
    assert torch.isfinite(total)


def test_target_is_the_normalised_projection_and_depth(cache):
    ds = MBMocapDataset(cache, clip_len=27, test_mode=True, wild_2d=False,
                        with_meta=True, bone_scale_range=None, **CLEAN)
    for i in (0, 4):
        item = ds[i]
        x = item['inputs'].numpy()
        s = item['data_samples']
        y = s['target'].numpy()
        np.testing.assert_allclose(x[..., :2], y[..., :2], atol=1e-5)
        assert (x[..., 2] == 1).all()
        assert np.abs(x[..., :2]).max() <= 1 + 1e-6
        cam = s['joints_cam_mm'].numpy().astype(np.float64)
        f, half = s['focal'], s['crop_scale'] / 2
        center = s['camera_wh'].numpy() / 2
        uv = project_points(cam, f, center)
        np.testing.assert_allclose(
            y[..., :2], (uv - s['crop_center'].numpy()) / half, atol=1e-4)
        z = (cam[..., 2] - cam[:, :1, 2]) * f / cam[:, :1, 2] / half
        np.testing.assert_allclose(y[..., 2], z, atol=1e-4)
        assert 3000 * 0.8 < cam[:, 0, 2].mean() < 6000 * 1.2  # 3-6 m away
        # Y up in the world -> image y down: the head is above the ankles
        assert (y[:, 10, 1] < y[:, 3, 1]).all()


def test_wild_2d_head_is_mid_eyes(cache):
    kw = dict(test_mode=True, bone_scale_range=None, with_meta=True, **CLEAN)

    def pixels(item, key):  # undo the crop_scale box of the item
        s = item['data_samples']
        x = item[key] if key == 'inputs' else s[key]
        return (x.numpy()[..., :2] * s['crop_scale'] / 2 +
                s['crop_center'].numpy())

    wild = MBMocapDataset(cache, clip_len=27, **kw)[1]
    plain = MBMocapDataset(cache, clip_len=27, wild_2d=False, **kw)[1]
    np.testing.assert_allclose(pixels(wild, 'target'),
                               pixels(plain, 'target'), atol=1e-2)
    same = [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16]
    np.testing.assert_allclose(
        pixels(wild, 'inputs')[:, same], pixels(plain, 'inputs')[:, same],
        atol=1e-2)
    # the detector "head" (mid-eyes) is well below the top of the head
    eyes = pixels(wild, 'inputs')[:, 10, 1]
    top = pixels(wild, 'target')[:, 10, 1]
    assert (eyes - top > 5).all()


def test_determinism_selection_and_short_clips(cache):
    ds = MBMocapDataset(cache, clip_len=27, test_mode=True, with_meta=True)
    a, b = ds[2], ds[2]
    np.testing.assert_array_equal(a['inputs'].numpy(), b['inputs'].numpy())
    assert not np.array_equal(a['inputs'].numpy(), ds[1]['inputs'].numpy())
    only = MBMocapDataset(cache, clip_len=27, clips=['short'],
                          test_mode=True, with_meta=True)
    assert len(only) == 1 and only[0]['data_samples']['clip_name'] == 'short'
    assert only[0]['inputs'].shape == (27, 17, 3)  # 10 frames stretched
    rows = only[0]['data_samples']['frame_index'].numpy()
    assert rows.min() == 0 and rows.max() == 9 and (np.diff(rows) >= 0).all()
    held = MBMocapDataset(cache, clip_len=27, exclude_clips=['a', 'b'])
    assert held.metainfo['clips'] == ['short']
    with pytest.raises(ValueError, match='not in'):
        MBMocapDataset(cache, clips=['nope'])
    longer = MBMocapDataset(cache, clip_len=27, num_samples=50)
    assert len(longer) == 50 and longer[49]['inputs'].shape == (27, 17, 3)


def test_flip_mirrors_input_and_target(cache):
    kw = dict(test_mode=True, noise_prob=0, joint_mask_prob=0,
              frame_mask_prob=0)
    plain = MBMocapDataset(cache, clip_len=27, flip_prob=0, **kw)[3]
    flip = MBMocapDataset(cache, clip_len=27, flip_prob=1, **kw)[3]
    for key in ('inputs', ):
        np.testing.assert_allclose(flip[key].numpy(),
                                   flip_h36m(plain[key].numpy()), atol=1e-6)
    np.testing.assert_allclose(
        flip['data_samples']['target'].numpy(),
        flip_h36m(plain['data_samples']['target'].numpy()), atol=1e-6)


def test_noise_and_mask_in_items(cache):
    ds = MBMocapDataset(cache, clip_len=27, num_samples=200, flip_prob=0)
    x = torch.stack([ds[i]['inputs'] for i in range(200)]).numpy()
    zero = (x == 0).all(-1)
    assert zero.mean() == pytest.approx(1 - 0.95 * 0.9, abs=0.02)
    conf = x[..., 2][~zero]
    assert 0.3 < conf.mean() < 0.95 and (conf <= 1).all()


def test_bone_length_augmentation_and_face():
    clip = _clip(5)
    face = approximate_face_points(clip)
    assert face.shape == (5, 5, 3)
    assert (face[:, 1:3, 1] < clip[:, 10:11, 1]).all()  # eyes below top
    assert (face[:, 1:3, 1] > clip[:, 8:9, 1]).all()  # above thorax
    factors = {g: 1.0 + 0.05 * i for i, g in enumerate(BONE_GROUPS)}
    new, new_face = augment_bone_lengths(clip, factors, face)
    group_of = {b: g for g, bones in BONE_GROUPS.items() for b in bones}
    for child, parent in H36M_BONES:
        old_v = clip[:, child] - clip[:, parent]
        new_v = new[:, child] - new[:, parent]
        np.testing.assert_allclose(new_v, old_v * factors[group_of[
            (child, parent)]], atol=1e-12)
    np.testing.assert_allclose(new[:, 0], clip[:, 0])
    np.testing.assert_allclose(new_face - new[:, 9:10],
                               (face - clip[:, 9:10]) * factors['head'],
                               atol=1e-12)


def test_canonical_mean_pose_ignores_heading():
    clips = [np.stack([_yaw(REST, a) for a in np.linspace(0, 6, 30)])]
    mean = canonical_mean_pose(clips)
    np.testing.assert_allclose(mean, REST - REST[:1], atol=1e-9)


def test_joint_rotation_augmentation_keeps_bones_and_moves_parts():
    clip = _clip(6)
    face = approximate_face_points(clip)
    rng = np.random.default_rng(3)
    new, new_face = augment_joint_rotations(clip, rng, face=face)
    for child, parent in H36M_BONES:  # every bone length is kept
        np.testing.assert_allclose(
            np.linalg.norm(new[:, child] - new[:, parent], axis=-1),
            np.linalg.norm(clip[:, child] - clip[:, parent], axis=-1),
            atol=1e-9)
    for j in (0, 1, 4):  # the pelvis and the hips do not move
        np.testing.assert_allclose(new[:, j], clip[:, j], atol=1e-12)
    moved = np.linalg.norm(new - clip, axis=-1).max(axis=0)
    assert (moved[[3, 6, 10, 13, 16]] > 1e-3).all()  # the extremities do
    # the face stays rigidly attached to the head: nose-to-face distances
    d_old = np.linalg.norm(face - clip[:, 9:10], axis=-1)
    d_new = np.linalg.norm(new_face - new[:, 9:10], axis=-1)
    np.testing.assert_allclose(d_new, d_old, atol=1e-9)
    # one rotation per clip: the same rotation maps every frame's right
    # thigh (the trunk rotation does not touch the legs)
    from scipy.spatial.transform import Rotation
    a_thigh, b_thigh = clip[:, 2] - clip[:, 1], new[:, 2] - new[:, 1]
    rot, _ = Rotation.align_vectors(b_thigh, a_thigh)
    np.testing.assert_allclose(rot.apply(a_thigh), b_thigh, atol=1e-9)
    assert rot.magnitude() > 1e-3
    # limits of zero leave the clip untouched
    same, _ = augment_joint_rotations(clip, rng, max_degrees={})
    np.testing.assert_allclose(same, clip)


def test_rotation_option_in_items(cache):
    plain = MBMocapDataset(data_file=cache, clip_len=9, test_mode=True,
                           noise_prob=0, joint_mask_prob=0,
                           frame_mask_prob=0, flip_prob=0)
    rotated = MBMocapDataset(data_file=cache, clip_len=9, test_mode=True,
                             noise_prob=0, joint_mask_prob=0,
                             frame_mask_prob=0, flip_prob=0,
                             rotation_prob=1.0)
    a, b = plain[0]['inputs'], rotated[0]['inputs']
    assert a.shape == b.shape and not torch.allclose(a, b)
    with pytest.raises(ValueError, match='rotation_degrees'):
        MBMocapDataset(data_file=cache, rotation_degrees=dict(tail=10.0))
    with pytest.raises(ValueError, match='rotation_prob'):
        MBMocapDataset(data_file=cache, rotation_prob=2.0)


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _arms_up(clip):
    """REST with both arms raised straight up (shoulder above the head)."""
    up = clip.copy()
    for sh, el, wr in ((11, 12, 13), (14, 15, 16)):
        up[:, el] = up[:, sh] + [0, .28, 0]
        up[:, wr] = up[:, sh] + [0, .52, 0]
    return up


def test_mix_limbs_takes_donor_directions_in_the_body_frame():
    clip = _clip(8)
    # the donor faces another way and raises its arms: the recipient must
    # raise its arms relative to ITS trunk, not copy world directions
    donor = _arms_up(np.stack([_yaw(REST, 2.0)] * 8))
    new = mix_limbs(clip, donor, ['left_arm', 'right_arm'])
    for child, parent in H36M_BONES:  # bone lengths are the recipient's
        np.testing.assert_allclose(
            np.linalg.norm(new[:, child] - new[:, parent], axis=-1),
            np.linalg.norm(clip[:, child] - clip[:, parent], axis=-1),
            atol=1e-9)
    rest = [j for j in range(17) if j not in (12, 13, 15, 16)]
    np.testing.assert_allclose(new[:, rest], clip[:, rest], atol=1e-12)
    trunk_up = _unit(clip[:, 8] - clip[:, 0])
    for sh, wr in ((11, 13), (14, 16)):  # arms now along the trunk's up
        np.testing.assert_allclose(
            np.sum(_unit(new[:, wr] - new[:, sh]) * trunk_up, -1), 1.0,
            atol=1e-9)
    # legs from a donor standing on one (right) leg with the left knee
    # raised forward (+x): the recipient's left thigh points along ITS
    # facing direction in every frame, whatever its heading
    knee_up = REST.copy()
    knee_up[5] = knee_up[4] + [.42, 0, 0]
    knee_up[6] = knee_up[5] + [0, -.4, 0]
    legs = mix_limbs(clip, np.stack([knee_up] * 8), ['left_leg'])
    facing = np.stack([_yaw(np.array([[1.0, 0, 0]]), a)[0]
                       for a in np.linspace(0, 1, 8)])
    np.testing.assert_allclose(
        np.sum(_unit(legs[:, 5] - legs[:, 4]) * facing, -1), 1.0,
        atol=1e-9)
    np.testing.assert_allclose(legs[:, [1, 2, 3]], clip[:, [1, 2, 3]])
    with pytest.raises(ValueError, match='unknown limbs'):
        mix_limbs(clip, donor, ['tail'])
    with pytest.raises(ValueError, match='same shape'):
        mix_limbs(clip, donor[:4], ['left_arm'])


def test_group_scale_ranges(cache):
    def widths(**kw):
        ds = MBMocapDataset(data_file=cache, clip_len=9, with_meta=True,
                            num_samples=4, **kw, **CLEAN)
        j = ds[0]['data_samples']['joints_cam_mm'].numpy()
        return (np.linalg.norm(j[:, 11] - j[:, 14], axis=-1).mean(),
                np.linalg.norm(j[:, 1] - j[:, 4], axis=-1).mean())

    # REST: shoulders 360 mm apart, hips 200 mm
    shoulders, hips = widths(bone_scale_range=(1, 1),
                             group_scale_ranges=dict(shoulder=(0.5, 0.5)))
    assert shoulders == pytest.approx(180, abs=0.1)
    assert hips == pytest.approx(200, abs=0.1)
    shoulders, hips = widths(bone_scale_range=(1.2, 1.2),
                             group_scale_ranges=dict(hip=(1, 1)))
    assert shoulders == pytest.approx(432, abs=0.1)
    assert hips == pytest.approx(200, abs=0.1)
    with pytest.raises(ValueError, match='unknown bone groups'):
        MBMocapDataset(data_file=cache, group_scale_ranges=dict(neckk=(1, 1)))
    with pytest.raises(ValueError, match='low <= high'):
        MBMocapDataset(data_file=cache,
                       group_scale_ranges=dict(hip=(1.2, 0.9)))
    with pytest.raises(ValueError, match='needs bone_scale_range'):
        MBMocapDataset(data_file=cache, bone_scale_range=None,
                       group_scale_ranges=dict(hip=(1, 1)))


def test_limb_mix_option_in_items(tmp_path):
    # clip "down" has its arms down, clip "up" raised: with mixing, items of
    # "down" come out with raised arms about half the time; never without
    path = write_mocap_cache(
        dict(joints=dict(down=np.stack([REST] * 30),
                         up=_arms_up(np.stack([REST] * 30))), fps=30.0),
        str(tmp_path / 'arms.npz'))

    def raised_fraction(prob):
        ds = MBMocapDataset(data_file=path, clip_len=9, with_meta=True,
                            limb_mix_prob=prob, bone_scale_range=None,
                            num_samples=80, **CLEAN)
        torch.manual_seed(0)
        raised = []
        for i in range(len(ds)):
            meta = ds[i]['data_samples']
            if meta['clip_name'] != 'down':
                continue
            j = meta['joints_cam_mm'].numpy()[0]  # camera y points down
            raised.append(j[13, 1] < j[11, 1] and j[16, 1] < j[14, 1])
        return np.mean(raised), len(raised)

    none, count = raised_fraction(0.0)
    mixed, _ = raised_fraction(1.0)
    assert count == 40 and none == 0.0
    assert 0.3 < mixed < 0.7  # the donor is "up" half the time
    with pytest.raises(ValueError, match='limb_mix_prob'):
        MBMocapDataset(data_file=path, limb_mix_prob=-0.1)


@pytest.mark.parametrize('yaw', [0.0, 90.0, 180.0, 270.0])
def test_face_occlusion_hides_nose_and_head_from_behind(cache, yaw):
    ds = MBMocapDataset(data_file=cache, clip_len=9, test_mode=True,
                        noise_prob=0, joint_mask_prob=0, frame_mask_prob=0,
                        flip_prob=0, bone_scale_range=None,
                        face_occlusion_prob=1.0,
                        camera=dict(yaw_range=(yaw, yaw),
                                    pitch_range=(0.0, 0.0)))
    joints = ds.joints[0][:9].astype(np.float64)
    face = ds.face[0][:9].astype(np.float64)
    item = ds.render(joints, face, np.random.default_rng(0))
    # independent geometry: the face looks along nose - mid-ears; it is
    # hidden when the camera is behind that direction
    facing = face[:, 0] - face[:, 3:5].mean(1)
    to_cam = item['camera']['position'] - face[:, 0]
    behind = np.sum(facing * to_cam, -1) < 0
    np.testing.assert_array_equal(item['face_hidden'], behind)
    inputs = ds[0]['inputs'].numpy()
    hidden = np.all(inputs[:, 9:11] == 0, axis=(1, 2))
    assert (inputs[:, [0, 8, 11, 14]] != 0).any(-1).all()  # body kept
    # ds[0] draws its own camera at the same yaw: compare with its render
    rng = np.random.default_rng([ds.seed, 0])
    ci, _, rows = ds._frames(0, rng)
    expected = ds.render(ds.joints[ci][rows].astype(np.float64),
                         ds.face[ci][rows].astype(np.float64),
                         rng)['face_hidden']
    np.testing.assert_array_equal(hidden, expected)
