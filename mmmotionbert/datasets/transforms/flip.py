# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Random horizontal flip of H36M-17 fields as a registered transform.

:class:`MBFlipH36M` mirrors several fields of one item together (input,
target, camera-space joints): left and right joints swap and x is negated
(:func:`mmmotionbert.utils.keypoints.flip_h36m`).

May import mmmotionbert.registry / utils and :mod:`.base`.
"""
from typing import Sequence

from mmmotionbert.registry import TRANSFORMS
from mmmotionbert.utils.keypoints import flip_h36m
from .base import MBRandomTransform

__all__ = ['MBFlipH36M']


@TRANSFORMS.register_module()
class MBFlipH36M(MBRandomTransform):
    """With probability ``prob``, flip every field in ``keys``.

    Draws one ``rng.random()`` when ``prob > 0``. A dataset that keeps
    mirrored copies of its arrays may put ``results['mirrored']``, a mapping
    to ready ``flip_h36m(results[k])`` values (e.g. rows of those copies,
    gathered on look-up);
    a flipped key found there is taken from it instead of being computed
    (the same values: the flip is exact).

    Args:
        prob (float): Flip probability. Defaults to 0.5.
        keys (Sequence[str]): (..., 17, C) H36M-17 fields flipped together;
            missing keys are skipped. Defaults to ``('motion_2d', 'target',
            'joints_cam')``.
        seed (int): Own generator seed (without ``results['rng']``).
    """

    def __init__(self,
                 prob: float = 0.5,
                 keys: Sequence[str] = ('motion_2d', 'target', 'joints_cam'),
                 seed: int = 0) -> None:
        super().__init__(seed)
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = float(prob)
        self.keys = tuple(keys)

    def transform(self, results: dict) -> dict:
        """Flip ``results[keys]`` (and set ``flipped``).

        Args:
            results (dict): Fields to flip; optional ``mirrored``.

        Returns:
            dict: ``results``, flipped or not, with ``flipped`` (bool).
        """
        flipped = self.prob > 0 and self.rng(results).random() < self.prob
        if flipped:
            mirrored = results.get('mirrored') or {}
            for k in self.keys:
                if k in mirrored:
                    results[k] = mirrored[k]
                elif k in results:
                    results[k] = flip_h36m(results[k])
        results['flipped'] = bool(flipped)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob}, keys={self.keys})'
