# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Registered MotionBERT pose losses (3D lifting and 2D-only pretraining).

May import: torch, :mod:`mmmotionbert.registry` and :mod:`.pose_losses`; never
``apis`` or ``datasets``.
"""
from typing import Callable, Dict, Tuple

from torch import Tensor, nn

from mmmotionbert.registry import register_shared_model
from .pose_losses import (loss_2d_weighted, loss_angle, loss_angle_velocity,
                          loss_limb_gt, loss_limb_var, loss_mpjpe,
                          loss_velocity, n_mpjpe)

__all__ = ['MBPoseLoss', 'MBPose2DLoss']


def _lv(pred: Tensor, target: Tensor) -> Tensor:
    """Limb-length variance of the prediction; ``target`` is unused.

    Args:
        pred (Tensor): (N, T, 17, C) predicted joints.
        target (Tensor): Unused; keeps the two-argument term signature.

    Returns:
        Tensor: 0-dim :func:`loss_limb_var` of ``pred``.
    """
    return loss_limb_var(pred)


TermFn = Callable[[Tensor, Tensor], Tensor]

#: (output key, constructor weight name, term function) in official order.
_POSE_TERMS: Tuple[Tuple[str, str, TermFn], ...] = (
    ('loss_3d_pos', 'lambda_3d', loss_mpjpe),
    ('loss_3d_scale', 'lambda_scale', n_mpjpe),
    ('loss_3d_velocity', 'lambda_3d_velocity', loss_velocity),
    ('loss_lv', 'lambda_lv', _lv),
    ('loss_lg', 'lambda_lg', loss_limb_gt),
    ('loss_a', 'lambda_a', loss_angle),
    ('loss_av', 'lambda_av', loss_angle_velocity),
)


def _check_weight(name: str, value: float) -> float:
    """Validate a loss weight.

    Args:
        name (str): Argument name used in the message.
        value (float): The weight.

    Returns:
        float: ``value`` as a float.
    """
    value = float(value)
    if value < 0:
        raise ValueError(f'`{name}` must be >= 0, got {value}')
    return value


@register_shared_model
class MBPoseLoss(nn.Module):
    """MotionBERT's 3D pose training objective.

    ``lambda_3d * mpjpe + lambda_scale * n_mpjpe
    + lambda_3d_velocity * velocity + lambda_lv * limb_var
    + lambda_lg * limb_gt + lambda_a * angle + lambda_av * angle_velocity``,
    as in the official ``train.py`` (where the MPJPE weight is fixed at 1).
    The defaults are the official H36M weights.

    Args:
        lambda_3d (float): Weight of the MPJPE term. Defaults to 1.0.
        lambda_scale (float): Weight of the scale-normalized MPJPE.
            Defaults to 0.5.
        lambda_3d_velocity (float): Weight of the velocity error.
            Defaults to 20.0.
        lambda_lv (float): Weight of the limb-length variance. Defaults to 0.
        lambda_lg (float): Weight of the limb-length error. Defaults to 0.
        lambda_a (float): Weight of the limb-angle error. Defaults to 0.
        lambda_av (float): Weight of the angular-velocity error.
            Defaults to 0.
    """

    def __init__(self,
                 lambda_3d: float = 1.0,
                 lambda_scale: float = 0.5,
                 lambda_3d_velocity: float = 20.0,
                 lambda_lv: float = 0.0,
                 lambda_lg: float = 0.0,
                 lambda_a: float = 0.0,
                 lambda_av: float = 0.0) -> None:
        super().__init__()
        given = dict(
            lambda_3d=lambda_3d,
            lambda_scale=lambda_scale,
            lambda_3d_velocity=lambda_3d_velocity,
            lambda_lv=lambda_lv,
            lambda_lg=lambda_lg,
            lambda_a=lambda_a,
            lambda_av=lambda_av)
        for name, value in given.items():
            setattr(self, name, _check_weight(name, value))
        if not any(getattr(self, name) for name in given):
            raise ValueError('MBPoseLoss needs at least one nonzero weight')

    def forward(self, pred: Tensor, target: Tensor) -> Dict[str, Tensor]:
        """Compute the weighted loss terms.

        Args:
            pred (Tensor): (N, T, 17, 3) predicted 3D poses.
            target (Tensor): (N, T, 17, 3) target 3D poses.

        Returns:
            dict[str, Tensor]: 0-dim weighted terms, only those with a
            nonzero weight, keyed ``loss_3d_pos``, ``loss_3d_scale``,
            ``loss_3d_velocity``, ``loss_lv``, ``loss_lg``, ``loss_a``,
            ``loss_av``.
        """
        if pred.dim() != 4 or pred.shape[2] != 17:
            raise ValueError(f'`pred` must have shape (N, T, 17, C), got '
                             f'{tuple(pred.shape)}')
        if pred.shape != target.shape:
            raise ValueError(f'`pred` and `target` must have the same shape, '
                             f'got {tuple(pred.shape)} and '
                             f'{tuple(target.shape)}')
        losses = {}
        for key, weight_name, term in _POSE_TERMS:
            weight = getattr(self, weight_name)
            if weight != 0:
                losses[key] = weight * term(pred, target)
        return losses

    def extra_repr(self) -> str:
        """Show the weights in ``repr``."""
        return ', '.join(f'{name}={getattr(self, name)}'
                         for _, name, _ in _POSE_TERMS)


@register_shared_model
class MBPose2DLoss(nn.Module):
    """Confidence-weighted 2D loss for pretraining on 2D-only data.

    The official ``train.py`` uses it alone (weight 1) on batches without
    3D ground truth: only the x, y channels of the prediction are compared.

    Args:
        lambda_2d (float): Weight of the term. Defaults to 1.0.
    """

    def __init__(self, lambda_2d: float = 1.0) -> None:
        super().__init__()
        self.lambda_2d = _check_weight('lambda_2d', lambda_2d)

    def forward(self, pred: Tensor, target_2d: Tensor,
                conf: Tensor) -> Dict[str, Tensor]:
        """Compute the weighted 2D term.

        Args:
            pred (Tensor): (N, T, J, C) predictions, C >= 2 (x, y used).
            target_2d (Tensor): (N, T, J, C') targets, C' >= 2 (x, y used).
            conf (Tensor): (N, T, J, 1) or (N, T, J) confidences.

        Returns:
            dict[str, Tensor]: ``{'loss_2d_proj': 0-dim weighted loss}``.
        """
        return {
            'loss_2d_proj':
            self.lambda_2d * loss_2d_weighted(pred, target_2d, conf)
        }

    def extra_repr(self) -> str:
        """Show the weight in ``repr``."""
        return f'lambda_2d={self.lambda_2d}'
