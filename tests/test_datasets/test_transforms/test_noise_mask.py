# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Official-style 2D detection noise, confidence and masking."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

import mmmotionbert
from mmmotionbert.datasets.transforms.masking import (MBAugmenter2D,
                                                      apply_random_mask,
                                                      sample_mask)
from mmmotionbert.datasets.transforms.noise import (
    OFFICIAL_NOISE_PARAMS_FILE, add_detection_noise,
    displacement_to_confidence, load_official_noise_params,
    sample_detection_noise)
from mmmotionbert.registry import ACTION_TRANSFORMS, TRANSFORMS


def test_official_params_packaged():
    pkg = osp.dirname(mmmotionbert.__file__)
    assert osp.dirname(OFFICIAL_NOISE_PARAMS_FILE) == osp.join(pkg, 'data')
    setup_py = open(osp.join(osp.dirname(pkg), 'setup.py')).read()
    assert "'data/*'" in setup_py  # shipped as package data
    raw = json.load(open(OFFICIAL_NOISE_PARAMS_FILE))
    assert 'Apache-2.0' in raw['_attribution']
    assert 'synthetic_noise.pth' in raw['_attribution']
    assert 'd2c_params.pkl' in raw['_attribution']
    p = load_official_noise_params()
    assert p['mean'].shape == (17, 2) and p['std'].shape == (17, 2)
    assert p['weight'].shape == (17, )
    assert p['weight'][0] == pytest.approx(0.9987454248783952)
    assert p['std'][16, 1] == pytest.approx(0.005684071647289275)
    assert p['d2c'] == pytest.approx(
        dict(a=0.028, b=1.1, m=-0.004585696384310722, s=0.14310568571090698))
    assert (p['num_key_frames'], p['frame_noise_std'],
            p['uniform_range']) == (27, 0.002, 0.06)


def test_noise_deterministic_and_shapes():
    x = np.zeros((40, 17, 3), np.float32)
    a = add_detection_noise(x, rng=3)
    b = add_detection_noise(x, rng=3)
    c = add_detection_noise(x, rng=4)
    assert a.shape == (40, 17, 3) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert ((a[..., 2] >= 0) & (a[..., 2] <= 1)).all()
    batch = add_detection_noise(np.zeros((2, 5, 17, 2)), rng=0)
    assert batch.shape == (2, 5, 17, 3)
    t = add_detection_noise(torch.zeros(1, 9, 17, 3), rng=0)
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float32
    assert t.shape == (1, 9, 17, 3)


def test_noise_mixture_statistics():
    """Key-frame offsets follow the official Gaussian/uniform mixture."""
    p = load_official_noise_params()
    rng = np.random.default_rng(0)
    # T == K: key frames land on frames; no jitter -> pure key offsets
    keys = np.stack([
        sample_detection_noise(27, rng=rng, params=p, frame_noise_std=0)
        for _ in range(800)
    ]).reshape(-1, 17, 2)
    w = p['weight'][:, None]
    mean = w * p['mean']
    second = w * (p['std']**2 + p['mean']**2) + (1 - w) * 0.06**2 / 12
    var = second - mean**2
    np.testing.assert_allclose(keys.mean(0), mean, atol=4 * np.sqrt(
        var / len(keys)).max())
    np.testing.assert_allclose(keys.var(0), var, rtol=0.1)
    assert np.abs(keys).max() <= 0.03 + 10 * p['std'].max()


def test_noise_interpolated_between_key_frames():
    """Linear in time between key frames (align_corners=True)."""
    delta = sample_detection_noise(53, rng=1, frame_noise_std=0)
    mid = 0.5 * (delta[0:-1:2] + delta[2::2])
    np.testing.assert_allclose(delta[1::2], mid, atol=1e-12)
    jitter = sample_detection_noise(53, rng=1) - delta  # same draws + jitter
    assert jitter.std() == pytest.approx(0.002, rel=0.1)


def test_displacement_to_confidence():
    p = load_official_noise_params()
    exact = dict(p, d2c=dict(p['d2c'], s=0.0))
    d = np.array([0.0, 0.01, 0.05, 0.3])
    a, b, m = 0.028, 1.1, p['d2c']['m']
    np.testing.assert_allclose(
        displacement_to_confidence(d, 0, exact),
        np.clip(a / (d + a) + b * d + m, 0, 1))
    conf = displacement_to_confidence(np.zeros(20000), 0, p)
    assert ((conf >= 0) & (conf <= 1)).all()
    # 1 + N(m, s) clipped at 1: about half the draws hit the clip
    assert 0.4 < (conf == 1).mean() < 0.6


def test_mask_rates():
    rng = np.random.default_rng(0)
    keeps = np.stack([sample_mask(243, 17, rng=rng) for _ in range(40)])
    frame_masked = ~keeps.any(-1)
    assert frame_masked.mean() == pytest.approx(0.1, abs=0.015)
    joint_masked = ~keeps[~frame_masked]
    assert joint_masked.mean() == pytest.approx(0.05, abs=0.005)


def test_mask_zeroes_all_channels_and_is_seeded():
    x = np.random.default_rng(0).random((2, 60, 17, 3)).astype(np.float32) + 1
    out, keep = apply_random_mask(x, 0.2, 0.2, rng=7)
    out2, _ = apply_random_mask(x, 0.2, 0.2, rng=7)
    np.testing.assert_array_equal(out, out2)
    assert keep.shape == (2, 60, 17)
    assert (out[~keep] == 0).all() and (out[keep] == x[keep]).all()
    t, keep_t = apply_random_mask(torch.from_numpy(x), 0.2, 0.2, rng=7)
    np.testing.assert_array_equal(t.numpy(), out)
    with pytest.raises(ValueError):
        sample_mask(3, 17, joint_mask_prob=1.5)


def test_transforms_registered_and_usable():
    for registry in (TRANSFORMS, ACTION_TRANSFORMS):
        for name in ('MBDetectionNoise2D', 'MBRandomMask2D', 'MBAugmenter2D'):
            assert registry.get(name) is not None
    aug = TRANSFORMS.build(dict(type='MBAugmenter2D', seed=1))
    x = np.zeros((81, 17, 3), np.float32)
    x[..., 2] = 1
    out = aug(dict(motion_2d=x.copy()))['motion_2d']
    assert out.shape == (81, 17, 3)
    assert (out[..., 2] < 1).any()  # confidences replaced
    # in-dataset use on another key with an explicit generator
    direct = MBAugmenter2D(key='inputs', mask=False)
    a = direct.noise.apply(x, rng=0)
    np.testing.assert_array_equal(a, add_detection_noise(x, rng=0))
