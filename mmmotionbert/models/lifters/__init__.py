# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Task models that combine the backbone with heads and losses.

May import: its submodules; never ``apis`` or ``datasets``.
"""
from .pose_lifter import MBPoseLifter

__all__ = ['MBPoseLifter']
