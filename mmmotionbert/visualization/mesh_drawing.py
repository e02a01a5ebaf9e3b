# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Shaded triangle meshes drawn on an image with the painter's algorithm
(:func:`draw_mesh`, orthographic along +z, one fixed light ``_LIGHT``).

May import: numpy and OpenCV (imported when drawing).
"""
from typing import Sequence, Tuple

import numpy as np

__all__ = ['draw_mesh']

#: Direction towards the light for mesh shading (camera axes: x right,
#: y down, z away): from the upper left, in front of the person.
_LIGHT = np.array([-0.35, -0.5, -1.0]) / np.linalg.norm([-0.35, -0.5, -1.0])


def draw_mesh(canvas: np.ndarray,
              meshes: Sequence[Tuple[np.ndarray, np.ndarray]],
              faces: np.ndarray,
              alpha: float = 1.0) -> np.ndarray:
    """Draw shaded triangle meshes with the painter's algorithm (in place).

    Orthographic view along +z: a vertex ``(x, y, z)`` lands on canvas
    pixel ``(x, y)``; triangles are filled far to near (mean z), shaded by
    the angle between their normal and a fixed light (two-sided, so the
    triangles' orientation does not matter).

    Args:
        canvas (np.ndarray): (H, W, 3) uint8 RGB image, drawn on.
        meshes (Sequence[tuple]): ``(vertices (V, 3) canvas pixels + depth,
            base colour (3,) RGB)`` per mesh; meshes with non-finite
            vertices are skipped. All are depth-sorted together.
        faces (np.ndarray): (F, 3) triangle vertex indices.
        alpha (float): Opacity of the meshes over the canvas. Defaults to 1.

    Returns:
        np.ndarray: ``canvas``.
    """
    import cv2
    faces = np.asarray(faces, np.int64)
    polys, depth, colors = [], [], []
    for verts, color in meshes:
        verts = np.asarray(verts, np.float64)
        if not np.isfinite(verts).all():
            continue
        tri = verts[faces]  # (F, 3, 3)
        normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        norm = np.linalg.norm(normal, axis=1)
        norm[norm == 0] = 1.0
        shade = 0.3 + 0.7 * np.abs(normal @ _LIGHT) / norm
        polys.append(tri[..., :2])
        depth.append(tri[..., 2].mean(1))
        colors.append(shade[:, None] * np.asarray(color, float)[None])
    if not polys:
        return canvas
    order = np.argsort(-np.concatenate(depth), kind='stable')
    # 4 fractional bits: sub-pixel vertex positions
    pts = np.round(np.concatenate(polys)[order] * 16).astype(np.int32)
    cols = np.clip(np.concatenate(colors)[order], 0, 255).astype(int)
    # RGB + coverage in one pass (one fill per triangle)
    layer = np.zeros(canvas.shape[:2] + (4, ), np.uint8)
    for tri, col in zip(pts, cols.tolist()):
        cv2.fillConvexPoly(layer, tri, col + [255], cv2.LINE_8, 4)
    covered = layer[..., 3:] > 0
    blend = canvas * (1.0 - alpha) + layer[..., :3] * alpha
    canvas[...] = np.where(covered, blend, canvas).astype(np.uint8)
    return canvas
