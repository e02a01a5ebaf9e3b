# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Keypoint layouts and the operations every task shares on them.

May import: numpy and torch only; no other layer of ours.
"""
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


# --- In-the-wild 2D layouts -> H36M-17 (inference) --------------------------
#: Halpe-26 (AlphaPose) joint order.
HALPE26_JOINT_NAMES = COCO_JOINT_NAMES + (
    'head', 'neck', 'hip', 'left_big_toe', 'right_big_toe',
    'left_small_toe', 'right_small_toe', 'left_heel', 'right_heel')
#: OpenPose BODY_25 joint order.
BODY25_JOINT_NAMES = ('nose', 'neck', 'right_shoulder', 'right_elbow',
                      'right_wrist', 'left_shoulder', 'left_elbow',
                      'left_wrist', 'mid_hip', 'right_hip', 'right_knee',
                      'right_ankle', 'left_hip', 'left_knee', 'left_ankle',
                      'right_eye', 'left_eye', 'right_ear', 'left_ear',
                      'left_big_toe', 'left_small_toe', 'left_heel',
                      'right_big_toe', 'right_small_toe', 'right_heel')
#: OpenPose BODY_25B joint order (COCO-17 first).
BODY25B_JOINT_NAMES = COCO_JOINT_NAMES + (
    'upper_neck', 'head_top', 'left_big_toe', 'left_small_toe', 'left_heel',
    'right_big_toe', 'right_small_toe', 'right_heel')
#: OpenPose COCO-18 ("openpose18") joint order.
OPENPOSE18_JOINT_NAMES = ('nose', 'neck', 'right_shoulder', 'right_elbow',
                          'right_wrist', 'left_shoulder', 'left_elbow',
                          'left_wrist', 'right_hip', 'right_knee',
                          'right_ankle', 'left_hip', 'left_knee',
                          'left_ankle', 'right_eye', 'left_eye', 'right_ear',
                          'left_ear')
#: MediaPipe BlazePose-33 landmarks -> COCO-17 (index of each COCO joint).
BLAZEPOSE_TO_COCO = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26,
                     27, 28)
#: H36M-17 joint <- Halpe-26 joints averaged (official ``halpe2h36m``:
#: pelvis = 'hip', thorax = 'neck', head = 'head' (top of the head)).
HALPE26_TO_H36M = ((19, ), (12, ), (14, ), (16, ), (11, ), (13, ), (15, ),
                   (18, 19), (18, ), (0, ), (17, ), (5, ), (7, ), (9, ),
                   (6, ), (8, ), (10, ))
#: H36M-17 joint <- OpenPose BODY_25 joints averaged (pelvis = 'mid_hip',
#: thorax = 'neck', head = midpoint of the eyes as for COCO).
BODY25_TO_H36M = ((8, ), (9, ), (10, ), (11, ), (12, ), (13, ), (14, ),
                  (1, 8), (1, ), (0, ), (15, 16), (5, ), (6, ), (7, ), (2, ),
                  (3, ), (4, ))
#: H36M-17 joint <- OpenPose COCO-18 joints averaged (a repeated index
#: weighs twice: spine = midpoint of mid-hip and neck).
OPENPOSE18_TO_H36M = ((8, 11), (8, ), (9, ), (10, ), (11, ), (12, ), (13, ),
                      (8, 11, 1, 1), (1, ), (0, ), (14, 15), (5, ), (6, ),
                      (7, ), (2, ), (3, ), (4, ))

#: Number of joints of every 2D layout :func:`convert_keypoints` reads.
KEYPOINT_LAYOUTS = {
    'h36m': 17,
    'coco': 17,
    'halpe26': 26,
    'body25': 25,
    'body25b': 25,
    'openpose18': 18,
    'blazepose': 33,
    'coco_wholebody': 133,
    'halpe136': 136,
}
#: Other names accepted for the layouts above.
KEYPOINT_LAYOUT_ALIASES = {
    'h36m17': 'h36m', 'human3.6m': 'h36m', 'coco17': 'coco',
    'halpe': 'halpe26', 'alphapose': 'halpe26', 'body_25': 'body25',
    'body_25b': 'body25b', 'openpose_body25': 'body25',
    'openpose_body25b': 'body25b', 'coco18': 'openpose18',
    'blazepose33': 'blazepose', 'mediapipe': 'blazepose',
    'wholebody': 'coco_wholebody', 'coco-wholebody': 'coco_wholebody'
}


def canonical_layout(layout: str) -> str:
    """The canonical name of a 2D keypoint layout (aliases resolved).

    Args:
        layout (str): A name of :data:`KEYPOINT_LAYOUTS` or an alias of
            :data:`KEYPOINT_LAYOUT_ALIASES` (case-insensitive).

    Returns:
        str: Canonical layout name.
    """
    name = str(layout).strip().lower()
    name = KEYPOINT_LAYOUT_ALIASES.get(name, name)
    if name not in KEYPOINT_LAYOUTS:
        raise ValueError(
            f'unknown keypoint layout {layout!r}; known layouts: '
            f'{sorted(KEYPOINT_LAYOUTS)} (aliases: '
            f'{sorted(KEYPOINT_LAYOUT_ALIASES)})')
    return name


def _mean_of_valid_sources(x: np.ndarray, table) -> np.ndarray:
    """(..., 17, 3): each joint the mean of its *valid* source joints.

    Channels are ``[x, y, score]``; a source is valid when its score is
    > 0. A joint without a valid source is all zeros; the spine (joint 7,
    the midpoint of two body parts) needs every source valid. Same rule as
    :func:`coco_to_h36m_valid`.
    """
    valid = (x[..., 2] > 0).astype(x.dtype)
    xz = x * valid[..., None]
    parts = []
    for j, src in enumerate(table):
        src = list(src)
        count = valid[..., src].sum(-1, keepdims=True)
        part = np.where(count > 0, xz[..., src, :].sum(-2) /
                        np.maximum(count, 1), 0.0)
        if j == 7 and len(set(src)) > 1:
            part = np.where(valid[..., src].min(-1, keepdims=True) > 0, part,
                            0.0)
        parts.append(part)
    return np.stack(parts, axis=-2)


def convert_keypoints(keypoints: np.ndarray,
                      scores: np.ndarray,
                      layout: str) -> tuple:
    """Convert 2D keypoints and their scores from any layout to H36M-17.

    The single conversion used by every reader and detector. Coordinates
    and scores go through the same joint mapping, so scores stay attached
    to their joints. A joint made of several source joints (pelvis,
    thorax, head, spine) is the mean of its *valid* sources (score > 0),
    coordinates and score alike, and all zeros when none is valid -- a
    missing joint (OpenPose's ``0, 0, 0``) never pulls a composite towards
    the image origin; the spine needs both of its parts. COCO-based
    layouts use :func:`coco_to_h36m_valid` (MotionBERT's ``coco2h36m``
    with that rule), Halpe-26 the official ``halpe2h36m``.

    Args:
        keypoints (np.ndarray): (..., J, 2) pixel coordinates.
        scores (np.ndarray): (..., J) confidences, 0 for missing joints.
        layout (str): Source layout (see :func:`canonical_layout`):
            ``h36m``, ``coco``, ``halpe26``, ``body25``, ``body25b``,
            ``openpose18``, ``blazepose``, ``coco_wholebody``, ``halpe136``.

    Returns:
        tuple[np.ndarray, np.ndarray]: (..., 17, 2) keypoints and (..., 17)
        scores in the H36M-17 order, float32.
    """
    layout = canonical_layout(layout)
    keypoints = np.asarray(keypoints, dtype=np.float32)
    scores = np.asarray(scores, dtype=np.float32)
    num = KEYPOINT_LAYOUTS[layout]
    if keypoints.ndim < 2 or keypoints.shape[-1] != 2:
        raise ValueError(f'keypoints must be (..., J, 2), got shape '
                         f'{keypoints.shape}')
    if keypoints.shape[-2] != num or scores.shape != keypoints.shape[:-1]:
        raise ValueError(
            f'layout {layout!r} has {num} joints: expected keypoints '
            f'(..., {num}, 2) and scores (..., {num}), got '
            f'{keypoints.shape} and {scores.shape}')
    if layout == 'h36m':
        return keypoints.copy(), scores.copy()
    stacked = np.concatenate([keypoints, scores[..., None]],
                             axis=-1).astype(np.float64)
    if layout in ('body25b', 'coco_wholebody'):
        stacked, layout = stacked[..., :17, :], 'coco'
    elif layout == 'halpe136':
        stacked, layout = stacked[..., :26, :], 'halpe26'
    elif layout == 'blazepose':
        stacked, layout = stacked[..., list(BLAZEPOSE_TO_COCO), :], 'coco'
    if layout == 'coco':
        out = coco_to_h36m_valid(stacked)
    else:
        table = dict(
            halpe26=HALPE26_TO_H36M,
            body25=BODY25_TO_H36M,
            openpose18=OPENPOSE18_TO_H36M)[layout]
        out = _mean_of_valid_sources(stacked, table)
    out = out.astype(np.float32)
    return np.ascontiguousarray(out[..., :2]), np.ascontiguousarray(
        out[..., 2])
