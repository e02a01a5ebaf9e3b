# Copyright (c) mmmotionbert contributors. All rights reserved.
from .pose_loss import MBPose2DLoss, MBPoseLoss  # noqa: F401
from .supcon import MBSupConLoss, supcon_loss  # noqa: F401
from .mesh_loss import MBMeshLoss  # noqa: F401
