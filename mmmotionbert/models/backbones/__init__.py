# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Backbones."""
from .dstformer import MBDSTformer

__all__ = ['MBDSTformer']
