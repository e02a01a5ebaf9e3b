# Copyright (c) mmmotionbert contributors. All rights reserved.
"""BVH export, read back by an independent parser (bvhio 1.5.4, PyPI),
whose forward kinematics must give back the input joints."""
import importlib.util

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from mmmotionbert.exports import write_bvh
from mmmotionbert.exports.skeleton import (SKELETON, fill_missing,
                                           median_bone_lengths)
from mmmotionbert.utils.keypoints import H36M_BONES

bvhio = pytest.importorskip(
    'bvhio', reason='bvhio is a test dependency (requirements/tests.txt)')
needs_pose2sim = pytest.mark.skipif(
    importlib.util.find_spec('Pose2Sim') is None,
    reason='pose2sim is not installed (pip install --no-deps '
    'pose2sim==0.4.15)')


def bvhio_fk(path):
    """(T, 17, 3) world joint positions from bvhio's forward kinematics,
    and the file's frame time."""
    root = bvhio.readAsHierarchy(path)
    frame_time = bvhio.readAsBvh(path, loadKeyFrames=False).FrameTime
    by_name = {joint.Name: joint for joint, _, _ in root.layout()}
    frames = len(root.Keyframes)
    out = np.full((frames, 17, 3), np.nan)
    for f in range(frames):
        root.loadPose(f, recursive=True)
        for joint in SKELETON:
            if joint.h36m >= 0 and joint.name in by_name:
                out[f, joint.h36m] = np.array(by_name[joint.name].PositionWorld)
    return out, frame_time


def constant_length_motion(frames=120, seed=0):
    """FK of smooth random rotations on a fixed H36M-17 skeleton, moving
    and turning about the vertical (metres, Y up)."""
    rng = np.random.default_rng(seed)
    dirs = {1: (-1, 0, 0), 2: (0, -1, 0), 3: (0, -1, 0), 4: (1, 0, 0),
            5: (0, -1, 0), 6: (0, -1, 0), 7: (0, 1, 0), 8: (0, 1, 0),
            9: (0, 1, .3), 10: (0, 1, -.2), 11: (1, .1, 0), 12: (0, -1, 0),
            13: (0, -1, .2), 14: (-1, .1, 0), 15: (0, -1, 0), 16: (0, -1, .2)}
    lengths = rng.uniform(0.08, 0.45, 17)
    t = np.linspace(0, 2 * np.pi, frames)[:, None]
    freq = rng.uniform(0.5, 2.0, (17, 3))
    phase = rng.uniform(0, 2 * np.pi, (17, 3))
    amp = rng.uniform(0.2, 0.9, (17, 3))
    rotvecs = amp[None] * np.sin(freq[None] * t[..., None] + phase[None])
    glob = [None] * 17
    out = np.zeros((frames, 17, 3))
    out[:, 0] = np.stack([np.sin(t[:, 0]), 0.9 + 0.05 * np.cos(3 * t[:, 0]),
                          t[:, 0] * 0.3], -1)
    glob[0] = Rotation.from_rotvec(
        np.concatenate([rotvecs[:, 0, :2] * 0.3, 2 * t], -1))
    for child, parent in H36M_BONES:  # parents come first
        glob[child] = glob[parent] * Rotation.from_rotvec(rotvecs[:, child])
        off = np.asarray(dirs[child], float)
        off = off / np.linalg.norm(off) * lengths[child]
        out[:, child] = out[:, parent] + glob[parent].apply(off)
    return out


def test_fk_reproduces_constant_length_motion(tmp_path):
    joints = constant_length_motion()
    path = write_bvh(str(tmp_path / 'a.bvh'), joints, 50.0)
    fk, frame_time = bvhio_fk(path)
    assert frame_time == pytest.approx(0.02)
    err_mm = np.linalg.norm(fk - joints, axis=-1) * 1000
    assert fk.shape == joints.shape
    assert err_mm.max() < 1.0, err_mm.max()


def test_nan_frames_are_interpolated(tmp_path):
    joints = constant_length_motion(frames=60, seed=1)
    holed = joints.copy()
    holed[[0, 1, 20, 21, 22, 59]] = np.nan
    fk, _ = bvhio_fk(write_bvh(str(tmp_path / 'h.bvh'), holed, 30.0))
    assert len(fk) == 60
    ok = np.isfinite(holed).all((1, 2))
    err_mm = np.linalg.norm(fk - joints, axis=-1)[ok] * 1000
    assert err_mm.max() < 1.0
    # filled frames: the root follows the linear interpolation
    filled = fill_missing(holed)
    np.testing.assert_allclose(fk[:, 0], filled[:, 0], atol=1e-5)
    np.testing.assert_allclose(fk[0, 0], joints[2, 0], atol=1e-5)


def _directions_and_lengths(joints):
    vec = np.stack([joints[:, c] - joints[:, p] for c, p in H36M_BONES], 1)
    return vec, np.linalg.norm(vec, axis=-1)


@needs_pose2sim
def test_real_markers_directions_exact_lengths_medians(tmp_path):
    from mmmotionbert.datasets.pose2sim_demo import load_pose2sim_demo
    joints = load_pose2sim_demo()['joints_3d'].astype(np.float64)
    fk, _ = bvhio_fk(write_bvh(str(tmp_path / 'r.bvh'), joints, 60.0))
    vec_in, len_in = _directions_and_lengths(joints)
    vec_fk, len_fk = _directions_and_lengths(fk)
    # the marker skeleton's bones change length by centimetres ...
    assert (len_in.max(0) - len_in.min(0)).max() > 0.02
    # ... the file's have the medians, along the observed directions
    medians = median_bone_lengths(joints)[[c for c, _ in H36M_BONES]]
    np.testing.assert_allclose(len_fk, np.broadcast_to(medians, len_fk.shape),
                               atol=1e-5)
    cos = np.sum(vec_in * vec_fk, -1)
    sin = np.linalg.norm(np.cross(vec_in, vec_fk), axis=-1)
    assert np.degrees(np.arctan2(sin, cos)).max() < 0.01
    np.testing.assert_allclose(fk[:, 0], joints[:, 0], atol=1e-5)


@needs_pose2sim
def test_real_markers_retargeted_to_constant_lengths(tmp_path):
    """The demo markers with their bones set to the median lengths: FK
    within 1 mm of every joint."""
    from mmmotionbert.datasets.pose2sim_demo import load_pose2sim_demo
    joints = load_pose2sim_demo()['joints_3d'].astype(np.float64)
    lengths = median_bone_lengths(joints)
    fixed = joints.copy()
    for child, parent in H36M_BONES:
        d = joints[:, child] - joints[:, parent]
        fixed[:, child] = fixed[:, parent] + d / np.linalg.norm(
            d, axis=-1, keepdims=True) * lengths[child]
    fk, _ = bvhio_fk(write_bvh(str(tmp_path / 'c.bvh'), fixed, 60.0))
    err_mm = np.linalg.norm(fk - fixed, axis=-1) * 1000
    assert err_mm.max() < 1.0, err_mm.max()


def test_file_layout(tmp_path):
    joints = constant_length_motion(frames=5)
    text = open(write_bvh(str(tmp_path / 'l.bvh'), joints, 25.0,
                          name='id7_')).read()
    lines = text.splitlines()
    assert lines[0] == 'HIERARCHY' and lines[1] == 'ROOT id7_pelvis'
    assert text.count('JOINT ') == len(SKELETON) - 1
    assert text.count('End Site') == 5
    assert 'CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation ' \
        'Yrotation' in text
    motion = lines.index('MOTION')
    assert lines[motion + 1] == 'Frames: 5'
    assert lines[motion + 2] == 'Frame Time: 0.04000000'
    rows = [np.array(r.split(), float) for r in lines[motion + 3:]]
    assert len(rows) == 5 and {len(r) for r in rows} == {3 + 3 * len(SKELETON)}
    np.testing.assert_allclose(rows[3][:3], joints[3, 0], atol=1e-6)


def test_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match='17, 3'):
        write_bvh(str(tmp_path / 'x.bvh'), np.zeros((4, 16, 3)), 30.0)
    with pytest.raises(ValueError, match='fps'):
        write_bvh(str(tmp_path / 'x.bvh'), np.zeros((4, 17, 3)), 0)
    with pytest.raises(ValueError, match='finite'):
        write_bvh(str(tmp_path / 'x.bvh'), np.full((4, 17, 3), np.nan), 30.)
