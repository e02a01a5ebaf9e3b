# Copyright (c) mmmotionbert contributors. All rights reserved.
"""High-level APIs: official checkpoints and inference."""
from .official import load_official_model
from . import official_mesh  # noqa: F401,E402  (registers task='mesh')

__all__ = ['load_official_model']
