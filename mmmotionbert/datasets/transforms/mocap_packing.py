# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The last steps of the mocap pipeline: an isolated 2D augmentation and
packing into the lifting-sample format.

* :class:`MBIsolatedTransform` applies a transform config to a fresh
  ``dict(motion_2d=float32 input)`` -- without the item's ``rng``, so it
  draws from its own generator -- which is what
  :class:`~mmmotionbert.datasets.MBMocapDataset`'s ``augment=`` argument
  always did;
* :class:`MBPackMocapInputs` turns the results dict into
  ``dict(inputs=float32 (T, 17, 3), data_samples=dict(target=..., has_3d=
  True, [meta]))``, the format of the other lifting datasets.

May import numpy, torch, mmcv and mmmotionbert.registry.
"""
from typing import Union

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmmotionbert.registry import TRANSFORMS

__all__ = ['MBIsolatedTransform', 'MBPackMocapInputs']


@TRANSFORMS.register_module()
class MBIsolatedTransform(BaseTransform):
    """Run a transform on ``dict(motion_2d=results[key] as float32)``.

    The inner transform sees only the 2D input (no ``rng``, no other
    fields); its ``motion_2d`` output, as float32, replaces
    ``results[key]``.

    Args:
        transform (dict | callable): The transform (config or object).
        key (str): Field given as ``motion_2d``. Defaults to
            ``'motion_2d'``.
    """

    def __init__(self,
                 transform: Union[dict, BaseTransform],
                 key: str = 'motion_2d') -> None:
        self.inner = (TRANSFORMS.build(transform)
                      if isinstance(transform, dict) else transform)
        self.key = key

    def transform(self, results: dict) -> dict:
        """Apply the inner transform to ``results[key]``.

        Args:
            results (dict): Needs ``key``.

        Returns:
            dict: ``results`` with the float32 augmented field.
        """
        inputs = np.asarray(results[self.key]).astype(np.float32)
        results[self.key] = np.asarray(
            self.inner(dict(motion_2d=inputs))['motion_2d'],
            dtype=np.float32)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.inner!r}, key={self.key!r})'


@TRANSFORMS.register_module()
class MBPackMocapInputs(BaseTransform):
    """Pack a mocap item as ``dict(inputs, data_samples)`` tensors.

    Args:
        with_meta (bool): Add ``clip_name``, ``start``, ``frame_index``,
            ``focal``, ``camera_wh``, ``crop_center``, ``crop_scale`` and
            ``joints_cam_mm`` to ``data_samples``. Defaults to False.
        key (str): The 2D input field. Defaults to ``'motion_2d'``.
    """

    def __init__(self, with_meta: bool = False, key: str = 'motion_2d') -> None:
        self.with_meta = bool(with_meta)
        self.key = key

    def transform(self, results: dict) -> dict:
        """Pack ``results``.

        Args:
            results (dict): Needs ``key`` and ``target``; with meta also
                ``clip_name``, ``start``, ``frame_index``, ``camera``,
                ``crop_box``, ``joints_cam``.

        Returns:
            dict: ``inputs`` float32 (T, 17, 3) tensor and ``data_samples``.
        """
        inputs = np.asarray(results[self.key]).astype(np.float32)
        samples = dict(
            target=torch.from_numpy(
                np.asarray(results['target']).astype(np.float32)),
            has_3d=True)
        if self.with_meta:
            cam, box = results['camera'], results['crop_box']
            samples.update(
                clip_name=results['clip_name'],
                start=results['start'],
                frame_index=torch.from_numpy(
                    np.asarray(results['frame_index'], np.int64)),
                focal=float(cam['focal']),
                camera_wh=torch.tensor(cam['resolution'], dtype=torch.float32),
                crop_center=torch.from_numpy(box[0].astype(np.float32)),
                crop_scale=float(box[1]),
                joints_cam_mm=torch.from_numpy(
                    (results['joints_cam'] * 1000.0).astype(np.float32)))
        return dict(inputs=torch.from_numpy(inputs), data_samples=samples)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(with_meta={self.with_meta})'
