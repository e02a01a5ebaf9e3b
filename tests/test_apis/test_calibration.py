# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Calibration files: Pose2Sim toml, OpenCV yaml and json, and bad ones."""
import json

import numpy as np
import pytest

from mmmotionbert.apis.metric import (CalibrationError, load_calibration,
                                      resolve_camera)

TOML = """
[cam_01]
name = "front"
size = [ 1920.0, 1080.0]
matrix = [ [ 1500.0, 0.0, 955.5], [ 0.0, 1490.0, 541.0], [ 0.0, 0.0, 1.0]]
distortions = [ -0.01, 0.002, 0.0, 0.0]
rotation = [ 0.0, 0.0, 1.5707963267948966]
translation = [ 0.1, 0.2, 3.0]
fisheye = false

[cam_02]
name = "side"
size = [ 1280.0, 720.0]
matrix = [ [ 1000.0, 0.0, 640.0], [ 0.0, 1000.0, 360.0], [ 0.0, 0.0, 1.0]]
distortions = [ 0.0, 0.0, 0.0, 0.0]

[metadata]
adjusted = false
"""

OPENCV_YAML = """%YAML:1.0
---
image_width: 640
image_height: 480
camera_matrix: !!opencv-matrix
   rows: 3
   cols: 3
   dt: d
   data: [ 600., 0., 320., 0., 610., 240., 0., 0., 1. ]
distortion_coefficients: !!opencv-matrix
   rows: 1
   cols: 5
   dt: d
   data: [ 0.1, -0.05, 0., 0., 0. ]
"""


def test_pose2sim_toml(tmp_path):
    path = tmp_path / 'calib.toml'
    path.write_text(TOML)
    cam = load_calibration(str(path), 'cam_01')
    assert cam.K[0, 0] == 1500.0 and cam.K[1, 1] == 1490.0
    assert cam.K[0, 2] == 955.5 and cam.image_size == (1920, 1080)
    assert cam.dist.tolist() == [-0.01, 0.002, 0.0, 0.0]
    # Rodrigues (0, 0, pi/2): a quarter turn about z
    assert np.allclose(cam.R @ [1.0, 0, 0], [0, 1.0, 0])
    assert cam.t.tolist() == [0.1, 0.2, 3.0] and cam.has_extrinsics
    # the `name` field is an alias; a camera without extrinsics
    side = load_calibration(str(path), 'side')
    assert side.name == 'cam_02' and not side.has_extrinsics
    # undistortion moves an off-centre point, not the principal point
    pts = np.array([[955.5, 541.0], [1800.0, 1000.0]])
    und = cam.undistort(pts)
    assert np.allclose(und[0], pts[0]) and not np.allclose(und[1], pts[1])


def test_the_installed_pose2sim_demo_calibration():
    from mmmotionbert.datasets.pose2sim_demo import pose2sim_calibration
    cam = load_calibration(pose2sim_calibration(), 'cam_03')
    assert cam.K[0, 0] == pytest.approx(1681.598388671875)
    assert cam.image_size == (1088, 1920)
    assert cam.t[2] == pytest.approx(4.353514870000001)


def test_opencv_yaml_and_json(tmp_path):
    yml = tmp_path / 'cam.yml'
    yml.write_text(OPENCV_YAML)
    cam = load_calibration(str(yml))
    assert cam.K[0, 0] == 600.0 and cam.K[1, 1] == 610.0
    assert cam.dist.tolist() == [0.1, -0.05, 0.0, 0.0, 0.0]
    assert not cam.has_extrinsics
    js = tmp_path / 'cams.json'
    js.write_text(json.dumps(dict(
        left=dict(K=[[800, 0, 400], [0, 800, 300], [0, 0, 1]],
                  dist=[0, 0, 0, 0], image_size=[800, 600],
                  R=np.eye(3).tolist(), t=[0, 0, 2]),
        right=dict(camera_matrix=[[700, 0, 400], [0, 700, 300], [0, 0, 1]]))))
    left = load_calibration(str(js), 'left')
    assert left.K[0, 0] == 800 and left.t.tolist() == [0, 0, 2]
    assert load_calibration(str(js), 'right').K[0, 0] == 700


@pytest.mark.parametrize('text, suffix, camera, message', [
    ('[cam_01\nmatrix = 3', '.toml', None, 'does not parse'),
    (TOML, '.toml', 'cam_09', r"camera 'cam_09' is not in .*; it has "
     r"\['cam_01', 'cam_02'\]"),
    (TOML, '.toml', None, r"holds 2 cameras \['cam_01', 'cam_02'\]: choose "
     'one with --camera'),
    ('[metadata]\nadjusted = false\n', '.toml', None, 'holds no camera'),
    ('{"K": [[1, 0, 0], [0, 1, 0]]}', '.json', None,
     r'must have 9 values'),
    ('{"K": [[-5, 0, 0], [0, 5, 0], [0, 0, 1]]}', '.json', None,
     'focal lengths must be positive'),
    ('K: [1, 2', '.yaml', None, 'does not parse'),
    ('hello', '.txt', None, 'unknown calibration format'),
])
def test_bad_calibrations(tmp_path, text, suffix, camera, message):
    path = tmp_path / f'calib{suffix}'
    path.write_text(text)
    with pytest.raises(CalibrationError, match=message):
        load_calibration(str(path), camera)


def test_missing_file_and_contradicting_options(tmp_path):
    with pytest.raises(CalibrationError, match='not found'):
        load_calibration(str(tmp_path / 'nope.toml'))
    path = tmp_path / 'calib.toml'
    path.write_text(TOML)
    with pytest.raises(CalibrationError, match='--fov cannot be used with '
                       '--calibration'):
        resolve_camera((640, 480), str(path), 'cam_01', fov=60)
    with pytest.raises(CalibrationError, match='--camera needs'):
        resolve_camera((640, 480), camera='cam_01')
    with pytest.raises(CalibrationError, match='frame size is unknown'):
        resolve_camera(None, focal_length=900)
    assert resolve_camera((640, 480), focal_length=900).K[0, 0] == 900
    # a keypoint file without a frame size: the keypoints' extent
    kp = np.array([[10.0, 20.0], [599.2, 399.0], [900.0, 900.0]])
    cam = resolve_camera(None, fov=90, keypoints=kp,
                         scores=np.array([1.0, 1.0, 0.0]))
    assert cam.image_size == (601, 400) and cam.K[0, 0] == pytest.approx(
        300.5)
    assert 'extent' in cam.source
    with pytest.raises(CalibrationError, match='no detected keypoint'):
        resolve_camera(None, keypoints=kp, scores=np.zeros(3))
