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


#: COCO-17 joint order (also the first 17 joints of OpenPose BODY_25B).
COCO_JOINT_NAMES = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
                    'left_shoulder', 'right_shoulder', 'left_elbow',
                    'right_elbow', 'left_wrist', 'right_wrist', 'left_hip',
                    'right_hip', 'left_knee', 'right_knee', 'left_ankle',
                    'right_ankle')
#: H36M-17 joint -> COCO-17 joints averaged to make it (MotionBERT's
#: ``coco2h36m``; spine is the midpoint of pelvis and thorax, head the
#: midpoint of the eyes).
COCO_TO_H36M = ((11, 12), (12, ), (14, ), (16, ), (11, ), (13, ), (15, ),
                (11, 12, 5, 6), (5, 6), (0, ), (1, 2), (5, ), (7, ), (9, ),
                (6, ), (8, ), (10, ))


def coco_to_h36m(x: ArrayLike) -> ArrayLike:
    """Convert COCO-17 keypoints to MotionBERT's H36M-17 layout.

    Every channel is mapped the same way, so pass ``[x, y, score]`` stacked
    to convert scores consistently with coordinates (a joint made from
    several COCO joints gets their mean, for scores too). This fixes the
    official action pipeline's bug of not reordering ``keypoint_score``.

    Args:
        x (np.ndarray | Tensor): (..., 17, C) COCO-17 keypoints.

    Returns:
        np.ndarray | Tensor: (..., 17, C) H36M-17 keypoints, same type.
    """
    if x.shape[-2] != len(COCO_JOINT_NAMES):
        raise ValueError(f'coco_to_h36m expects COCO-17 keypoints '
                         f'(..., 17, C), got shape {tuple(x.shape)}')
    parts = []
    for sources in COCO_TO_H36M:
        if len(sources) == 4:  # spine: midpoint of pelvis and thorax
            pelvis = (x[..., 11, :] + x[..., 12, :]) * 0.5
            thorax = (x[..., 5, :] + x[..., 6, :]) * 0.5
            parts.append((pelvis + thorax) * 0.5)
        elif len(sources) == 2:
            parts.append((x[..., sources[0], :] + x[..., sources[1], :]) * 0.5)
        else:
            parts.append(x[..., sources[0], :])
    if isinstance(x, torch.Tensor):
        return torch.stack(parts, dim=-2)
    return np.stack(parts, axis=-2)


#: H36M-17 joint <- Kinect v2 / NTU RGB+D 25-joint index (3D skeletons of
#: ``ntu60_3danno.pkl``). H36M 'nose' has no Kinect counterpart and takes
#: the Kinect 'neck' (2); H36M 'thorax' is 'spine_shoulder' (20).
NTU_TO_H36M = (0, 16, 17, 18, 12, 13, 14, 1, 20, 2, 3, 4, 5, 6, 8, 9, 10)


def ntu_to_h36m(x: ArrayLike) -> ArrayLike:
    """Convert NTU RGB+D (Kinect v2) 25-joint skeletons to H36M-17.

    Args:
        x (np.ndarray | Tensor): (..., 25, C) NTU keypoints.

    Returns:
        np.ndarray | Tensor: (..., 17, C) H36M-17 keypoints, same type.
    """
    if x.shape[-2] != 25:
        raise ValueError(f'ntu_to_h36m expects NTU-25 keypoints (..., 25, C), '
                         f'got shape {tuple(x.shape)}')
    return x[..., list(NTU_TO_H36M), :]


#: PoseTrack-18 joint order (COCO-17 with head_bottom / head_top for eyes).
POSETRACK_JOINT_NAMES = ('nose', 'head_bottom', 'head_top', 'left_ear',
                         'right_ear', 'left_shoulder', 'right_shoulder',
                         'left_elbow', 'right_elbow', 'left_wrist',
                         'right_wrist', 'left_hip', 'right_hip', 'left_knee',
                         'right_knee', 'left_ankle', 'right_ankle')


def posetrack_to_h36m(x: np.ndarray) -> np.ndarray:
    """Convert PoseTrack-18 keypoints ``[x, y, score]`` to H36M-17.

    As MotionBERT's pretraining reader: thorax is ``head_bottom``, head is
    ``head_top``, pelvis the mid-hip and spine the midpoint of pelvis and
    thorax; the scores of pelvis and spine are the minimum of the joints
    they are made of (not the mean).

    Args:
        x (np.ndarray): (..., 17, 3) PoseTrack keypoints with scores.

    Returns:
        np.ndarray: (..., 17, 3) H36M-17 keypoints.
    """
    if x.shape[-2:] != (17, 3):
        raise ValueError(f'posetrack_to_h36m expects (..., 17, 3) keypoints '
                         f'with scores, got shape {tuple(x.shape)}')
    y = np.zeros(x.shape, dtype=np.result_type(x.dtype, np.float32))
    y[..., 0, :] = (x[..., 11, :] + x[..., 12, :]) * 0.5
    for h36m, pt in ((1, 12), (2, 14), (3, 16), (4, 11), (5, 13), (6, 15),
                     (8, 1), (9, 0), (10, 2), (11, 5), (12, 7), (13, 9),
                     (14, 6), (15, 8), (16, 10)):
        y[..., h36m, :] = x[..., pt, :]
    y[..., 7, :] = (y[..., 0, :] + y[..., 8, :]) * 0.5
    y[..., 0, 2] = np.minimum(x[..., 11, 2], x[..., 12, 2])
    y[..., 7, 2] = np.minimum(y[..., 0, 2], y[..., 8, 2])
    return y


def coco_to_h36m_valid(x: np.ndarray) -> np.ndarray:
    """:func:`coco_to_h36m` for detections with missing joints.

    A missing COCO joint (score 0, e.g. OpenPose's ``0, 0, 0``) must not be
    averaged into a composite H36M joint: each composite (pelvis, spine,
    thorax, head) is the mean of its *valid* sources only (x, y and score),
    and is all zeros when none is valid, so missing joints keep score 0 and
    never pull coordinates towards the image origin.

    Args:
        x (np.ndarray): (..., 17, 3) COCO-17 ``[x, y, score]``.

    Returns:
        np.ndarray: (..., 17, 3) float H36M-17 ``[x, y, score]``.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.shape[-2:] != (len(COCO_JOINT_NAMES), 3):
        raise ValueError('coco_to_h36m_valid expects COCO-17 [x, y, score] '
                         f'(..., 17, 3), got shape {x.shape}')
    valid = (x[..., 2] > 0).astype(np.float64)
    x = x * valid[..., None]  # zero every channel of a missing joint

    def mean_of(idx):
        count = valid[..., list(idx)].sum(-1, keepdims=True)
        total = x[..., list(idx), :].sum(-2)
        return np.where(count > 0, total / np.maximum(count, 1), 0.0)

    # spine (4 sources) is filled below as the midpoint of pelvis and thorax
    y = np.stack([mean_of(src) for src in COCO_TO_H36M], axis=-2)
    pelvis, thorax = y[..., 0, :], y[..., 8, :]
    both = (pelvis[..., 2:] > 0) & (thorax[..., 2:] > 0)
    y[..., 7, :] = np.where(both, (pelvis + thorax) * 0.5, 0.0)
    return y

