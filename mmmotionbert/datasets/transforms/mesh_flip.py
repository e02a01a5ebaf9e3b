# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Random horizontal flip of a mesh item: H36M-17 keypoints and SMPL pose.

:class:`MBFlipMesh` mirrors the 2D keypoint fields of one item with
:func:`mmmotionbert.utils.keypoints.flip_h36m` and its SMPL axis-angle pose
fields with :func:`mmmotionbert.utils.smpl.flip_smpl_pose`, on one shared
flip decision (what :class:`~mmmotionbert.datasets.MBMeshDataset` does
with ``flip_prob``). SMPL shape (betas) is left alone: a mirrored body has
the same shape.

May import mmmotionbert.registry / utils and :mod:`.flip` / :mod:`.base`.
"""
from typing import Sequence

from mmmotionbert.registry import TRANSFORMS
from mmmotionbert.utils.keypoints import flip_h36m
from mmmotionbert.utils.smpl import flip_smpl_pose
from .flip import MBFlipH36M

__all__ = ['MBFlipMesh']


@TRANSFORMS.register_module()
class MBFlipMesh(MBFlipH36M):
    """With probability ``prob``, flip the keypoints and the SMPL poses.

    Draws one ``rng.random()`` when ``prob > 0`` (as :class:`MBFlipH36M`).

    Args:
        prob (float): Flip probability. Defaults to 0.5.
        keys (Sequence[str]): (..., 17, C) H36M-17 fields; missing keys
            are skipped. Defaults to ``('motion_2d', )``.
        pose_keys (Sequence[str]): (..., 72) or (..., 24, 3) SMPL
            axis-angle fields; missing keys are skipped. Defaults to
            ``('pose', )``.
        seed (int): Own generator seed (without ``results['rng']``).
    """

    def __init__(self,
                 prob: float = 0.5,
                 keys: Sequence[str] = ('motion_2d', ),
                 pose_keys: Sequence[str] = ('pose', ),
                 seed: int = 0) -> None:
        super().__init__(prob=prob, keys=keys, seed=seed)
        self.pose_keys = tuple(pose_keys)

    def transform(self, results: dict) -> dict:
        """Flip ``results[keys]`` and ``results[pose_keys]`` together.

        Args:
            results (dict): Fields to flip.

        Returns:
            dict: ``results``, flipped or not, with ``flipped`` (bool).
        """
        flipped = self.prob > 0 and self.rng(results).random() < self.prob
        if flipped:
            for k in self.keys:
                if k in results:
                    results[k] = flip_h36m(results[k])
            for k in self.pose_keys:
                if k in results:
                    results[k] = flip_smpl_pose(results[k])
        results['flipped'] = bool(flipped)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'keys={self.keys}, pose_keys={self.pose_keys})')
