# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Task models that combine the backbone with heads and losses."""
from .pose_lifter import MBPoseLifter

__all__ = ['MBPoseLifter']
