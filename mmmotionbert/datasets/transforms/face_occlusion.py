# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Face keypoints hidden when the person is seen from behind.

:class:`MBFaceOcclusion` zeroes (like masked joints: x, y and confidence)
the nose and head inputs in the frames where ``results['face_hidden']``
(set by :class:`~.mocap_camera.MBProjectMocap2D`) says the face points away
from the camera, as 2D detectors give no face keypoints there.

May import numpy, mmmotionbert.registry and :mod:`.base`.
"""
from typing import Sequence

import numpy as np

from mmmotionbert.registry import TRANSFORMS
from .base import MBRandomTransform

__all__ = ['MBFaceOcclusion']


@TRANSFORMS.register_module()
class MBFaceOcclusion(MBRandomTransform):
    """With probability ``prob``, zero face joints in face-hidden frames.

    Draws one ``rng.random()`` when ``prob > 0`` and the input is a wild
    2D one (``results.get('wild_2d', True)``); nothing otherwise.

    Args:
        prob (float): Probability per item. Defaults to 0.5.
        key (str): (T, 17, C) input. Defaults to ``'motion_2d'``.
        joints (Sequence[int]): Joints zeroed. Defaults to ``(9, 10)``
            (H36M nose and head).
        seed (int): Own generator seed (without ``results['rng']``).
    """

    def __init__(self,
                 prob: float = 0.5,
                 key: str = 'motion_2d',
                 joints: Sequence[int] = (9, 10),
                 seed: int = 0) -> None:
        super().__init__(seed)
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = float(prob)
        self.key = key
        self.joints = [int(j) for j in joints]

    def transform(self, results: dict) -> dict:
        """Zero ``results[key][face_hidden][:, joints]`` (on a copy).

        Args:
            results (dict): Needs ``key`` and ``face_hidden`` (T,) bool.

        Returns:
            dict: ``results`` with the occluded input.
        """
        if (self.prob > 0 and results.get('wild_2d', True)
                and self.rng(results).random() < self.prob):
            inputs = np.array(results[self.key], copy=True)
            hidden = np.asarray(results['face_hidden'], dtype=bool)
            inputs[np.ix_(hidden, self.joints)] = 0.0
            results[self.key] = inputs
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'joints={self.joints})')
