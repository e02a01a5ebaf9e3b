# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBPoseLifter training targets, 2D-only clips and test-time processing."""
import pytest
import torch

from mmmotionbert.models import MBPoseLifter
from mmmotionbert.models.losses.pose_losses import (loss_2d_weighted,
                                                    loss_mpjpe, loss_velocity,
                                                    n_mpjpe)


def _lifter(**kwargs):
    torch.manual_seed(0)
    return MBPoseLifter(
        backbone=dict(type='MBDSTformer', dim_feat=16, dim_rep=16, depth=1,
                      num_heads=2, mlp_ratio=1, maxlen=8),
        head=dict(type='MBPoseHead', dim_rep=16), **kwargs)


def test_rootrel_and_global_targets():
    target = torch.randn(2, 4, 17, 3)
    rel = _lifter(rootrel=True).make_target(target)
    assert torch.all(rel[:, :, 0] == 0)
    torch.testing.assert_close(rel[:, :, 5], target[:, :, 5] - target[:, :, 0])
    glob = _lifter(rootrel=False).make_target(target)
    torch.testing.assert_close(glob[..., :2], target[..., :2])
    torch.testing.assert_close(
        glob[..., 2], target[..., 2] - target[:, 0:1, 0:1, 2])


def test_loss_is_official_combination():
    model = _lifter()
    x, target = torch.randn(2, 6, 17, 3), torch.randn(2, 6, 17, 3)
    losses = model.loss(x, dict(target=target))
    pred = model(x)
    rel = target - target[:, :, :1]
    expected = (loss_mpjpe(pred, rel) + 0.5 * n_mpjpe(pred, rel) +
                20 * loss_velocity(pred, rel))
    torch.testing.assert_close(sum(losses.values()), expected)


def test_mixed_batch_uses_2d_loss_for_2d_only_clips():
    model = _lifter()
    x, target = torch.randn(3, 6, 17, 3), torch.randn(3, 6, 17, 3)
    x[..., 2] = torch.rand(3, 6, 17)
    has_3d = torch.tensor([True, False, False])
    losses = model.loss(x, dict(target=target, has_3d=has_3d))
    pred = model(x)
    rel = target - target[:, :, :1]
    torch.testing.assert_close(losses['loss_3d_pos'],
                               loss_mpjpe(pred[:1], rel[:1]))
    torch.testing.assert_close(
        losses['loss_2d_proj'],
        loss_2d_weighted(pred[1:], rel[1:], x[1:, ..., 2:3]))
    only_2d = model.loss(
        x, dict(target=target, has_3d=torch.zeros(3, dtype=torch.bool)))
    assert set(only_2d) == {'loss_2d_proj'}


def test_predict_zeroes_root_and_gt_2d():
    model = _lifter(gt_2d=True)
    model.eval()
    x = torch.randn(1, 5, 17, 3)
    out = model.predict(x)
    assert len(out) == 1 and out[0]['pred'].shape == (5, 17, 3)
    pred = out[0]['pred']
    torch.testing.assert_close(pred[:, :, :2], x[0, :, :, :2])
    assert torch.all(pred[:, 0, 2] == 0)


def test_bad_mode_and_missing_target():
    model = _lifter()
    with pytest.raises(ValueError, match="mode must be"):
        model(torch.zeros(1, 2, 17, 3), mode='bogus')
    with pytest.raises(KeyError, match='target'):
        model.loss(torch.zeros(1, 2, 17, 3), {})


def test_test_time_processing_is_shared():
    """The model's test-time forward (used by the inferencers) and its
    predict give the same flip average; global models zero the first
    frame's pelvis depth."""
    import torch

    from mmmotionbert.models.lifters.test_time import (apply_root_convention,
                                                       flip_average)
    from mmmotionbert.registry import MODELS
    from mmmotionbert.utils.keypoints import flip_h36m
    torch.manual_seed(0)
    lifter = MODELS.build(
        dict(type='MBPoseLifter',
             backbone=dict(type='MBDSTformer', dim_feat=16, dim_rep=16,
                           depth=1, num_heads=2, mlp_ratio=1, maxlen=9),
             head=dict(type='MBPoseHead', dim_rep=16))).eval()
    x = torch.randn(3, 9, 17, 3)
    with torch.no_grad():
        raw = lifter._forward(x)
        by_hand = (raw + flip_h36m(lifter._forward(flip_h36m(x)))) / 2
        by_hand[:, :, 0] = 0
        torch.testing.assert_close(lifter.predict_tensor(x), by_hand)
        torch.testing.assert_close(lifter.test_time_forward(x), by_hand,
                                   atol=1e-6, rtol=0)
        no_flip = lifter.test_time_forward(x, flip_test=False, rootrel=False)
        assert torch.all(no_flip[:, 0, 0, 2] == 0)
        torch.testing.assert_close(no_flip[:, 1:], raw[:, 1:])
        assert not torch.equal(flip_average(lifter._forward, x), raw)
    pred = torch.ones(1, 2, 17, 3)
    apply_root_convention(pred, rootrel=False, global_first_frame=False)
    assert torch.all(pred == 1)
