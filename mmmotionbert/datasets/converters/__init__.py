# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Converters between MotionBERT's data files and other layouts.

May import: its submodules (re-exports); never ``apis``.
"""
from .amass import (MissingBodyModelError, SMPLHJoints,
                    convert_amass)
from .h36m_mmpose import (MMPOSE_CAMERA_FILE, MMPOSE_FACTOR_FILE,
                          MMPOSE_NPZ_FILES, convert_h36m_pkl_to_mmpose,
                          h36m_split_to_mmpose, mmpose_camera_table,
                          parse_h36m_source)
from .wild2d import convert_wild2d, read_tracks, tracks_to_clips

__all__ = [
    'MMPOSE_CAMERA_FILE', 'MMPOSE_FACTOR_FILE', 'MMPOSE_NPZ_FILES',
    'convert_h36m_pkl_to_mmpose', 'h36m_split_to_mmpose',
    'mmpose_camera_table', 'parse_h36m_source', 'MissingBodyModelError',
    'SMPLHJoints', 'convert_amass', 'convert_wild2d', 'read_tracks',
    'tracks_to_clips'
]
