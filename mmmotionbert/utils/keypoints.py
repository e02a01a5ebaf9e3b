# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Keypoint layouts and the operations every task shares on them."""
from typing import Union

import numpy as np
import torch

ArrayLike = Union[np.ndarray, torch.Tensor]

#: Human3.6M 17-joint order used throughout MotionBERT.
H36M_JOINT_NAMES = ('pelvis', 'right_hip', 'right_knee', 'right_ankle',
                    'left_hip', 'left_knee', 'left_ankle', 'spine', 'thorax',
                    'nose', 'head', 'left_shoulder', 'left_elbow',
                    'left_wrist', 'right_shoulder', 'right_elbow',
                    'right_wrist')
#: Joints swapped by a horizontal flip (left side, right side).
H36M_LEFT = (4, 5, 6, 11, 12, 13)
H36M_RIGHT = (1, 2, 3, 14, 15, 16)
#: Kinematic tree as (child, parent) bones.
H36M_BONES = ((1, 0), (2, 1), (3, 2), (4, 0), (5, 4), (6, 5), (7, 0), (8, 7),
              (9, 8), (10, 9), (11, 8), (12, 11), (13, 12), (14, 8), (15, 14),
              (16, 15))


def h36m_flip_permutation() -> list:
    """Joint permutation of a horizontal flip in the H36M-17 layout.

    Returns:
        list[int]: ``perm`` such that ``flipped[..., j, :] = x[..., perm[j], :]``.
    """
    perm = list(range(len(H36M_JOINT_NAMES)))
    for left, right in zip(H36M_LEFT, H36M_RIGHT):
        perm[left], perm[right] = right, left
    return perm


def flip_h36m(x: ArrayLike) -> ArrayLike:
    """Mirror H36M-17 keypoints horizontally (MotionBERT's ``flip_data``).

    Negates channel 0 (x) of every joint and swaps left and right joints;
    the other channels (y, z or confidence) are only permuted.

    Args:
        x (np.ndarray | Tensor): (..., 17, C) keypoints, C >= 1.

    Returns:
        np.ndarray | Tensor: Flipped copy of the same type and shape.
    """
    if x.shape[-2] != len(H36M_JOINT_NAMES):
        raise ValueError(f'flip_h36m expects H36M-17 keypoints (..., 17, C), '
                         f'got shape {tuple(x.shape)}')
    perm = h36m_flip_permutation()
    flipped = x[..., perm, :]  # advanced indexing copies (numpy and torch)
    flipped[..., 0] = -flipped[..., 0]
    return flipped
