# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Sliding-window inference, blending, root handling and streaming."""
import numpy as np
import pytest
import torch
from torch import nn

from mmmotionbert.apis.inferencers import (MotionLifterInferencer,
                                           StreamingLifter, blend_weights,
                                           sliding_windows)
from mmmotionbert.apis.inferencers import model_files as inf_mod
from mmmotionbert.structures import KeypointSequence
from mmmotionbert.datasets.crop_scale import crop_scale
from ..conftest import official_fixture
from .conftest import coco_motion, to_layout


class PerFrameModel(nn.Module):
    """No temporal mixing: blended windows must equal one pass exactly."""

    maxlen = 8

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        return self.fc(x)


class IdentityModel(nn.Module):
    """Returns its input: a global model whose x, y are the input's."""

    maxlen = 8

    def forward(self, x):
        return x.clone()


def _h36m_seq(num_frames, persons=1):
    kps, scs = [], []
    for p in range(persons):
        kp, sc = to_layout(*coco_motion(num_frames, (200 + 250 * p, 240), p),
                           'h36m')
        kps.append(kp)
        scs.append(sc)
    return KeypointSequence(np.stack(kps), np.stack(scs), None, 'h36m')


def test_sliding_windows_cover_everything():
    assert sliding_windows(10, 27, 13) == [(0, 10)]
    wins = sliding_windows(100, 27, 13)
    assert wins[0] == (0, 27) and wins[-1] == (73, 100)
    assert all(b - a == 27 for a, b in wins)
    assert all(wins[i + 1][0] <= wins[i][1] - 13 for i in range(len(wins)
                                                               - 1))
    assert sliding_windows(27, 27, 0) == [(0, 27)]
    with pytest.raises(ValueError, match='overlap'):
        sliding_windows(30, 27, 27)
    w = blend_weights(9)
    assert (w > 0).all() and w[4] == 1 and w[0] == w[-1]


def test_single_window_equals_one_official_pass(tiny_lifter):
    seq = _h36m_seq(10)
    inf = MotionLifterInferencer(model=tiny_lifter, progress=False)
    assert inf.clip_len == 16 and inf.rootrel
    res = inf.lift(seq)
    motion = np.concatenate([seq.keypoints[0], seq.scores[0][..., None]], -1)
    norm, (center, scale) = crop_scale(motion, zero_invalid=True,
                                       return_box=True)
    with torch.no_grad():
        x = torch.from_numpy(norm[None].astype(np.float32))
        ref = tiny_lifter.predict_tensor(x)[0].numpy()  # official flip+root
    np.testing.assert_allclose(res.keypoints_3d[0], ref * scale / 2,
                               atol=1e-4)
    assert (res.keypoints_3d[0, :, 0] == 0).all()  # root-relative
    np.testing.assert_allclose(res.root_2d[0], seq.keypoints[0, :, 0])
    assert res.meta['units'].startswith('pixels')


@pytest.mark.parametrize('normalization', ['sequence', 'window'])
def test_blended_windows_equal_single_pass_for_per_frame_model(
        normalization):
    seq = _h36m_seq(30, persons=2)
    model = PerFrameModel()
    inf = MotionLifterInferencer(model=model, overlap=3, progress=False,
                                 normalization=normalization, batch_size=3)
    res = inf.lift(seq)
    big = MotionLifterInferencer(model=model, progress=False)
    big.maxlen = big.clip_len = 30
    ref = big.lift(seq)
    if normalization == 'sequence':
        np.testing.assert_allclose(res.keypoints_3d, ref.keypoints_3d,
                                   atol=1e-3)
    else:  # per-window boxes: same skeleton up to the (tiny) box change
        np.testing.assert_allclose(res.keypoints_3d, ref.keypoints_3d,
                                   atol=2.0)
    assert res.keypoints_3d.shape == (2, 30, 17, 3)


def test_global_model_keeps_image_coordinates():
    seq = _h36m_seq(20)
    inf = MotionLifterInferencer(model=IdentityModel(), rootrel=False,
                                 progress=False)
    res = inf.lift(seq)
    np.testing.assert_allclose(res.keypoints_3d[0, ..., :2],
                               seq.keypoints[0], atol=1e-3)
    assert res.keypoints_3d[0, 0, 0, 2] == pytest.approx(0, abs=1e-6)
    np.testing.assert_allclose(res.placed_3d(), res.keypoints_3d)


def test_missing_frames_and_tracks():
    seq = _h36m_seq(12, persons=2)
    seq.scores[1, :4] = 0  # person 1 appears at frame 4
    seq.scores[0, 6] = 0  # person 0 undetected in frame 6
    inf = MotionLifterInferencer(model=PerFrameModel(), progress=False)
    res = inf.lift(seq)
    assert np.isnan(res.keypoints_3d[1, :4]).all()
    assert np.isfinite(res.keypoints_3d[1, 4:]).all()
    assert np.isfinite(res.keypoints_3d[0]).all()  # filled by the model
    assert (res.scores[0, 6] == 0).all() and np.isnan(res.root_2d[0, 6]).all()


def test_official_fixture_flip_parity():
    fx = torch.load(official_fixture('dstformer.pt'), weights_only=True)
    from mmmotionbert.apis import load_official_model
    model = load_official_model(fx['checkpoint'], num_heads=4)
    inf = MotionLifterInferencer(model=model, rootrel=True, progress=False)
    out = inf.forward_clips(fx['inputs']['full'].numpy())
    ref = fx['outputs_flip']['full'].numpy().copy()
    ref[:, :, 0] = 0
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_streaming_is_causal_and_matches_windowed_prediction(tiny_lifter):
    seq = _h36m_seq(20)
    inf = MotionLifterInferencer(model=tiny_lifter, progress=False)
    stream = StreamingLifter(inf, clip_len=8)
    outs = []
    for t in range(20):
        out = stream.push(seq.keypoints[0, t], seq.scores[0, t], [0])
        assert list(out) == [0] and out[0].shape == (17, 3)
        outs.append(out[0])
    # Frame t is the last frame of the causal window [t-7, t].
    for t in (0, 5, 19):
        a = max(0, t - 7)
        motion = np.concatenate([seq.keypoints[0, a:t + 1],
                                 seq.scores[0, a:t + 1, :, None]], -1)
        norm, (center, scale) = crop_scale(motion, zero_invalid=True,
                                           return_box=True)
        pred = inf.forward_clips(norm[None])[0, -1] * scale / 2
        np.testing.assert_allclose(outs[t], pred, atol=1e-4)
    assert len(stream.latencies) == 20
    res = stream.run(seq, progress=False)
    np.testing.assert_allclose(res.keypoints_3d[0], np.stack(outs), atol=1e-4)
    assert res.meta['mode'] == 'streaming'


def test_streaming_lookahead_and_online_tracking(tiny_lifter):
    seq = _h36m_seq(10, persons=2)
    inf = MotionLifterInferencer(model=tiny_lifter, progress=False)
    stream = StreamingLifter(inf, clip_len=8, lookahead=2)
    emitted = []
    for t in range(10):
        order = [1, 0] if t % 2 else [0, 1]  # no ids, shuffled order
        out = stream.push(seq.keypoints[order, t], seq.scores[order, t])
        emitted.append(out)
    assert emitted[0] == {} and emitted[1] == {}
    assert sorted(emitted[2]) == [0, 1]
    tail = stream.flush()
    assert len(tail) == 2 and all(sorted(d) == [0, 1] for d in tail)
    res = stream.run(seq, progress=False)
    assert np.isfinite(res.keypoints_3d).all()


def test_default_model_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(inf_mod, 'DEFAULT_CHECKPOINT',
                        'checkpoints/does_not_exist.pth')
    with pytest.raises(FileNotFoundError,
                       match='does_not_exist.pth.*--checkpoint'):
        MotionLifterInferencer()
    with pytest.raises(FileNotFoundError, match='checkpoint file not found'):
        MotionLifterInferencer(checkpoint='/nonexistent/ckpt.pth')
