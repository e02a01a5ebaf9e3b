# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Parity of MotionBERT's losses with the official implementation."""

import pytest
import torch

from mmmotionbert.models.losses import (MBPose2DLoss, MBPoseLoss, MBSupConLoss,
                                        supcon_loss)
from mmmotionbert.models.losses import pose_losses as PL
from mmmotionbert.utils.keypoints import H36M_BONES
from ..conftest import FIXTURES as PARITY_FIXTURES

FIXTURE_DIR = PARITY_FIXTURES
POSE_FUNCTIONS = ('loss_mpjpe', 'weighted_mpjpe', 'loss_2d_weighted',
                  'n_mpjpe', 'loss_velocity', 'loss_joint', 'get_limb_lens',
                  'loss_limb_var', 'loss_limb_gt', 'get_angles', 'loss_angle',
                  'loss_angle_velocity', 'weighted_bonelen_loss',
                  'weighted_boneratio_loss')
# Official joint pairs of ``get_limb_lens`` / ``get_angles`` (limb = a - b).
OFFICIAL_LIMBS = ((0, 1), (1, 2), (2, 3), (0, 4), (4, 5), (5, 6), (0, 7),
                  (7, 8), (8, 9), (9, 10), (8, 11), (11, 12), (12, 13),
                  (8, 14), (14, 15), (15, 16))


@pytest.fixture(scope='module')
def fixture() -> dict:
    if not FIXTURE_DIR.is_dir():
        pytest.skip(f'official parity fixtures not found at {FIXTURE_DIR}')
    return torch.load(FIXTURE_DIR / 'losses.pt', weights_only=True)


def _cases(fixture: dict, name: str) -> dict:
    assert name in fixture, f'fixture has no entry for {name}'
    return fixture[name]


def _pose_pair(seed: int = 0, t: int = 8) -> tuple:
    gen = torch.Generator().manual_seed(seed)
    pred = torch.randn(2, t, 17, 3, generator=gen)
    target = torch.randn(2, t, 17, 3, generator=gen)
    return pred, target


def test_limb_order_matches_official():
    assert PL.H36M_LIMBS == OFFICIAL_LIMBS
    assert len(H36M_BONES) == 16
    assert len(PL.H36M_LIMB_ANGLES) == 18


@pytest.mark.parametrize('name', POSE_FUNCTIONS)
def test_pose_function_parity(fixture, name):
    fn = getattr(PL, name)
    for case, data in _cases(fixture, name).items():
        out = fn(**data['inputs'])
        expected = data['output']
        assert out.shape == expected.shape, (name, case)
        assert out.dtype == expected.dtype, (name, case)
        torch.testing.assert_close(
            out, expected, atol=1e-5, rtol=1e-5, msg=f'{name}/{case}')


@pytest.mark.parametrize(
    'name', ('loss_velocity', 'loss_limb_var', 'loss_angle_velocity'))
def test_single_frame_is_exactly_zero(fixture, name):
    data = _cases(fixture, name)['T1']
    assert getattr(PL, name)(**data['inputs']).item() == 0.0


def test_supcon_parity(fixture):
    for case, data in _cases(fixture, 'SupConLoss').items():
        kwargs = dict(data.get('init_kwargs', {}))
        expected = data['output']
        out = supcon_loss(**data['inputs'], **kwargs)
        torch.testing.assert_close(
            out, expected, atol=1e-5, rtol=1e-5, msg=case)
        module_out = MBSupConLoss(**kwargs)(**data['inputs'])
        torch.testing.assert_close(
            module_out, expected, atol=1e-5, rtol=1e-5, msg=case)


def test_supcon_variants():
    gen = torch.Generator().manual_seed(0)
    feats = torch.nn.functional.normalize(
        torch.randn(6, 2, 4, 4, generator=gen), dim=-1)
    labels = torch.tensor([0, 1, 0, 2, 1, 2])
    same = labels[:, None] == labels[None]
    # An explicit mask equals the labels; no labels/mask is SimCLR.
    torch.testing.assert_close(
        supcon_loss(feats, labels=labels), supcon_loss(feats, mask=same))
    torch.testing.assert_close(
        supcon_loss(feats), supcon_loss(feats, mask=torch.eye(6)))
    assert torch.isfinite(supcon_loss(feats, contrast_mode='one'))
    # The loss scales with temperature / base_temperature.
    torch.testing.assert_close(
        supcon_loss(feats, labels, temperature=0.1, base_temperature=0.2) * 2,
        supcon_loss(feats, labels, temperature=0.1, base_temperature=0.1))


@pytest.mark.parametrize('kwargs', [
    dict(features=torch.zeros(4, 8)),
    dict(features=torch.zeros(4, 2, 8), labels=torch.zeros(3)),
    dict(features=torch.zeros(4, 2, 8), mask=torch.eye(3)),
    dict(
        features=torch.zeros(4, 2, 8),
        labels=torch.zeros(4),
        mask=torch.eye(4)),
    dict(features=torch.zeros(4, 2, 8), contrast_mode='some'),
])
def test_supcon_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        supcon_loss(**kwargs)


def test_pose_loss_default_weights():
    pred, target = _pose_pair()
    losses = MBPoseLoss()(pred, target)
    assert set(losses) == {'loss_3d_pos', 'loss_3d_scale', 'loss_3d_velocity'}
    torch.testing.assert_close(losses['loss_3d_pos'],
                               PL.loss_mpjpe(pred, target))
    torch.testing.assert_close(losses['loss_3d_scale'],
                               0.5 * PL.n_mpjpe(pred, target))
    torch.testing.assert_close(losses['loss_3d_velocity'],
                               20.0 * PL.loss_velocity(pred, target))
    total = sum(losses.values())
    expected = (
        PL.loss_mpjpe(pred, target) + 0.5 * PL.n_mpjpe(pred, target) +
        20.0 * PL.loss_velocity(pred, target))
    torch.testing.assert_close(total, expected)


def test_pose_loss_all_terms():
    pred, target = _pose_pair(1)
    pred.requires_grad_(True)
    weights = dict(
        lambda_3d=2.0,
        lambda_scale=0.3,
        lambda_3d_velocity=5.0,
        lambda_lv=0.7,
        lambda_lg=1.5,
        lambda_a=0.2,
        lambda_av=0.4)
    losses = MBPoseLoss(**weights)(pred, target)
    expected = {
        'loss_3d_pos': 2.0 * PL.loss_mpjpe(pred, target),
        'loss_3d_scale': 0.3 * PL.n_mpjpe(pred, target),
        'loss_3d_velocity': 5.0 * PL.loss_velocity(pred, target),
        'loss_lv': 0.7 * PL.loss_limb_var(pred),
        'loss_lg': 1.5 * PL.loss_limb_gt(pred, target),
        'loss_a': 0.2 * PL.loss_angle(pred, target),
        'loss_av': 0.4 * PL.loss_angle_velocity(pred, target),
    }
    assert list(losses) == list(expected)
    for key, value in expected.items():
        torch.testing.assert_close(losses[key], value, msg=key)
    sum(losses.values()).backward()
    assert torch.isfinite(pred.grad).all()


def test_pose_loss_only_nonzero_terms():
    pred, target = _pose_pair(2)
    losses = MBPoseLoss(
        lambda_scale=0., lambda_3d_velocity=0., lambda_lg=1.)(pred, target)
    assert set(losses) == {'loss_3d_pos', 'loss_lg'}


def test_pose_loss_registered():
    from mmaction.registry import MODELS as ACTION_MODELS
    from mmpose.registry import MODELS
    for registry in (MODELS, ACTION_MODELS):
        for name in ('MBPoseLoss', 'MBPose2DLoss', 'MBSupConLoss'):
            assert registry.get(name) is not None, name
    loss = MODELS.build(dict(type='MBPoseLoss', lambda_av=1.0))
    assert isinstance(loss, MBPoseLoss) and loss.lambda_av == 1.0


def test_pose_loss_bad_arguments():
    pred, target = _pose_pair()
    with pytest.raises(ValueError, match='same shape'):
        MBPoseLoss()(pred, target[:, :4])
    with pytest.raises(ValueError, match='17'):
        MBPoseLoss()(pred[:, :, :16], target[:, :, :16])
    with pytest.raises(ValueError, match='lambda_scale'):
        MBPoseLoss(lambda_scale=-1.)
    with pytest.raises(ValueError, match='nonzero'):
        MBPoseLoss(0, 0, 0, 0, 0, 0, 0)


def test_pose_2d_loss(fixture):
    data = _cases(fixture, 'loss_2d_weighted')['default']
    inputs = data['inputs']
    out = MBPose2DLoss(lambda_2d=2.0)(inputs['predicted'],
                                      inputs['target'][..., :2],
                                      inputs['conf'][..., 0])
    assert list(out) == ['loss_2d_proj']
    torch.testing.assert_close(
        out['loss_2d_proj'], 2.0 * data['output'], atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match='conf'):
        MBPose2DLoss()(inputs['predicted'], inputs['target'],
                       inputs['conf'][:, :4])
    with pytest.raises(ValueError, match='target'):
        MBPose2DLoss()(inputs['predicted'], inputs['target'][:, :4],
                       inputs['conf'])


@pytest.mark.parametrize('fn, args', [
    (PL.loss_mpjpe, (torch.zeros(2, 4, 17, 3), torch.zeros(2, 4, 17, 2))),
    (PL.loss_joint, (torch.zeros(2, 4, 17, 3), torch.zeros(2, 4, 16, 3))),
    (PL.n_mpjpe, (torch.zeros(4, 17, 3), torch.zeros(4, 17, 3))),
    (PL.loss_velocity, (torch.zeros(2, 4, 17, 3), torch.zeros(2, 5, 17, 3))),
    (PL.weighted_mpjpe, (torch.zeros(2, 4, 17, 3), torch.zeros(
        2, 4, 17, 3), torch.ones(3, 4, 17))),
    (PL.get_limb_lens, (torch.zeros(2, 4, 16, 3), )),
    (PL.get_angles, (torch.zeros(4, 17, 3), )),
    (PL.loss_limb_var, (torch.zeros(2, 4, 18, 3), )),
    (PL.loss_angle, (torch.zeros(2, 4, 17, 3), torch.zeros(2, 3, 17, 3))),
    (PL.loss_angle_velocity,
     (torch.zeros(2, 4, 17, 3), torch.zeros(2, 4, 17, 2))),
    (PL.weighted_bonelen_loss, (torch.ones(2, 4, 16), torch.ones(2, 4, 15))),
])
def test_functional_bad_shapes(fn, args):
    with pytest.raises(ValueError):
        fn(*args)
