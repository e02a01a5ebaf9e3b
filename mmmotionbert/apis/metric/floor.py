# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Foot contacts, the floor plane and a gravity-aligned world frame.

For a static camera, :func:`estimate_floor` finds the ground plane (in the
camera frame) from the ankles of every person over the clip:

1. the prior "up" is the mean direction from the ankles' midpoint to the
   pelvis (people stand mostly upright over a clip);
2. a foot is in contact in a frame when its ankle moves slower than
   ``contact_speed`` (m/s) and lies within ``contact_height`` (m) of the
   clip's lowest ankle level along "up";
3. the plane's normal minimises the spread of the contact ankles along it
   plus ``prior_weight`` times its misalignment with the prior (the contact
   points of a person standing still lie on a line, which leaves a plane
   free to turn about it; the prior decides that turn); steps 2-3 repeat
   once with the new normal;
4. the floor lies one ankle height (0.039 x the person's height, Winter's
   proportions) below the contact ankles.

:func:`world_from_floor` builds the world frame: Y up (the floor normal),
the floor at ``y = 0``, origin under the first person's first pelvis, +Z
the camera's viewing direction along the floor. :func:`world_from_extrinsics`
uses a calibration's world instead (Z up there, as Pose2Sim's), with the
axes of Pose2Sim's TRC files: ``(x, y, z) = (Y_cal, Z_cal, X_cal)``.

May import: numpy.
"""
from typing import Dict

import numpy as np

__all__ = [
    'ANKLE_HEIGHT_FRACTION', 'estimate_floor', 'foot_contacts',
    'world_from_floor', 'world_from_extrinsics', 'CALIBRATION_TO_WORLD',
    'apply_transform', 'floor_angle_deg'
]

#: Ankle height over body height (Winter's anthropometric proportions).
ANKLE_HEIGHT_FRACTION = 0.039
#: Left and right ankle in H36M-17.
_ANKLES = (6, 3)
#: Calibration world (Z up, Pose2Sim) -> ours (Y up), as Pose2Sim's TRC.
CALIBRATION_TO_WORLD = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0],
                                 [1.0, 0.0, 0.0]])


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def foot_contacts(joints: np.ndarray, up: np.ndarray, level: float,
                  fps: float, contact_speed: float = 0.3,
                  contact_height: float = 0.06) -> np.ndarray:
    """Per-frame left/right foot contact flags of one person.

    Args:
        joints (np.ndarray): (T, 17, 3) metric joints, camera frame (NaN
            where undetected).
        up (np.ndarray): (3,) up direction.
        level (float): Height (along ``up``) of the ankles in contact.
        fps (float): Frame rate.
        contact_speed (float): Fastest ankle speed of a contact (m/s).
        contact_height (float): Highest ankle rise above ``level`` (m).

    Returns:
        np.ndarray: (T, 2) bool, left and right.
    """
    ankles = joints[:, list(_ANKLES)]  # (T, 2, 3)
    if len(ankles) > 1:
        speed = np.linalg.norm(np.gradient(ankles, axis=0), axis=-1) * fps
    else:
        speed = np.zeros(ankles.shape[:2])
    height = ankles @ up - level
    ok = np.isfinite(speed) & np.isfinite(height)
    return ok & (np.nan_to_num(speed, nan=np.inf) < contact_speed) & (
        np.nan_to_num(height, nan=np.inf) < contact_height)


def estimate_floor(joints: np.ndarray, heights: np.ndarray, fps: float,
                   prior_weight: float = 0.01,
                   contact_speed: float = 0.3,
                   contact_height: float = 0.06) -> Dict:
    """Ground plane of a static camera's clip (see the module doc).

    Args:
        joints (np.ndarray): (P, T, 17, 3) metric joints, camera frame.
        heights (np.ndarray): (P,) subject heights (metres).
        fps (float): Frame rate.
        prior_weight (float): Weight (m^2) of the upright prior.
        contact_speed (float): Fastest ankle speed of a contact (m/s).
        contact_height (float): Highest ankle rise of a contact (m).

    Returns:
        dict: ``normal`` (3,) unit up vector and ``point`` (3,) a floor
        point, camera frame; ``contacts`` (P, T, 2) bool; ``num_contacts``
        and ``source`` (what decided the plane).

    Raises:
        ValueError: When no frame has both ankles and the pelvis.
    """
    mid = joints[:, :, list(_ANKLES)].mean(2)
    legs = (joints[:, :, 0] - mid).reshape(-1, 3)
    legs = legs[np.isfinite(legs).all(-1)]
    if len(legs) == 0:
        raise ValueError('no frame has the pelvis and both ankles: cannot '
                         'find the floor')
    prior = _unit(np.mean(legs / np.linalg.norm(
        legs, axis=-1, keepdims=True), 0))
    up = prior
    contacts = np.zeros(joints.shape[:2] + (2, ), bool)
    source = 'upright prior (no foot contacts)'
    for _ in range(2):
        ankles = joints[:, :, list(_ANKLES)]
        h = ankles @ up
        finite = h[np.isfinite(h)]
        level = float(np.percentile(finite, 5))
        contacts = np.stack([
            foot_contacts(joints[p], up, level, fps, contact_speed,
                          contact_height) for p in range(len(joints))
        ])
        pts = ankles[contacts]
        if len(pts) < 3:
            break
        c = pts.mean(0)
        scatter = (pts - c).T @ (pts - c) / len(pts)
        evals, evecs = np.linalg.eigh(scatter -
                                      prior_weight * np.outer(prior, prior))
        up = _unit(evecs[:, 0] * np.sign(evecs[:, 0] @ prior))
        source = 'foot contacts + upright prior'
    pts = joints[:, :, list(_ANKLES)][contacts]
    ankle_h = ANKLE_HEIGHT_FRACTION * float(np.mean(heights))
    if len(pts):
        base = float(np.median(pts @ up))
    else:
        base = level
    point = up * (base - ankle_h)
    return dict(normal=up, point=point, contacts=contacts,
                num_contacts=int(contacts.sum()), source=source,
                prior=prior)


def _rigid(R: np.ndarray, t: np.ndarray) -> np.ndarray:
    M = np.eye(4)
    M[:3, :3], M[:3, 3] = R, t
    return M


def world_from_floor(normal: np.ndarray, point: np.ndarray,
                     origin: np.ndarray) -> np.ndarray:
    """Camera-to-world transform of a floor-aligned world (module doc).

    Args:
        normal (np.ndarray): (3,) floor normal (up), camera frame.
        point (np.ndarray): (3,) a floor point, camera frame.
        origin (np.ndarray): (3,) a camera point whose floor projection
            becomes the world origin (e.g. the first pelvis).

    Returns:
        np.ndarray: (4, 4) camera-to-world transform.
    """
    y = _unit(normal)
    fwd = np.array([0.0, 0.0, 1.0])
    z = fwd - (fwd @ y) * y
    if np.linalg.norm(z) < 1e-6:  # camera looking straight down / up
        z = np.array([0.0, 1.0, 0.0]) - y[1] * y
    z = _unit(z)
    x = np.cross(y, z)
    R = np.stack([x, y, z])  # rows: world axes in camera coordinates
    base = origin - ((origin - point) @ y) * y  # on the floor
    return _rigid(R, -R @ base)


def world_from_extrinsics(R: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Camera-to-world transform of a calibration (world-to-camera R, t).

    Args:
        R (np.ndarray): (3, 3) world-to-camera rotation.
        t (np.ndarray): (3,) world-to-camera translation.

    Returns:
        np.ndarray: (4, 4) camera-to-world into our Y-up axes
        (:data:`CALIBRATION_TO_WORLD`).
    """
    Rcw = CALIBRATION_TO_WORLD @ R.T
    return _rigid(Rcw, -Rcw @ t)


def apply_transform(M: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``M`` (4, 4) applied to (..., 3) points (NaN stays NaN)."""
    return points @ M[:3, :3].T + M[:3, 3]


def floor_angle_deg(normal_cam: np.ndarray, up_cam: np.ndarray) -> float:
    """Angle (degrees) between two up vectors."""
    c = float(_unit(normal_cam) @ _unit(up_cam))
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))
