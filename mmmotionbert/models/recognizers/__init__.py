# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Action recognizers (mmaction2).

May import: its submodules; never ``apis`` or ``datasets``.
"""
from .recognizer import MBRecognizer

__all__ = ['MBRecognizer']
