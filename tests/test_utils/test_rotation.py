# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Rotation maths of :mod:`mmmotionbert.utils.rotation`.

The numpy functions are built on :mod:`scipy.spatial.transform`; they are
checked against the hand-written versions they replaced in the AMASS
converter and in the DeepMimic forward kinematics (frozen below as
``_ref_*`` and ``_ref_fk_*``), against scipy's own ``Slerp`` and against
known rotations.
"""
import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation, Slerp

from mmmotionbert.datasets.converters.amass import (AmassSequence,
                                                    resample_plan,
                                                    resample_sequence)
from mmmotionbert.utils import smpl
from mmmotionbert.utils.rotation import (
    axis_angle_to_quaternion_np, axis_angle_to_rotmat,
    quaternion_to_axis_angle, quaternion_to_axis_angle_np, rot6d_to_rotmat,
    axis_angle_to_rotmat_np, quaternion_to_rotmat_np, rotmat_to_axis_angle,
    rotmat_to_quaternion, rotmat_to_rot6d, slerp_axis_angle_np,
    slerp_quaternion_np)

S = np.sqrt(0.5)
#: 90 degrees about z: x -> y, y -> -x.
RZ90 = np.array([[0., -1., 0.], [1., 0., 0.], [0., 0., 1.]])


# ---------------------------------------- the replaced hand-written code
def _ref_axis_angle_to_quat(aa):
    angle = np.linalg.norm(aa, axis=-1, keepdims=True)
    half = 0.5 * angle
    k = np.where(angle > 1e-8,
                 np.sin(half) / np.maximum(angle, 1e-8), 0.5 - angle**2 / 48.0)
    return np.concatenate([np.cos(half), aa * k], axis=-1)


def _ref_quat_to_axis_angle(q):
    q = np.where(q[..., :1] < 0, -q, q)
    w, v = q[..., :1], q[..., 1:]
    s = np.linalg.norm(v, axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(s, w)
    k = np.where(s > 1e-8, angle / np.maximum(s, 1e-8),
                 2.0 / np.maximum(w, 1e-8))
    return v * k


def _ref_slerp(q0, q1, w):
    dot = np.sum(q0 * q1, axis=-1, keepdims=True)
    q1 = np.where(dot < 0, -q1, q1)
    dot = np.abs(dot)
    w = w[..., None]
    theta = np.arccos(np.clip(dot, -1.0, 1.0))
    sin = np.sin(theta)
    near = sin < 1e-6
    safe = np.where(near, 1.0, sin)
    a = np.where(near, 1.0 - w, np.sin((1.0 - w) * theta) / safe)
    b = np.where(near, w, np.sin(w * theta) / safe)
    out = a * q0 + b * q1
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def _ref_resample_poses(poses, lo, hi, weight):
    joints = poses.astype(np.float64).reshape(len(poses), -1, 3)
    q = _ref_axis_angle_to_quat(joints)
    out = _ref_quat_to_axis_angle(_ref_slerp(q[lo], q[hi], weight[:, None]))
    return out.reshape(len(lo), -1).astype(np.float32)



# ------------- the replaced helpers of datasets/mocap/pybullet_fk.py (wxyz)
def _ref_fk_normalize(q):
    n = np.linalg.norm(q, axis=-1, keepdims=True)
    return q / np.where(n > 0, n, 1.0)


def _ref_fk_quat_to_matrix(q_wxyz):
    w, x, y, z = np.moveaxis(_ref_fk_normalize(q_wxyz), -1, 0)
    return np.stack([
        1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
        2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
        2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)
    ], axis=-1).reshape(q_wxyz.shape[:-1] + (3, 3))


def _ref_fk_axis_angle_matrix(axis, angle):
    half = 0.5 * np.asarray(angle)[..., None]
    q = np.concatenate([np.cos(half), np.sin(half) * axis], axis=-1)
    return _ref_fk_quat_to_matrix(q)


def _ref_fk_slerp(q0, q1, w):
    q0, q1 = _ref_fk_normalize(q0), _ref_fk_normalize(q1)
    dot = np.sum(q0 * q1, axis=-1, keepdims=True)
    q1 = np.where(dot < 0, -q1, q1)
    dot = np.clip(np.abs(dot), -1.0, 1.0)
    w = np.asarray(w)[..., None]
    theta = np.arccos(dot)
    sin = np.sin(theta)
    small = sin < 1e-6
    safe = np.where(small, 1.0, sin)
    a = np.where(small, 1.0 - w, np.sin((1.0 - w) * theta) / safe)
    b = np.where(small, w, np.sin(w * theta) / safe)
    return _ref_fk_normalize(a * q0 + b * q1)

# ------------------------------------------------------------ test data
def _random_axis_angles(n, seed=0, max_angle=3.0):
    rng = np.random.default_rng(seed)
    axis = rng.normal(size=(n, 3))
    axis /= np.linalg.norm(axis, axis=-1, keepdims=True)
    aa = axis * rng.uniform(0, max_angle, size=(n, 1))
    aa[:20] *= 1e-10  # near identity
    aa[20:25] = 0.0  # identity
    return aa


def _quat_pairs(n=3000, seed=1):
    """Quaternion pairs: random, antipodal, near-equal, near-opposite."""
    rng = np.random.default_rng(seed)
    q0 = _ref_axis_angle_to_quat(_random_axis_angles(n, seed, 6.0))
    q1 = _ref_axis_angle_to_quat(_random_axis_angles(n, seed + 1, 6.0))
    q1[:300] = -q0[:300]  # antipodal: the same rotation
    near = q0[300:600] + 1e-9 * rng.normal(size=(300, 4))
    q1[300:600] = near / np.linalg.norm(near, axis=-1, keepdims=True)
    far = -q0[600:700] + 1e-9 * rng.normal(size=(100, 4))
    q1[600:700] = far / np.linalg.norm(far, axis=-1, keepdims=True)
    weight = rng.uniform(0, 1, n)
    weight[::7] = 0.0
    weight[3::11] = 1.0
    return q0, q1, weight


def _same_rotation(qa, qb):
    """Largest difference of quaternions up to their sign."""
    return np.minimum(np.abs(qa - qb).max(-1), np.abs(qa + qb).max(-1)).max()


# ----------------------------------------------- numpy against the old code
def test_axis_angle_to_quaternion_matches_old_code():
    aa = _random_axis_angles(2000, max_angle=6.0)  # w < 0 above pi
    np.testing.assert_allclose(
        axis_angle_to_quaternion_np(aa),
        _ref_axis_angle_to_quat(aa),
        rtol=0,
        atol=1e-12)


def test_quaternion_to_axis_angle_matches_old_code_both_signs():
    q = _ref_axis_angle_to_quat(_random_axis_angles(2000, max_angle=3.1))
    for sign in (1, -1):
        np.testing.assert_allclose(
            quaternion_to_axis_angle_np(sign * q),
            _ref_quat_to_axis_angle(sign * q),
            rtol=0,
            atol=1e-12)


def test_slerp_quaternion_matches_old_code():
    q0, q1, weight = _quat_pairs()
    new = slerp_quaternion_np(q0, q1, weight)
    old = _ref_slerp(q0, q1, weight)
    # not only the same rotation: the same hemisphere (that of q0)
    np.testing.assert_allclose(new, old, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(new, axis=-1), 1.0, atol=1e-12)


def test_slerp_axis_angle_matches_old_pipeline():
    aa0 = _random_axis_angles(3000, seed=3, max_angle=6.0)
    aa1 = _random_axis_angles(3000, seed=4, max_angle=6.0)
    aa1[:300] = aa0[:300]
    aa1[300:400] = aa0[300:400] + 1e-9
    weight = np.random.default_rng(5).uniform(0, 1, 3000)
    weight[::5] = 0.0
    old = _ref_quat_to_axis_angle(
        _ref_slerp(
            _ref_axis_angle_to_quat(aa0), _ref_axis_angle_to_quat(aa1),
            weight))
    np.testing.assert_allclose(
        slerp_axis_angle_np(aa0, aa1, weight), old, rtol=0, atol=1e-9)



def _unnormalised(q, seed):
    """``q`` scaled by random norms in [0.5, 1.5] (DeepMimic's are off)."""
    scale = np.random.default_rng(seed).uniform(0.5, 1.5, q.shape[:-1])
    return q * scale[..., None]


def test_quaternion_to_rotmat_matches_old_fk_code():
    aa = _random_axis_angles(2000, seed=20, max_angle=6.0)
    q = _ref_axis_angle_to_quat(aa)
    q = _unnormalised(q, 21)
    new = quaternion_to_rotmat_np(q)
    np.testing.assert_allclose(new, _ref_fk_quat_to_matrix(q), rtol=0,
                               atol=2e-15)
    np.testing.assert_array_equal(quaternion_to_rotmat_np(-q), new)
    # proper rotations
    np.testing.assert_allclose(
        new @ np.swapaxes(new, -1, -2), np.broadcast_to(np.eye(3), new.shape),
        atol=1e-14)
    np.testing.assert_allclose(np.linalg.det(new), 1.0, atol=1e-14)


def test_axis_angle_to_rotmat_matches_old_fk_code():
    # a revolute joint: one unit axis, angles of both signs and above pi
    axis = np.array([0.0, 0.0, 1.0])
    angle = np.concatenate([
        np.linspace(-7.0, 7.0, 301), [0.0, 1e-12, -1e-12, np.pi, -np.pi]
    ])
    new = axis_angle_to_rotmat_np(axis * angle[:, None])
    np.testing.assert_allclose(
        new, _ref_fk_axis_angle_matrix(axis, angle), rtol=0, atol=2e-15)
    # any unit axis
    rng = np.random.default_rng(22)
    axes = rng.normal(size=(500, 3))
    axes /= np.linalg.norm(axes, axis=-1, keepdims=True)
    angle = rng.uniform(-7.0, 7.0, 500)
    np.testing.assert_allclose(
        axis_angle_to_rotmat_np(axes * angle[:, None]),
        _ref_fk_axis_angle_matrix(axes, angle),
        rtol=0,
        atol=2e-15)


def test_slerp_quaternion_matches_old_fk_slerp_unnormalised():
    # the FK slerp normalised its inputs; so does the scipy one
    q0, q1, weight = _quat_pairs(seed=23)
    q0, q1 = _unnormalised(q0, 24), _unnormalised(q1, 25)
    new = slerp_quaternion_np(q0, q1, weight)
    old = _ref_fk_slerp(q0, q1, weight)
    # the same hemisphere (that of q0), not only the same rotation
    np.testing.assert_allclose(new, old, rtol=0, atol=1e-9)
    typical = slice(700, None)  # away from the near-equal/opposite pairs
    np.testing.assert_allclose(
        new[typical], old[typical], rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        slerp_quaternion_np(-q0, q1, weight), -new, rtol=0, atol=1e-15)


def test_known_rotations_numpy_matrices():
    np.testing.assert_allclose(
        quaternion_to_rotmat_np(np.array([S, 0, 0, S])), RZ90, atol=1e-15)
    # norm 2, scalar first: still 90 degrees about z
    np.testing.assert_allclose(
        quaternion_to_rotmat_np(np.array([2 * S, 0, 0, 2 * S])),
        RZ90,
        atol=1e-15)
    # scalar first, not scipy's scalar last: (0, 0, 0, 1) is a half turn
    # about z, (1, 0, 0, 0) the identity
    np.testing.assert_allclose(
        quaternion_to_rotmat_np(np.array([[1.0, 0, 0, 0], [0, 0, 0, 1]])),
        [np.eye(3), np.diag([-1.0, -1.0, 1.0])],
        atol=1e-15)
    np.testing.assert_allclose(
        axis_angle_to_rotmat_np(np.array([0.0, 0.0, np.pi / 2])),
        RZ90,
        atol=1e-15)
    np.testing.assert_allclose(
        axis_angle_to_rotmat_np(np.array([0.0, 0.0, -np.pi / 2])),
        RZ90.T,
        atol=1e-15)
    assert quaternion_to_rotmat_np(np.zeros((2, 0, 4))).shape == (2, 0, 3, 3)
    assert axis_angle_to_rotmat_np(np.zeros((5, 3))).shape == (5, 3, 3)
    with pytest.raises(ValueError):
        quaternion_to_rotmat_np(np.zeros(4))

def test_resample_sequence_matches_old_code():
    rng = np.random.default_rng(7)
    frames = 50
    # smooth motion with large angles (some over pi) on 52 joints
    base = _random_axis_angles(52, seed=8, max_angle=3.5)
    drift = rng.normal(scale=0.05, size=(frames, 52, 3)).cumsum(0)
    poses = (base[None] + drift).reshape(frames, 156).astype(np.float32)
    seq = AmassSequence('s', poses,
                        rng.normal(size=(frames, 3)).astype(np.float32),
                        np.zeros(16, np.float32), 'male', 100.0)
    out = resample_sequence(seq, 60.0, 'slerp')
    index, weight, _ = resample_plan(frames, 100.0, 60.0, 'slerp')
    assert np.any(weight > 0)
    ref = _ref_resample_poses(poses, index[:, 0], index[:, 1], weight)
    assert out.poses.shape == ref.shape
    np.testing.assert_allclose(out.poses, ref, rtol=0, atol=1e-6)


# ------------------------------------------------------ numpy against scipy
def test_slerp_quaternion_matches_scipy_slerp():
    key = Rotation.from_rotvec(_random_axis_angles(40, seed=9))
    times = np.linspace(0.0, 1.0, 121)
    want = Slerp([0.0, 1.0], key[:2])(times).as_matrix()
    q = axis_angle_to_quaternion_np(key[:2].as_rotvec())
    got = slerp_quaternion_np(q[0], q[1], times)
    got = Rotation.from_quat(got[:, [1, 2, 3, 0]]).as_matrix()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # a whole key-frame sequence: frame t from its two neighbours
    seq_times = np.arange(len(key), dtype=np.float64)
    query = np.random.default_rng(10).uniform(0, len(key) - 1, 500)
    lo = np.minimum(np.floor(query).astype(int), len(key) - 2)
    aa = key.as_rotvec()
    got = Rotation.from_rotvec(
        slerp_axis_angle_np(aa[lo], aa[lo + 1], query - lo)).as_matrix()
    want = Slerp(seq_times, key)(query).as_matrix()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_numpy_conversions_match_scipy():
    aa = _random_axis_angles(500, seed=11)
    q = axis_angle_to_quaternion_np(aa)
    np.testing.assert_allclose(
        Rotation.from_quat(q[:, [1, 2, 3, 0]]).as_matrix(),
        Rotation.from_rotvec(aa).as_matrix(),
        atol=1e-12)
    np.testing.assert_allclose(quaternion_to_axis_angle_np(q), aa, atol=1e-12)


# ----------------------------------------------------------- known values
def test_known_rotations_numpy():
    aa = np.array([0.0, 0.0, np.pi / 2])
    np.testing.assert_allclose(
        axis_angle_to_quaternion_np(aa), [S, 0, 0, S], atol=1e-15)
    np.testing.assert_allclose(
        quaternion_to_axis_angle_np(np.array([S, 0, 0, S])), aa, atol=1e-15)
    # half way from identity to 90 degrees about z: 45 degrees about z
    half = slerp_quaternion_np(
        np.array([1.0, 0, 0, 0]), np.array([S, 0, 0, S]), 0.5)
    c, s = np.cos(np.pi / 8), np.sin(np.pi / 8)
    np.testing.assert_allclose(half, [c, 0, 0, s], atol=1e-15)
    np.testing.assert_allclose(
        slerp_axis_angle_np(np.zeros(3), aa, np.array([0.0, 0.25, 1.0])),
        [[0, 0, 0], [0, 0, np.pi / 8], [0, 0, np.pi / 2]],
        atol=1e-15)
    # the shorter arc: -q1 is the same rotation as q1
    np.testing.assert_allclose(
        slerp_quaternion_np(
            np.array([1.0, 0, 0, 0]), -np.array([S, 0, 0, S]), 0.5),
        [c, 0, 0, s],
        atol=1e-15)


def test_angle_above_pi_wraps_to_the_short_way():
    aa = np.array([0.0, 0.0, 1.5 * np.pi])  # = -pi/2 about z
    q = axis_angle_to_quaternion_np(aa)
    assert q[0] < 0  # not canonicalised, like the exponential map
    np.testing.assert_allclose(
        quaternion_to_axis_angle_np(q), [0, 0, -np.pi / 2], atol=1e-12)


def test_half_turn_sign_is_the_only_difference_from_old_code():
    # w == 0 exactly: scipy makes the axis's first non-zero entry positive,
    # the old code kept it; both are the same rotation.
    q = np.array([[0.0, 0.0, 0.0, -1.0], [0.0, 0.0, -1.0, 0.0]])
    new, old = quaternion_to_axis_angle_np(q), _ref_quat_to_axis_angle(q)
    np.testing.assert_allclose(np.abs(new), np.abs(old), atol=1e-15)
    np.testing.assert_allclose(
        Rotation.from_rotvec(new).as_matrix(),
        Rotation.from_rotvec(old).as_matrix(),
        atol=1e-12)


def test_numpy_shapes_broadcast_and_empty():
    q0 = axis_angle_to_quaternion_np(_random_axis_angles(6).reshape(2, 3, 3))
    assert q0.shape == (2, 3, 4)
    assert slerp_quaternion_np(q0, q0[:1], np.full((2, 1),
                                                   0.3)).shape == (2, 3, 4)
    assert slerp_axis_angle_np(
        np.zeros((0, 52, 3)), np.zeros((0, 52, 3)), np.zeros(
            (0, 1))).shape == (0, 52, 3)
    assert quaternion_to_axis_angle_np(np.zeros((0, 4))).shape == (0, 3)
    with pytest.raises(ValueError, match=r'\(\.\.\., 3\)'):
        axis_angle_to_quaternion_np(np.zeros((2, 4)))


# ------------------------------------------------------------------ torch
def test_known_rotations_torch():
    aa = torch.tensor([[0.0, 0.0, np.pi / 2]], dtype=torch.float64)
    rot = axis_angle_to_rotmat(aa)[0]
    # smplx's batch_rodrigues adds 1e-8 to the angle
    np.testing.assert_allclose(rot.numpy(), RZ90, atol=1e-7)
    quat = rotmat_to_quaternion(torch.from_numpy(RZ90))
    np.testing.assert_allclose(quat.numpy(), [S, 0, 0, S], atol=1e-12)
    np.testing.assert_allclose(
        rotmat_to_axis_angle(torch.from_numpy(RZ90)).numpy(),
        [0, 0, np.pi / 2],
        atol=1e-12)
    # 6D: the first two columns, row by row
    np.testing.assert_allclose(
        rotmat_to_rot6d(torch.from_numpy(RZ90)).numpy(), [0, -1, 1, 0, 0, 0])


def test_torch_conversions_match_scipy_and_round_trip():
    aa = _random_axis_angles(1000, seed=12, max_angle=3.1)
    rot = axis_angle_to_rotmat(torch.from_numpy(aa))
    # smplx's batch_rodrigues adds 1e-8 to the angle
    np.testing.assert_allclose(
        rot.numpy(), Rotation.from_rotvec(aa).as_matrix(), atol=1e-7)
    quat = rotmat_to_quaternion(rot).numpy()
    np.testing.assert_allclose(
        quat[:, [1, 2, 3, 0]],
        Rotation.from_matrix(rot.numpy()).as_quat(canonical=True),
        atol=1e-10)
    np.testing.assert_allclose(
        quaternion_to_axis_angle(torch.from_numpy(quat)).numpy(),
        quaternion_to_axis_angle_np(quat),
        atol=1e-6)  # the torch small-angle branch starts at 1e-6
    np.testing.assert_allclose(
        rotmat_to_axis_angle(rot).numpy(), aa, atol=1e-6)
    exact = torch.from_numpy(Rotation.from_rotvec(aa).as_matrix())
    back = rot6d_to_rotmat(rotmat_to_rot6d(exact))
    np.testing.assert_allclose(back.numpy(), exact.numpy(), atol=1e-12)


def test_rotmat_to_quaternion_gradient_is_finite_at_half_turns():
    aa = torch.tensor([[0.0, 0.0, 0.0], [np.pi, 0.0, 0.0], [0.0, np.pi, 0.0],
                       [0.0, 0.0, np.pi]],
                      dtype=torch.float64)
    rot = axis_angle_to_rotmat(aa).requires_grad_(True)
    rotmat_to_quaternion(rot).sum().backward()
    assert torch.isfinite(rot.grad).all()


def test_old_import_paths_are_the_same_functions():
    from mmmotionbert.datasets.converters import amass
    from mmmotionbert.utils import rotation
    for name in ('rot6d_to_rotmat', 'rotmat_to_rot6d', 'axis_angle_to_rotmat',
                 'rotmat_to_quaternion', 'quaternion_to_axis_angle',
                 'rotmat_to_axis_angle'):
        assert getattr(smpl, name) is getattr(rotation, name)
    for name in amass.__all__:
        assert hasattr(amass, name), name
    for name in smpl.__all__:
        assert hasattr(smpl, name), name
