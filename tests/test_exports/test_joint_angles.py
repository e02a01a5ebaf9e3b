# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Joint angles on constructed poses of known angles."""
import csv

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from mmmotionbert.exports import (ANGLE_NAMES, joint_angles,
                                  write_joint_angles_csv)
from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES

J = {n: i for i, n in enumerate(H36M_JOINT_NAMES)}


def _deg(a):
    return np.radians(a)


def posed():
    """A pose facing +Z (left on +X), Y up, with known angles (EXPECTED)."""
    p = {
        'pelvis': (0, 1, 0), 'right_hip': (-.1, 1, 0), 'left_hip': (.1, 1, 0),
        'spine': (0, 1.25, 0), 'thorax': (0, 1.5, 0), 'nose': (0, 1.6, .05),
        'head': (0, 1.75, 0), 'left_shoulder': (.2, 1.5, 0),
        'right_shoulder': (-.2, 1.5, 0)
    }
    p = {k: np.array(v, float) for k, v in p.items()}
    # left leg: hip flexed 90 (thigh forward), knee 90, shank vertical
    p['left_knee'] = p['left_hip'] + [0, 0, .45]
    p['left_ankle'] = p['left_knee'] + [0, -.45, 0]
    # right leg: hip extended 20, knee bent 60 from the thigh line
    thigh = np.array([0, -np.cos(_deg(20)), -np.sin(_deg(20))])
    p['right_knee'] = p['right_hip'] + .45 * thigh
    # shank = thigh turned 60 deg further back about the lateral axis
    # (the heel towards the buttock)
    shank = Rotation.from_rotvec([_deg(60), 0, 0]).apply(thigh)
    p['right_ankle'] = p['right_knee'] + .42 * shank
    # left arm forward and horizontal, elbow bent 45 upwards
    p['left_elbow'] = p['left_shoulder'] + [0, 0, .3]
    p['left_wrist'] = p['left_elbow'] + .25 * np.array(
        [0, np.sin(_deg(45)), np.cos(_deg(45))])
    # right arm extended 30 behind, straight
    arm = np.array([0, -np.cos(_deg(30)), -np.sin(_deg(30))])
    p['right_elbow'] = p['right_shoulder'] + .3 * arm
    p['right_wrist'] = p['right_elbow'] + .25 * arm
    joints = np.stack([p[n] for n in H36M_JOINT_NAMES])
    # the right shank (knee -> ankle) points 20 + 60 = 80 deg back from
    # straight down, so ankle -> knee leans 80 deg forward from +Y
    s = -shank
    expected = {
        'trunk_tilt': 0.0,
        'left_hip_flexion': 90.0, 'left_knee_flexion': 90.0,
        'left_ankle_shank_inclination': 0.0,
        'left_shoulder_flexion': 90.0, 'left_elbow_flexion': 45.0,
        'right_hip_flexion': -20.0, 'right_knee_flexion': 60.0,
        'right_ankle_shank_inclination': np.degrees(np.arctan2(s[2], s[1])),
        'right_shoulder_flexion': -30.0, 'right_elbow_flexion': 0.0,
    }
    return joints, expected


def test_known_angles():
    joints, expected = posed()
    angles = joint_angles(joints[None])
    assert list(angles) == list(ANGLE_NAMES)
    assert expected['right_ankle_shank_inclination'] == pytest.approx(80.0)
    for name, value in expected.items():
        assert angles[name].shape == (1, )
        assert angles[name][0] == pytest.approx(value, abs=1e-6), name


def test_heading_and_position_do_not_matter():
    joints, expected = posed()
    turned = Rotation.from_euler('y', 123, degrees=True).apply(joints) + [
        3, 0, -2]
    angles = joint_angles(turned[None])
    for name, value in expected.items():
        assert angles[name][0] == pytest.approx(value, abs=1e-6), name


def test_leaning_forward_tilts_trunk_and_shanks_only():
    joints, expected = posed()
    lean = Rotation.from_euler('x', 30, degrees=True)  # top goes to +Z
    leaned = lean.apply(joints - joints[0]) + joints[0]
    angles = joint_angles(leaned[None])
    assert angles['trunk_tilt'][0] == pytest.approx(30.0, abs=1e-6)
    for side in ('left', 'right'):
        name = f'{side}_ankle_shank_inclination'
        assert angles[name][0] == pytest.approx(expected[name] + 30.0,
                                                abs=1e-6)
    for name in expected:
        if name != 'trunk_tilt' and 'ankle' not in name:
            assert angles[name][0] == pytest.approx(expected[name],
                                                    abs=1e-6), name


def test_missing_joints_give_nan_and_empty_cells(tmp_path):
    joints, expected = posed()
    motion = np.stack([joints] * 4)
    motion[1] = np.nan
    motion[2, J['left_wrist']] = np.nan
    angles = joint_angles(motion)
    assert all(np.isnan(a[1]) for a in angles.values())
    assert np.isnan(angles['left_elbow_flexion'][2])
    assert angles['left_shoulder_flexion'][2] == pytest.approx(90.0)
    path = write_joint_angles_csv(str(tmp_path / 'a.csv'), motion, 20.0)
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ['frame', 'time'] + list(ANGLE_NAMES)
    assert len(rows) == 5
    assert rows[2][:2] == ['1', '0.050000'] and rows[2][2:] == [''] * len(
        ANGLE_NAMES)
    col = rows[0].index('left_elbow_flexion')
    assert rows[3][col] == '' and rows[4][col] == '45.0000'
    assert float(rows[4][rows[0].index('right_hip_flexion')]) == -20.0


def test_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match='17, 3'):
        joint_angles(np.zeros((3, 17, 2)))
    with pytest.raises(ValueError, match='fps'):
        write_joint_angles_csv(str(tmp_path / 'x.csv'), np.zeros((3, 17, 3)),
                               -1)
