# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBMeshHead: mean-pose start, SMPL posing, shape per clip, checks."""
import pytest
import torch

from mmmotionbert.models.heads.mesh_head import MBMeshHead
from mmmotionbert.utils.smpl import rotmat_to_axis_angle


def _head(smpl_dir):
    torch.manual_seed(0)
    return MBMeshHead(
        dim_rep=6, num_joints=17, hidden_dim=16, smpl_dir=smpl_dir)


def test_zero_head_gives_the_mean_pose(smpl_dir):
    head = _head(smpl_dir).eval()
    for layer in (head.head_pose, head.head_shape):
        torch.nn.init.zeros_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    out = head(torch.randn(2, 3, 17, 6))
    assert out['theta'].shape == (2, 3, 82)
    assert out['verts'].shape == (2, 3, 6890, 3)
    assert out['kp_3d'].shape == (2, 3, 17, 3)
    # every frame of every clip is the SMPL mean pose and mean shape
    theta = out['theta'].reshape(-1, 82)
    torch.testing.assert_close(theta, theta[:1].expand_as(theta))
    torch.testing.assert_close(theta[0, 72:], head.init_shape[0])
    # rotations are proper and agree with theta's axis-angle
    rot = out['rotmat'].reshape(-1, 24, 3, 3)
    eye = torch.eye(3).expand_as(rot)
    torch.testing.assert_close(
        rot @ rot.transpose(-1, -2), eye, atol=1e-5, rtol=0)
    torch.testing.assert_close(
        rotmat_to_axis_angle(rot).reshape(-1, 72),
        theta[:, :72],
        atol=1e-5,
        rtol=0)
    # posing the same parameters again gives the same mesh
    again = head.smpl_from_theta(out['theta'])
    torch.testing.assert_close(again['verts'], out['verts'], atol=1e-3, rtol=0)


def test_shape_is_one_per_clip_and_inputs_are_checked(smpl_dir):
    head = _head(smpl_dir).eval()
    out = head(torch.randn(2, 4, 17, 6))
    betas = out['theta'][..., 72:]
    torch.testing.assert_close(betas, betas[:, :1].expand_as(betas))
    assert not torch.allclose(betas[0, 0], betas[1, 0])
    with pytest.raises(ValueError, match=r'expects \(N, T, 17, 6\)'):
        head(torch.randn(2, 4, 17, 5))
    with pytest.raises(ValueError, match='at least 2 clips'):
        head.train()(torch.randn(1, 4, 17, 6))
    with pytest.raises(ValueError, match=r'\(N, T, 82\)'):
        head.smpl_from_theta(torch.randn(2, 4, 80))
