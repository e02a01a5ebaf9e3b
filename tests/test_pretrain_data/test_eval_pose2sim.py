# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Real-data evaluation: windows + flip, and the eval tool end to end."""
import importlib.util
import json
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmmotionbert.apis.pose2sim_eval import lift_sequence, model_clip_len
from mmmotionbert.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CFG = f"""
_base_ = ['{REPO}/configs/_base_/default_runtime.py',
          '{REPO}/configs/_base_/models/dstformer_lifter.py']
model = dict(
    backbone=dict(dim_feat=16, dim_rep=16, depth=1, num_heads=2,
                  mlp_ratio=1, maxlen=27),
    head=dict(dim_rep=16))
"""


class _PerFrame(torch.nn.Module):
    """Maps each frame on its own, records window lengths."""
    maxlen = 27

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.tensor(2.0))
        self.lengths = []

    def forward(self, x):
        self.lengths.append(x.shape[1])
        return x * self.scale


def test_lift_sequence_windows_and_flip():
    model = _PerFrame()
    assert model_clip_len(model) == 27
    x = np.random.default_rng(0).normal(size=(100, 17, 3)).astype(np.float32)
    out = lift_sequence(model, x)
    np.testing.assert_allclose(out, 2 * x, rtol=1e-6)  # flip-equivariant
    # default overlap 13 (stride 14): starts 0, 14, ..., 70 and 73, x flip
    assert model.lengths == [27] * 14
    model.lengths.clear()
    tiled = lift_sequence(model, x, overlap=0)
    np.testing.assert_allclose(tiled, 2 * x, rtol=1e-6)
    assert model.lengths == [27] * 8  # 4 windows (last one: 73..100) x flip
    model.lengths.clear()
    short = lift_sequence(model, x[:10], flip=False)
    assert model.lengths == [10] and short.shape == (10, 17, 3)


class _WindowCounter(torch.nn.Module):
    """Predicts the constant k for the k-th window it sees."""
    maxlen = 27

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return torch.full_like(x, float(self.calls))


def test_lift_sequence_blends_overlapping_windows():
    x = np.zeros((41, 17, 3), np.float32)  # windows [0, 27) and [14, 41)
    out = lift_sequence(_WindowCounter(), x, flip=False)
    assert out[0, 0, 0] == 1.0 and out[40, 0, 0] == 2.0  # one window each
    # frame 20: 7th frame from the end of window 1 and 7th of window 2,
    # equal triangular weights -> the mean of 1 and 2
    assert out[20, 0, 0] == pytest.approx(1.5)
    # frame 14: weight 13/14 for window 1 (t=14), 1/14 for window 2 (t=0)
    assert out[14, 0, 0] == pytest.approx((13 * 1 + 1 * 2) / 14)


def test_lift_sequence_per_window_matches_the_inferencer():
    """``per_window`` lifts exactly as MotionLifterInferencer's default."""
    import mmmotionbert  # noqa: F401
    from mmmotionbert.apis import KeypointSequence, MotionLifterInferencer
    cfg = Config.fromstring(TINY_CFG, '.py')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    rng = np.random.default_rng(1)
    # a person walking right and growing (boxes differ between windows)
    t = np.arange(60, dtype=np.float64)[:, None, None]
    base = rng.uniform(-60, 60, size=(1, 17, 2))
    pix = (500 + 3 * t * np.array([1.0, 0.2]) + base * (1 + t / 40))
    scores = rng.uniform(0.5, 1.0, size=(60, 17))
    kpts = np.concatenate([pix, scores[..., None]], -1).astype(np.float32)
    ours = lift_sequence(model, kpts, per_window=True)
    seq = KeypointSequence(pix[None].astype(np.float32),
                           scores[None].astype(np.float32),
                           np.array([0]), 'h36m')
    ref = MotionLifterInferencer(model=model, progress=False).lift(seq)
    # (the inferencer also sets a root-relative model's pelvis to 0)
    np.testing.assert_allclose(ours[:, 1:], ref.keypoints_3d[0, :, 1:],
                               rtol=1e-4, atol=1e-3)
    assert not ref.keypoints_3d[0, :, 0].any()
    # pixel units: the windows' predictions are scaled by their own boxes,
    # unlike one box for the whole sequence
    from mmmotionbert.datasets.crop_scale import crop_scale
    whole = lift_sequence(model, crop_scale(kpts, zero_invalid=True))
    assert np.abs(ours).max() > 20 * np.abs(whole).max()
    with pytest.raises(ValueError, match='fewer than 4'):
        lift_sequence(model, np.zeros((30, 17, 3), np.float32),
                      per_window=True)


@pytest.mark.skipif(
    importlib.util.find_spec('Pose2Sim') is None,
    reason='pose2sim is not installed (pip install --no-deps '
    'pose2sim==0.4.15)')
def test_eval_tool_end_to_end(tmp_path, capsys):
    import mmmotionbert  # noqa: F401
    cfg_path = tmp_path / 'tiny.py'
    cfg_path.write_text(TINY_CFG)
    cfg = Config.fromfile(str(cfg_path))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    ckpt = tmp_path / 'tiny.pth'
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(cfg=cfg.pretty_text)), ckpt)
    mocap = tmp_path / 'mocap.npz'
    if importlib.util.find_spec('pybullet') is not None:
        from mmmotionbert.datasets.mocap.pybullet_fk import (
            convert_deepmimic_clips, write_mocap_cache)
        write_mocap_cache(convert_deepmimic_clips(fps=60, progress=False),
                          str(mocap))
    sys.path.insert(0, osp.join(REPO, 'tools', 'misc'))
    try:
        import eval_pose2sim
    finally:
        sys.path.remove(osp.join(REPO, 'tools', 'misc'))
    # the checkpoint alone (its meta cfg rebuilds the model)
    result = eval_pose2sim.main(['--checkpoint', str(ckpt), '--mocap-cache',
                                 str(mocap)])
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed['p_mpjpe_mm'] == pytest.approx(result['p_mpjpe_mm'])
    assert sorted(printed['cameras']) == ['cam1', 'cam2', 'cam3', 'cam4']
    assert result['clip_len'] == 27
    assert result['model'] == 'checkpoint meta cfg'
    cams = result['cameras'].values()
    assert all(np.isfinite(c['p_mpjpe_mm']) and c['p_mpjpe_mm'] > 0
               for c in cams)
    if mocap.exists():  # constant mean DeepMimic pose: ~125-130 mm
        assert 100 < result['baseline_p_mpjpe_mm'] < 160
    else:
        assert result['baseline_p_mpjpe_mm'] is None
    # config + the same weights give the same numbers
    again = eval_pose2sim.main(['--config', str(cfg_path), '--checkpoint',
                                str(ckpt), '--mocap-cache', str(mocap)])
    assert again['p_mpjpe_mm'] == pytest.approx(result['p_mpjpe_mm'])
    assert again['model'] == 'config+checkpoint'
    from mmmotionbert.utils.cli import UserInputError
    with pytest.raises(UserInputError, match='not found'):
        eval_pose2sim.main(['--checkpoint', str(tmp_path / 'missing.pth')])
