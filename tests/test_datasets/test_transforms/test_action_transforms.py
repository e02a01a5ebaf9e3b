# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Skeleton transforms of the action pipeline: joint order, scores,
tracking, resampling, padding, augmentation, errors, PoseDataset."""
import copy

import numpy as np
import pytest
from mmengine.registry import DefaultScope

import mmmotionbert  # noqa: F401
from mmmotionbert.datasets.transforms.action_transforms import (
    MBCropScale, MBFormatActionInput, MBHumanTracking, MBJointConvert,
    MBPadPersons, MBRandomMove, MBResampleFrames, MBSkeletonNormalize)
from mmmotionbert.utils.keypoints import NTU_TO_H36M
from ...test_action.conftest import make_sample

#: H36M joint -> COCO joints it is the mean of (written out by hand).
H36M_FROM_COCO = [[11, 12], [12], [14], [16], [11], [13], [15], [5, 6, 11, 12],
                  [5, 6], [0], [1, 2], [5], [7], [9], [6], [8], [10]]


def _sample(m=1, t=5, j=17, seed=0):
    rng = np.random.default_rng(seed)
    return dict(
        frame_dir='s',
        keypoint=rng.uniform(0, 500, (m, t, j, 2)),
        keypoint_score=rng.uniform(0.1, 1, (m, t, j)),
        img_shape=(400, 600),
        total_frames=t)


def test_coco_to_h36m_joint_order_and_scores():
    s = _sample(t=2)
    # joint j has coordinates (j, 100 + j) and score j / 100
    s['keypoint'][:] = np.stack([np.arange(17), 100 + np.arange(17)], -1)
    s['keypoint_score'][:] = np.arange(17) / 100
    out = MBJointConvert('coco')(copy.deepcopy(s))
    expected_x = [np.mean(src) for src in H36M_FROM_COCO]
    np.testing.assert_allclose(out['keypoint'][0, 1, :, 0], expected_x)
    np.testing.assert_allclose(out['keypoint'][0, 1, :, 1],
                               np.add(expected_x, 100))
    # scores follow their joints (pelvis = mean of hips' scores, ...)
    np.testing.assert_allclose(out['keypoint_score'][0, 0],
                               np.divide(expected_x, 100))
    assert out['keypoint_score'][0, 0, 9] == pytest.approx(0.0)  # nose
    assert out['keypoint_score'][0, 0, 16] == pytest.approx(0.10)  # r wrist
    # the official behaviour (issue #132): scores stay in COCO order
    official = MBJointConvert('coco', convert_scores=False)(copy.deepcopy(s))
    np.testing.assert_array_equal(official['keypoint_score'],
                                  s['keypoint_score'])
    np.testing.assert_allclose(official['keypoint'], out['keypoint'])


def test_ntu25_3d_to_h36m():
    kp = np.zeros((1, 3, 25, 3))
    kp[..., 0] = np.arange(25)
    out = MBJointConvert('ntu')(dict(keypoint=kp))
    assert out['keypoint'].shape == (1, 3, 17, 3)
    np.testing.assert_array_equal(out['keypoint'][0, 0, :, 0], NTU_TO_H36M)
    assert out['keypoint'][0, 0, 1, 0] == 16  # right hip <- Kinect HipRight
    assert out['keypoint'][0, 0, 8, 0] == 20  # thorax <- SpineShoulder


def test_normalize_by_longer_side():
    s = _sample()
    s['keypoint'][0, 0, 0] = (600, 400)  # w = 600 is the longer side
    s['keypoint'][0, 0, 1] = (0, 300)
    out = MBSkeletonNormalize()(s)
    np.testing.assert_allclose(out['keypoint'][0, 0, 0], (1, 1 / 3))
    np.testing.assert_allclose(out['keypoint'][0, 0, 1], (-1, 0))


def test_tracking_swaps_identities_and_scores():
    t = 6
    a = np.zeros((t, 17, 2))
    b = np.full((t, 17, 2), 10.0)
    kp = np.stack([a, b])
    kp[:, 3:] = kp[::-1, 3:]  # the detector swaps the persons at frame 3
    score = np.stack([np.full((t, 17), 0.9), np.full((t, 17), 0.2)])
    score[:, 3:] = score[::-1, 3:]
    s = dict(keypoint=kp, keypoint_score=score)
    out = MBHumanTracking()(copy.deepcopy(s))
    np.testing.assert_array_equal(out['keypoint'][0], a)
    np.testing.assert_array_equal(out['keypoint'][1], b)
    np.testing.assert_array_equal(out['keypoint_score'][0], 0.9)
    official = MBHumanTracking(track_scores=False)(copy.deepcopy(s))
    np.testing.assert_array_equal(official['keypoint'][0], a)
    np.testing.assert_array_equal(official['keypoint_score'], score)
    single = MBHumanTracking()(dict(keypoint=kp[:1], keypoint_score=score[:1]))
    np.testing.assert_array_equal(single['keypoint'], kp[:1])


def test_resample_to_clip_length():
    s = _sample(t=5)
    s['keypoint'][:] = np.arange(5)[None, :, None, None]
    up = MBResampleFrames(clip_len=12)(copy.deepcopy(s))
    # floor(linspace(0, 5, 12, endpoint=False)), the official test indices
    expected = [0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4]
    np.testing.assert_array_equal(up['keypoint'][0, :, 0, 0], expected)
    assert up['keypoint_score'].shape == (1, 12, 17)
    assert up['total_frames'] == 12
    down = MBResampleFrames(clip_len=2)(copy.deepcopy(s))
    np.testing.assert_array_equal(down['keypoint'][0, :, 0, 0], [0, 2])
    np.random.seed(0)
    rand = MBResampleFrames(clip_len=12, randomness=True)(copy.deepcopy(s))
    frames = rand['keypoint'][0, :, 0, 0]
    assert np.all(np.diff(frames) >= 0) and set(frames) == set(range(5))
    assert np.all(np.abs(frames - np.linspace(0, 5, 12, endpoint=False)) <= 1)


def test_pad_and_cut_persons():
    one = MBPadPersons(2)(_sample(m=1))
    assert one['keypoint'].shape == (2, 5, 17, 2)
    assert not one['keypoint'][1].any() and not one['keypoint_score'][1].any()
    three = _sample(m=3)
    first_two = three['keypoint'][:2].copy()
    out = MBPadPersons(2)(three)
    np.testing.assert_array_equal(out['keypoint'], first_two)
    assert out['keypoint_score'].shape == (2, 5, 17)


def test_random_move_is_a_similarity_per_frame():
    s = _sample(m=2, t=8)
    before = s['keypoint'].copy()
    np.random.seed(3)
    out = MBRandomMove()(copy.deepcopy(s))['keypoint']
    assert not np.allclose(out, before)
    for t in range(8):  # distances scale uniformly within a frame
        d0 = np.linalg.norm(before[0, t, 0] - before[1, t, 5])
        d1 = np.linalg.norm(before[0, t, 3] - before[0, t, 9])
        r0 = np.linalg.norm(out[0, t, 0] - out[1, t, 5]) / d0
        r1 = np.linalg.norm(out[0, t, 3] - out[0, t, 9]) / d1
        assert r0 == pytest.approx(r1) and 0.9 <= r0 <= 1.1


def test_crop_scale_box_and_invariance():
    s = _sample(m=2, t=4)
    s['keypoint_score'][1, :, :] = 0  # an absent person
    out = MBCropScale((1, 1))(copy.deepcopy(s))
    valid = out['keypoint'][0]
    # the longer box side spans exactly [-1, 1]
    spans = valid.max((0, 1)) - valid.min((0, 1))
    assert spans.max() == pytest.approx(2.0)
    half = MBCropScale((2, 2))(copy.deepcopy(s))['keypoint'][0]
    assert (half.max((0, 1)) - half.min((0, 1))).max() == pytest.approx(1.0)
    # invariant to a uniform scaling + shift of the input (image size)
    moved = copy.deepcopy(s)
    moved['keypoint'] = moved['keypoint'] * 0.37 + 12.5
    np.testing.assert_allclose(
        MBCropScale((2, 2))(moved)['keypoint'][0], half, atol=1e-12)
    # fewer than 4 valid joints: all zeros, as official
    s['keypoint_score'][:] = 0
    s['keypoint_score'][0, 0, :3] = 1
    empty = MBCropScale()(s)
    assert not empty['keypoint'].any() and not empty['keypoint_score'].any()


def _official_style_pipeline(clip_len, train=False):
    steps = [
        MBSkeletonNormalize(),
        MBHumanTracking(),
        MBJointConvert('coco'),
        MBResampleFrames(clip_len, randomness=train),
        MBPadPersons(2)
    ]
    if train:
        steps.append(MBRandomMove())
    steps += [MBCropScale((1, 3) if train else (2, 2)), MBFormatActionInput()]
    return steps


def test_full_pipeline_output():
    rng = np.random.default_rng(0)
    sample = make_sample(2, rng, 'x', num_person=1, frames=30)
    results = copy.deepcopy(sample)
    for step in _official_style_pipeline(16):
        results = step(results)
    x = results['keypoint']
    assert x.shape == (2, 16, 17, 3) and x.dtype == np.float32
    assert np.abs(x).max() <= 1
    # the zero-padded person keeps score 0; like the official crop_scale,
    # its (0, 0) coordinates are moved with everything else
    assert not x[1, ..., 2].any()
    np.testing.assert_array_equal(x[1, ..., :2],
                                  x[1, :1, :1, :2].repeat(16, 0).repeat(17, 1))
    # channel 2 is the score, in H36M order: pelvis = mean of COCO hips
    hips = sample['keypoint_score'][0, :, [11, 12]].mean(0)
    idx = np.floor(np.linspace(0, 30, 16, endpoint=False)).astype(int)
    np.testing.assert_allclose(x[0, :, 0, 2], hips[idx], rtol=1e-6)
    # at test time the image size matters only for the padded person
    no_norm = copy.deepcopy(sample)
    for step in _official_style_pipeline(16)[1:]:
        no_norm = step(no_norm)
    np.testing.assert_allclose(no_norm['keypoint'][0], x[0], atol=1e-6)
    assert not np.allclose(no_norm['keypoint'][1], x[1])


def test_3d_skeletons_pass_the_pipeline():
    rng = np.random.default_rng(0)
    kp = rng.normal(0, 0.5, (1, 20, 25, 3))
    results = dict(keypoint=kp, total_frames=20, frame_dir='3d')
    np.random.seed(0)
    for step in [
            MBSkeletonNormalize(),
            MBHumanTracking(),
            MBJointConvert('ntu'),
            MBResampleFrames(16, randomness=True),
            MBPadPersons(2),
            MBRandomMove(),
            MBCropScale((1, 3)),
            MBFormatActionInput()
    ]:
        results = step(results)
    x = results['keypoint']
    assert x.shape == (2, 16, 17, 3) and np.abs(x).max() <= 1
    assert np.abs(x[0, ..., 2]).max() > 0.05  # z kept as third channel


@pytest.mark.parametrize('case, match', [
    (dict(
        keypoint=np.zeros((0, 5, 17, 2)), keypoint_score=np.zeros(
            (0, 5, 17))), 'no persons'),
    (dict(
        keypoint=np.zeros((1, 0, 17, 2)), keypoint_score=np.zeros(
            (1, 0, 17))), 'zero frames'),
    (dict(
        keypoint=np.zeros((1, 5, 18, 2)), keypoint_score=np.zeros(
            (1, 5, 18))), 'expects 17 keypoints'),
    (dict(keypoint=np.zeros((1, 5, 17, 2))), 'no keypoint_score'),
    (dict(
        keypoint=np.zeros((1, 5, 17, 2)), keypoint_score=np.zeros(
            (1, 5, 16))), 'keypoint_score has shape'),
    (dict(keypoint=np.zeros((5, 17, 2)), keypoint_score=np.zeros(
        (5, 17))), 'person axis'),
    (dict(foo=1), 'no "keypoint" field'),
])
def test_bad_inputs_are_explained(case, match):
    with pytest.raises(ValueError, match=match):
        MBJointConvert('coco')(dict(case, frame_dir='bad'))


def test_pose_dataset_runs_the_registered_pipeline(ntu_pkl):
    from mmaction.registry import DATASETS
    pipeline = [
        dict(type='MBSkeletonNormalize'),
        dict(type='MBHumanTracking'),
        dict(type='MBJointConvert', src='coco'),
        dict(type='MBResampleFrames', clip_len=16),
        dict(type='MBPadPersons'),
        dict(type='MBCropScale', scale_range=(2, 2)),
        dict(type='MBFormatActionInput'),
        dict(type='PackActionInputs', meta_keys=('frame_dir', ))
    ]
    with DefaultScope.overwrite_default_scope('mmaction'):
        ds = DATASETS.build(
            dict(
                type='PoseDataset',
                ann_file=ntu_pkl,
                split='xsub_val',
                pipeline=pipeline,
                test_mode=True))
        item = ds[0]
    assert len(ds) == 15
    assert tuple(item['inputs'].shape) == (2, 16, 17, 3)
    assert item['data_samples'].gt_label.item() == 0
    assert item['data_samples'].frame_dir == 'S001C001P002R001A000'
