# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Parity of MPJPE / P-MPJPE with the official numpy implementation."""

import numpy as np
import pytest
import torch

from mmmotionbert.evaluation.functional import mpjpe, p_mpjpe
from ..conftest import FIXTURES as PARITY_FIXTURES

FIXTURE_DIR = PARITY_FIXTURES


@pytest.fixture(scope='module')
def fixture() -> dict:
    if not FIXTURE_DIR.is_dir():
        pytest.skip(f'official parity fixtures not found at {FIXTURE_DIR}')
    return torch.load(FIXTURE_DIR / 'losses.pt', weights_only=True)


def _numpy_inputs(data: dict) -> dict:
    return {k: v.numpy() for k, v in data['inputs'].items()}


@pytest.mark.parametrize('fn', [mpjpe, p_mpjpe])
def test_parity(fixture, fn):
    cases = fixture[fn.__name__]
    assert set(cases) == {'random', 'near', 'reflected'}
    for case, data in cases.items():
        inputs = _numpy_inputs(data)
        out = fn(**inputs)
        expected = data['output'].numpy()
        assert out.shape == expected.shape == (16, ), case
        assert out.dtype == np.float64, case
        np.testing.assert_allclose(
            out, expected, rtol=1e-10, atol=1e-8, err_msg=case)


def test_inputs_not_modified(fixture):
    inputs = _numpy_inputs(fixture['p_mpjpe']['reflected'])
    copies = {k: v.copy() for k, v in inputs.items()}
    p_mpjpe(**inputs)
    for key, value in inputs.items():
        np.testing.assert_array_equal(value, copies[key])


@pytest.mark.parametrize('fn', [mpjpe, p_mpjpe])
def test_float32_computes_in_float32(fixture, fn):
    data = fixture[fn.__name__]['near']
    inputs = {k: v.astype(np.float32) for k, v in _numpy_inputs(data).items()}
    out = fn(**inputs)
    assert out.dtype == np.float32
    np.testing.assert_allclose(
        out, data['output'].numpy(), rtol=1e-4, atol=1e-3)


def test_p_mpjpe_recovers_similarity_transform():
    rng = np.random.RandomState(0)
    target = rng.randn(5, 17, 3) * 100
    angle = 0.7
    rot = np.array([[np.cos(angle), -np.sin(angle), 0],
                    [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    predicted = 1.7 * target @ rot + rng.randn(5, 1, 3) * 50
    np.testing.assert_allclose(p_mpjpe(predicted, target), 0, atol=1e-9)
    assert (mpjpe(predicted, target) > 1).all()
    # A mirror image cannot be aligned by a proper rotation.
    mirrored = target * np.array([-1, 1, 1])
    assert (p_mpjpe(mirrored, target) > 1).all()


def test_mpjpe_values():
    target = np.zeros((2, 4, 3))
    predicted = target.copy()
    predicted[0, :, 0] = 3.0
    predicted[1, 0, :] = (0, 4.0, 0)
    np.testing.assert_allclose(mpjpe(predicted, target), [3.0, 1.0])


@pytest.mark.parametrize('fn', [mpjpe, p_mpjpe])
def test_bad_shapes(fn):
    with pytest.raises(ValueError, match='same shape'):
        fn(np.zeros((4, 17, 3)), np.zeros((4, 16, 3)))
    with pytest.raises(ValueError, match=r'\(N, J, C\)'):
        fn(np.zeros((17, 3)), np.zeros((17, 3)))
