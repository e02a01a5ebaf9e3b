# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The root translation that puts metric root-relative poses on their 2D.

For a (T, 17, 3) metric pose relative to the pelvis and the 2D keypoints of
the same frames, :func:`solve_root_trajectory` finds the camera-space
pelvis position of every frame by minimising, over the whole track at once,

* the reprojection error of every keypoint, weighted by its score and
  robust to outliers (Huber, ``huber_px``); missing keypoints weigh 0;
* plus the root's acceleration (second differences times ``fps**2``),
  weighed as a Gaussian of ``accel_std`` m/s^2 against a keypoint noise of
  ``huber_px`` pixels, so depth does not jitter from frame to frame and
  frames without 2D are bridged smoothly.

It starts from a per-frame linear least-squares solution and runs
Gauss-Newton steps on the sparse (banded) normal equations.

:func:`rotate_to_rays`: the lifter sees each person as if centred in the
view; a person off the optical axis is seen along their ray, so every pose
is turned by the rotation taking the optical axis to the ray through its
root.

May import: numpy, scipy and OpenCV.
"""
from typing import Optional

import numpy as np

__all__ = ['linear_root', 'solve_root_trajectory', 'rotate_to_rays']


def linear_root(pose: np.ndarray, uv: np.ndarray, w: np.ndarray,
                K: np.ndarray) -> np.ndarray:
    """Per-frame linear least-squares root translation.

    From ``u (Z + tz) = fx (X + tx) + cx (Z + tz)`` (and v), linear in the
    translation. Frames with fewer than 2 keypoints get NaN.

    Args:
        pose (np.ndarray): (T, J, 3) metric root-relative poses.
        uv (np.ndarray): (T, J, 2) undistorted keypoints (pixels).
        w (np.ndarray): (T, J) weights (0 = missing).
        K (np.ndarray): (3, 3) intrinsics.

    Returns:
        np.ndarray: (T, 3) translations.
    """
    fx, fy, cx, cy = K[0, 0], K[1, 1], K[0, 2], K[1, 2]
    du, dv = uv[..., 0] - cx, uv[..., 1] - cy
    X, Y, Z = pose[..., 0], pose[..., 1], pose[..., 2]
    zero = np.zeros_like(du)
    # rows (T, 2J, 3), right-hand side (T, 2J)
    A = np.concatenate([
        np.stack([np.full_like(du, fx), zero, -du], -1),
        np.stack([zero, np.full_like(dv, fy), -dv], -1)
    ], 1)
    b = np.concatenate([du * Z - fx * X, dv * Z - fy * Y], 1)
    sw = np.sqrt(np.concatenate([w, w], 1))[..., None]
    Aw, bw = A * sw, b * sw[..., 0]
    AtA = np.einsum('tka,tkb->tab', Aw, Aw)
    Atb = np.einsum('tka,tk->ta', Aw, bw)
    out = np.full((len(pose), 3), np.nan)
    ok = (w > 0).sum(1) >= 2
    if ok.any():
        out[ok] = np.linalg.solve(AtA[ok], Atb[ok][..., None])[..., 0]
    return out


def rotate_to_rays(pose: np.ndarray, root: np.ndarray) -> np.ndarray:
    """Turn each pose by the rotation taking the optical axis to its ray.

    Args:
        pose (np.ndarray): (T, J, 3) root-relative poses.
        root (np.ndarray): (T, 3) root positions (the rays).

    Returns:
        np.ndarray: (T, J, 3) rotated poses.
    """
    ray = root / np.linalg.norm(root, axis=-1, keepdims=True)
    axis = np.cross(np.array([0.0, 0.0, 1.0]), ray)
    s = np.linalg.norm(axis, axis=-1)
    c = ray[:, 2]
    k = axis / np.maximum(s, 1e-12)[:, None]
    # Rodrigues: R = I + sin K + (1 - cos) K^2
    Kx = np.zeros((len(ray), 3, 3))
    Kx[:, 0, 1], Kx[:, 0, 2] = -k[:, 2], k[:, 1]
    Kx[:, 1, 0], Kx[:, 1, 2] = k[:, 2], -k[:, 0]
    Kx[:, 2, 0], Kx[:, 2, 1] = -k[:, 1], k[:, 0]
    R = (np.eye(3)[None] + s[:, None, None] * Kx +
         (1 - c)[:, None, None] * Kx @ Kx)
    return np.einsum('tab,tjb->tja', R, pose)


def _block_diagonal(blocks: np.ndarray):
    """Sparse block-diagonal matrix of (T, 3, 3) blocks (zeros left out),
    as ``scipy.sparse.block_diag`` builds it, without its per-block loop."""
    from scipy import sparse
    n = blocks.shape[0] * 3
    idx = np.arange(n).reshape(-1, 3)
    rows = np.broadcast_to(idx[:, :, None], blocks.shape).ravel()
    cols = np.broadcast_to(idx[:, None, :], blocks.shape).ravel()
    vals = blocks.ravel()
    keep = vals != 0
    return sparse.csr_matrix((vals[keep], (rows[keep], cols[keep])),
                             shape=(n, n))


def _interpolate_missing(root: np.ndarray) -> np.ndarray:
    """Fill NaN rows linearly (held at the ends)."""
    out = root.copy()
    ok = np.isfinite(out).all(-1)
    if ok.all() or not ok.any():
        return out
    idx = np.arange(len(out))
    for c in range(3):
        out[:, c] = np.interp(idx, idx[ok], out[ok, c])
    return out


def solve_root_trajectory(pose: np.ndarray,
                          uv: np.ndarray,
                          w: np.ndarray,
                          K: np.ndarray,
                          fps: float,
                          init: Optional[np.ndarray] = None,
                          huber_px: float = 10.0,
                          accel_std: float = 7.0,
                          iterations: int = 8,
                          min_depth: float = 0.1) -> np.ndarray:
    """Smooth, robust root trajectory of one track (see the module doc).

    Args:
        pose (np.ndarray): (T, J, 3) metric root-relative poses.
        uv (np.ndarray): (T, J, 2) undistorted keypoints (pixels).
        w (np.ndarray): (T, J) keypoint scores (0 = missing).
        K (np.ndarray): (3, 3) intrinsics.
        fps (float): Frame rate (the acceleration's time unit).
        init (np.ndarray, optional): (T, 3) starting trajectory. Defaults to
            :func:`linear_root`, gaps interpolated.
        huber_px (float): Huber threshold and keypoint noise (pixels).
        accel_std (float): Expected root acceleration (m/s^2).
        iterations (int): Gauss-Newton steps.
        min_depth (float): Smallest depth (metres) a root may take.

    Returns:
        np.ndarray: (T, 3) root positions in metres, camera frame.

    Raises:
        ValueError: When no frame has 2 or more keypoints.
    """
    from scipy import sparse
    from scipy.sparse.linalg import spsolve
    T = len(pose)
    w = np.where(np.isfinite(uv).all(-1), w, 0.0).clip(min=0)
    uv = np.nan_to_num(uv)
    tau = linear_root(pose, uv, w, K) if init is None else init.copy()
    if not np.isfinite(tau).any():
        raise ValueError('no frame has 2 or more keypoints to place the '
                         'person')
    tau = _interpolate_missing(tau)
    # every joint in front of the camera
    tau[:, 2] = np.maximum(tau[:, 2], min_depth - np.nanmin(pose[..., 2], 1))
    fx, fy, cx, cy = K[0, 0], K[1, 1], K[0, 2], K[1, 2]
    if T >= 3:
        D = sparse.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(T - 2, T))
        S = sparse.kron((D.T @ D) * float(fps)**4, sparse.eye(3)).tocsr()
        smooth = (huber_px / accel_std)**2
    for _ in range(iterations):
        X = pose + tau[:, None]
        Z = np.maximum(X[..., 2], 1e-6)
        ru = fx * X[..., 0] / Z + cx - uv[..., 0]
        rv = fy * X[..., 1] / Z + cy - uv[..., 1]
        err = np.hypot(ru, rv)
        hw = np.where(err < huber_px, 1.0,
                      huber_px / np.maximum(err, 1e-9)) * w
        zero = np.zeros_like(Z)
        Ju = np.stack([fx / Z, zero, -fx * X[..., 0] / Z**2], -1)
        Jv = np.stack([zero, fy / Z, -fy * X[..., 1] / Z**2], -1)
        H = (np.einsum('tj,tja,tjb->tab', hw, Ju, Ju) +
             np.einsum('tj,tja,tjb->tab', hw, Jv, Jv))
        g = (np.einsum('tj,tja,tj->ta', hw, Ju, ru) +
             np.einsum('tj,tja,tj->ta', hw, Jv, rv)).reshape(-1)
        A = _block_diagonal(H)
        if T >= 3:
            A = A + smooth * S
            g = g + smooth * (S @ tau.reshape(-1))
        A = A + sparse.eye(3 * T) * 1e-6  # frames without any keypoint
        step = spsolve(A.tocsc(), -g).reshape(T, 3)
        tau = tau + step
        if np.abs(step).max() < 1e-6:
            break
    return tau
