# Copyright (c) mmmotionbert contributors. All rights reserved.
"""High-level APIs: official checkpoints and inference."""
from .official import load_official_model

__all__ = ['load_official_model']
