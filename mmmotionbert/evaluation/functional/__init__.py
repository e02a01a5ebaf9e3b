# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Functional (numpy) 3D pose error measures.

May import: its submodules (re-exports); never ``apis`` or ``datasets``.
"""
from .errors import mpjpe, p_mpjpe
from .h36m_eval import OFFICIAL_BLOCK_LIST, denormalize_h36m, evaluate_h36m
from .pose2sim_eval import metric_errors, pose2sim_errors

__all__ = [
    'mpjpe', 'p_mpjpe', 'OFFICIAL_BLOCK_LIST', 'denormalize_h36m',
    'evaluate_h36m', 'pose2sim_errors', 'metric_errors'
]
