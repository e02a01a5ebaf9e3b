# Copyright (c) mmmotionbert contributors. All rights reserved.
"""LiftResult: placing root-relative poses, the npz and its json twin."""
import json

import numpy as np

from mmmotionbert.structures import LiftResult


def _result(rootrel=True):
    rng = np.random.default_rng(0)
    kp3d = rng.normal(size=(1, 4, 17, 3)).astype(np.float32)
    kp3d[:, :, 0] = 0
    kp2d = rng.uniform(0, 100, (1, 4, 17, 2)).astype(np.float32)
    root = kp2d[:, :, 0].copy()
    root[0, 1] = np.nan  # pelvis not detected in frame 1
    kp3d[0, 3] = np.nan  # no pose in frame 3
    return LiftResult(
        kp3d,
        np.ones((1, 4, 17), np.float32),
        np.array([4]),
        kp2d,
        root,
        np.arange(10, 14),
        fps=25.0,
        frame_size=(640, 480),
        meta=dict(rootrel=rootrel))


def test_placed_3d_adds_the_2d_root_filling_gaps():
    res = _result()
    placed = res.placed_3d()
    np.testing.assert_allclose(placed[0, 0, 0, :2], res.root_2d[0, 0])
    # frame 1's pelvis is interpolated between frames 0 and 2
    np.testing.assert_allclose(
        placed[0, 1, 0, :2], (res.root_2d[0, 0] + res.root_2d[0, 2]) / 2,
        rtol=1e-6)
    np.testing.assert_allclose(placed[..., 2], res.keypoints_3d[..., 2])
    glob = _result(rootrel=False)
    np.testing.assert_array_equal(glob.placed_3d(), glob.keypoints_3d)


def test_save_writes_npz_and_json_twin(tmp_path):
    res = _result()
    npz_path, json_path = res.save(str(tmp_path / 'out'), 'clip')
    data = np.load(npz_path)
    np.testing.assert_array_equal(data['keypoints_3d'], res.keypoints_3d)
    assert data['frame_ids'].tolist() == [10, 11, 12, 13]
    assert float(data['fps']) == 25.0
    assert json.loads(str(data['meta'])) == dict(rootrel=True)
    twin = json.load(open(json_path))
    person = twin['persons'][0]
    assert person['track_id'] == 4 and twin['frame_size'] == [640, 480]
    # NaN frames become null; values are rounded to 1e-3
    assert person['keypoints_3d'][3][0] == [None, None, None]
    np.testing.assert_allclose(
        person['keypoints_3d'][0], res.keypoints_3d[0, 0], atol=5e-4)
    assert person['root_2d'][1] == [None, None]
