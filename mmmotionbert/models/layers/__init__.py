# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Building blocks of DSTformer.

May import: its submodules; never ``apis`` or ``datasets``.
"""
from .attention import MotionAttention, motion_attention
from .dstformer_block import DSTformerBlock
from .fused_ops import fused_linear, fused_ops_disabled
from .mlp import MotionMlp

__all__ = [
    'MotionAttention', 'MotionMlp', 'DSTformerBlock', 'motion_attention',
    'fused_linear', 'fused_ops_disabled'
]
