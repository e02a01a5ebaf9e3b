# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Training loops and hooks.

May import: its submodules (re-exports; importing them registers the loops).
"""
from .curriculum_loop import MBCurriculumTrainLoop

__all__ = ['MBCurriculumTrainLoop']
