# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Test-time processing of a lifter's output: the flip test and the root.

The one implementation used by :class:`~.pose_lifter.MBPoseLifter` (its
``predict`` and ``test_time_forward``) and, for models that are not
``MBPoseLifter`` (any module mapping (B, T, 17, C) to (B, T, 17, 3)), by the
inferencers.

May import: torch and :mod:`mmmotionbert.utils`.
"""
from typing import Callable

import torch

from mmmotionbert.utils.keypoints import flip_h36m

__all__ = ['flip_average', 'apply_root_convention']


def flip_average(forward: Callable[[torch.Tensor], torch.Tensor],
                 inputs: torch.Tensor,
                 batched: bool = True) -> torch.Tensor:
    """Average a prediction with the mirrored-back one of the mirrored input.

    Args:
        forward (callable): (B, T, 17, C) -> (B, T, 17, 3).
        inputs (Tensor): (B, T, 17, C) normalized input.
        batched (bool): Run both inputs as one batch of 2B (the
            inferencers) or as two calls (the official test loop).

    Returns:
        Tensor: (B, T, 17, 3) the official flip-test average.
    """
    if batched:
        both = forward(torch.cat([inputs, flip_h36m(inputs)]))
        return (both[:len(inputs)] + flip_h36m(both[len(inputs):])) / 2
    pred = forward(inputs)
    return (pred + flip_h36m(forward(flip_h36m(inputs)))) / 2


def apply_root_convention(pred: torch.Tensor, rootrel: bool,
                          global_first_frame: bool = True) -> torch.Tensor:
    """Zero what a model's convention leaves undefined (in place).

    Args:
        pred (Tensor): (B, T, 17, 3) prediction.
        rootrel (bool): Root-relative model: the pelvis is zeroed in every
            frame.
        global_first_frame (bool): For global models, zero the first
            frame's pelvis depth (depth is relative to it, the official
            training target). Defaults to True.

    Returns:
        Tensor: ``pred``.
    """
    if rootrel:
        pred[:, :, 0, :] = 0
    elif global_first_frame:
        pred[:, 0, 0, 2] = 0
    return pred
