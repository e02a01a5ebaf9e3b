# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Rotation maths: the one home of rotation conversions in mmmotionbert.

Two families, one convention (quaternions are ``(w, x, y, z)``, scalar
first; axis-angle vectors are SMPL's, axis times angle in radians):

* **torch**, differentiable and batched, for models, losses and the SMPL
  body model: :func:`rot6d_to_rotmat`, :func:`rotmat_to_rot6d`,
  :func:`axis_angle_to_rotmat`, :func:`rotmat_to_quaternion`,
  :func:`quaternion_to_axis_angle`, :func:`rotmat_to_axis_angle`. The 6D
  layout is the official one: the first two *columns* of the rotation
  matrix read row by row (official ``rot6d_to_rotmat``).
* **numpy**, for data preparation (AMASS resampling, the DeepMimic forward
  kinematics of :mod:`mmmotionbert.datasets.mocap`), built on
  :mod:`scipy.spatial.transform`: :func:`axis_angle_to_quaternion_np`,
  :func:`quaternion_to_axis_angle_np`, :func:`quaternion_to_rotmat_np`,
  :func:`axis_angle_to_rotmat_np`, :func:`slerp_quaternion_np` and
  :func:`slerp_axis_angle_np`. scipy itself stores quaternions scalar last
  (``x, y, z, w``, as pybullet does); the conversion to and from our
  scalar-first order happens only inside these functions.

The numpy functions reproduce the hand-written versions they replaced
(``datasets/converters/amass.py`` before the split, and the quaternion
helpers of ``datasets/mocap/pybullet_fk.py``) to about 1e-15 (see
``tests/test_utils/test_rotation.py``). Unlike those helpers they reject
zero quaternions (``ValueError`` from scipy) instead of silently mapping
them to the identity. One documented exception: where
a quaternion has ``w == 0`` exactly (a rotation by exactly pi), scipy's
``as_rotvec`` picks the axis whose first non-zero component is positive
while the old code kept the axis as it was. Both are the same rotation (the
posed joints are identical); only the sign of that axis-angle vector can
differ, and interpolated data hits ``w == 0`` exactly with probability zero.

May import: numpy, scipy, torch and smplx (lazily, for
:func:`axis_angle_to_rotmat`); nothing from mmmotionbert.
"""
from typing import Tuple

import numpy as np
import torch
import torch.nn.functional as F
from scipy.spatial.transform import Rotation

__all__ = [
    'rot6d_to_rotmat', 'rotmat_to_rot6d', 'axis_angle_to_rotmat',
    'rotmat_to_quaternion', 'quaternion_to_axis_angle', 'rotmat_to_axis_angle',
    'axis_angle_to_quaternion_np', 'quaternion_to_axis_angle_np',
    'quaternion_to_rotmat_np', 'axis_angle_to_rotmat_np',
    'slerp_quaternion_np', 'slerp_axis_angle_np'
]


# ------------------------------------------------------------------ torch
def rot6d_to_rotmat(x: torch.Tensor) -> torch.Tensor:
    """6D rotation representation to rotation matrices (official layout).

    The 6 numbers are read as a 3 x 2 matrix (row-major) whose columns are
    Gram-Schmidt orthonormalised; the third column is their cross product.

    Args:
        x (Tensor): (..., 6).

    Returns:
        Tensor: (..., 3, 3).
    """
    if x.shape[-1] != 6:
        raise ValueError(f'rot6d_to_rotmat expects (..., 6), got '
                         f'{tuple(x.shape)}')
    m = x.reshape(*x.shape[:-1], 3, 2)
    b1 = F.normalize(m[..., 0], dim=-1, eps=1e-6)
    a2 = m[..., 1]
    b2 = F.normalize(
        a2 - (b1 * a2).sum(-1, keepdim=True) * b1, dim=-1, eps=1e-6)
    b3 = torch.cross(b1, b2, dim=-1)
    return torch.stack([b1, b2, b3], dim=-1)


def rotmat_to_rot6d(rotmat: torch.Tensor) -> torch.Tensor:
    """Rotation matrices to the 6D representation of :func:`rot6d_to_rotmat`.

    Args:
        rotmat (Tensor): (..., 3, 3).

    Returns:
        Tensor: (..., 6) first two columns, row by row.
    """
    return rotmat[..., :, :2].reshape(*rotmat.shape[:-2], 6)


def axis_angle_to_rotmat(aa: torch.Tensor) -> torch.Tensor:
    """Axis-angle vectors to rotation matrices (``smplx.lbs.batch_rodrigues``).

    Args:
        aa (Tensor): (..., 3).

    Returns:
        Tensor: (..., 3, 3).
    """
    from smplx.lbs import batch_rodrigues
    return batch_rodrigues(aa.reshape(-1, 3)).reshape(*aa.shape[:-1], 3, 3)


def rotmat_to_quaternion(rotmat: torch.Tensor) -> torch.Tensor:
    """Rotation matrices to unit quaternions ``(w, x, y, z)`` with w >= 0.

    Of the four closed forms the best-conditioned one (largest magnitude
    component) is used, so the result and its gradient stay finite for any
    rotation, including the identity and half turns.

    Args:
        rotmat (Tensor): (..., 3, 3).

    Returns:
        Tensor: (..., 4).
    """
    if rotmat.shape[-2:] != (3, 3):
        raise ValueError(f'rotmat_to_quaternion expects (..., 3, 3), got '
                         f'{tuple(rotmat.shape)}')
    m = rotmat.reshape(*rotmat.shape[:-2], 9)
    m00, m01, m02, m10, m11, m12, m20, m21, m22 = m.unbind(-1)
    # 4 * (w^2, x^2, y^2, z^2)
    sq = torch.stack([
        1 + m00 + m11 + m22, 1 + m00 - m11 - m22, 1 - m00 + m11 - m22,
        1 - m00 - m11 + m22
    ], -1)
    two_abs = torch.sqrt(sq.clamp(min=1e-12))  # 2 * |component|
    # row k: 4 * q_k * q, i.e. the quaternion scaled by 4 * q_k
    rows = torch.stack([
        torch.stack([sq[..., 0], m21 - m12, m02 - m20, m10 - m01], -1),
        torch.stack([m21 - m12, sq[..., 1], m10 + m01, m02 + m20], -1),
        torch.stack([m02 - m20, m10 + m01, sq[..., 2], m12 + m21], -1),
        torch.stack([m10 - m01, m20 + m02, m21 + m12, sq[..., 3]], -1),
    ], -2)
    candidates = rows / (2 * two_abs.clamp(min=0.1))[..., None]
    best = sq.argmax(dim=-1, keepdim=True)
    quat = torch.gather(candidates, -2, best[..., None].expand(*best.shape,
                                                               4)).squeeze(-2)
    quat = F.normalize(quat, dim=-1)
    return torch.where(quat[..., :1] < 0, -quat, quat)


def quaternion_to_axis_angle(quat: torch.Tensor) -> torch.Tensor:
    """Unit quaternions ``(w, x, y, z)`` to axis-angle vectors.

    Args:
        quat (Tensor): (..., 4).

    Returns:
        Tensor: (..., 3) with angle in [0, pi] (w is made non-negative).
    """
    quat = torch.where(quat[..., :1] < 0, -quat, quat)
    w, v = quat[..., :1], quat[..., 1:]
    sin_half = torch.linalg.vector_norm(v, dim=-1, keepdim=True)
    angle = 2 * torch.atan2(sin_half, w)
    small = sin_half < 1e-6
    # angle / sin(angle / 2) -> 2 / w as the angle goes to 0
    ratio = torch.where(small, 2.0 / w.clamp(min=1e-6),
                        angle / sin_half.clamp(min=1e-6))
    return v * ratio


def rotmat_to_axis_angle(rotmat: torch.Tensor) -> torch.Tensor:
    """Rotation matrices to axis-angle vectors (official ``theta`` pose).

    Args:
        rotmat (Tensor): (..., 3, 3).

    Returns:
        Tensor: (..., 3).
    """
    return quaternion_to_axis_angle(rotmat_to_quaternion(rotmat))


# ------------------------------------------------------------------ numpy
def _flat(x: np.ndarray, width: int) -> np.ndarray:
    """``x`` as a float64 (N, width) array (copied only when needed).

    scipy's Cython kernels need writable, C-contiguous input (read-only
    views such as ``np.broadcast_to`` results are copied).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.shape[-1:] != (width, ):
        raise ValueError(f'expected (..., {width}), got {x.shape}')
    return np.require(x.reshape(-1, width), requirements=['C', 'W'])


def _wxyz(xyzw: np.ndarray) -> np.ndarray:
    """scipy's scalar-last quaternions to scalar-first order."""
    return xyzw[..., [3, 0, 1, 2]]


def _xyzw(wxyz: np.ndarray) -> np.ndarray:
    """Scalar-first quaternions to scipy's scalar-last order."""
    return wxyz[..., [1, 2, 3, 0]]


def axis_angle_to_quaternion_np(aa: np.ndarray) -> np.ndarray:
    """Axis-angle vectors to unit quaternions ``(w, x, y, z)``.

    ``w = cos(|aa| / 2)`` is *not* made non-negative: an angle above pi
    gives ``w < 0``, as the exponential map does.

    Args:
        aa (np.ndarray): (..., 3).

    Returns:
        np.ndarray: float64 (..., 4).
    """
    flat = _flat(aa, 3)
    quat = Rotation.from_rotvec(flat).as_quat(canonical=False)
    return _wxyz(quat).reshape(np.shape(aa)[:-1] + (4, ))


def quaternion_to_axis_angle_np(quat: np.ndarray) -> np.ndarray:
    """Quaternions ``(w, x, y, z)`` to axis-angle vectors.

    Quaternions are normalised first; ``q`` and ``-q`` give the same vector
    (angle in [0, pi]).

    Args:
        quat (np.ndarray): (..., 4).

    Returns:
        np.ndarray: float64 (..., 3).
    """
    flat = _flat(quat, 4)
    aa = Rotation.from_quat(_xyzw(flat)).as_rotvec()
    return aa.reshape(np.shape(quat)[:-1] + (3, ))


def quaternion_to_rotmat_np(quat: np.ndarray) -> np.ndarray:
    """Quaternions ``(w, x, y, z)`` to rotation matrices.

    Quaternions are normalised first (any non-zero norm is accepted); ``q``
    and ``-q`` give the same matrix.

    Args:
        quat (np.ndarray): (..., 4), no zero quaternion.

    Returns:
        np.ndarray: float64 (..., 3, 3).

    Raises:
        ValueError: If a quaternion has zero norm.
    """
    flat = _flat(quat, 4)
    rotmat = Rotation.from_quat(_xyzw(flat)).as_matrix()
    return rotmat.reshape(np.shape(quat)[:-1] + (3, 3))


def axis_angle_to_rotmat_np(aa: np.ndarray) -> np.ndarray:
    """Axis-angle vectors to rotation matrices (numpy, exact Rodrigues).

    Unlike the torch :func:`axis_angle_to_rotmat` (smplx's
    ``batch_rodrigues``) no 1e-8 is added to the angle.

    Args:
        aa (np.ndarray): (..., 3) axis times angle in radians.

    Returns:
        np.ndarray: float64 (..., 3, 3).
    """
    flat = _flat(aa, 3)
    rotmat = Rotation.from_rotvec(flat).as_matrix()
    return rotmat.reshape(np.shape(aa)[:-1] + (3, 3))


def _slerp_rotations(r0: Rotation, r1: Rotation,
                     weight: np.ndarray) -> Rotation:
    """``r0 * exp(weight * log(r0^-1 * r1))``, the shortest arc.

    This is what :class:`scipy.spatial.transform.Slerp` computes inside each
    key-frame interval, here for arbitrary pairs at once.
    """
    delta = (r0.inv() * r1).as_rotvec()
    return r0 * Rotation.from_rotvec(delta * weight[:, None])


def _pair_shapes(
        a: np.ndarray, b: np.ndarray, weight: np.ndarray, width: int
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, Tuple[int, ...]]:
    """Broadcast ``a``, ``b`` (..., width) and ``weight`` (...) together."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    weight = np.asarray(weight, np.float64)
    lead = np.broadcast_shapes(a.shape[:-1], b.shape[:-1], weight.shape)
    a = _flat(np.broadcast_to(a, lead + (width, )), width)
    b = _flat(np.broadcast_to(b, lead + (width, )), width)
    return a, b, np.broadcast_to(weight, lead).reshape(-1), lead


def slerp_quaternion_np(q0: np.ndarray, q1: np.ndarray,
                        weight: np.ndarray) -> np.ndarray:
    """Spherical linear interpolation of quaternions ``(w, x, y, z)``.

    Quaternions are normalised first (any non-zero norm is accepted). Takes
    the shorter arc (``q1`` and ``-q1`` give the same result); the output
    lies in the hemisphere of ``q0`` (``-q0`` gives ``-result``).

    Args:
        q0 (np.ndarray): (..., 4) start, at weight 0.
        q1 (np.ndarray): (..., 4) end, at weight 1.
        weight (np.ndarray): (...) weight of ``q1``, usually in [0, 1].

    Returns:
        np.ndarray: float64 (..., 4) unit quaternions.
    """
    q0, q1, weight, lead = _pair_shapes(q0, q1, weight, 4)
    out = _slerp_rotations(
        Rotation.from_quat(_xyzw(q0)), Rotation.from_quat(_xyzw(q1)), weight)
    return _wxyz(out.as_quat(canonical=False)).reshape(lead + (4, ))


def slerp_axis_angle_np(aa0: np.ndarray, aa1: np.ndarray,
                        weight: np.ndarray) -> np.ndarray:
    """Spherical linear interpolation between axis-angle rotations.

    Equal to ``quaternion_to_axis_angle_np(slerp_quaternion_np(
    axis_angle_to_quaternion_np(aa0), axis_angle_to_quaternion_np(aa1),
    weight))``.

    Args:
        aa0 (np.ndarray): (..., 3) start, at weight 0.
        aa1 (np.ndarray): (..., 3) end, at weight 1.
        weight (np.ndarray): (...) weight of ``aa1``.

    Returns:
        np.ndarray: float64 (..., 3) with angle in [0, pi].
    """
    aa0, aa1, weight, lead = _pair_shapes(aa0, aa1, weight, 3)
    out = _slerp_rotations(
        Rotation.from_rotvec(aa0), Rotation.from_rotvec(aa1), weight)
    return out.as_rotvec().reshape(lead + (3, ))
