# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBPoseHead: the official per-joint linear regression."""
import torch

from mmmotionbert.registry import ACTION_MODELS, MODELS


def test_pose_head_is_a_per_joint_linear_map():
    import mmmotionbert  # noqa: F401  (registers the modules)
    head = MODELS.build(dict(type='MBPoseHead', dim_rep=8, dim_out=3))
    assert ACTION_MODELS.get('MBPoseHead') is type(head)
    assert torch.all(head.fc.bias == 0)
    assert 0 < head.fc.weight.std() < 0.05  # trunc_normal(std=0.02)
    rep = torch.randn(2, 5, 17, 8)
    out = head(rep)
    assert out.shape == (2, 5, 17, 3)
    expected = torch.einsum('btjc,oc->btjo', rep, head.fc.weight)
    torch.testing.assert_close(out, expected + head.fc.bias)
    # each joint only sees its own features
    rep2 = rep.clone()
    rep2[:, :, 3] += 1
    diff = (head(rep2) - out).abs().sum((0, 1, 3))
    assert diff[3] > 0 and torch.all(diff[torch.arange(17) != 3] == 0)
