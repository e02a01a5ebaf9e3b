# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Packing of a clip item into ``dict(inputs, data_samples)`` tensors.

The last step of the pipelines of :class:`~mmmotionbert.datasets.
MBH36MDataset`, :class:`~mmmotionbert.datasets.MBMeshDataset`,
:class:`~mmmotionbert.datasets.MBMotionClipDataset` and
:class:`~mmmotionbert.datasets.MBMotion2DDataset`:

* :class:`MBPackClipInputs` takes the 2D input field and the listed
  ``data_samples`` fields as they are: numpy arrays become tensors that
  share their memory (a clip that is a view of the dataset's arrays stays
  a zero-copy view, copied only by ``default_collate``) -- made
  C-contiguous first unless ``contiguous=False`` -- and other values
  (int, str, bool) pass unchanged;
* :class:`MBPackMotion2DInputs` adds the 2D-only datasets' ``conf``
  (the target's score channel).

Neither casts dtypes: the datasets hand over float32 arrays.

May import numpy, torch, mmcv and mmmotionbert.registry.
"""
from typing import Any, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmmotionbert.registry import TRANSFORMS

__all__ = ['MBPackClipInputs', 'MBPackMotion2DInputs', 'to_tensor_view']


def to_tensor_view(value: Any, contiguous: bool = True) -> Any:
    """A numpy array as a tensor sharing its memory; other values as is.

    Args:
        value: Any value.
        contiguous (bool): Copy a non-C-contiguous array into C order
            first (``np.ascontiguousarray``); when False the tensor keeps
            the array's strides. Defaults to True.

    Returns:
        ``torch.from_numpy`` of an ``np.ndarray`` (0-d arrays keep their
        shape), ``value`` otherwise.
    """
    if not isinstance(value, np.ndarray):
        return value
    if contiguous and not value.flags.c_contiguous:
        value = np.ascontiguousarray(value)
    return torch.from_numpy(value)


@TRANSFORMS.register_module()
class MBPackClipInputs(BaseTransform):
    """Pack ``results`` as ``dict(inputs=..., data_samples=dict(...))``.

    Args:
        sample_keys (Sequence[str]): ``results`` fields put in
            ``data_samples``, in this order (all required).
        input_key (str): The 2D input field. Defaults to ``'motion_2d'``.
        contiguous (bool): Make arrays C-contiguous (a copy only for those
            that are not). False keeps strided arrays (e.g. rows of a
            mirrored array) as strided tensors. Defaults to True.
    """

    def __init__(self,
                 sample_keys: Sequence[str] = ('target', ),
                 input_key: str = 'motion_2d',
                 contiguous: bool = True) -> None:
        self.sample_keys = tuple(sample_keys)
        self.input_key = input_key
        self.contiguous = bool(contiguous)

    def transform(self, results: dict) -> dict:
        """Pack ``results``.

        Args:
            results (dict): Needs ``input_key`` and every ``sample_keys``.

        Returns:
            dict: ``inputs`` tensor and ``data_samples`` dict.
        """
        c = self.contiguous
        return dict(
            inputs=to_tensor_view(results[self.input_key], c),
            data_samples={
                k: to_tensor_view(results[k], c)
                for k in self.sample_keys
            })

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(sample_keys={self.sample_keys}, '
                f'input_key={self.input_key!r}, contiguous={self.contiguous})')


@TRANSFORMS.register_module()
class MBPackMotion2DInputs(MBPackClipInputs):
    """:class:`MBPackClipInputs` that first sets ``conf``.

    ``results[conf_key] = results[target_key][..., 2]`` -- the 2D target's
    score channel (after any flip, before any masking of the input), the
    weight of the 2D loss of :class:`~mmmotionbert.datasets.
    MBMotion2DDataset` items.

    Args:
        sample_keys (Sequence[str]): As :class:`MBPackClipInputs`. Defaults
            to ``('target', 'conf', 'has_3d')``.
        input_key (str): Defaults to ``'motion_2d'``.
        target_key (str): Defaults to ``'target'``.
        conf_key (str): Defaults to ``'conf'``.
    """

    def __init__(self,
                 sample_keys: Sequence[str] = ('target', 'conf', 'has_3d'),
                 input_key: str = 'motion_2d',
                 target_key: str = 'target',
                 conf_key: str = 'conf') -> None:
        super().__init__(sample_keys=sample_keys, input_key=input_key)
        self.target_key = target_key
        self.conf_key = conf_key

    def transform(self, results: dict) -> dict:
        """Set ``conf`` from the target, then pack."""
        results[self.conf_key] = np.asarray(results[self.target_key])[..., 2]
        return super().transform(results)
