# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Former home of the lifter inferencers, kept so old imports work.

They live in :mod:`mmmotionbert.apis.inferencers` (one windowed core and
thin subclasses) and the result in :mod:`mmmotionbert.structures`.

May import: :mod:`.inferencers` and :mod:`mmmotionbert.structures` (re-exports
only).
"""
from mmmotionbert.structures import KeypointSequence, LiftResult
from .inferencers import (DEFAULT_CHECKPOINT, DEFAULT_CONFIG_PATTERN,
                          REPO_ROOT, MotionLifterInferencer, StreamingLifter,
                          batch_jobs, blend_weights, init_lifter,
                          normalize_clip, sliding_windows, window_jobs)
from .inferencers.base import model_forward as _raw_forward
from .inferencers.model_files import (_default_model_files, _load_weights,
                                      _model_config, _resolve, _resolve_file)
from .inferencers.windows import Box, WindowJob
from .inferencers.windows import check_window_settings as _window_settings

__all__ = [
    'DEFAULT_CHECKPOINT', 'DEFAULT_CONFIG_PATTERN', 'init_lifter',
    'sliding_windows', 'blend_weights', 'normalize_clip', 'window_jobs',
    'batch_jobs', 'LiftResult', 'MotionLifterInferencer', 'StreamingLifter',
    'KeypointSequence', 'REPO_ROOT', 'Box', 'WindowJob'
]
