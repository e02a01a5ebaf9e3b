# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Virtual pinhole cameras for rendering 3D mocap clips to 2D.

Drawing a random camera aimed at a subject (:func:`sample_virtual_camera`,
:func:`make_camera`), moving world points into its frame
(:func:`world_to_camera`) and projecting them (:func:`project_points`).
World Y is up; camera axes follow OpenCV (x right, y down, z forward).
Used by :class:`~mmmotionbert.datasets.MBMocapDataset` and its transforms
(:mod:`mmmotionbert.datasets.transforms.mocap_camera`).

May import numpy only.
"""
from typing import Dict, Sequence

import numpy as np

__all__ = [
    'DEFAULT_RESOLUTIONS', 'sample_virtual_camera', 'make_camera',
    'world_to_camera', 'project_points'
]


#: Typical camera resolutions (w, h) drawn for the virtual cameras.
DEFAULT_RESOLUTIONS = ((1920, 1080), (1080, 1920), (1280, 720), (1000, 1000),
                       (1088, 1920))


def sample_virtual_camera(rng: np.random.Generator,
                          look_at: np.ndarray,
                          yaw_range: Sequence[float] = (0.0, 360.0),
                          pitch_range: Sequence[float] = (-20.0, 20.0),
                          distance_range: Sequence[float] = (3.0, 6.0),
                          fov_range: Sequence[float] = (40.0, 70.0),
                          resolutions: Sequence[Sequence[int]] = (
                              DEFAULT_RESOLUTIONS)) -> Dict:
    """Draw a pinhole camera looking at ``look_at`` (world Y up).

    The camera sits at ``look_at + d * (cos p sin y, sin p, cos p cos y)``
    (positive pitch: above, looking down) and looks at ``look_at`` with no
    roll. Camera axes follow OpenCV: x right, y down, z forward.

    Args:
        rng (np.random.Generator): Randomness.
        look_at (np.ndarray): (3,) world point the camera aims at.
        yaw_range (Sequence[float]): Degrees.
        pitch_range (Sequence[float]): Degrees.
        distance_range (Sequence[float]): Metres.
        fov_range (Sequence[float]): Field of view across the longer image
            side, degrees.
        resolutions (Sequence): ``(w, h)`` choices.

    Returns:
        dict: ``rotation`` (3, 3) world->camera (rows: right, down,
        forward), ``position`` (3,), ``focal`` (float, pixels), ``center``
        (2,) principal point, ``resolution`` (w, h), ``yaw``, ``pitch``
        (degrees), ``distance``.
    """
    yaw = float(rng.uniform(*yaw_range))
    pitch = float(rng.uniform(*pitch_range))
    dist = float(rng.uniform(*distance_range))
    fov = float(rng.uniform(*fov_range))
    w, h = resolutions[int(rng.integers(len(resolutions)))]
    return make_camera(look_at, yaw, pitch, dist,
                       max(w, h) / (2.0 * np.tan(np.radians(fov) / 2.0)),
                       (w, h))


def make_camera(look_at: np.ndarray, yaw: float, pitch: float,
                distance: float, focal: float,
                resolution: Sequence[int] = (1920, 1080)) -> Dict:
    """A pinhole camera aimed at ``look_at`` (see
    :func:`sample_virtual_camera` for the conventions).

    Args:
        look_at (np.ndarray): (3,) world point.
        yaw (float): Degrees about the world Y axis.
        pitch (float): Degrees of elevation.
        distance (float): Metres from ``look_at``.
        focal (float): Pixels.
        resolution (Sequence[int]): ``(w, h)``; the principal point is the
            image centre.

    Returns:
        dict: Camera as returned by :func:`sample_virtual_camera`.
    """
    y, p = np.radians(yaw), np.radians(pitch)
    offset = np.array(
        [np.cos(p) * np.sin(y),
         np.sin(p),
         np.cos(p) * np.cos(y)])
    position = np.asarray(look_at, dtype=np.float64) + distance * offset
    forward = -offset
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    w, h = resolution
    return dict(
        rotation=np.stack([right, down, forward]),
        position=position,
        focal=float(focal),
        center=np.array([w / 2.0, h / 2.0]),
        resolution=(int(w), int(h)),
        yaw=float(yaw),
        pitch=float(pitch),
        distance=float(distance))


def world_to_camera(points: np.ndarray, camera: Dict) -> np.ndarray:
    """World points (..., 3) into camera coordinates (x right, y down)."""
    return (np.asarray(points) - camera['position']) @ camera['rotation'].T


def project_points(points_cam: np.ndarray, focal: float,
                   center: np.ndarray) -> np.ndarray:
    """Pinhole projection of camera-space points (..., 3) to pixels (..., 2).
    """
    z = points_cam[..., 2:3]
    if np.any(z <= 0):
        raise ValueError('points behind the camera cannot be projected')
    return focal * points_cam[..., :2] / z + np.asarray(center)
