# Copyright (c) mmmotionbert contributors. All rights reserved.
"""mmmotionbert: MotionBERT for mmengine, mmpose and mmaction2.

Importing the package (directly or through a config's ``custom_imports``)

1. works around mmaction2 1.2.0's missing ``drn`` module and mmpose's
   torchvision-only ``simcc_vis`` (:mod:`mmmotionbert.utils.compat`),
2. makes mmengine load local checkpoints with ``torch.load(weights_only=True)``
   plus an allowlist of exactly what mmengine / mmmotionbert checkpoints hold
   (:mod:`mmmotionbert.utils.checkpoint`), and
3. registers every module into mmpose's and mmaction2's registries
   (:mod:`mmmotionbert.registry`).

May import: its subpackages ``utils`` (compat, checkpoint), ``datasets``,
``engine``, ``evaluation``, ``models`` and :mod:`.version`; never ``apis``
(only the CLIs import it).
"""
from .utils.compat import patch_mmaction_drn, patch_mmpose_simcc_vis

patch_mmaction_drn()
patch_mmpose_simcc_vis()

from .utils.checkpoint import install_safe_checkpoint_loader  # noqa: E402

install_safe_checkpoint_loader()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']
