# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Building blocks of DSTformer."""
from .attention import MotionAttention
from .dstformer_block import DSTformerBlock
from .mlp import MotionMlp

__all__ = ['MotionAttention', 'MotionMlp', 'DSTformerBlock']
