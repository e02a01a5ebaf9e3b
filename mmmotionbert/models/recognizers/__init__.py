# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Action recognizers (mmaction2)."""
from .recognizer import MBRecognizer

__all__ = ['MBRecognizer']
