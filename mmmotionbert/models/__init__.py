# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Models: backbone, heads, losses and task models.

May import: its subpackages (importing them registers the models); never
``apis`` or ``datasets``.
"""
from .backbones import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .lifters import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .recognizers import *  # noqa: F401,F403
from .mesh import *  # noqa: F401,F403
