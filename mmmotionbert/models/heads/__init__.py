# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Task heads on the DSTformer representation.

May import: its submodules; never ``apis`` or ``datasets``.
"""
from .action_head import MBActionEmbedHead, MBActionHead
from .mesh_head import MBMeshHead
from .pose_head import MBPoseHead

__all__ = ['MBPoseHead', 'MBActionHead', 'MBActionEmbedHead', 'MBMeshHead']
