# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Rendering of lifted 3D poses (2D panel beside a 3D skeleton view, plus
a mesh panel for recovered SMPL meshes).

May import: its submodules (re-exports); never ``apis``.
"""
from .html_viewer import write_html_viewer, write_result_viewer
from .renderer import (PoseVideoWriter, SkeletonRenderer, draw_mesh,
                       render_lift_result)

__all__ = [
    'PoseVideoWriter', 'SkeletonRenderer', 'render_lift_result', 'draw_mesh'
]
__all__ += ['write_html_viewer', 'write_result_viewer']
