# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Registered training losses (pose, 2D, mesh, supervised contrastive).

May import: its submodules; never ``apis`` or ``datasets``.
"""
from .pose_loss import MBPose2DLoss, MBPoseLoss  # noqa: F401
from .supcon import MBSupConLoss, supcon_loss  # noqa: F401
from .mesh_loss import MBMeshLoss  # noqa: F401
