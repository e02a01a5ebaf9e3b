# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Evaluation: functional error measures and mmengine metrics.

May import: its submodules; never ``apis`` or ``datasets``.
"""
from .metrics import *  # noqa: F401,F403
