# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Task heads on the DSTformer representation."""
from .pose_head import MBPoseHead

__all__ = ['MBPoseHead']
