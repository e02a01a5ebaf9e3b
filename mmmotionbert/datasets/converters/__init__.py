# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Converters between MotionBERT's data files and other layouts."""
from .h36m_mmpose import (MMPOSE_CAMERA_FILE, MMPOSE_FACTOR_FILE,
                          MMPOSE_NPZ_FILES, convert_h36m_pkl_to_mmpose,
                          h36m_split_to_mmpose, mmpose_camera_table,
                          parse_h36m_source)

__all__ = [
    'MMPOSE_CAMERA_FILE', 'MMPOSE_FACTOR_FILE', 'MMPOSE_NPZ_FILES',
    'convert_h36m_pkl_to_mmpose', 'h36m_split_to_mmpose',
    'mmpose_camera_table', 'parse_h36m_source'
]
