# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Keypoint readers, layout detection and conversion to H36M-17."""
import json
import os

import numpy as np
import pytest

from mmmotionbert.apis.readers import KeypointFormatError, read_keypoints
from mmmotionbert.apis.tracking import simple_track
from mmmotionbert.utils.keypoints import coco_to_h36m, convert_keypoints
from .conftest import coco_motion, to_layout

T = 12


def _expected_h36m(seed=0, center=(320.0, 240.0)):
    coco, sc = coco_motion(T, center, seed)
    out = coco_to_h36m(np.concatenate([coco, sc[..., None]], -1))
    return out[..., :2], out[..., 2]


@pytest.mark.parametrize('layout', ['coco', 'halpe26', 'body25', 'body25b',
                                    'openpose18', 'blazepose', 'h36m'])
def test_convert_keypoints_matches_coco_route(layout):
    coco, sc = coco_motion(T)
    kp, s = to_layout(coco, sc, layout)
    h_kp, h_sc = convert_keypoints(kp, s, layout)
    exp_kp, exp_sc = _expected_h36m()
    assert h_kp.shape == (T, 17, 2) and h_sc.shape == (T, 17)
    # Limbs are the same joints in every layout.
    limbs = [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16]
    np.testing.assert_allclose(h_kp[:, limbs], exp_kp[:, limbs], atol=1e-4)
    np.testing.assert_allclose(h_sc[:, limbs], exp_sc[:, limbs], atol=1e-6)
    # Pelvis is the mid-hip in every layout.
    np.testing.assert_allclose(h_kp[:, 0], exp_kp[:, 0], atol=1e-4)


def test_convert_scores_follow_joints_and_missing_composites():
    coco, sc = coco_motion(3)
    sc = sc.copy()
    sc[0, 11] = 0  # left hip missing: pelvis is the right hip alone
    sc[1, 5] = 0.123  # left shoulder
    sc[2, [11, 12]] = 0  # both hips missing: pelvis and spine missing
    kp, s = convert_keypoints(coco, sc, 'coco')
    assert s[0, 4] == 0 and s[0, 0] == pytest.approx(sc[0, 12])
    np.testing.assert_allclose(kp[0, 0], coco[0, 12], atol=1e-4)
    assert s[1, 11] == pytest.approx(0.123)  # H36M left shoulder
    assert s[1, 8] == pytest.approx((0.123 + sc[1, 6]) / 2)  # thorax
    assert s[2, 0] == 0 and s[2, 7] == 0 and (kp[2, 0] == 0).all()
    # Other layouts follow the same rule (BODY_25: spine needs neck and
    # mid-hip).
    b_kp, b_sc = to_layout(coco, sc, 'body25')
    b_sc = b_sc.copy()
    b_sc[0, 8] = 0  # mid-hip missing
    kp, s = convert_keypoints(b_kp, b_sc, 'body25')
    assert s[0, 0] == 0 and s[0, 7] == 0 and s[0, 8] > 0
    with pytest.raises(ValueError, match='unknown keypoint layout'):
        convert_keypoints(coco, sc, 'body_99')
    with pytest.raises(ValueError, match='has 25 joints'):
        convert_keypoints(coco, sc, 'body25')


def _openpose_folder(tmp_path, layout, num_frames=T, swap=False):
    folder = tmp_path / f'op_{layout}'
    folder.mkdir()
    a_kp, a_sc = to_layout(*coco_motion(num_frames, (200, 240), 0), layout)
    b_kp, b_sc = to_layout(*coco_motion(num_frames, (500, 260), 1), layout)
    for t in range(num_frames):
        people = []
        for kp, sc in ((a_kp, a_sc), (b_kp, b_sc)):
            flat = np.concatenate([kp[t], sc[t][:, None]], -1).reshape(-1)
            people.append(dict(person_id=[-1],
                               pose_keypoints_2d=flat.tolist()))
        if swap and t % 2:
            people = people[::-1]
        with open(folder / f'clip_{t:012d}_keypoints.json', 'w') as f:
            json.dump(dict(version=1.3, people=people), f)
    return str(folder)


@pytest.mark.parametrize('layout', ['body25', 'body25b'])
def test_openpose_folder_autodetect_and_tracking(tmp_path, layout):
    seq = read_keypoints(_openpose_folder(tmp_path, layout, swap=True))
    assert seq.layout == layout
    assert seq.keypoints.shape == (2, T, 25, 2)
    h36m = seq.to_h36m()
    exp_kp, _ = _expected_h36m(0, (200, 240))
    # Persons swap places in the files every other frame; tracking fixes it.
    track = int(np.argmin(np.abs(h36m.keypoints[:, 0, 0, 0] - 200)))
    np.testing.assert_allclose(h36m.keypoints[track][:, 1], exp_kp[:, 1],
                               atol=1e-3)
    assert seq.frame_ids.tolist() == list(range(T))


def test_alphapose_halpe26_json_with_track_ids(tmp_path):
    kp, sc = to_layout(*coco_motion(T), 'halpe26')
    entries = []
    for t in range(T):
        flat = np.concatenate([kp[t], sc[t][:, None]], -1).reshape(-1)
        entries.append(dict(image_id=f'{t}.jpg', category_id=1,
                            keypoints=flat.tolist(), score=2.0, idx=[7]))
    path = tmp_path / 'alphapose-results.json'
    path.write_text(json.dumps(entries))
    seq = read_keypoints(str(path))
    assert seq.layout == 'halpe26' and seq.track_ids.tolist() == [7]
    h = seq.to_h36m()
    # Halpe head (top of head) and neck are used as the official halpe2h36m.
    np.testing.assert_allclose(h.keypoints[0, :, 10], kp[:, 17], atol=1e-4)
    np.testing.assert_allclose(h.keypoints[0, :, 8], kp[:, 18], atol=1e-4)
    np.testing.assert_allclose(h.scores[0, :, 10], sc[:, 17], atol=1e-6)


def test_coco_results_and_mmpose_jsons(tmp_path):
    kp, sc = coco_motion(T)
    entries = [dict(image_id=t, keypoints=np.concatenate(
        [kp[t], sc[t][:, None]], -1).reshape(-1).tolist(), score=1.0)
               for t in range(T)]
    path = tmp_path / 'coco.json'
    path.write_text(json.dumps(entries))
    seq = read_keypoints(str(path))
    assert seq.layout == 'coco' and seq.keypoints.shape == (1, T, 17, 2)

    video = [dict(frame_id=t, instances=[dict(
        keypoints=kp[t].tolist(), keypoint_scores=sc[t].tolist(),
        bbox=[[0, 0, 1, 1]], track_id=3)]) for t in range(T)]
    path = tmp_path / 'mmpose_video.json'
    path.write_text(json.dumps(video))
    seq = read_keypoints(str(path))
    assert seq.layout == 'coco' and seq.track_ids.tolist() == [3]
    np.testing.assert_allclose(seq.scores[0], sc, atol=1e-6)

    h_kp, h_sc = to_layout(kp, sc, 'h36m')
    demo = dict(
        meta_info=dict(dataset_name='h36m'),
        instance_info=[dict(frame_id=t + 1, instances=[dict(
            keypoints=h_kp[t].tolist(),
            keypoint_scores=h_sc[t].tolist())]) for t in range(T)])
    path = tmp_path / 'mmpose_demo.json'
    path.write_text(json.dumps(demo))
    seq = read_keypoints(str(path))
    assert seq.layout == 'h36m' and seq.frame_ids[0] == 1


def test_npy_npz_arrays(tmp_path):
    kp, sc = coco_motion(T)
    h_kp, h_sc = to_layout(kp, sc, 'h36m')
    np.save(tmp_path / 'h36m.npy', np.concatenate([h_kp, h_sc[..., None]],
                                                 -1))
    seq = read_keypoints(str(tmp_path / 'h36m.npy'))
    assert seq.layout == 'h36m'  # geometric check: pelvis = mid-hips, ...
    np.save(tmp_path / 'coco.npy', kp)  # no scores: all valid
    seq = read_keypoints(str(tmp_path / 'coco.npy'))
    assert seq.layout == 'coco' and (seq.scores == 1).all()
    np.savez(tmp_path / 'multi.npz', keypoints=np.stack([h_kp, h_kp + 300]),
             scores=np.stack([h_sc, h_sc]), track_ids=np.array([4, 9]),
             layout='h36m', fps=30.0)
    seq = read_keypoints(str(tmp_path / 'multi.npz'))
    assert seq.num_persons == 2 and seq.track_ids.tolist() == [4, 9]
    assert seq.fps == 30.0


def test_bad_inputs_give_clear_errors(tmp_path):
    (tmp_path / 'empty.json').write_text('[]')
    with pytest.raises(KeypointFormatError, match='empty json'):
        read_keypoints(str(tmp_path / 'empty.json'))
    (tmp_path / 'nobody.json').write_text(json.dumps({'people': []}))
    with pytest.raises(KeypointFormatError, match='no person detected'):
        read_keypoints(str(tmp_path / 'nobody.json'))
    # Missing joints: a person with fewer joints than the others.
    kp, sc = coco_motion(2)
    full = np.concatenate([kp, sc[..., None]], -1)
    entries = [dict(image_id=0, keypoints=full[0].reshape(-1).tolist()),
               dict(image_id=1, keypoints=full[1, :15].reshape(-1).tolist())]
    (tmp_path / 'missing.json').write_text(json.dumps(entries))
    with pytest.raises(KeypointFormatError, match='different joint counts'):
        read_keypoints(str(tmp_path / 'missing.json'))
    (tmp_path / 'bad.json').write_text(json.dumps(
        [dict(image_id=0, keypoints=[1, 2, 3, 4])]))
    with pytest.raises(KeypointFormatError, match='multiple of 3'):
        read_keypoints(str(tmp_path / 'bad.json'))
    # Unknown layout: 20 joints.
    np.save(tmp_path / 'j20.npy', np.ones((5, 20, 3)))
    with pytest.raises(KeypointFormatError, match='unknown keypoint layout'):
        read_keypoints(str(tmp_path / 'j20.npy'))
    # 17 joints whose structure cannot be checked (pelvis, thorax missing):
    # ambiguous, asks for --format.
    noise = np.random.default_rng(0).uniform(0, 500, (5, 17, 3))
    noise[..., [0, 8], 2] = 0
    np.save(tmp_path / 'noise.npy', noise)
    with pytest.raises(KeypointFormatError, match='--format h36m or coco'):
        read_keypoints(str(tmp_path / 'noise.npy'))
    assert read_keypoints(str(tmp_path / 'noise.npy'), 'coco').layout == 'coco'
    with pytest.raises(KeypointFormatError, match='has 25 joints'):
        read_keypoints(str(tmp_path / 'noise.npy'), 'body25')
    with pytest.raises(ValueError, match='unknown keypoint layout'):
        read_keypoints(str(tmp_path / 'noise.npy'), 'foo')
    with pytest.raises(FileNotFoundError):
        read_keypoints(str(tmp_path / 'nope.json'))
    (tmp_path / 'x.txt').write_text('1')
    with pytest.raises(KeypointFormatError, match='unsupported input'):
        read_keypoints(str(tmp_path / 'x.txt'))
    (tmp_path / 'notjson.json').write_text('{oops')
    with pytest.raises(KeypointFormatError, match='not valid json'):
        read_keypoints(str(tmp_path / 'notjson.json'))
    os.makedirs(tmp_path / 'emptydir')
    with pytest.raises(KeypointFormatError, match='without .json'):
        read_keypoints(str(tmp_path / 'emptydir'))


def test_simple_track_keeps_identities_through_gaps():
    a_kp, a_sc = coco_motion(10, (100, 200), 0)
    b_kp, b_sc = coco_motion(10, (400, 200), 1)
    frames = []
    for t in range(10):
        insts = [(a_kp[t], a_sc[t], None), (b_kp[t], b_sc[t], None)]
        if t == 4:
            insts = insts[1:]  # person a missing for a frame
        frames.append(insts[::-1] if t % 3 == 0 else insts)
    assign = simple_track(frames)
    a_ids = set()
    for t, (f, ids) in enumerate(zip(frames, assign)):
        for (k, _, _), tid in zip(f, ids):
            if np.array_equal(k, a_kp[t]):
                a_ids.add(tid)
    assert len(a_ids) == 1
    assert max(max(a) for a in assign) == 1  # two tracks in all


def test_folder_of_mmpose_image_predictions(tmp_path):
    kp, sc = coco_motion(3)
    folder = tmp_path / 'preds'
    folder.mkdir()
    for t in range(3):
        (folder / f'frame_{t:04d}.json').write_text(json.dumps([dict(
            keypoints=kp[t].tolist(), keypoint_scores=sc[t].tolist(),
            bbox=[[0, 0, 1, 1]], bbox_score=0.9)]))
    seq = read_keypoints(str(folder))
    assert seq.layout == 'coco' and seq.keypoints.shape == (1, 3, 17, 2)
    np.testing.assert_allclose(seq.keypoints[0], kp, atol=1e-4)
