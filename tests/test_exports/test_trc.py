# Copyright (c) mmmotionbert contributors. All rights reserved.
"""TRC export, read back by Pose2Sim's own reader (``df_from_trc`` of
Pose2Sim 0.4.15's ``Utilities/trc_combine.py``, which needs pandas) and by
our :func:`~mmmotionbert.datasets.pose2sim_demo.read_trc`."""
import importlib.util

import numpy as np
import pytest

from mmmotionbert.datasets.pose2sim_demo import read_trc
from mmmotionbert.exports import POSE2SIM_MARKER_NAMES, write_trc
from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES

needs_pose2sim_reader = pytest.mark.skipif(
    importlib.util.find_spec('Pose2Sim') is None
    or importlib.util.find_spec('pandas') is None,
    reason='needs pose2sim (pip install --no-deps pose2sim==0.4.15) and '
    'pandas (requirements/tests.txt)')


def _motion(frames=30, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.5, 1.5, (frames, 17, 3)) + [0, 1, 0]


@needs_pose2sim_reader
@pytest.mark.parametrize('units', ['m', 'mm'])
def test_pose2sim_reads_it(tmp_path, units):
    from Pose2Sim.Utilities.trc_combine import df_from_trc
    joints = _motion()
    joints[4] = np.nan  # an undetected frame
    joints[7, 3] = np.nan  # one missing joint
    path = write_trc(str(tmp_path / 'a.trc'), joints, 60.0, units=units)
    header, data = df_from_trc(path)
    assert header['DataRate'] == '60' and header['Units'] == units
    assert header['NumFrames'] == '30' and header['NumMarkers'] == '17'
    labels = [c[:-2] for c in data.columns[2::3]]
    assert labels == list(H36M_JOINT_NAMES)
    values = data.to_numpy()[:, 2:].astype(float).reshape(30, 17, 3)
    scale = 1000.0 if units == 'mm' else 1.0
    np.testing.assert_allclose(values, joints * scale, atol=0.5e-6 * scale,
                               equal_nan=True)
    assert np.isnan(values[4]).all() and np.isnan(values[7, 3]).all()
    assert np.isfinite(values[7, [2, 4]]).all()
    np.testing.assert_array_equal(data['Frame#'], np.arange(1, 31))
    np.testing.assert_allclose(data['Time'], np.arange(30) / 60.0,
                               atol=1e-6)


def test_our_reader_reads_it(tmp_path):
    joints = _motion(frames=12, seed=1)
    path = write_trc(str(tmp_path / 'b.trc'), joints, 25.0,
                     marker_names='pose2sim', units='mm')
    names, markers, rate = read_trc(path)
    assert names == list(POSE2SIM_MARKER_NAMES) and rate == 25.0
    np.testing.assert_allclose(markers, joints, atol=0.5e-9)  # mm -> m


def test_header_layout(tmp_path):
    path = write_trc(str(tmp_path / 'c.trc'), _motion(frames=3), 30.0)
    lines = open(path).read().split('\n')
    assert lines[0] == 'PathFileType\t4\t(X/Y/Z)\tc.trc'
    assert lines[2].split('\t') == ['30', '30', '3', '17', 'm', '30', '1',
                                    '3']
    assert lines[3].split('\t')[:6] == ['Frame#', 'Time', 'pelvis', '', '',
                                        'right_hip']
    assert lines[4].split('\t')[:5] == ['', '', 'X1', 'Y1', 'Z1']
    assert lines[4].split('\t')[-1] == 'Z17'
    assert len(lines[5].split('\t')) == 2 + 51


def test_rejects_bad_names_and_units(tmp_path):
    joints = _motion(frames=2)
    with pytest.raises(ValueError, match='units'):
        write_trc(str(tmp_path / 'x.trc'), joints, 30.0, units='cm')
    with pytest.raises(ValueError, match='16 marker names'):
        write_trc(str(tmp_path / 'x.trc'), joints, 30.0,
                  marker_names=H36M_JOINT_NAMES[:16])
    with pytest.raises(ValueError, match='duplicate'):
        write_trc(str(tmp_path / 'x.trc'), joints, 30.0,
                  marker_names=['a'] * 17)
    with pytest.raises(ValueError, match='pose2sim'):
        write_trc(str(tmp_path / 'x.trc'), joints, 30.0, marker_names='h36m')
