# Copyright (c) mmmotionbert contributors. All rights reserved.
"""export_motion: one file per person and format, from a LiftResult's
metric motion; and the exports layer's imports."""
import ast
from pathlib import Path

import numpy as np
import pytest

from mmmotionbert.datasets.pose2sim_demo import read_trc
from mmmotionbert.exports import ANGLE_NAMES, export_motion
from mmmotionbert.structures import LiftResult, MetricMotion

from .test_bvh import constant_length_motion

PKG = Path(__file__).resolve().parents[2] / 'mmmotionbert'


def _result(fps=30.0, with_metric=True):
    world = np.stack([constant_length_motion(10, seed=s) for s in (0, 1)])
    world[1, 3] = np.nan
    metric = MetricMotion(
        keypoints_3d_metric=world.astype(np.float32),
        keypoints_3d_world=world.astype(np.float32),
        camera_to_world=np.eye(4), foot_contacts=np.zeros((2, 10, 2), bool),
        subject_heights=np.array([1.7, 1.6]))
    return LiftResult(
        keypoints_3d=world.astype(np.float32),
        scores=np.ones((2, 10, 17), np.float32),
        track_ids=np.array([3, 8]),
        keypoints_2d=np.zeros((2, 10, 17, 2), np.float32),
        root_2d=np.zeros((2, 10, 2), np.float32), frame_ids=np.arange(10),
        fps=fps, metric=metric if with_metric else None), world


def test_writes_one_file_per_person_and_format(tmp_path):
    result, world = _result()
    out = export_motion(result, str(tmp_path / 'out'), 'clip')
    assert sorted(out) == ['bvh', 'csv', 'trc']
    for fmt, paths in out.items():
        assert [Path(p).name for p in paths] == [f'clip_id3.{fmt}',
                                                 f'clip_id8.{fmt}']
        assert all(Path(p).is_file() for p in paths)
    names, markers, rate = read_trc(out['trc'][0])
    assert rate == 30.0 and markers.shape == (10, 17, 3)
    np.testing.assert_allclose(markers, world[0], atol=1e-6)
    assert open(out['bvh'][1]).read().count('\n') > 10
    lines = open(out['csv'][1]).read().splitlines()
    assert len(lines) == 11 and lines[0].split(',')[2:] == list(ANGLE_NAMES)
    assert lines[4].split(',')[2:] == [''] * len(ANGLE_NAMES)  # frame 3


def test_formats_subset_and_metric_motion_input(tmp_path):
    result, _ = _result()
    out = export_motion(result.metric, str(tmp_path), 'm', formats=['trc'],
                        fps=25.0)
    assert list(out) == ['trc']
    assert [Path(p).name for p in out['trc']] == ['m_id0.trc', 'm_id1.trc']
    assert read_trc(out['trc'][0])[2] == 25.0  # (read_trc takes no gaps)


def test_errors(tmp_path):
    result, _ = _result()
    with pytest.raises(ValueError, match=r"valid: \['bvh', 'csv', 'trc'\]"):
        export_motion(result, str(tmp_path), 'x', formats=('bvh', 'fbx'))
    no_metric, _ = _result(with_metric=False)
    with pytest.raises(ValueError, match='MetricMotion'):
        export_motion(no_metric, str(tmp_path), 'x')
    no_fps, _ = _result(fps=None)
    with pytest.raises(ValueError, match='frame rate'):
        export_motion(no_fps, str(tmp_path), 'x')
    with pytest.raises(ValueError, match='1 track ids for 2'):
        export_motion(result, str(tmp_path), 'x', track_ids=[1])
    assert not list(tmp_path.iterdir())  # nothing written on an error


def test_exports_do_not_import_upwards():
    files = sorted((PKG / 'exports').glob('*.py'))
    assert len(files) >= 5
    forbidden = ('mmmotionbert.apis', 'mmmotionbert.models',
                 'mmmotionbert.datasets', 'mmmotionbert.evaluation',
                 'mmmotionbert.visualization', 'mmmotionbert.structures')
    for f in files:
        tree = ast.parse(f.read_text())
        mods = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                for a in n.names]
        mods += [n.module or '' for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and not n.level]
        assert not [m for m in mods if m.startswith(forbidden)], f.name
        doc = ast.get_docstring(tree)
        assert 'May import' in doc and "never ``apis``" in doc, f.name
        assert len(f.read_text().splitlines()) < 300, f.name
