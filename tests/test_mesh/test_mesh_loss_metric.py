# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBMeshLoss and MBMeshMetric: known answers."""
import numpy as np
import pytest
import torch

from mmmotionbert.evaluation.metrics.mesh_metric import (MBMeshMetric,
                                                         joint_errors,
                                                         mesh_errors)
from mmmotionbert.models.losses import MBMeshLoss


def _theta(n, t, pose=0.0, betas=0.0):
    theta = torch.zeros(n, t, 82)
    theta[..., :72] = pose
    theta[..., 72:] = betas
    return theta


def test_loss_known_values():
    kp = torch.zeros(1, 2, 17, 3)
    target = dict(theta=_theta(1, 2), kp_3d=kp)
    pred_kp = kp.clone()
    pred_kp[:, 1, 5, 0] = 17.0  # one joint 17 mm off in frame 1
    pred = dict(theta=_theta(1, 2, betas=0.5), kp_3d=pred_kp)
    losses = MBMeshLoss()(pred, target)
    # MPJPE: 17 mm on 1 of 34 joints; velocity: 17 mm on 1 of 17 joints
    assert losses['loss_3d_pos'].item() == pytest.approx(0.5 * 17 / 34)
    assert losses['loss_3d_velocity'].item() == pytest.approx(10 * 17 / 17)
    assert losses['loss_pose'].item() == pytest.approx(0.0, abs=1e-4)
    assert losses['loss_shape'].item() == pytest.approx(1 * 0.5)
    # theta norm: sqrt(10 * 0.25) per frame
    assert losses['loss_norm'].item() == pytest.approx(20 * np.sqrt(2.5))
    # root-relative: shifting every joint changes nothing
    shifted = dict(theta=pred['theta'], kp_3d=pred_kp + 100.0)
    again = MBMeshLoss()(shifted, target)
    assert again['loss_3d_pos'].item() == pytest.approx(0.5 * 17 / 34)


def test_loss_pose_term_compares_rotation_matrices():
    target = dict(theta=_theta(1, 1), kp_3d=torch.zeros(1, 1, 17, 3))
    theta = _theta(1, 1)
    theta[0, 0, 3 * 4 + 2] = np.pi / 2  # joint 4 turned 90 deg about z
    pred = dict(theta=theta, kp_3d=torch.zeros(1, 1, 17, 3))
    loss = MBMeshLoss(
        lambda_3d=0, lambda_3d_velocity=0, lambda_shape=0, lambda_norm=0)
    # R - I = [[-1, -1, 0], [1, -1, 0], [0, 0, 0]]: L1 sum 4 over 24 * 9
    assert loss(pred, target)['loss_pose'].item() == pytest.approx(
        1000 * 4 / 216, rel=1e-5)
    mse = MBMeshLoss(
        lambda_3d=0,
        lambda_3d_velocity=0,
        lambda_shape=0,
        lambda_norm=0,
        loss_type='MSE')
    assert mse(pred, target)['loss_pose'].item() == pytest.approx(
        1000 * 4 / 216, rel=1e-5)
    with pytest.raises(ValueError, match='loss_type'):
        MBMeshLoss(loss_type='L2')
    with pytest.raises(ValueError, match='>= 0'):
        MBMeshLoss(lambda_pose=-1)
    with pytest.raises(KeyError, match="no 'theta'"):
        loss(dict(kp_3d=pred['kp_3d']), target)


def _h36m_line_pose():
    """17 joints: pelvis at 0, joints 1 / 4 on the x axis, others at 0."""
    gt = np.zeros((1, 17, 3))
    gt[0, 1] = [1, 0, 0]
    gt[0, 4] = [-1, 0, 0]
    gt[0, 2] = [0, 1, 0]
    gt[0, 5] = [0, -1, 0]
    pred = gt.copy()
    pred[0, 2] = 0
    pred[0, 5] = 0
    return pred, gt


def test_pa_mpjpe_known_answer():
    """Collapsing two joints costs 1 mm each, whatever similarity follows."""
    pred, gt = _h36m_line_pose()
    # on the 14 evaluated joints: 2 wrong by 1 mm -> 2 / 14
    errs = joint_errors(pred, gt)
    assert errs['MPJPE'] == pytest.approx(2 / 14)
    assert errs['PA-MPJPE'] == pytest.approx(2 / 14, abs=1e-9)
    # any scale / rotation / translation of the prediction: PA-MPJPE holds
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    q *= np.sign(np.linalg.det(q))
    moved = 3.0 * pred @ q.T + np.array([10.0, -4.0, 7.0])
    errs = joint_errors(moved, gt)
    assert errs['MPJPE'] > 0.5  # the similarity transform is not undone
    assert errs['PA-MPJPE'] == pytest.approx(2 / 14, abs=1e-9)
    assert errs['PA-MPJPE-17'] == pytest.approx(2 / 17, abs=1e-9)


def test_mpve_known_answer():
    rng = np.random.default_rng(0)
    gt_kp = rng.normal(size=(2, 17, 3))
    gt_verts = rng.normal(size=(2, 50, 3))
    pred_verts = gt_verts + np.array([0.0, 3.0, 4.0])  # 5 mm everywhere
    # root-centred on each own pelvis: a global shift of both is free
    pred_kp = gt_kp + 1000.0
    errs = mesh_errors(pred_verts + 1000.0, pred_kp, gt_verts, gt_kp)
    assert errs['MPVE'] == pytest.approx(5.0)
    assert errs['MPJPE'] == pytest.approx(0, abs=1e-9)
    assert errs['PA-MPJPE'] == pytest.approx(0, abs=1e-6)


def test_metric_dedups_clips_and_averages_frames():
    metric = MBMeshMetric()
    gt_verts = torch.zeros(2, 30, 3)
    kp = torch.randn(2, 17, 3, generator=torch.Generator().manual_seed(0))
    good = dict(verts=gt_verts, kp_3d=kp, gt_verts=gt_verts, gt_kp_3d=kp)
    bad = dict(good, verts=gt_verts + torch.tensor([0., 0, 6]))
    batch = dict(data_samples=dict(clip_index=torch.tensor([0, 1])))
    metric.process(batch, [good, bad])
    # distributed padding repeats clip 1: counted once
    metric.process(dict(data_samples=dict(clip_index=[1])), [bad])
    out = metric.compute_metrics(metric.results)
    assert out['MPVE'] == pytest.approx(3.0)
    assert out['MPJPE'] == pytest.approx(0, abs=1e-6)
    with pytest.raises(KeyError, match='gt_verts'):
        metric.process(batch, [dict(verts=gt_verts, kp_3d=kp)] * 2)
