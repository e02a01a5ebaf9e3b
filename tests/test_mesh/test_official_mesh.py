# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Parity with the official mesh code; official mesh checkpoints."""
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch

from mmmotionbert.apis import load_official_model
from mmmotionbert.evaluation.metrics.mesh_metric import mesh_errors
from mmmotionbert.models.losses import MBMeshLoss
from mmmotionbert.registry import MODELS
from mmmotionbert.utils.official import convert_official_checkpoint
from mmmotionbert.utils.smpl import MissingSMPLAssetError

FIXTURE = Path(__file__).parent / 'data' / 'official_mesh_parity.npz'


@pytest.fixture(scope='module')
def official():
    """Outputs of the official code (see make_official_fixture.py)."""
    return dict(np.load(FIXTURE))


def _fixture_model(official, smpl_dir, smpl_body):
    model = MODELS.build(
        dict(
            type='MBMeshRegressor',
            backbone=dict(
                type='MBDSTformer',
                dim_feat=8,
                dim_rep=8,
                depth=1,
                num_heads=2,
                maxlen=4),
            head=dict(
                type='MBMeshHead', dim_rep=8, hidden_dim=16,
                smpl_dir=smpl_dir)))
    model.backbone = torch.nn.Linear(3, 8)
    model.backbone.load_state_dict({
        k.split('/', 1)[1]: torch.from_numpy(v)
        for k, v in official.items() if k.startswith('backbone/')
    })
    model.head.load_state_dict({
        k.split('/', 1)[1]: torch.from_numpy(v)
        for k, v in official.items() if k.startswith('head/')
    })
    model.head.set_smpl(smpl_body)
    return model


def test_parity_with_official_head_loss_flip_and_evaluation(
        official, smpl_dir, smpl_body):
    assert float(smpl_body.smpl.v_template.double().sum()) == pytest.approx(
        float(official['v_template_sum']), rel=1e-6), (
            'the synthetic SMPL generator changed; regenerate the fixture '
            'with tests/test_mesh/make_official_fixture.py')
    model = _fixture_model(official, smpl_dir, smpl_body)
    x = torch.from_numpy(official['x'])
    model.eval()
    with torch.no_grad():
        out = model(x)
        flip = model.predict_tensor(x)
    for key, tol in (('theta', 1e-5), ('kp_3d', 1e-3)):
        np.testing.assert_allclose(out[key], official[f'eval_{key}'], atol=tol)
        np.testing.assert_allclose(
            flip[key], official[f'flip_{key}'], atol=tol)
    np.testing.assert_allclose(
        out['verts'][:, :, ::97], official['eval_verts_sub'], atol=1e-3)
    np.testing.assert_allclose(
        flip['verts'][:, :, ::97], official['flip_verts_sub'], atol=1e-3)
    # ground truth mesh and official evaluate_mesh on the flip-test output
    gt = model.ground_truth(torch.from_numpy(official['gt_theta']))
    np.testing.assert_allclose(gt['kp_3d'], official['gt_kp_3d'], atol=1e-3)
    np.testing.assert_allclose(
        gt['verts'][:, :, ::97], official['gt_verts_sub'], atol=1e-3)
    errs = mesh_errors(flip['verts'].reshape(-1, 6890, 3).numpy(),
                       flip['kp_3d'].reshape(-1, 17, 3).numpy(),
                       gt['verts'].reshape(-1, 6890, 3).numpy(),
                       gt['kp_3d'].reshape(-1, 17, 3).numpy())
    for ours, theirs in (('MPVE', 'mpve'), ('MPJPE', 'mpjpe'),
                         ('PA-MPJPE', 'pa_mpjpe'), ('MPJPE-17', 'mpjpe_17j'),
                         ('PA-MPJPE-17', 'pa_mpjpe_17j')):
        assert errs[ours] == pytest.approx(
            float(official[f'eval/{theirs}']), abs=2e-3), ours
    # training mode (batch statistics) and the official loss terms
    model.train()
    train = model(x)
    np.testing.assert_allclose(
        train['theta'].detach(), official['train_theta'], atol=1e-5)
    np.testing.assert_allclose(
        train['kp_3d'].detach(), official['train_kp_3d'], atol=1e-3)
    target = dict(
        theta=torch.from_numpy(official['gt_theta']),
        kp_3d=torch.from_numpy(official['gt_kp_3d']))
    pred = dict(
        theta=torch.from_numpy(official['train_theta']),
        kp_3d=torch.from_numpy(official['train_kp_3d']))
    losses = MBMeshLoss()(pred, target)
    weights = dict(
        loss_3d_pos=0.5,
        loss_3d_velocity=10,
        loss_pose=1000,
        loss_shape=1,
        loss_norm=20)
    assert set(losses) == set(weights)
    for key, weight in weights.items():
        assert losses[key].item() == pytest.approx(
            weight * float(official[f'loss/{key}']), rel=1e-5), key


def _official_checkpoint(smpl_body):
    """A tiny model saved the way official train_mesh.py saves one."""
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='MBMeshRegressor',
            backbone=dict(
                type='MBDSTformer',
                dim_feat=16,
                dim_rep=8,
                depth=1,
                num_heads=2,
                maxlen=8),
            head=dict(type='MBMeshHead', dim_rep=8, hidden_dim=24)))
    with torch.no_grad():
        model.head.init_pose.copy_(torch.randn(1, 144))
        model.head.init_shape.copy_(torch.randn(1, 10) * 0.1)
    model.head._mean_params_ready = True
    model.head.set_smpl(smpl_body)
    sd = OrderedDict()
    for k, v in model.state_dict().items():
        sd['module.' + k] = v
    sd['module.backbone.head.weight'] = torch.zeros(3, 8)
    sd['module.backbone.head.bias'] = torch.zeros(3)
    for k, v in smpl_body.smpl.state_dict().items():
        sd['module.head.smpl.' + k] = v
    sd['module.head.smpl.J_regressor_h36m'] = smpl_body.j_regressor_h36m
    sd['module.head.smpl.J_regressor_extra'] = smpl_body.j_regressor_extra
    return model.eval(), {'epoch': 3, 'model': sd, 'best_jpe': 80.0}


def test_load_official_mesh_checkpoint(tmp_path, smpl_dir, smpl_body):
    reference, ckpt = _official_checkpoint(smpl_body)
    x = torch.randn(2, 4, 17, 3)
    with torch.no_grad():
        expected = reference(x)
    # no SMPL files: the body model stored in the checkpoint is used
    model = load_official_model(
        ckpt,
        task='mesh',
        num_heads=2,
        task_kwargs=dict(smpl_dir=str(tmp_path)))
    assert model.head.fc1.weight.shape == (24, 17 * 8)
    with torch.no_grad():
        out = model(x)
    for key in ('theta', 'verts', 'kp_3d'):
        assert torch.allclose(out[key], expected[key], atol=1e-4), key
    # the SMPL files, when asked for
    files = load_official_model(
        ckpt,
        task='mesh',
        num_heads=2,
        task_kwargs=dict(smpl_dir=smpl_dir, smpl_source='files'))
    with torch.no_grad():
        assert torch.allclose(files(x)['kp_3d'], expected['kp_3d'], atol=1e-3)
    missing = load_official_model(
        ckpt,
        task='mesh',
        num_heads=2,
        task_kwargs=dict(smpl_dir=str(tmp_path), smpl_source='files'))
    with pytest.raises(MissingSMPLAssetError, match='SMPL_NEUTRAL.pkl'):
        missing(x)
    with pytest.raises(ValueError, match='smpl_source'):
        load_official_model(
            ckpt, task='mesh', task_kwargs=dict(smpl_source='web'))


def test_converted_official_checkpoint_loads_strictly(smpl_dir, smpl_body):
    reference, ckpt = _official_checkpoint(smpl_body)
    converted = convert_official_checkpoint(ckpt)
    assert converted['meta']['official_format'] == 'official_task'
    model = MODELS.build(
        dict(
            type='MBMeshRegressor',
            backbone=dict(
                type='MBDSTformer',
                dim_feat=16,
                dim_rep=8,
                depth=1,
                num_heads=2,
                maxlen=8),
            head=dict(
                type='MBMeshHead', dim_rep=8, hidden_dim=24,
                smpl_dir=smpl_dir)))
    # official head.smpl.* buffers are ignored, mean params are taken
    model.load_state_dict(converted['state_dict'], strict=True)
    model.head.set_smpl(smpl_body)
    model.eval()
    x = torch.randn(1, 4, 17, 3)
    with torch.no_grad():
        assert torch.allclose(
            model(x)['kp_3d'], reference(x)['kp_3d'], atol=1e-4)
    assert not any('smpl' in k for k in model.state_dict())
