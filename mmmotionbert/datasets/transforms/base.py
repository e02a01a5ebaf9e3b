# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Base class of the transforms that draw randomness.

:class:`MBRandomTransform` gives a transform one rule for its generator:
``results['rng']`` when the dataset put one there (every step of an item
then draws from one stream, in pipeline order, so reordering or dropping a
step changes only what follows it), otherwise the transform's own
per-worker generator (see :mod:`mmmotionbert.datasets.utils`).

May import mmcv, numpy and :mod:`mmmotionbert.datasets.utils`.
"""
import numpy as np
from mmcv.transforms import BaseTransform

from ..utils import results_rng

__all__ = ['MBRandomTransform']


class MBRandomTransform(BaseTransform):
    """A transform drawing from ``results['rng']`` or its own generator.

    Args:
        seed (int): Seed of the transform's own generator (used only when
            ``results`` carries no ``rng``). Defaults to 0.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = int(seed)
        self._rng_state: dict = {}

    def rng(self, results: dict) -> np.random.Generator:
        """The generator to draw from for ``results``.

        Args:
            results (dict): The transform's input.

        Returns:
            np.random.Generator: ``results['rng']`` or the own generator.
        """
        return results_rng(results, self.seed, self._rng_state)

    def transform(self, results: dict) -> dict:
        """Implemented by subclasses."""
        raise NotImplementedError
