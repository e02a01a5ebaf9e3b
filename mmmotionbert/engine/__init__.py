# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Training loops and hooks."""
from .curriculum_loop import MBCurriculumTrainLoop

__all__ = ['MBCurriculumTrainLoop']
