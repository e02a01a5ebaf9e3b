# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Task heads on the DSTformer representation."""
from .pose_head import MBPoseHead

__all__ = ['MBPoseHead']
from .mesh_head import MBMeshHead  # noqa: E402,F401

__all__ += ['MBMeshHead']
