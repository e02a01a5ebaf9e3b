# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Backbones.

May import: its submodules; never ``apis`` or ``datasets``.
"""
from .dstformer import MBDSTformer

__all__ = ['MBDSTformer']
