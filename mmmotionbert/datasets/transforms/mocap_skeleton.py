# Copyright (c) mmmotionbert contributors. All rights reserved.
"""New 3D training poses from mocap windows: limb mixing, bone scaling and
joint rotations, as registered transforms.

The 3D steps of :class:`~mmmotionbert.datasets.MBMocapDataset`'s pipeline.
They work on world-space H36M-17 clips in ``results``:

* ``joints`` (T, 17, 3) float64, metres, Y up;
* ``face`` (T, 5, 3) face points (nose, eyes, ears), moved with the head;
* ``rng`` the item's ``numpy.random.Generator`` (see
  :class:`~.base.MBRandomTransform`);
* ``donor_sampler`` (limb mixing only): ``callable(rng) -> (T, 17, 3)``
  joints of another random training window, given by the dataset;
* ``test_mode`` (limb mixing only): no mixing when True.

Each transform draws exactly what the dataset's inline code drew, in the
same order, so the default pipeline reproduces earlier items bit for bit.

May import numpy, mmmotionbert.registry, :mod:`..mocap.skeleton` and
:mod:`.base`.
"""
from typing import Dict, Optional, Sequence

from mmmotionbert.registry import TRANSFORMS
from ..mocap.skeleton import (BONE_GROUPS, DEFAULT_ROTATION_DEGREES,
                              LIMB_CHAINS, augment_bone_lengths,
                              augment_joint_rotations, mix_limbs)
from .base import MBRandomTransform

__all__ = ['MBMixLimbs', 'MBScaleBones', 'MBRotateJoints']


def _check_prob(name: str, p: float) -> float:
    """``p`` as a float, checked to lie in [0, 1]."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f'{name} must be in [0, 1], got {p}')
    return float(p)


@TRANSFORMS.register_module()
class MBMixLimbs(MBRandomTransform):
    """Give each limb, with probability ``prob``, another window's motion.

    Draws one ``rng.random()`` per :data:`LIMB_CHAINS` limb (in its order);
    if any limb is chosen, ``results['donor_sampler'](rng)`` draws the donor
    window and :func:`~..mocap.skeleton.mix_limbs` replaces those limbs of
    ``results['joints']``. Nothing is drawn in test mode or when
    ``prob == 0``.

    Args:
        prob (float): Per-limb probability. Defaults to 0.25.
        seed (int): Own generator seed (without ``results['rng']``).
    """

    def __init__(self, prob: float = 0.25, seed: int = 0) -> None:
        super().__init__(seed)
        self.prob = _check_prob('prob', prob)

    def transform(self, results: dict) -> dict:
        """Mix limbs of ``results['joints']``.

        Args:
            results (dict): Needs ``joints`` and ``donor_sampler``.

        Returns:
            dict: ``results`` with new ``joints`` where limbs were mixed.
        """
        if self.prob <= 0 or results.get('test_mode', False):
            return results
        rng = self.rng(results)
        limbs = [name for name in LIMB_CHAINS if rng.random() < self.prob]
        if limbs:
            donor = results['donor_sampler'](rng)
            results['joints'] = mix_limbs(results['joints'], donor, limbs)
            results['mixed_limbs'] = limbs
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'


@TRANSFORMS.register_module()
class MBScaleBones(MBRandomTransform):
    """Rescale every bone group by a random factor, keeping joint angles.

    Draws one ``rng.uniform(low, high)`` per :data:`BONE_GROUPS` group (in
    its order) and applies :func:`~..mocap.skeleton.augment_bone_lengths`
    to ``joints`` and ``face``; the pelvis (root) does not move.

    Args:
        scale_range (Sequence[float]): ``(low, high)`` of the factors.
            Defaults to ``(0.85, 1.25)``.
        group_scale_ranges (dict, optional): Per group name, a range
            replacing ``scale_range`` for that group.
        seed (int): Own generator seed (without ``results['rng']``).
    """

    def __init__(self,
                 scale_range: Sequence[float] = (0.85, 1.25),
                 group_scale_ranges: Optional[Dict[str,
                                                   Sequence[float]]] = None,
                 seed: int = 0) -> None:
        super().__init__(seed)
        self.scale_range = tuple(scale_range)
        self.group_scale_ranges = {
            g: tuple(r)
            for g, r in (group_scale_ranges or {}).items()
        }
        unknown = sorted(set(self.group_scale_ranges) - set(BONE_GROUPS))
        if unknown:
            raise ValueError(f'group_scale_ranges: unknown bone groups '
                             f'{unknown}; known: {sorted(BONE_GROUPS)}')
        for g, r in [('scale_range', self.scale_range)] + list(
                self.group_scale_ranges.items()):
            if not (len(r) == 2 and 0 < r[0] <= r[1]):
                raise ValueError(f'{g}: a range must be (low, high) with '
                                 f'0 < low <= high, got {r}')

    def transform(self, results: dict) -> dict:
        """Rescale ``results['joints']`` (and ``face``).

        Args:
            results (dict): Needs ``joints``; ``face`` optional.

        Returns:
            dict: ``results`` with rescaled ``joints``/``face`` and the
            drawn ``bone_factors``.
        """
        rng = self.rng(results)
        factors = {
            g: float(
                rng.uniform(
                    *self.group_scale_ranges.get(g, self.scale_range)))
            for g in BONE_GROUPS
        }
        results['joints'], face = augment_bone_lengths(
            results['joints'], factors, results.get('face'))
        if face is not None:
            results['face'] = face
        results['bone_factors'] = factors
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale_range={self.scale_range}, '
                f'group_scale_ranges={self.group_scale_ranges})')


@TRANSFORMS.register_module()
class MBRotateJoints(MBRandomTransform):
    """With probability ``prob``, rotate body parts about their parents.

    Draws ``rng.random()`` (when ``prob > 0``), then on success
    :func:`~..mocap.skeleton.augment_joint_rotations` draws an axis and an
    angle per rotated group. Bone lengths are kept.

    Args:
        prob (float): Probability per item. Defaults to 0.8.
        max_degrees (dict, optional): Largest angle per group
            (:data:`DEFAULT_ROTATION_DEGREES` names). Defaults to those.
        seed (int): Own generator seed (without ``results['rng']``).
    """

    def __init__(self,
                 prob: float = 0.8,
                 max_degrees: Optional[Dict[str, float]] = None,
                 seed: int = 0) -> None:
        super().__init__(seed)
        self.prob = _check_prob('prob', prob)
        self.max_degrees = None if max_degrees is None else dict(max_degrees)
        if self.max_degrees is not None:
            unknown = sorted(
                set(self.max_degrees) - set(DEFAULT_ROTATION_DEGREES))
            if unknown:
                raise ValueError(
                    f'rotation_degrees has unknown groups {unknown}; '
                    f'known: {sorted(DEFAULT_ROTATION_DEGREES)}')

    def transform(self, results: dict) -> dict:
        """Rotate parts of ``results['joints']`` (and ``face``).

        Args:
            results (dict): Needs ``joints``; ``face`` optional.

        Returns:
            dict: ``results`` with rotated ``joints``/``face``.
        """
        if self.prob <= 0:
            return results
        rng = self.rng(results)
        if rng.random() < self.prob:
            results['joints'], face = augment_joint_rotations(
                results['joints'], rng, self.max_degrees,
                results.get('face'))
            if face is not None:
                results['face'] = face
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'max_degrees={self.max_degrees})')
