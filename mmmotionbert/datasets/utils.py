# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Seeded random generators shared by the datasets and their transforms.

Every dataset and transform that draws randomness gets its
``numpy.random.Generator`` here, so the seeding rule is written once:

* training: one generator per ``(seed, torch.initial_seed())``, re-created
  whenever ``torch.initial_seed()`` changes -- distinct per DataLoader
  worker and epoch, reproducible under mmengine's ``randomness.seed``
  (:func:`worker_rng`);
* test mode: item ``i`` always draws from ``default_rng([seed, i])``
  (:func:`item_rng`), so validation sets are fixed.

May import numpy and torch only (no other mmmotionbert module), so that any
dataset or transform module can use it.
"""
from typing import MutableMapping, Union

import numpy as np
import torch

__all__ = ['worker_rng', 'item_rng', 'as_rng', 'results_rng']


def as_rng(rng: Union[None, int, np.random.Generator]) -> np.random.Generator:
    """A numpy Generator from a Generator, a seed (sequence) or None.

    Args:
        rng (None | int | Sequence[int] | np.random.Generator): A generator
            (returned as is) or a seed for ``np.random.default_rng``.

    Returns:
        np.random.Generator: The generator.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def worker_rng(seed: int, state: MutableMapping) -> np.random.Generator:
    """Generator seeded by ``(seed, torch.initial_seed())``.

    The generator is kept in ``state`` and re-created when
    ``torch.initial_seed()`` moves (a new DataLoader worker or epoch, or a
    ``torch.manual_seed`` call), so draws differ between workers yet are
    reproducible.

    Args:
        seed (int): The owner's own seed.
        state (MutableMapping): Mutable holder of ``rng`` and ``key``
            (one per owner, e.g. ``self._rng_state = {}``).

    Returns:
        np.random.Generator: The generator to draw from.
    """
    key = torch.initial_seed()
    if state.get('rng') is None or state.get('key') != key:
        state['rng'] = np.random.default_rng([int(seed), key])
        state['key'] = key
    return state['rng']


def item_rng(seed: int, index: int, test_mode: bool,
             state: MutableMapping) -> np.random.Generator:
    """Generator of one dataset item.

    Args:
        seed (int): The dataset's seed.
        index (int): Item index (used in test mode only).
        test_mode (bool): Fixed per-item draws (``default_rng([seed,
            index])``) instead of the per-worker stream.
        state (MutableMapping): Holder of the per-worker generator (see
            :func:`worker_rng`).

    Returns:
        np.random.Generator: The generator of the item.
    """
    if test_mode:
        return np.random.default_rng([int(seed), int(index)])
    return worker_rng(seed, state)


def results_rng(results: dict, seed: int,
                state: dict) -> np.random.Generator:
    """The generator a transform draws from for one ``results`` dict.

    ``results['rng']`` (a ``numpy.random.Generator`` put there by a dataset,
    e.g. :class:`~mmmotionbert.datasets.MBMocapDataset`, so that all steps
    of one item draw from one stream in pipeline order) when present,
    otherwise the transform's own per-worker generator (:func:`worker_rng`).

    Args:
        results (dict): The transform's input.
        seed (int): The transform's own seed.
        state (dict): Holder of its own generator.

    Returns:
        np.random.Generator: The generator to draw from.
    """
    rng = results.get('rng')
    if isinstance(rng, np.random.Generator):
        return rng
    return worker_rng(seed, state)
