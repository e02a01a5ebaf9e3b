# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Datasets and transforms."""
from .h36m_dataset import MBH36MDataset  # noqa: F401
from .h36m_reader import (H36M_CAMERA_RESOLUTIONS, H36MReader,  # noqa: F401
                          load_h36m_pkl, resample_indices, split_clips)
from .transforms import *  # noqa: F401,F403
