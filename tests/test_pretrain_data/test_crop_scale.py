# Copyright (c) mmmotionbert contributors. All rights reserved.
"""crop_scale: official normalisation, box reuse, missing joints."""
import numpy as np
import pytest

from mmmotionbert.datasets.crop_scale import (apply_crop_scale, crop_scale,
                                              crop_scale_box,
                                              invert_crop_scale)


def _motion(seed=0, frames=10):
    rng = np.random.default_rng(seed)
    xy = rng.uniform([100, 200], [500, 1000], (frames, 17, 2))
    return np.concatenate([xy, rng.uniform(0.2, 1, (frames, 17, 1))], -1)


def test_matches_official_formula():
    m = _motion()
    out, (center, scale) = crop_scale(m, return_box=True)
    xy = m[..., :2].reshape(-1, 2)
    lo, hi = xy.min(0), xy.max(0)
    assert scale == pytest.approx((hi - lo).max())
    ref = ((m[..., :2] - ((lo + hi - scale) / 2)) / scale - 0.5) * 2
    np.testing.assert_allclose(out[..., :2], ref, atol=1e-12)
    np.testing.assert_array_equal(out[..., 2], m[..., 2])
    assert out[..., :2].min() >= -1 and out[..., :2].max() <= 1
    # the longer side spans exactly [-1, 1]
    assert out[..., 1].min() == pytest.approx(-1)
    assert out[..., 1].max() == pytest.approx(1)


def test_round_trip_with_depth():
    m = _motion(1)
    center, scale = crop_scale_box(m)
    pts = np.concatenate([m[..., :2], m[..., :1] * 0.3], -1)  # xy + depth
    norm = apply_crop_scale(pts, center, scale, depth=True)
    np.testing.assert_allclose(
        norm[..., 2], pts[..., 2] / (scale / 2), rtol=1e-12)
    back = invert_crop_scale(norm, center, scale, depth=True)
    np.testing.assert_allclose(back, pts, atol=1e-9)


def test_missing_joints_do_not_poison_the_box():
    m = _motion(2)
    holed = m.copy()
    holed[3, 5] = 0  # OpenPose-style missing keypoint (0, 0, 0)
    mask = np.ones((10, 17), bool)
    mask[3, 5] = False
    out, (center, scale) = crop_scale(holed, return_box=True)
    ref_center, ref_scale = crop_scale_box(m, valid=mask)
    np.testing.assert_allclose(center, ref_center)
    assert scale == pytest.approx(ref_scale)
    assert scale < 1000  # a (0, 0) point would stretch the box to ~1000 px
    np.testing.assert_allclose(
        out[mask], np.clip(apply_crop_scale(m, center, scale), -1, 1)[mask])
    zeroed = crop_scale(holed, zero_invalid=True)
    assert (zeroed[3, 5] == 0).all()


def test_degenerate_and_random_scale():
    m = _motion(3)
    few = m.copy()
    few[..., 2] = 0
    few[0, :3, 2] = 1  # 3 valid joints < 4
    assert (crop_scale(few) == 0).all()
    assert crop_scale_box(few) is None
    base = crop_scale_box(m)[1]
    scales = [crop_scale_box(m, (1.2, 1.5), rng=i)[1] / base
              for i in range(20)]
    assert min(scales) >= 1.2 and max(scales) <= 1.5
    assert crop_scale_box(m, (1.2, 1.5), rng=5)[1] == crop_scale_box(
        m, (1.2, 1.5), rng=5)[1]
