# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MotionBERT's ``crop_scale`` normalisation as a registered transform.

:class:`MBCropScaleNormalize` draws the square ``crop_scale`` box of a 2D
clip (official in-the-wild rule, see :mod:`..crop_scale`), maps the clip to
``[-1, 1]`` (clipped) and applies the SAME box to other pixel-space fields,
e.g. a 3D target whose channel 2 is a depth in pixels.

May import numpy, mmmotionbert.registry, :mod:`..crop_scale` and
:mod:`.base`.
"""
from typing import Sequence

import numpy as np

from mmmotionbert.registry import TRANSFORMS
from ..crop_scale import apply_crop_scale, crop_scale_box
from .base import MBRandomTransform

__all__ = ['MBCropScaleNormalize']


@TRANSFORMS.register_module()
class MBCropScaleNormalize(MBRandomTransform):
    """Normalise ``results[key]`` by its ``crop_scale`` box.

    Draws the box ratio ``rng.uniform(*scale_range)`` only when the range
    is not a single value.

    Args:
        scale_range (Sequence[float]): Box ratio range. Defaults to
            ``(1, 1)`` (the official in-the-wild inference).
        key (str): (T, J, 3) ``[x, y, conf]`` pixels; normalised and
            clipped to ``[-1, 1]``. Defaults to ``'motion_2d'``.
        depth_keys (Sequence[str]): Fields normalised by the same box with
            channel 2 scaled as a pixel depth (not clipped). Defaults to
            ``('target', )``.
        box_key (str): Where the ``(center, scale)`` box is stored.
            Defaults to ``'crop_box'``.
        seed (int): Own generator seed (without ``results['rng']``).
    """

    def __init__(self,
                 scale_range: Sequence[float] = (1.0, 1.0),
                 key: str = 'motion_2d',
                 depth_keys: Sequence[str] = ('target', ),
                 box_key: str = 'crop_box',
                 seed: int = 0) -> None:
        super().__init__(seed)
        self.scale_range = tuple(scale_range)
        self.key = key
        self.depth_keys = tuple(depth_keys)
        self.box_key = box_key

    def transform(self, results: dict) -> dict:
        """Normalise ``results[key]`` and ``results[depth_keys]``.

        Args:
            results (dict): Needs ``key`` and every ``depth_keys`` field.

        Returns:
            dict: ``results`` with normalised fields and the box.

        Raises:
            ValueError: When the clip has no usable box (fewer than 4 valid
                joints or zero size).
        """
        motion = results[self.key]
        box = crop_scale_box(motion, self.scale_range, self.rng(results))
        if box is None:
            raise ValueError('degenerate 2D clip (empty crop_scale box)')
        results[self.key] = np.clip(apply_crop_scale(motion, *box), -1, 1)
        for k in self.depth_keys:
            results[k] = apply_crop_scale(results[k], *box, depth=True)
        results[self.box_key] = box
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale_range={self.scale_range}, '
                f'key={self.key!r}, depth_keys={self.depth_keys})')
