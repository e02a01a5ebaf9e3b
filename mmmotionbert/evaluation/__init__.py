# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Evaluation: functional error measures and mmengine metrics."""
from .metrics import *  # noqa: F401,F403
