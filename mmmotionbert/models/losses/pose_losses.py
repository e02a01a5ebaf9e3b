# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Functional 3D/2D pose losses of MotionBERT.

Every function reproduces the corresponding function of MotionBERT's
``lib/model/loss.py`` numerically (same reductions, same limb and angle
orders, same edge cases) and keeps the official parameter names, so that
``fn(**official_inputs)`` works. Unlike the official code, malformed inputs
raise :class:`ValueError` instead of failing an ``assert``.

Pose sequences are laid out as ``(N, T, J, C)``: batch, frames, joints
(H36M-17 for the limb and angle losses) and coordinates.

May import: torch and :mod:`mmmotionbert.utils.keypoints`; never ``apis`` or
``datasets``.
"""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmmotionbert.utils.keypoints import H36M_BONES

__all__ = [
    'H36M_LIMBS', 'H36M_LIMB_ANGLES', 'loss_mpjpe', 'weighted_mpjpe',
    'loss_2d_weighted', 'n_mpjpe', 'loss_velocity', 'loss_joint',
    'get_limb_lens', 'loss_limb_var', 'loss_limb_gt', 'get_angles',
    'loss_angle', 'loss_angle_velocity', 'weighted_bonelen_loss',
    'weighted_boneratio_loss'
]

LimbPairs = Tuple[Tuple[int, int], ...]

#: The 16 H36M limbs as (parent, child) joint pairs; a limb vector is
#: ``x[parent] - x[child]``. ``H36M_BONES`` lists (child, parent) in the same
#: order as the official ``limbs_id``, so swapping each pair reproduces it
#: exactly: [0,1], [1,2], [2,3], [0,4], [4,5], [5,6], [0,7], [7,8], [8,9],
#: [9,10], [8,11], [11,12], [12,13], [8,14], [14,15], [15,16].
H36M_LIMBS: LimbPairs = tuple((parent, child) for child, parent in H36M_BONES)

#: The 18 limb pairs (indices into :data:`H36M_LIMBS`) whose angles the
#: official ``get_angles`` measures, in the official order.
H36M_LIMB_ANGLES: LimbPairs = ((0, 3), (0, 6), (3, 6), (0, 1), (1, 2), (3, 4),
                               (4, 5), (6, 7), (7, 10), (7, 13), (8, 13),
                               (10, 13), (7, 8), (8, 9), (10, 11), (11, 12),
                               (13, 14), (14, 15))

#: Clamp margin applied to cosines before ``acos`` (official ``eps``).
_ANGLE_COS_EPS = 1e-7


# ----------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------
def _check_ndim(name: str, x: Tensor, ndim: int, layout: str) -> None:
    """Raise if ``x`` does not have ``ndim`` dimensions.

    Args:
        name (str): Argument name used in the message.
        x (Tensor): The tensor to check.
        ndim (int): The expected number of dimensions.
        layout (str): Human-readable expected layout, e.g. ``'(N, T, J, C)'``.
    """
    if x.dim() != ndim:
        raise ValueError(f'`{name}` must have shape {layout}, '
                         f'got shape {tuple(x.shape)}')


def _check_same_shape(names: Sequence[str], a: Tensor, b: Tensor) -> None:
    """Raise if two tensors differ in shape.

    Args:
        names (Sequence[str]): The two argument names used in the message.
        a (Tensor): First tensor.
        b (Tensor): Second tensor.
    """
    if a.shape != b.shape:
        raise ValueError(f'`{names[0]}` and `{names[1]}` must have the same '
                         f'shape, got {tuple(a.shape)} and {tuple(b.shape)}')


def _check_poses(names: Sequence[str], a: Tensor, b: Tensor) -> None:
    """Check a pair of (N, T, J, C) pose sequences of equal shape.

    Args:
        names (Sequence[str]): The two argument names used in the message.
        a (Tensor): First sequence.
        b (Tensor): Second sequence.
    """
    _check_ndim(names[0], a, 4, '(N, T, J, C)')
    _check_same_shape(names, a, b)


def _check_h36m(name: str, x: Tensor) -> None:
    """Check an (N, T, 17, C) H36M pose sequence.

    Args:
        name (str): Argument name used in the message.
        x (Tensor): The sequence.
    """
    _check_ndim(name, x, 4, '(N, T, 17, C)')
    if x.shape[2] != 17:
        raise ValueError(f'`{name}` must hold H36M-17 joints, shape '
                         f'(N, T, 17, C), got shape {tuple(x.shape)}')


def _zero_like(x: Tensor) -> Tensor:
    """Return a 0-dim zero on ``x``'s device and dtype (no gradient).

    Args:
        x (Tensor): Reference tensor.

    Returns:
        Tensor: 0-dim zero.
    """
    return torch.zeros((), dtype=x.dtype, device=x.device)


def _temporal_diff(x: Tensor) -> Tensor:
    """First difference along the time axis (dim 1).

    Args:
        x (Tensor): (N, T, ...) sequence.

    Returns:
        Tensor: (N, T - 1, ...) differences ``x[:, t + 1] - x[:, t]``.
    """
    return x[:, 1:] - x[:, :-1]


# ----------------------------------------------------------------------------
# Position losses
# ----------------------------------------------------------------------------
def loss_mpjpe(predicted: Tensor, target: Tensor) -> Tensor:
    """Mean per-joint position error (Protocol #1), as a loss.

    Args:
        predicted (Tensor): (..., J, C) predicted joints.
        target (Tensor): Target joints, same shape as ``predicted``.

    Returns:
        Tensor: 0-dim mean Euclidean distance over all joints.
    """
    _check_same_shape(('predicted', 'target'), predicted, target)
    return torch.linalg.vector_norm(predicted - target, dim=-1).mean()


def weighted_mpjpe(predicted: Tensor, target: Tensor, w: Tensor) -> Tensor:
    """MPJPE with a per-joint weight.

    Args:
        predicted (Tensor): (N, ..., J, C) predicted joints.
        target (Tensor): Target joints, same shape as ``predicted``.
        w (Tensor): Weights broadcastable to ``predicted.shape[:-1]`` with
            first dimension N, e.g. (N, T, J).

    Returns:
        Tensor: 0-dim mean of ``w * ||predicted - target||``.
    """
    _check_same_shape(('predicted', 'target'), predicted, target)
    dist_shape = tuple(predicted.shape[:-1])
    if (w.dim() == 0 or w.shape[0] != predicted.shape[0]
            or not _broadcasts_to(tuple(w.shape), dist_shape)):
        raise ValueError(f'`w` must have first dimension N and broadcast to '
                         f'{dist_shape}, got shape {tuple(w.shape)}')
    return (w * torch.linalg.vector_norm(predicted - target, dim=-1)).mean()


def _broadcasts_to(shape: Tuple[int, ...], target: Tuple[int, ...]) -> bool:
    """Whether ``shape`` broadcasts to exactly ``target``.

    Args:
        shape (tuple[int]): Source shape.
        target (tuple[int]): Destination shape.

    Returns:
        bool: True if broadcasting ``shape`` against ``target`` gives
        ``target``.
    """
    try:
        return tuple(torch.broadcast_shapes(shape, target)) == target
    except RuntimeError:
        return False


def loss_2d_weighted(predicted: Tensor, target: Tensor,
                     conf: Tensor) -> Tensor:
    """Confidence-weighted 2D error on the x, y channels.

    Only the first two channels of ``predicted`` and ``target`` are used.
    Official code requires equal shapes; here ``target`` may also carry a
    different number of channels (>= 2), e.g. (N, T, J, 2) 2D keypoints.

    Args:
        predicted (Tensor): (N, T, J, C) predictions, C >= 2.
        target (Tensor): (N, T, J, C') targets, C' >= 2.
        conf (Tensor): (N, T, J, 1) or (N, T, J) confidences.

    Returns:
        Tensor: 0-dim mean of ``||(predicted_xy - target_xy) * conf||``.
    """
    _check_ndim('predicted', predicted, 4, '(N, T, J, C)')
    _check_ndim('target', target, 4, '(N, T, J, C)')
    if predicted.shape[:-1] != target.shape[:-1]:
        raise ValueError(f'`predicted` and `target` must agree on (N, T, J), '
                         f'got {tuple(predicted.shape)} and '
                         f'{tuple(target.shape)}')
    if predicted.shape[-1] < 2 or target.shape[-1] < 2:
        raise ValueError(f'`predicted` and `target` need at least 2 channels '
                         f'(x, y), got {tuple(predicted.shape)} and '
                         f'{tuple(target.shape)}')
    expected = tuple(predicted.shape[:-1])
    if tuple(conf.shape) == expected:
        conf = conf.unsqueeze(-1)
    elif tuple(conf.shape) != expected + (1, ):
        raise ValueError(f'`conf` must have shape {expected + (1, )} or '
                         f'{expected}, got {tuple(conf.shape)}')
    diff = (predicted[..., :2] - target[..., :2]) * conf
    return torch.linalg.vector_norm(diff, dim=-1).mean()


def n_mpjpe(predicted: Tensor, target: Tensor) -> Tensor:
    """Scale-normalized MPJPE.

    ``predicted`` is rescaled per (batch, frame) by the least-squares scale
    ``mean_j(<target_j, predicted_j>) / mean_j(||predicted_j||^2)`` before
    taking the MPJPE.

    Args:
        predicted (Tensor): (N, T, J, C) predicted joints.
        target (Tensor): (N, T, J, C) target joints.

    Returns:
        Tensor: 0-dim MPJPE of the rescaled prediction.
    """
    _check_poses(('predicted', 'target'), predicted, target)
    sq_norm = (predicted**2).sum(dim=3, keepdim=True)
    dot = (target * predicted).sum(dim=3, keepdim=True)
    norm_predicted = sq_norm.mean(dim=2, keepdim=True)  # (N, T, 1, 1)
    norm_target = dot.mean(dim=2, keepdim=True)
    scale = norm_target / norm_predicted
    return loss_mpjpe(scale * predicted, target)


def loss_velocity(predicted: Tensor, target: Tensor) -> Tensor:
    """Mean per-joint velocity error (first temporal derivative).

    Args:
        predicted (Tensor): (N, T, J, C) predicted joints.
        target (Tensor): (N, T, J, C) target joints.

    Returns:
        Tensor: 0-dim mean Euclidean distance between the frame-to-frame
        displacements; exactly 0 when T <= 1.
    """
    _check_poses(('predicted', 'target'), predicted, target)
    if predicted.shape[1] <= 1:
        return _zero_like(predicted)
    diff = _temporal_diff(predicted) - _temporal_diff(target)
    return torch.linalg.vector_norm(diff, dim=-1).mean()


def loss_joint(predicted: Tensor, target: Tensor) -> Tensor:
    """Mean absolute (L1) coordinate error.

    Args:
        predicted (Tensor): (...) predictions.
        target (Tensor): Targets, same shape as ``predicted``.

    Returns:
        Tensor: 0-dim mean of ``|predicted - target|``.
    """
    _check_same_shape(('predicted', 'target'), predicted, target)
    return F.l1_loss(predicted, target)


# ----------------------------------------------------------------------------
# Limb (bone) losses
# ----------------------------------------------------------------------------
def _limb_vectors(x: Tensor) -> Tensor:
    """Limb vectors ``x[parent] - x[child]`` of the 16 H36M limbs.

    Args:
        x (Tensor): (N, T, 17, C) joints.

    Returns:
        Tensor: (N, T, 16, C) limb vectors in :data:`H36M_LIMBS` order.
    """
    limbs = x[:, :, list(H36M_LIMBS), :]  # (N, T, 16, 2, C)
    return limbs[:, :, :, 0, :] - limbs[:, :, :, 1, :]


def get_limb_lens(x: Tensor) -> Tensor:
    """Lengths of the 16 H36M limbs.

    Args:
        x (Tensor): (N, T, 17, C) joints.

    Returns:
        Tensor: (N, T, 16) limb lengths in :data:`H36M_LIMBS` order.
    """
    _check_h36m('x', x)
    return torch.linalg.vector_norm(_limb_vectors(x), dim=-1)


def loss_limb_var(x: Tensor) -> Tensor:
    """Temporal variance of the limb lengths (bone-length consistency).

    Args:
        x (Tensor): (N, T, 17, C) joints.

    Returns:
        Tensor: 0-dim mean over batch and limbs of the unbiased (N-1)
        variance over time of each limb length; exactly 0 when T <= 1.
    """
    _check_h36m('x', x)
    if x.shape[1] <= 1:
        return _zero_like(x)
    return torch.var(get_limb_lens(x), dim=1).mean()


def loss_limb_gt(x: Tensor, gt: Tensor) -> Tensor:
    """L1 error between predicted and ground-truth limb lengths.

    Args:
        x (Tensor): (N, T, 17, C) predicted joints.
        gt (Tensor): (N, T, 17, C) ground-truth joints.

    Returns:
        Tensor: 0-dim mean absolute limb-length error.
    """
    _check_same_shape(('x', 'gt'), x, gt)
    return F.l1_loss(get_limb_lens(x), get_limb_lens(gt))


def weighted_bonelen_loss(predict_3d_length: Tensor,
                          gt_3d_length: Tensor) -> Tensor:
    """Squared bone-length error scaled by 0.001.

    Args:
        predict_3d_length (Tensor): (N, T, 16) predicted limb lengths.
        gt_3d_length (Tensor): Ground-truth limb lengths, same shape.

    Returns:
        Tensor: 0-dim ``0.001 * mean((pred - gt) ** 2)``.
    """
    _check_same_shape(('predict_3d_length', 'gt_3d_length'), predict_3d_length,
                      gt_3d_length)
    return 0.001 * torch.pow(predict_3d_length - gt_3d_length, 2).mean()


def weighted_boneratio_loss(predict_3d_length: Tensor,
                            gt_3d_length: Tensor) -> Tensor:
    """Squared relative bone-length error scaled by 0.1.

    Args:
        predict_3d_length (Tensor): (N, T, 16) predicted limb lengths.
        gt_3d_length (Tensor): Ground-truth limb lengths, same shape.

    Returns:
        Tensor: 0-dim ``0.1 * mean(((pred - gt) / gt) ** 2)``.
    """
    _check_same_shape(('predict_3d_length', 'gt_3d_length'), predict_3d_length,
                      gt_3d_length)
    ratio = (predict_3d_length - gt_3d_length) / gt_3d_length
    return 0.1 * torch.pow(ratio, 2).mean()


# ----------------------------------------------------------------------------
# Angle losses
# ----------------------------------------------------------------------------
def get_angles(x: Tensor) -> Tensor:
    """Angles between the 18 H36M limb pairs of :data:`H36M_LIMB_ANGLES`.

    The cosine is clamped to ``[-1 + 1e-7, 1 - 1e-7]`` before ``acos`` so the
    gradient stays finite.

    Args:
        x (Tensor): (N, T, 17, C) joints.

    Returns:
        Tensor: (N, T, 18) angles in radians.
    """
    _check_h36m('x', x)
    limbs = _limb_vectors(x)
    pairs = limbs[:, :, list(H36M_LIMB_ANGLES), :]  # (N, T, 18, 2, C)
    cos = F.cosine_similarity(
        pairs[:, :, :, 0, :], pairs[:, :, :, 1, :], dim=-1)
    return torch.acos(cos.clamp(-1 + _ANGLE_COS_EPS, 1 - _ANGLE_COS_EPS))


def loss_angle(x: Tensor, gt: Tensor) -> Tensor:
    """L1 error between predicted and ground-truth limb angles.

    Args:
        x (Tensor): (N, T, 17, C) predicted joints.
        gt (Tensor): (N, T, 17, C) ground-truth joints.

    Returns:
        Tensor: 0-dim mean absolute angle error in radians.
    """
    _check_same_shape(('x', 'gt'), x, gt)
    return F.l1_loss(get_angles(x), get_angles(gt))


def loss_angle_velocity(x: Tensor, gt: Tensor) -> Tensor:
    """L1 error between the frame-to-frame changes of the limb angles.

    Args:
        x (Tensor): (N, T, 17, C) predicted joints.
        gt (Tensor): (N, T, 17, C) ground-truth joints.

    Returns:
        Tensor: 0-dim mean absolute angular-velocity error; exactly 0 when
        T <= 1.
    """
    _check_same_shape(('x', 'gt'), x, gt)
    _check_h36m('x', x)
    if x.shape[1] <= 1:
        return _zero_like(x)
    return F.l1_loss(
        _temporal_diff(get_angles(x)), _temporal_diff(get_angles(gt)))
