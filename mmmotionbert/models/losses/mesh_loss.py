# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MotionBERT's mesh training objective (official ``MeshLoss``).

May import: torch, :mod:`mmmotionbert.registry`, :mod:`mmmotionbert.utils`
(rotation, smpl) and :mod:`.pose_losses`; never ``apis`` or ``datasets``.
"""
from typing import Callable, Dict, Mapping, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmmotionbert.registry import register_shared_model
from mmmotionbert.utils.rotation import axis_angle_to_rotmat
from mmmotionbert.utils.smpl import SMPL_NUM_BETAS, SMPL_NUM_JOINTS
from .pose_losses import (loss_angle, loss_angle_velocity, loss_limb_gt,
                          loss_limb_var, loss_mpjpe, loss_velocity, n_mpjpe)

__all__ = ['MBMeshLoss']

TermFn = Callable[[Tensor, Tensor], Tensor]

#: (output key, weight name, term on root-relative joints), official order.
_JOINT_TERMS: Tuple[Tuple[str, str, TermFn], ...] = (
    ('loss_3d_pos', 'lambda_3d', loss_mpjpe),
    ('loss_3d_scale', 'lambda_scale', n_mpjpe),
    ('loss_3d_velocity', 'lambda_3d_velocity', loss_velocity),
    ('loss_lv', 'lambda_lv', lambda pred, gt: loss_limb_var(pred)),
    ('loss_lg', 'lambda_lg', loss_limb_gt),
    ('loss_a', 'lambda_a', loss_angle),
    ('loss_av', 'lambda_av', loss_angle_velocity),
)
_SMPL_WEIGHTS = ('lambda_pose', 'lambda_shape', 'lambda_norm')
_THETA_DIM = SMPL_NUM_JOINTS * 3 + SMPL_NUM_BETAS


@register_shared_model
class MBMeshLoss(nn.Module):
    """Weighted sum terms of the official mesh recipe.

    On root-relative H36M-17 joints (mm) the pose-lifting terms (MPJPE,
    N-MPJPE, velocity, limb and angle terms, as :class:`MBPoseLoss`); on
    SMPL parameters:

    * ``loss_pose``: ``loss_type`` distance between the rotation matrices
      of predicted and target axis-angle poses (24 joints);
    * ``loss_shape``: ``loss_type`` distance between the betas;
    * ``loss_norm``: mean L2 norm of the predicted ``theta`` (pose + betas),
      a regulariser.

    Defaults are the official ``MB_ft_pw3d`` / ``MB_ft_h36m`` weights:
    0.5 (joints), 10 (velocity), 1000 (pose), 1 (shape), 20 (norm), L1.

    Args:
        lambda_3d (float): MPJPE weight. Defaults to 0.5.
        lambda_scale (float): N-MPJPE weight. Defaults to 0.
        lambda_3d_velocity (float): Velocity weight. Defaults to 10.
        lambda_lv (float): Limb-length variance weight. Defaults to 0.
        lambda_lg (float): Limb-length error weight. Defaults to 0.
        lambda_a (float): Limb-angle error weight. Defaults to 0.
        lambda_av (float): Angular-velocity weight. Defaults to 0.
        lambda_pose (float): SMPL pose weight. Defaults to 1000.
        lambda_shape (float): SMPL shape weight. Defaults to 1.
        lambda_norm (float): Theta norm weight. Defaults to 20.
        loss_type (str): ``'L1'`` or ``'MSE'`` for the pose and shape terms.
            Defaults to ``'L1'``.
    """

    def __init__(self,
                 lambda_3d: float = 0.5,
                 lambda_scale: float = 0.0,
                 lambda_3d_velocity: float = 10.0,
                 lambda_lv: float = 0.0,
                 lambda_lg: float = 0.0,
                 lambda_a: float = 0.0,
                 lambda_av: float = 0.0,
                 lambda_pose: float = 1000.0,
                 lambda_shape: float = 1.0,
                 lambda_norm: float = 20.0,
                 loss_type: str = 'L1') -> None:
        super().__init__()
        given = dict(
            lambda_3d=lambda_3d,
            lambda_scale=lambda_scale,
            lambda_3d_velocity=lambda_3d_velocity,
            lambda_lv=lambda_lv,
            lambda_lg=lambda_lg,
            lambda_a=lambda_a,
            lambda_av=lambda_av,
            lambda_pose=lambda_pose,
            lambda_shape=lambda_shape,
            lambda_norm=lambda_norm)
        for name, value in given.items():
            value = float(value)
            if not value >= 0:
                raise ValueError(f'`{name}` must be >= 0, got {value}')
            setattr(self, name, value)
        if not any(given.values()):
            raise ValueError('MBMeshLoss needs at least one nonzero weight')
        if loss_type not in ('L1', 'MSE'):
            raise ValueError(f"loss_type must be 'L1' or 'MSE', got "
                             f'{loss_type!r}')
        self.loss_type = loss_type

    def _regr(self, pred: Tensor, target: Tensor) -> Tensor:
        """Mean L1 or squared error (official ``criterion_regr``)."""
        if self.loss_type == 'L1':
            return F.l1_loss(pred, target)
        return F.mse_loss(pred, target)

    @staticmethod
    def _get(outputs: Mapping[str, Tensor], key: str, where: str) -> Tensor:
        """``outputs[key]`` or a KeyError naming what is missing."""
        if key not in outputs:
            raise KeyError(f'MBMeshLoss: {where} has no {key!r} (has '
                           f'{sorted(outputs)})')
        return outputs[key]

    def forward(self, pred: Mapping[str, Tensor],
                target: Mapping[str, Tensor]) -> Dict[str, Tensor]:
        """Compute the weighted terms.

        Args:
            pred (Mapping[str, Tensor]): ``theta`` (N, T, 82) and ``kp_3d``
                (N, T, 17, 3) in mm.
            target (Mapping[str, Tensor]): The same keys for the ground
                truth.

        Returns:
            dict[str, Tensor]: 0-dim weighted terms with nonzero weight:
            ``loss_3d_pos``, ``loss_3d_scale``, ``loss_3d_velocity``,
            ``loss_lv``, ``loss_lg``, ``loss_a``, ``loss_av``,
            ``loss_pose``, ``loss_shape``, ``loss_norm``.
        """
        kp_pred = self._get(pred, 'kp_3d', 'pred')
        kp_gt = self._get(target, 'kp_3d', 'target').to(kp_pred)
        theta_pred = self._get(pred, 'theta', 'pred')
        theta_gt = self._get(target, 'theta', 'target').to(theta_pred)
        if kp_pred.shape != kp_gt.shape:
            raise ValueError(f'pred kp_3d {tuple(kp_pred.shape)} and target '
                             f'kp_3d {tuple(kp_gt.shape)} differ')
        if theta_pred.shape[-1] != _THETA_DIM or \
                theta_pred.shape != theta_gt.shape:
            raise ValueError(
                f'theta must be (N, T, {_THETA_DIM}) for pred and target, '
                f'got {tuple(theta_pred.shape)} and {tuple(theta_gt.shape)}')
        local_pred = kp_pred - kp_pred[:, :, :1]
        local_gt = kp_gt - kp_gt[:, :, :1]
        losses = {}
        for key, weight_name, term in _JOINT_TERMS:
            weight = getattr(self, weight_name)
            if weight:
                losses[key] = weight * term(local_pred, local_gt)
        theta_pred = theta_pred.reshape(-1, _THETA_DIM)
        theta_gt = theta_gt.reshape(-1, _THETA_DIM)
        pose_dim = SMPL_NUM_JOINTS * 3
        if self.lambda_pose:
            rot_pred = axis_angle_to_rotmat(theta_pred[:, :pose_dim].reshape(
                -1, 3))
            rot_gt = axis_angle_to_rotmat(theta_gt[:, :pose_dim].reshape(
                -1, 3))
            losses['loss_pose'] = self.lambda_pose * self._regr(
                rot_pred, rot_gt)
        if self.lambda_shape:
            losses['loss_shape'] = self.lambda_shape * self._regr(
                theta_pred[:, pose_dim:], theta_gt[:, pose_dim:])
        if self.lambda_norm:
            losses['loss_norm'] = self.lambda_norm * torch.linalg.vector_norm(
                theta_pred, dim=-1).mean()
        return losses

    def extra_repr(self) -> str:
        """Show the weights in ``repr``."""
        names = [w for _, w, _ in _JOINT_TERMS] + list(_SMPL_WEIGHTS)
        return ', '.join(f'{n}={getattr(self, n)}'
                         for n in names) + f', loss_type={self.loss_type!r}'
