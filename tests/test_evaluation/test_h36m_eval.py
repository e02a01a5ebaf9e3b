# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Official H36M evaluation: function, metric and CLI against the fixture."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate
from torch.utils.data import DataLoader

from mmmotionbert.datasets import H36MReader, MBH36MDataset
from mmmotionbert.evaluation import MBH36MMetric
from mmmotionbert.evaluation.functional import evaluate_h36m
from mmmotionbert.evaluation.functional.h36m_eval import \
    accumulate_frame_errors
from ..conftest import FIXTURES as PARITY_FIXTURES

REPO = Path(__file__).resolve().parents[2]
FIXTURES = PARITY_FIXTURES / 'h36m_eval'
DATA_PKL = FIXTURES / 'h36m_sh_conf_cam_source_final_synthetic.pkl'
TOOL = REPO / 'tools' / 'misc' / 'eval_h36m_predictions.py'
ATOL = 1e-3  # mm
needs_fixture = pytest.mark.skipif(
    not DATA_PKL.is_file(), reason='official parity fixture not available')


@pytest.fixture(scope='module')
def expected():
    return json.loads((FIXTURES / 'expected.json').read_text())


@pytest.fixture(scope='module')
def reader():
    return H36MReader(DATA_PKL, n_frames=27)


def _evaluate(reader, pred_file, rootrel):
    clips = reader.clip_ids('test')
    return evaluate_h36m(
        np.load(FIXTURES / pred_file),
        clips,
        reader.clip_camera_wh('test'),
        reader.string_array('test', 'source')[clips[:, 0]],
        reader.array('test', '2.5d_factor'),
        reader.array('test', 'joints_2.5d_image'),
        reader.string_array('test', 'action'),
        rootrel=rootrel)


def _check(result, exp, per_action=True):
    assert result['mpjpe'] == pytest.approx(exp['e1_mpjpe_mm'], abs=ATOL)
    assert result['p_mpjpe'] == pytest.approx(exp['e2_p_mpjpe_mm'], abs=ATOL)
    if per_action:
        assert sorted(result['per_action']) == sorted(
            exp['per_action_mpjpe_mm'])
        for action, errs in result['per_action'].items():
            assert errs['mpjpe'] == pytest.approx(
                exp['per_action_mpjpe_mm'][action], abs=ATOL)
            assert errs['p_mpjpe'] == pytest.approx(
                exp['per_action_p_mpjpe_mm'][action], abs=ATOL)


@needs_fixture
def test_function_main_scenario(reader, expected):
    result = _evaluate(reader, 'predictions.npy', rootrel=True)
    _check(result, expected)
    assert result['n_frames_evaluated'] == expected['n_frames_evaluated']
    per_frame = np.load(FIXTURES / 'per_frame_errors.npz')
    np.testing.assert_array_equal(result['oc'], per_frame['oc'])
    np.testing.assert_allclose(
        result['e1_all'], per_frame['e1_all'], rtol=0, atol=1e-4)
    np.testing.assert_allclose(
        result['e2_all'], per_frame['e2_all'], rtol=0, atol=1e-4)


@needs_fixture
def test_function_absolute_scenarios(reader, expected):
    _check(
        _evaluate(reader, 'predictions_absolute.npy', rootrel=False),
        expected['alt_absolute_rootrel_false'])
    _check(
        _evaluate(reader, 'predictions_absolute.npy', rootrel=True),
        expected['quirk_absolute_predictions_with_rootrel_true'],
        per_action=False)


def test_repeated_frames_count_once_like_numpy_buffered_add():
    errors = np.array([[1., 2., 3., 4.], [5., 6., 7., 8.]], dtype=np.float32)
    frames = np.array([[0, 0, 1, 1], [1, 2, 3, 3]])
    total, count = accumulate_frame_errors(errors, frames, 5)
    ref_total, ref_count = np.zeros(5), np.zeros(5)
    for err, idx in zip(errors, frames):
        ref_total[idx] += err
        ref_count[idx] += 1
    np.testing.assert_array_equal(total, ref_total)
    np.testing.assert_array_equal(count, ref_count)


def test_shape_errors():
    with pytest.raises(ValueError, match=r'\(N_clips, T, 17, 3\)'):
        evaluate_h36m(
            np.zeros((2, 5, 17)), np.zeros((2, 5), int), np.ones((2, 2)),
            ['a', 'b'], np.ones(10), np.zeros((10, 17, 3)), ['x'] * 10)
    with pytest.raises(ValueError, match='frame_index'):
        evaluate_h36m(
            np.zeros((2, 5, 17, 3)), np.zeros((2, 4), int), np.ones((2, 2)),
            ['a', 'b'], np.ones(10), np.zeros((10, 17, 3)), ['x'] * 10)


def _run_metric(predictions, order=None, duplicate=0):
    ds = MBH36MDataset(str(DATA_PKL), split='test', clip_len=27)
    indices = list(range(len(ds))) if order is None else list(order)
    indices += indices[:duplicate]  # distributed padding repeats clips
    loader = DataLoader(
        torch.utils.data.Subset(ds, indices),
        batch_size=8,
        collate_fn=default_collate)
    metric = MBH36MMetric(rootrel=True)
    for batch in loader:
        clip_index = batch['data_samples']['clip_index'].tolist()
        outputs = [
            dict(pred=torch.from_numpy(predictions[k])) for k in clip_index
        ]
        metric.process(batch, outputs)
    return metric.compute_metrics(metric.results)


@needs_fixture
def test_metric_reproduces_official(expected):
    predictions = np.load(FIXTURES / 'predictions.npy')
    metrics = _run_metric(predictions)
    assert metrics['MPJPE'] == pytest.approx(expected['e1_mpjpe_mm'], abs=ATOL)
    assert metrics['P-MPJPE'] == pytest.approx(
        expected['e2_p_mpjpe_mm'], abs=ATOL)
    for action, value in expected['per_action_mpjpe_mm'].items():
        assert metrics[f'MPJPE/{action}'] == pytest.approx(value, abs=ATOL)
    for action, value in expected['per_action_p_mpjpe_mm'].items():
        assert metrics[f'P-MPJPE/{action}'] == pytest.approx(value, abs=ATOL)
    shuffled = _run_metric(
        predictions,
        order=np.random.default_rng(0).permutation(61),
        duplicate=5)
    assert shuffled == pytest.approx(metrics, abs=1e-9)


@needs_fixture
def test_cli_main_scenario_subprocess(expected):
    out = subprocess.run([
        sys.executable,
        str(TOOL),
        str(DATA_PKL),
        str(FIXTURES / 'predictions.npy'), '--clip-len', '27', '--rootrel'
    ],
                         capture_output=True,
                         text=True,
                         check=True,
                         cwd=str(REPO))
    result = json.loads(out.stdout)
    assert result['mpjpe'] == pytest.approx(expected['e1_mpjpe_mm'], abs=ATOL)
    assert result['p_mpjpe'] == pytest.approx(
        expected['e2_p_mpjpe_mm'], abs=ATOL)
    for action, errs in result['per_action'].items():
        assert errs['mpjpe'] == pytest.approx(
            expected['per_action_mpjpe_mm'][action], abs=ATOL)
        assert errs['p_mpjpe'] == pytest.approx(
            expected['per_action_p_mpjpe_mm'][action], abs=ATOL)


def _load_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location('eval_h36m_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_fixture
def test_cli_absolute_scenarios_and_errors(expected, capsys, tmp_path):
    tool = _load_tool()
    base = [
        str(DATA_PKL),
        str(FIXTURES / 'predictions_absolute.npy'), '--clip-len', '27'
    ]
    assert tool.main(base) == 0
    alt = json.loads(capsys.readouterr().out)
    exp = expected['alt_absolute_rootrel_false']
    assert alt['mpjpe'] == pytest.approx(exp['e1_mpjpe_mm'], abs=ATOL)
    assert alt['p_mpjpe'] == pytest.approx(exp['e2_p_mpjpe_mm'], abs=ATOL)
    assert tool.main(base + ['--rootrel']) == 0
    quirk = json.loads(capsys.readouterr().out)
    exp = expected['quirk_absolute_predictions_with_rootrel_true']
    assert quirk['mpjpe'] == pytest.approx(exp['e1_mpjpe_mm'], abs=ATOL)
    assert quirk['p_mpjpe'] == pytest.approx(exp['e2_p_mpjpe_mm'], abs=ATOL)

    bad = tmp_path / 'bad.npy'
    np.save(bad, np.zeros((60, 27, 17, 3), np.float32))
    assert tool.main([str(DATA_PKL), str(bad), '--clip-len', '27']) == 1
    assert 'expected (61, 27, 17, 3)' in capsys.readouterr().err


@needs_fixture
def test_metric_accepts_pseudo_collated_batches(expected):
    from mmengine.dataset import pseudo_collate
    predictions = np.load(FIXTURES / 'predictions.npy')
    ds = MBH36MDataset(str(DATA_PKL), split='test', clip_len=27)
    metric = MBH36MMetric()
    for start in range(0, len(ds), 16):
        items = [ds[i] for i in range(start, min(start + 16, len(ds)))]
        batch = pseudo_collate(items)
        metric.process(batch, [
            dict(
                pred=torch.from_numpy(predictions[
                    item['data_samples']['clip_index']])) for item in items
        ])
    metrics = metric.evaluate(len(ds))
    assert metrics['MPJPE'] == pytest.approx(expected['e1_mpjpe_mm'], abs=ATOL)
