# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The demo's metric output and exports through the command line: the
Pose2Sim recording end to end, and bad metric options as one-line errors."""
import json

import numpy as np
import pytest

from .test_cli_errors import DEMO, _run, assert_one_line_error


def _clip(tmp_path, persons=1):
    """A valid H36M-17 keypoint file: a standing pose drifting right."""
    rng = np.random.default_rng(0)
    pose = np.array([[0, 0], [-15, 0], [-15, 60], [-15, 120], [15, 0],
                     [15, 60], [15, 120], [0, -40], [0, -80], [0, -95],
                     [0, -110], [20, -80], [30, -40], [35, 0], [-20, -80],
                     [-30, -40], [-35, 0]], np.float64) + [300, 200]
    T = 30
    kp = np.zeros((persons, T, 17, 3))
    for p in range(persons):
        kp[p, :, :, :2] = pose + [200 * p, 0] + np.arange(T)[:, None, None]
        kp[p, :, :, :2] += rng.normal(0, 1.0, (T, 17, 2))
        kp[p, ..., 2] = 0.9
    np.save(tmp_path / 'clip.npy', kp[0] if persons == 1 else kp)


CALIB = """[cam_01]
size = [ 640.0, 480.0]
matrix = [ [ 600.0, 0.0, 320.0], [ 0.0, 600.0, 240.0], [ 0.0, 0.0, 1.0]]
distortions = [ 0.0, 0.0, 0.0, 0.0]
"""


@pytest.mark.parametrize('args, message', [
    (['--calibration', 'broken.toml'], r'broken\.toml does not parse'),
    (['--calibration', 'calib.toml', '--camera', 'cam_07'],
     r"camera 'cam_07' is not in calib\.toml; it has \['cam_01'\]"),
    (['--calibration', 'missing.toml'], r'missing\.toml not found'),
    (['--calibration', 'calib.toml', '--fov', '50'],
     '--fov cannot be used with --calibration'),
    (['--subject-height', '-1.7'], 'subject height must be positive'),
    (['--subject-height', 'tall'], '--subject-height: expected metres'),
    (['--subject-height', '1.7', '1.8', '1.9'],
     r'3 subject heights for 1 tracks \[0\]'),
    (['--subject-height', '0:1.7', '5:1.8'], None),  # fine: extra ids
    (['--subject-height', '3:1.7'], r'no subject height for track\(s\) '
     r'\[0\]'),
    (['--focal-length', '0'], 'focal length must be positive pixels'),
    (['--fov', '200'], r'field of view must be in \(0, 180\)'),
    (['--export', 'obj'], r"--export: unknown format\(s\) \['obj'\]"),
    (['--export', 'bvh', '--no-metric'], '--export needs the metric'),
])
def test_bad_metric_options_are_one_line(tmp_path, args, message):
    _clip(tmp_path)
    (tmp_path / 'calib.toml').write_text(CALIB)
    (tmp_path / 'broken.toml').write_text('[cam_01\nmatrix = [1, 2')
    proc = _run([DEMO, 'clip.npy', '--format', 'h36m', '--out-dir', 'out',
                 '--vis', 'none', '--no-progress'] + args, tmp_path)
    if message is None:
        assert proc.returncode == 0, proc.stderr[-2000:]
        return
    assert_one_line_error(proc, message, tmp_path / 'out')


def test_keypoint_file_with_default_camera_and_exports(tmp_path):
    _clip(tmp_path, persons=2)
    proc = _run([DEMO, 'clip.npy', '--format', 'h36m', '--out-dir', 'out',
                 '--vis', 'none', '--no-progress', '--export', 'all',
                 '--subject-height', '1.8', '1.6'], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = tmp_path / 'out'
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ['clip.npz', 'clip.json', 'clip.html'] +
        [f'clip_id{i}.{ext}' for i in (0, 1) for ext in ('bvh', 'trc', 'csv')])
    data = np.load(out / 'clip.npz')
    assert data['keypoints_3d_metric'].shape == (2, 30, 17, 3)
    assert data['subject_heights'].tolist() == [1.8, 1.6]
    meta = json.loads(str(data['meta']))['metric']
    assert meta['units'] == 'm'
    assert 'default field of view 60' in meta['camera']['source']
    assert 'keypoints\' extent' in meta['camera']['source']


def test_pose2sim_demo_metric_output(tmp_path):
    """The README's demo input: metric errors within the targets of the
    issue, every export written and readable."""
    pytest.importorskip('Pose2Sim')
    from mmmotionbert.datasets.pose2sim_demo import read_trc
    proc = _run([DEMO, 'pose2sim:cam4', '--out-dir', 'out', '--vis', 'none',
                 '--no-progress', '--export', 'bvh,trc,csv,html'], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = [ln for ln in proc.stdout.splitlines()
            if ln.startswith('pose2sim_metric: ')][0]
    numbers = eval(line.split(': ', 1)[1])  # the printed dict
    assert numbers['abs_mpjpe_mm'] < 180 and numbers['root_error_mm'] < 150
    assert numbers['rootrel_mpjpe_mm'] < 95 and numbers['frames'] == 100
    out = tmp_path / 'out'
    data = np.load(out / 'pose2sim_cam4.npz')
    world = data['keypoints_3d_world']
    assert world.shape == (1, 100, 17, 3) and data['fps'] == 60
    meta = json.loads(str(data['meta']))['metric']
    assert meta['height_source'] == 'Pose2Sim static trial'
    assert meta['world_source'].startswith('calibration extrinsics')
    names, markers, rate = read_trc(str(out / 'pose2sim_cam4_id0.trc'))
    assert rate == 60 and markers.shape == (100, 17, 3)
    assert np.allclose(markers, world[0], atol=1e-4)
    twin = json.loads((out / 'pose2sim_cam4.json').read_text())
    assert len(twin['persons'][0]['keypoints_3d_world']) == 100
    assert (out / 'pose2sim_cam4.html').stat().st_size > 100_000
