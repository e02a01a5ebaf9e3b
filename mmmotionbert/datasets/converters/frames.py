# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Coordinate frames of the motion-capture converters.

AMASS's world is Z up; :class:`~mmmotionbert.datasets.MBMocapDataset`
works in a Y-up world (:func:`zup_to_yup`); the official pre-sliced AMASS
clips are in camera axes (x right, y down, z = world forward) times the
official ``scale_factor`` (:func:`yup_to_official_camera`,
:data:`OFFICIAL_AMASS_SCALE`).

May import: numpy only.
"""
import numpy as np

__all__ = ['OFFICIAL_AMASS_SCALE', 'zup_to_yup', 'yup_to_official_camera']

#: Official ``convert_amass.py`` scale from metres to the clip units.
OFFICIAL_AMASS_SCALE = 0.298


def zup_to_yup(points: np.ndarray) -> np.ndarray:
    """AMASS world (Z up) -> the Y-up world of the mocap datasets.

    A rotation of -90 degrees about x: ``(x, y, z) -> (x, z, -y)``.

    Args:
        points (np.ndarray): (..., 3).

    Returns:
        np.ndarray: (..., 3) copy.
    """
    p = np.asarray(points)
    return np.stack([p[..., 0], p[..., 2], -p[..., 1]], axis=-1)


def yup_to_official_camera(points: np.ndarray,
                           scale: float = OFFICIAL_AMASS_SCALE) -> np.ndarray:
    """Y-up world -> the camera axes of the official AMASS clips.

    The official ``convert_amass.py`` maps AMASS ``(x, y, z)`` (Z up) to
    ``(x, -z, y) * 0.298`` (x right, y down, depth = AMASS y); from the Y-up
    world that is ``(x, -y, -z) * scale``.

    Args:
        points (np.ndarray): (..., 3) Y-up metres.
        scale (float): Official scale factor. Defaults to 0.298.

    Returns:
        np.ndarray: float32 (..., 3).
    """
    p = np.asarray(points, dtype=np.float32)
    return np.stack([p[..., 0], -p[..., 1], -p[..., 2]],
                    axis=-1) * np.float32(scale)
