# Copyright (c) mmmotionbert contributors. All rights reserved.
"""A virtual perspective camera for the 3D skeleton panel: equal scale along
every axis at a given depth, orbit angles (elevation, azimuth) about a Y-up
scene, framing of a point cloud, projection to pixels; and
:func:`nice_step` for grid and tick spacing.

May import: numpy.
"""
import math
from typing import Optional, Tuple

import numpy as np

__all__ = ['ViewCamera', 'nice_step']

#: Smallest depth a projected point may have (in front of the camera).
_NEAR = 1e-6


def nice_step(value: float) -> float:
    """The 1, 2 or 5 x 10^k closest (in log) to ``value`` > 0."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    mant = value / 10**exp
    best = min((1, 2, 5, 10), key=lambda m: abs(math.log(mant / m)))
    return float(best * 10**exp)


class ViewCamera:
    """A perspective camera orbiting a point of a Y-up world.

    ``elev`` and ``azim`` follow matplotlib's ``view_init`` on a plot of
    (right, depth away, up): ``azim = -90, elev = 0`` looks straight along
    the display frame's ``-b`` axis (from the front); ``azim = -75`` turns
    the view 15 degrees to the right, ``elev`` raises it.

    Args:
        elev (float): Elevation in degrees.
        azim (float): Azimuth in degrees.
        basis (np.ndarray, optional): (3, 3) rows: the display frame's right,
            up and back (towards the viewer) axes in world coordinates;
            defaults to the world's x, y, z.
    """

    def __init__(self,
                 elev: float = 12.0,
                 azim: float = -75.0,
                 basis: Optional[np.ndarray] = None) -> None:
        basis = np.eye(3) if basis is None else np.asarray(basis, float)
        e, a = np.deg2rad(elev), np.deg2rad(azim)
        eye = (np.cos(e) * np.cos(a) * basis[0] + np.sin(e) * basis[1] -
               np.cos(e) * np.sin(a) * basis[2])
        self.eye_dir = eye / np.linalg.norm(eye)
        forward = -self.eye_dir
        right = np.cross(forward, basis[1])
        if np.linalg.norm(right) < 1e-6:  # looking straight up or down
            right = basis[0]
        right = right / np.linalg.norm(right)
        up = np.cross(right, forward)
        #: (3, 3) world -> camera rotation, rows right, up, forward.
        self.rot = np.stack([right, up, forward])
        self.eye = np.zeros(3)
        self.distance = 1.0
        self.focal = 1.0
        self.principal = np.zeros(2)

    @property
    def right(self) -> np.ndarray:
        """Screen right in world coordinates."""
        return self.rot[0]

    @property
    def up(self) -> np.ndarray:
        """Screen up in world coordinates."""
        return self.rot[1]

    @property
    def forward(self) -> np.ndarray:
        """Viewing direction in world coordinates."""
        return self.rot[2]

    def look_at(self, center: np.ndarray, distance: float) -> None:
        """Put the camera ``distance`` from ``center``, looking at it."""
        self.eye = np.asarray(center, float) + self.eye_dir * distance
        self.distance = float(distance)

    def camera_coords(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) world points in camera axes (x right, y up, z depth)."""
        return (np.asarray(points, float) - self.eye) @ self.rot.T

    def fit(self, points: np.ndarray, size: Tuple[int, int],
            margins: Tuple[int, int, int, int]) -> None:
        """Choose focal length and principal point so that ``points`` fill
        ``size`` (w, h) less ``margins`` (left, top, right, bottom),
        centred, with equal scale in x and y."""
        cam = self.camera_coords(np.asarray(points, float).reshape(-1, 3))
        cam = cam[cam[:, 2] > _NEAR]
        if not len(cam):
            return
        u = cam[:, 0] / cam[:, 2]
        v = -cam[:, 1] / cam[:, 2]
        left, top, right, bottom = margins
        avail_w = max(size[0] - left - right, 1)
        avail_h = max(size[1] - top - bottom, 1)
        span_u = max(u.max() - u.min(), 1e-9)
        span_v = max(v.max() - v.min(), 1e-9)
        self.focal = float(min(avail_w / span_u, avail_h / span_v))
        self.principal = np.array([
            left + (avail_w - self.focal * span_u) / 2 - self.focal * u.min(),
            top + (avail_h - self.focal * span_v) / 2 - self.focal * v.min()
        ])

    def project_camera(self, cam: np.ndarray) -> np.ndarray:
        """(..., 3) camera-axes points (z > 0) to (..., 2) pixels."""
        z = np.maximum(cam[..., 2:3], _NEAR)
        uv = cam[..., :2] / z * [self.focal, -self.focal] + self.principal
        return np.clip(uv, -1e6, 1e6)

    def project(self, points: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """(..., 3) world points to (..., 2) pixels and (...) depths."""
        cam = self.camera_coords(points)
        return self.project_camera(cam), cam[..., 2]
