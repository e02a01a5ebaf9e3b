# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Datasets and transforms.

May import: its submodules (re-exports; importing them registers the datasets
and transforms); never ``apis``.
"""
from .h36m_dataset import MBH36MDataset  # noqa: F401
from .h36m_reader import (H36M_CAMERA_RESOLUTIONS, H36MReader,  # noqa: F401
                          load_h36m_pkl, resample_indices, split_clips)
from .motion2d_dataset import MBMotion2DDataset  # noqa: F401
from .motion3d_dataset import MBMotionClipDataset  # noqa: F401
from .transforms import *  # noqa: F401,F403
from .action_dataset import (MBClassBalancedSampler,  # noqa: F401
                             MBPoseDataset, NTU120_ONESHOT_CLASSES)
from .mesh_dataset import (MBMeshDataset, MBMeshMixDataset,  # noqa: F401
                           MBMeshSourceBatchSampler, load_mesh_pkl)
from .crop_scale import (apply_crop_scale, crop_scale,  # noqa: F401
                         crop_scale_box, invert_crop_scale)
from .mocap_dataset import MBMocapDataset  # noqa: F401
from .pose2sim_demo import load_pose2sim_demo  # noqa: F401
