# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Action transforms that change a sample's frames and persons: stretch it
to the clip length (``MBResampleFrames``, official ``resample``) and give it
exactly ``num_person`` persons (``MBPadPersons``). Registered in mmaction2's
``TRANSFORMS`` (see :mod:`.action_transforms` for the whole pipeline).

May import: numpy, :mod:`mmmotionbert.registry`, :mod:`.action_base` and
:mod:`..h36m_clips`.
"""
from typing import Dict, Optional

import numpy as np

from mmmotionbert.registry import ACTION_TRANSFORMS
from ..h36m_clips import resample_indices
from .action_base import MBSkeletonTransform, _set

__all__ = ['MBResampleFrames', 'MBPadPersons']


@ACTION_TRANSFORMS.register_module()
class MBResampleFrames(MBSkeletonTransform):
    """Stretch or squeeze a sequence to ``clip_len`` frames (``resample``).

    Positions ``linspace(0, T, clip_len, endpoint=False)``; with
    ``randomness`` (official training) each is rounded up or down at random
    when upsampling and jittered within its interval when downsampling,
    otherwise floored (official testing).

    Args:
        clip_len (int): Output frames. Defaults to 243.
        randomness (bool): Random rounding / jitter. Defaults to False.
    """

    _repr_keys = ('clip_len', 'randomness')

    def __init__(self, clip_len: int = 243, randomness: bool = False) -> None:
        if clip_len < 1:
            raise ValueError(f'MBResampleFrames: clip_len must be >= 1, got '
                             f'{clip_len}')
        self.clip_len = clip_len
        self.randomness = randomness

    def apply(self, results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Resample one sample to ``clip_len`` frames."""
        rng = (
            np.random.default_rng(np.random.randint(2**31 - 1))
            if self.randomness else None)
        idx = resample_indices(kp.shape[1], self.clip_len, rng)
        _set(results, kp[:, idx], None if score is None else score[:, idx])
        results['frame_inds'] = idx
        return results


@ACTION_TRANSFORMS.register_module()
class MBPadPersons(MBSkeletonTransform):
    """Make every sample hold exactly ``num_person`` persons.

    Missing persons are zeros (coordinates and scores), as the official fake
    second person; extra persons beyond ``num_person`` are dropped (the
    official tracking also keeps only the first two).

    Args:
        num_person (int): Persons per sample. Defaults to 2.
    """

    _repr_keys = ('num_person', )

    def __init__(self, num_person: int = 2) -> None:
        if num_person < 1:
            raise ValueError(f'MBPadPersons: num_person must be >= 1, got '
                             f'{num_person}')
        self.num_person = num_person

    def apply(self, results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Pad or cut one sample to ``num_person`` persons."""
        m = kp.shape[0]
        if m > self.num_person:
            kp = kp[:self.num_person]
            score = None if score is None else score[:self.num_person]
        elif m < self.num_person:
            pad = self.num_person - m
            kp = np.concatenate([kp, np.zeros((pad, ) + kp.shape[1:])])
            if score is not None:
                score = np.concatenate(
                    [score, np.zeros((pad, ) + score.shape[1:])])
        _set(results, kp, score)
        return results
