# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Random joint and frame masking of MotionBERT pretraining.

The official ``Augmenter2D.add_mask`` multiplies the (N, T, J, 3) input by
two Bernoulli masks: each joint of each frame is kept with probability
``1 - mask_ratio`` (0.05 in the official pretraining config) and each
frame with probability ``1 - mask_T_ratio`` (0.1). Masked entries become
all zeros -- x, y *and* confidence. Here every clip draws its own frame
mask (the official shares one across the batch).

May import: numpy, torch, mmcv, :mod:`mmmotionbert.registry`, :mod:`..utils`
and :mod:`.noise`; never ``apis``.
"""
from typing import Optional, Tuple, Union

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmmotionbert.registry import register_shared_transform
from ..utils import results_rng
from .noise import MBDetectionNoise2D, RngLike, _as_rng, transform_rng

__all__ = [
    'sample_mask', 'apply_random_mask', 'MBRandomMask2D', 'MBAugmenter2D'
]


def sample_mask(num_frames: int,
                num_joints: int,
                joint_mask_prob: float = 0.05,
                frame_mask_prob: float = 0.1,
                rng: RngLike = None) -> np.ndarray:
    """Draw the keep-mask of one clip.

    Args:
        num_frames (int): T.
        num_joints (int): J.
        joint_mask_prob (float): Probability to mask one joint of one
            frame. Defaults to 0.05 (official ``mask_ratio``).
        frame_mask_prob (float): Probability to mask a whole frame.
            Defaults to 0.1 (official ``mask_T_ratio``).
        rng (int | np.random.Generator, optional): Randomness.

    Returns:
        np.ndarray: (T, J) bool, True where kept.
    """
    for name, p in (('joint_mask_prob', joint_mask_prob),
                    ('frame_mask_prob', frame_mask_prob)):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f'{name} must be in [0, 1], got {p}')
    rng = _as_rng(rng)
    joints = rng.random((num_frames, num_joints)) >= joint_mask_prob
    frames = rng.random((num_frames, 1)) >= frame_mask_prob
    return joints & frames


def apply_random_mask(
    keypoints: Union[np.ndarray, torch.Tensor],
    joint_mask_prob: float = 0.05,
    frame_mask_prob: float = 0.1,
    rng: RngLike = None
) -> Tuple[Union[np.ndarray, torch.Tensor], np.ndarray]:
    """Zero random joints and frames (every channel), as the official.

    Args:
        keypoints (np.ndarray | Tensor): (T, J, C) or (N, T, J, C).
        joint_mask_prob (float): Per joint-frame mask probability.
        frame_mask_prob (float): Per frame mask probability.
        rng (int | np.random.Generator, optional): Randomness.

    Returns:
        tuple: ``(masked, keep)``: masked copy of the same type and
        ``keep`` bool mask (T, J) or (N, T, J).
    """
    if keypoints.ndim not in (3, 4):
        raise ValueError('keypoints must be (T, J, C) or (N, T, J, C), got '
                         f'{tuple(keypoints.shape)}')
    rng = _as_rng(rng)
    lead = keypoints.shape[:-1]
    if keypoints.ndim == 3:
        keep = sample_mask(lead[0], lead[1], joint_mask_prob,
                           frame_mask_prob, rng)
    else:
        keep = np.stack([
            sample_mask(lead[1], lead[2], joint_mask_prob, frame_mask_prob,
                        rng) for _ in range(lead[0])
        ])
    if isinstance(keypoints, torch.Tensor):
        mask = torch.from_numpy(keep).to(keypoints.device)[..., None]
        return keypoints * mask.to(keypoints.dtype), keep
    return keypoints * keep[..., None].astype(keypoints.dtype), keep


@register_shared_transform
class MBRandomMask2D(BaseTransform):
    """Zero random joints and whole frames of ``results[key]``.

    Args:
        key (str): Field to mask. Defaults to ``'motion_2d'``.
        joint_mask_prob (float): Defaults to 0.05.
        frame_mask_prob (float): Defaults to 0.1.
        seed (int): Seed of the transform's generator (used when
            ``results`` carries no ``rng``). Defaults to 0.
        mask_key (str, optional): Also store the (T, J) keep-mask under
            this key. Defaults to None.
    """

    def __init__(self,
                 key: str = 'motion_2d',
                 joint_mask_prob: float = 0.05,
                 frame_mask_prob: float = 0.1,
                 seed: int = 0,
                 mask_key: Optional[str] = None) -> None:
        sample_mask(1, 1, joint_mask_prob, frame_mask_prob, 0)  # validate
        self.key = key
        self.joint_mask_prob = float(joint_mask_prob)
        self.frame_mask_prob = float(frame_mask_prob)
        self.seed = int(seed)
        self.mask_key = mask_key
        self._state: dict = {}

    def apply(self, keypoints: Union[np.ndarray, torch.Tensor],
              rng: RngLike = None):
        """Mask one array; returns ``(masked, keep)``."""
        rng = _as_rng(rng) if rng is not None else transform_rng(
            self.seed, self._state)
        return apply_random_mask(keypoints, self.joint_mask_prob,
                                 self.frame_mask_prob, rng)

    def transform(self, results: dict) -> dict:
        """Mask ``results[self.key]``.

        Draws from ``results['rng']`` when present (see
        :func:`~.noise.results_rng`).
        """
        results[self.key], keep = self.apply(
            results[self.key], results_rng(results, self.seed, self._state))
        if self.mask_key:
            results[self.mask_key] = keep
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(key={self.key!r}, '
                f'joint_mask_prob={self.joint_mask_prob}, '
                f'frame_mask_prob={self.frame_mask_prob})')


@register_shared_transform
class MBAugmenter2D(BaseTransform):
    """The official pretraining 2D augmentation: noise, then masking.

    ``Augmenter2D.augment2D(motion_2d, noise=..., mask=...)`` as a
    transform: detection noise with confidence
    (:class:`MBDetectionNoise2D`) when ``noise``, then joint/frame masking
    (:class:`MBRandomMask2D`) when ``mask``. The official pretraining adds
    noise only to clips with ground-truth 2D (``has_gt``) and masks all.

    Args:
        key (str): Field to augment. Defaults to ``'motion_2d'``.
        noise (bool): Add detection noise. Defaults to True.
        mask (bool): Apply masking. Defaults to True.
        noise_scale (float): See :class:`MBDetectionNoise2D`.
        joint_mask_prob (float): Defaults to 0.05.
        frame_mask_prob (float): Defaults to 0.1.
        seed (int): Seed. Defaults to 0.
    """

    def __init__(self,
                 key: str = 'motion_2d',
                 noise: bool = True,
                 mask: bool = True,
                 noise_scale: float = 1.0,
                 joint_mask_prob: float = 0.05,
                 frame_mask_prob: float = 0.1,
                 seed: int = 0) -> None:
        self.key = key
        self.noise = MBDetectionNoise2D(
            key=key, noise_scale=noise_scale, seed=seed) if noise else None
        self.mask = MBRandomMask2D(
            key=key,
            joint_mask_prob=joint_mask_prob,
            frame_mask_prob=frame_mask_prob,
            seed=seed + 1) if mask else None

    def transform(self, results: dict) -> dict:
        """Augment ``results[self.key]``."""
        if self.noise is not None:
            results = self.noise.transform(results)
        if self.mask is not None:
            results = self.mask.transform(results)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(key={self.key!r}, '
                f'noise={self.noise!r}, mask={self.mask!r})')
