# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Pose2Sim demo loader: TRC -> H36M-17, detections -> H36M-17 2D."""
import importlib.util

import numpy as np
import pytest

from mmmotionbert.datasets.pose2sim_demo import (TRC_TO_H36M,
                                                 load_pose2sim_demo, read_trc,
                                                 trc_to_h36m)
from mmmotionbert.utils.keypoints import coco_to_h36m, coco_to_h36m_valid

needs_pose2sim = pytest.mark.skipif(
    importlib.util.find_spec('Pose2Sim') is None,
    reason='pose2sim is not installed (pip install --no-deps '
    'pose2sim==0.4.15, or -r requirements/optional.txt --no-deps)')
MARKERS = ['RHip', 'RKnee', 'RAnkle', 'RBigToe', 'LHip', 'LKnee', 'LAnkle',
           'Neck', 'Head', 'Nose', 'RShoulder', 'RElbow', 'RWrist',
           'LShoulder', 'LElbow', 'LWrist']


def _write_trc(path, markers, units='m'):
    t, m = markers.shape[:2]
    lines = ['PathFileType\t4\t(X/Y/Z)\tx.trc',
             'DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits',
             f'60\t60\t{t}\t{m}\t{units}',
             'Frame#\tTime\t' + '\t\t\t'.join(MARKERS),
             '\t\t' + '\t'.join(f'X{i}\tY{i}\tZ{i}' for i in range(1, m + 1))]
    for f in range(t):
        lines.append(f'{f + 1}\t{f / 60}\t' +
                     '\t'.join(f'{v:.6f}' for v in markers[f].ravel()))
    path.write_text('\n'.join(lines) + '\n')


def test_trc_mapping(tmp_path):
    rng = np.random.default_rng(0)
    markers = rng.normal(size=(3, len(MARKERS), 3))
    _write_trc(tmp_path / 'a.trc', markers * 1000, units='mm')
    names, read, rate = read_trc(str(tmp_path / 'a.trc'))
    assert names == MARKERS and rate == 60
    np.testing.assert_allclose(read, markers, atol=1e-8)
    joints = trc_to_h36m(names, read)
    m = {n: read[:, i] for i, n in enumerate(names)}
    np.testing.assert_allclose(joints[:, 0], (m['RHip'] + m['LHip']) / 2)
    np.testing.assert_allclose(joints[:, 8], m['Neck'])
    np.testing.assert_allclose(joints[:, 7], (joints[:, 0] + m['Neck']) / 2)
    np.testing.assert_allclose(joints[:, 9], m['Nose'])
    np.testing.assert_allclose(joints[:, 10], m['Head'])
    np.testing.assert_allclose(joints[:, 13], m['LWrist'])
    np.testing.assert_allclose(joints[:, 14], m['RShoulder'])
    assert len(TRC_TO_H36M) == 17
    with pytest.raises(ValueError, match='lacks markers'):
        trc_to_h36m(names[:-1], read[:, :-1])


def test_coco_to_h36m_with_missing_joints():
    rng = np.random.default_rng(1)
    coco = np.concatenate([rng.uniform(100, 900, (4, 17, 2)),
                           rng.uniform(0.3, 1, (4, 17, 1))], -1)
    np.testing.assert_allclose(coco_to_h36m_valid(coco), coco_to_h36m(coco))
    coco[0, 1] = 0  # left eye missing: head = right eye
    coco[1, [11, 12]] = 0  # both hips missing: pelvis and spine missing
    h = coco_to_h36m_valid(coco)
    np.testing.assert_allclose(h[0, 10], coco[0, 2])
    assert (h[1, [0, 7]] == 0).all() and (h[1, 8] > 0).all()


@needs_pose2sim
def test_demo_loader():
    demo = load_pose2sim_demo()
    assert demo['cameras'] == ['cam1', 'cam2', 'cam3', 'cam4']
    assert demo['fps'] == 60 and demo['image_size'] == (1088, 1920)
    j = demo['joints_3d']
    assert j.shape == (100, 17, 3) and j.dtype == np.float32
    assert (j[:, 10, 1] > j[:, 0, 1]).all()  # Y up: head above pelvis
    assert np.linalg.norm(j[:, 1] - j[:, 4], axis=-1).mean() == pytest.approx(
        0.20, abs=0.02)
    for cam, k in demo['keypoints_2d'].items():
        assert k.shape == (100, 17, 3) and k.dtype == np.float32
        missing = k[..., 2] == 0
        assert (k[missing] == 0).all()  # missing: all zeros, score 0
        valid = k[~missing]
        assert (valid[:, 0] > 0).all() and (valid[:, 0] < 1088).all()
        assert (valid[:, 1] > 0).all() and (valid[:, 1] < 1920).all()
    assert (demo['keypoints_2d']['cam4'][..., 2] == 0).sum() > 50
