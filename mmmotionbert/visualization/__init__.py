# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Rendering of lifted 3D poses (2D panel beside a 3D skeleton view)."""
from .renderer import PoseVideoWriter, SkeletonRenderer, render_lift_result

__all__ = ['PoseVideoWriter', 'SkeletonRenderer', 'render_lift_result']
