# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Metric camera-space motion: recovery of a known motion seen by a known
camera, gaps, heights, the floor, the world frame and bad input."""
import numpy as np
import pytest

from mmmotionbert.apis.metric import (CALIBRATION_TO_WORLD, CalibrationError,
                                      default_camera, estimate_floor,
                                      fit_person, floor_angle_deg,
                                      metric_motion, subject_heights)
from mmmotionbert.apis.metric.camera import Camera
from mmmotionbert.apis.metric.floor import world_from_extrinsics
from mmmotionbert.apis.metric.skeleton import (bone_lengths,
                                               height_of_bones, retarget,
                                               symmetrize)
from mmmotionbert.structures import LiftResult

FPS = 60.0


def _rodrigues(axis, angle):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]],
                  [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


@pytest.fixture(scope='module')
def walk():
    """Real mocap of a walk (DeepMimic's ``walk`` in pybullet, 60 fps, Y up,
    metres, floor at y = 0) with symmetric bones set to their medians:
    ``(world joints (T, 17, 3), bone lengths)``."""
    pytest.importorskip('pybullet')
    from mmmotionbert.datasets.mocap.pybullet_fk import \
        convert_deepmimic_clips
    joints = convert_deepmimic_clips(['walk'], fps=FPS,
                                     progress=False)['joints']['walk']
    joints = np.asarray(joints, np.float64)
    rel = joints - joints[:, :1]
    lengths = symmetrize(np.median(bone_lengths(rel), 0))
    return retarget(rel, lengths) + joints[:, :1], lengths


def _camera_view(world, pitch_deg=15.0, dist=4.0):
    """A camera pitched down at ``dist`` metres from the motion; returns
    (camera-frame joints, Camera with its world pose, world up in camera)."""
    # world Y up -> camera y down, z forward, looking along world -z
    base = np.diag([1.0, -1.0, -1.0])
    tilt = _rodrigues([1, 0, 0], -np.radians(pitch_deg))
    R = tilt @ base
    centre = np.nanmean(world[:, 0], 0)
    t = -R @ (centre + np.array([0, 0.3, dist]))
    cam = world @ R.T + t
    K = np.array([[1500.0, 0, 960], [0, 1500.0, 540], [0, 0, 1]])
    camera = Camera(K=K, dist=np.zeros(0), image_size=(1920, 1080))
    return cam, camera, R @ np.array([0.0, 1.0, 0.0])


def _project(cam, K):
    return np.stack([K[0, 0] * cam[..., 0] / cam[..., 2] + K[0, 2],
                     K[1, 1] * cam[..., 1] / cam[..., 2] + K[1, 2]], -1)


def _network_view(cam):
    """What a lifter sees: each pose as if centred in the view (the inverse
    of the ray rotation) in arbitrary per-frame 'pixel' units."""
    from mmmotionbert.apis.metric.trajectory import rotate_to_rays
    rel = cam - cam[:, :1]
    back = rotate_to_rays(rel, cam[:, 0] * np.array([-1, -1, 1]))
    # check: rotating to the rays again gives the camera-frame pose back
    assert np.allclose(rotate_to_rays(back, cam[:, 0]), rel, atol=1e-9)
    return back * (1500.0 / cam[:, :1, 2:]) * 0.9


def test_known_motion_is_recovered_in_metres(walk):
    world, lengths = walk
    cam, camera, _ = _camera_view(world)
    uv = _project(cam, camera.K)
    height = height_of_bones(lengths)
    fit = fit_person(_network_view(cam), uv, np.ones(uv.shape[:2]), camera,
                     height, FPS)
    err = np.linalg.norm(fit['joints'] - cam, axis=-1)
    assert err.mean() < 0.005, err.mean()  # metres: under 5 mm
    assert np.allclose(fit['bone_lengths'], lengths, atol=0.01)
    # constant bones in every frame
    got = bone_lengths(fit['joints'])
    assert np.ptp(got, 0).max() < 1e-6


def test_scale_follows_the_height_not_the_network_units(walk):
    world, lengths = walk
    cam, camera, _ = _camera_view(world)
    uv = _project(cam, camera.K)
    height = height_of_bones(lengths)
    w = np.ones(uv.shape[:2])
    base = fit_person(_network_view(cam), uv, w, camera, height, FPS)
    scaled = fit_person(_network_view(cam) * 7.0, uv, w, camera, height, FPS)
    assert np.allclose(base['joints'], scaled['joints'], atol=1e-6)
    taller = fit_person(_network_view(cam), uv, w, camera, height * 1.1, FPS)
    # 10 % taller at the same 2D size is 10 % farther away
    ratio = taller['joints'][:, 0, 2] / base['joints'][:, 0, 2]
    assert np.allclose(ratio, 1.1, atol=0.01)


def test_noisy_missing_keypoints_and_gaps(walk):
    rng = np.random.default_rng(0)
    world, lengths = walk
    cam, camera, _ = _camera_view(world)
    uv = _project(cam, camera.K) + rng.normal(0, 3.0, (len(cam), 17, 2))
    scores = np.full(uv.shape[:2], 0.9)
    scores[rng.random(scores.shape) < 0.1] = 0  # 10 % missing joints
    uv[scores == 0] = 0.0
    outliers = rng.random(scores.shape) < 0.03  # 3 % wild detections
    uv[outliers] += 300.0
    scores[30:40] = 0  # a 10-frame gap without detections
    fit = fit_person(_network_view(cam), uv, scores, camera,
                     height_of_bones(lengths), FPS)
    joints = fit['joints']
    assert np.isnan(joints[30:40]).all()  # undetected frames are NaN
    ok = np.isfinite(joints).all((-1, -2))
    assert ok.sum() == len(cam) - 10
    err = np.linalg.norm(joints[ok] - cam[ok], axis=-1).mean()
    assert err < 0.05, err  # robust to noise and outliers: under 5 cm
    # smooth: the depth's frame-to-frame jitter is that of the true motion
    jitter = np.abs(np.diff(joints[ok][:, 0, 2], 2)).max()
    true_jitter = np.abs(np.diff(cam[ok][:, 0, 2], 2)).max()
    assert jitter < true_jitter + 0.002, (jitter, true_jitter)


def test_floor_and_contacts_of_a_walk(walk):
    world, lengths = walk
    cam, camera, up_cam = _camera_view(world, pitch_deg=20.0)
    floor = estimate_floor(cam[None], np.array([height_of_bones(lengths)]),
                           FPS)
    assert floor_angle_deg(floor['normal'], up_cam) < 3.0
    # the floor lies below the ankles by about an ankle height
    ankle_height = (cam[:, [3, 6]] - floor['point']) @ floor['normal']
    assert 0.0 < np.median(ankle_height) < 0.25
    contacts = floor['contacts'][0]
    assert contacts.any(0).all()  # both feet touch the floor sometime
    # a foot in contact moves slower than one in the air
    speed = np.linalg.norm(np.gradient(cam[:, [6, 3]], axis=0), axis=-1)
    assert speed[contacts].mean() < speed[~contacts].mean()


def test_metric_motion_world_frame_without_calibration(walk):
    world, lengths = walk
    cam, camera, up_cam = _camera_view(world)
    uv = _project(cam, camera.K)
    result = LiftResult(
        keypoints_3d=_network_view(cam)[None].astype(np.float32),
        scores=np.ones((1, len(cam), 17), np.float32),
        track_ids=np.array([7]),
        keypoints_2d=uv[None].astype(np.float32),
        root_2d=uv[None, :, 0].astype(np.float32),
        frame_ids=np.arange(len(cam)),
        fps=FPS,
        frame_size=(1920, 1080),
        meta={})
    motion = metric_motion(result, camera, {7: height_of_bones(lengths)})
    w = motion.keypoints_3d_world[0].astype(np.float64)
    # gravity-aligned: the world's y is the true up, the floor at y ~ 0
    assert np.nanmin(w[:, [3, 6], 1]) > -0.05
    assert np.median(w[:, [3, 6], 1]) < 0.25
    true_up_world = motion.camera_to_world[:3, :3] @ up_cam
    assert floor_angle_deg(true_up_world, np.array([0, 1.0, 0])) < 3.0
    # rigid: distances kept
    d_cam = np.linalg.norm(cam[:, 1] - cam[:, 13], axis=-1)
    d_world = np.linalg.norm(w[:, 1] - w[:, 13], axis=-1)
    assert np.allclose(d_cam, d_world, atol=0.01)
    assert motion.meta['units'] == 'm'
    assert motion.meta['height_source'] == 'per track id'
    assert motion.foot_contacts.shape == (1, len(cam), 2)


def test_calibration_world_is_the_trc_axes():
    from mmmotionbert.apis.metric import load_calibration
    from mmmotionbert.datasets.pose2sim_demo import (
        load_pose2sim_demo, pose2sim_calibration, trc_to_calibration_world)
    demo = load_pose2sim_demo(cameras=['cam2'])
    camera = load_calibration(pose2sim_calibration(), 'cam_02')
    trc = demo['joints_3d'].astype(np.float64)
    in_cam = trc_to_calibration_world(trc) @ camera.R.T + camera.t
    M = world_from_extrinsics(camera.R, camera.t)
    back = in_cam @ M[:3, :3].T + M[:3, 3]
    assert np.allclose(back, trc, atol=1e-9)
    assert np.allclose(CALIBRATION_TO_WORLD @ [0, 0, 1.0], [0, 1.0, 0])
    # the transform is right: the markers reproject onto the 2D detections
    # (about 13 px for this camera, as the issue measured)
    uv = _project(in_cam, camera.K)
    kp = demo['keypoints_2d']['cam2']
    ok = kp[..., 2] > 0
    assert np.linalg.norm(uv - kp[..., :2], axis=-1)[ok].mean() < 20.0


def test_default_camera_and_fov():
    cam = default_camera((1920, 1080))
    assert cam.K[0, 0] == pytest.approx(960 / np.tan(np.radians(30)))
    assert tuple(cam.K[:2, 2]) == (960, 540)
    assert default_camera((640, 480), fov=90).K[0, 0] == pytest.approx(320)
    assert default_camera((640, 480), focal_length=500).K[1, 1] == 500
    for kwargs in (dict(fov=0), dict(fov=180), dict(focal_length=-3),
                   dict(focal_length=500, fov=50)):
        with pytest.raises(CalibrationError):
            default_camera((640, 480), **kwargs)


def test_subject_heights():
    h, source = subject_heights(None, [0, 1])
    assert h.tolist() == [1.70, 1.70] and 'default' in source
    assert subject_heights(1.8, [3])[0].tolist() == [1.8]
    assert subject_heights([1.8, 1.6], [3, 5])[0].tolist() == [1.8, 1.6]
    assert subject_heights({5: 1.6, 3: 1.8}, [3, 5])[0].tolist() == [1.8, 1.6]
    with pytest.raises(CalibrationError, match='must be positive'):
        subject_heights(0.0, [1])
    with pytest.raises(CalibrationError, match='3 subject heights for 2'):
        subject_heights([1.7, 1.8, 1.9], [0, 1])
    with pytest.raises(CalibrationError, match=r'track\(s\) \[1\]'):
        subject_heights({0: 1.7}, [0, 1])
