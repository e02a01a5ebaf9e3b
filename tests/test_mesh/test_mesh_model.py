# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBMeshHead / MBMeshRegressor on the synthetic SMPL model."""
import pytest
import torch

from mmmotionbert.registry import MODELS
from mmmotionbert.utils.smpl import (MissingSMPLAssetError,
                                     load_smpl_mean_params, rot6d_to_rotmat,
                                     rotmat_to_axis_angle)

DIM = 16


def _model(smpl_dir, **head):
    torch.manual_seed(0)
    cfg = dict(
        type='MBMeshRegressor',
        backbone=dict(
            type='MBDSTformer',
            dim_feat=16,
            dim_rep=DIM,
            depth=1,
            num_heads=2,
            maxlen=8),
        head=dict(
            type='MBMeshHead',
            dim_rep=DIM,
            hidden_dim=32,
            smpl_dir=smpl_dir,
            **head))
    return MODELS.build(cfg)


def test_building_reads_no_smpl_file(tmp_path):
    model = _model(str(tmp_path / 'nowhere'))
    keys = model.state_dict().keys()
    assert 'head.init_pose' in keys and 'head.fc1.weight' in keys
    assert not any('smpl' in k for k in keys)
    with pytest.raises(MissingSMPLAssetError, match='smpl_mean_params.npz'):
        model(torch.zeros(2, 4, 17, 3))


def test_forward_shapes_and_mean_pose_start(smpl_dir, smpl_paths, smpl_body):
    model = _model(smpl_dir)
    model.head.set_smpl(smpl_body)
    with torch.no_grad():
        model.head.head_pose.weight.zero_()
        model.head.head_pose.bias.zero_()
        model.head.head_shape.weight.zero_()
        model.head.head_shape.bias.zero_()
    model.eval()
    out = model(torch.randn(2, 4, 17, 3))
    assert out['theta'].shape == (2, 4, 82)
    assert out['verts'].shape == (2, 4, 6890, 3)
    assert out['kp_3d'].shape == (2, 4, 17, 3)
    # zero residuals: every frame is the SMPL mean pose and shape
    pose6d, shape = load_smpl_mean_params(smpl_paths['mean_params'])
    mean_rot = rot6d_to_rotmat(torch.from_numpy(pose6d).view(24, 6))
    assert torch.allclose(out['theta'][..., 72:],
                          torch.from_numpy(shape).expand(2, 4, 10))
    assert torch.allclose(
        out['theta'][0, 0, :72],
        rotmat_to_axis_angle(mean_rot).reshape(72),
        atol=1e-5)
    verts, kp = smpl_body(torch.from_numpy(shape)[None], rotmat=mean_rot[None])
    assert torch.allclose(out['verts'][1, 3], verts[0], atol=1e-2)
    assert torch.allclose(out['kp_3d'][1, 3], kp[0], atol=1e-2)
    # the mean parameters were read once and are saved with the model
    assert torch.equal(model.state_dict()['head.init_shape'][0],
                       torch.from_numpy(shape))


def test_loading_a_state_dict_skips_mean_params_file(tmp_path, smpl_dir,
                                                     smpl_body):
    trained = _model(smpl_dir)
    trained.head.set_smpl(smpl_body)
    trained.eval()
    x = torch.randn(1, 4, 17, 3)
    expected = trained(x)['kp_3d']
    sd = trained.state_dict()
    sd['head.smpl.v_template'] = torch.zeros(6890, 3)  # official buffers
    fresh = _model(str(tmp_path / 'missing'))  # no mean params file here
    fresh.load_state_dict(sd, strict=True)
    fresh.head.set_smpl(smpl_body)
    fresh.eval()
    assert torch.allclose(fresh(x)['kp_3d'], expected)


def test_loss_and_predict(smpl_dir, smpl_body):
    model = _model(smpl_dir)
    model.head.set_smpl(smpl_body)
    gen = torch.Generator().manual_seed(1)
    pose = torch.randn(2, 4, 72, generator=gen) * 0.2
    shape = torch.randn(2, 4, 10, generator=gen)
    samples = dict(pose=pose, shape=shape, clip_index=torch.tensor([0, 1]))
    x = torch.randn(2, 4, 17, 3, generator=gen)
    losses = model(x, samples, mode='loss')
    assert set(losses) == {
        'loss_3d_pos', 'loss_3d_velocity', 'loss_pose', 'loss_shape',
        'loss_norm'
    }
    total = sum(losses.values())
    total.backward()
    assert model.backbone.joints_embed.weight.grad.abs().sum() > 0
    assert model.head.fc1.weight.grad.abs().sum() > 0
    model.eval()
    preds = model(x, samples, mode='predict')
    assert len(preds) == 2
    assert preds[0]['verts'].shape == (4, 6890, 3)
    # the ground truth is the root-centred mesh of the given SMPL parameters
    gt = model.head.smpl_from_theta(torch.cat([pose, shape], -1))
    root = gt['kp_3d'][1, :, :1]
    assert torch.allclose(
        preds[1]['gt_kp_3d'], gt['kp_3d'][1] - root, atol=1e-3)
    assert preds[1]['gt_kp_3d'][:, 0].abs().max() < 1e-3
    with pytest.raises(KeyError, match="needs data_samples\\['pose'\\]"):
        model(x, {}, mode='loss')
    with pytest.raises(ValueError, match='mode must be'):
        model(x, mode='bad')


def test_overfitting_one_batch_lowers_pose_and_joint_losses(
        smpl_dir, smpl_body, mesh_data):
    """Gradients reach every part through SMPL and the rotation maths."""
    from mmengine.dataset import default_collate

    from mmmotionbert.datasets import MBMeshDataset
    model = _model(smpl_dir)
    model.head.set_smpl(smpl_body)
    data = MBMeshDataset(mesh_data['pw3d'], clip_len=4)
    batch = default_collate([data[0], data[len(data) - 1]])
    optim = torch.optim.AdamW(model.parameters(), lr=3e-3)
    history = []
    for _ in range(6):
        losses = model(batch['inputs'], batch['data_samples'], mode='loss')
        optim.zero_grad()
        sum(losses.values()).backward()
        optim.step()
        history.append({k: v.item() for k, v in losses.items()})
    assert history[-1]['loss_pose'] < 0.9 * history[0]['loss_pose']
    assert history[-1]['loss_3d_pos'] < history[0]['loss_3d_pos']


def test_flip_test_averages_with_mirrored_prediction(smpl_dir, smpl_body):
    model = _model(smpl_dir)
    model.head.set_smpl(smpl_body)
    model.eval()
    x = torch.randn(1, 4, 17, 3)
    with torch.no_grad():
        plain = model.head(model.backbone(x))
        model.flip_test = False
        no_flip = model.predict_tensor(x)
        model.flip_test = True
        flip = model.predict_tensor(x)
    assert torch.equal(no_flip['kp_3d'], plain['kp_3d'])
    assert not torch.allclose(flip['kp_3d'], plain['kp_3d'])
    # betas are not mirrored: the average of both shape predictions
    from mmmotionbert.utils.keypoints import flip_h36m
    with torch.no_grad():
        mirrored = model.head(model.backbone(flip_h36m(x)))
    assert torch.allclose(
        flip['theta'][..., 72:],
        (plain['theta'][..., 72:] + mirrored['theta'][..., 72:]) / 2)


def test_head_input_checks(tmp_path):
    head = MODELS.build(
        dict(
            type='MBMeshHead', dim_rep=8, hidden_dim=8,
            smpl_dir=str(tmp_path)))
    with pytest.raises(ValueError, match=r'\(N, T, 17, 8\)'):
        head(torch.zeros(1, 2, 17, 4))
    with pytest.raises(ValueError, match='dropout_ratio'):
        MODELS.build(dict(type='MBMeshHead', dropout_ratio=1.5))
