# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Skeleton transforms of MotionBERT's action recognition pipeline.

They read and write the fields of mmaction2 / pyskl skeleton annotations
(``keypoint`` (M, T, J, C), ``keypoint_score`` (M, T, J), ``img_shape``,
``total_frames``) and are registered in mmaction2's ``TRANSFORMS``, so a
``PoseDataset`` pipeline reproduces the official ``lib/data/dataset_action.py``
preprocessing step by step::

    MBSkeletonNormalize      x / max(w, h) * 2 - 1         (official make_cam)
    MBHumanTracking          two-person identity swapping  (human_tracking)
    MBJointConvert           COCO-17 -> H36M-17            (coco2h36m)
    MBResampleFrames         stretch to the clip length    (resample)
    MBPadPersons             exactly two persons, zero pad
    MBRandomMove             training augmentation         (random_move)
    MBCropScale              box normalization to [-1, 1]  (crop_scale)
    MBFormatActionInput      keypoint := [x, y, score] (M, T, 17, 3)

**Scores (documented deviation).** The official dataset converts only the
coordinates to H36M order and never reorders ``keypoint_score`` (acknowledged
in MotionBERT issue #132), and its tracking swaps coordinates but not scores.
By default the scores follow their joints here (``convert_scores=True``,
``track_scores=True``); set both to False to feed the model exactly what the
official code feeds it, e.g. to evaluate official checkpoints.

**3D skeletons** (``ntu60_3danno.pkl`` style: ``keypoint`` (M, T, 25, 3) in
metres, no ``keypoint_score``, no ``img_shape``) go through the same
transforms: normalization is skipped, the Kinect NTU-25 joints are mapped to
H36M-17 (``MBJointConvert(src='ntu')``), random move rotates and moves x, y
and scales z with them, crop-scale normalizes x, y by their box and z by the
same scale, and the model input is [x, y, z].

Randomness comes from NumPy's global generator, which mmengine seeds per
worker (``randomness=dict(seed=...)``), as in the official code.

May import: numpy, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils.keypoints`, :mod:`.action_base`, :mod:`.action_frames`
and :mod:`.action_geometry`; never ``apis``.
"""
from typing import Dict, Optional

import numpy as np

from mmmotionbert.registry import ACTION_TRANSFORMS
from mmmotionbert.utils.keypoints import coco_to_h36m, ntu_to_h36m
# The shared checks and base class (action_base.py), the frame / person
# transforms (action_frames.py) and the coordinate transforms
# (action_geometry.py) live in their own modules; re-exported so their old
# path here keeps working.
from .action_base import MBSkeletonTransform, _is_3d, _set, check_skeleton
from .action_frames import MBPadPersons, MBResampleFrames
from .action_geometry import MBCropScale, MBRandomMove

__all__ = [
    'MBSkeletonNormalize', 'MBHumanTracking', 'MBJointConvert',
    'MBResampleFrames', 'MBPadPersons', 'MBRandomMove', 'MBCropScale',
    'MBFormatActionInput', 'check_skeleton'
]

#: Source layouts :class:`MBJointConvert` knows: name -> joint count.
SOURCE_LAYOUTS = {'coco': 17, 'h36m': 17, 'ntu': 25}


@ACTION_TRANSFORMS.register_module()
class MBSkeletonNormalize(MBSkeletonTransform):
    """Normalize pixel coordinates by the longer image side (``make_cam``).

    ``x' = x / max(w, h) * 2 - 1`` for both x and y, so the longer side spans
    [-1, 1] and the aspect ratio is kept. 3D skeletons are left unchanged.

    Required keys: ``keypoint``, ``img_shape`` (h, w) for 2D. Modified keys:
    ``keypoint``.
    """

    def apply(self, results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Normalize one sample's ``keypoint`` by the longer image side."""
        if _is_3d(kp, score):
            return results
        if 'img_shape' not in results:
            raise ValueError('MBSkeletonNormalize: 2D keypoints need '
                             '"img_shape" (h, w) to be normalized')
        h, w = results['img_shape'][:2]
        if min(h, w) <= 0:
            raise ValueError(f'MBSkeletonNormalize: img_shape must be '
                             f'positive, got {results["img_shape"]}')
        kp = kp.copy()
        kp[..., :2] = kp[..., :2] / max(w, h) * 2 - 1
        results['keypoint'] = kp
        return results


@ACTION_TRANSFORMS.register_module()
class MBHumanTracking(MBSkeletonTransform):
    """MotionBERT's simple two-person identity tracking.

    For every frame after the first, if person 0's joints are closer (sum of
    per-joint distances) to person 1's previous position than to its own,
    the two identities are considered swapped; the running parity of swaps
    decides which input person goes to slot 0 from that frame on. Only the
    first two persons are tracked; samples with one person are unchanged.

    Args:
        track_scores (bool): Swap ``keypoint_score`` together with the
            coordinates. The official code swaps only the coordinates; set
            False to reproduce it. Defaults to True.
    """

    _repr_keys = ('track_scores', )

    def __init__(self, track_scores: bool = True) -> None:
        self.track_scores = track_scores

    def apply(self, results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Re-assign persons 0 and 1 of one sample per frame."""
        if kp.shape[0] < 2 or kp.shape[1] < 2:
            return results
        coords = kp[..., :2] if score is not None else kp
        # distances of person 0 at t to person 0 / person 1 at t - 1
        stay = np.linalg.norm(coords[0, 1:] - coords[0, :-1], axis=-1).sum(-1)
        swap = np.linalg.norm(coords[0, 1:] - coords[1, :-1], axis=-1).sum(-1)
        swapped = np.concatenate([[False], np.cumsum(swap < stay) % 2 == 1])
        order = np.stack([swapped.astype(int), 1 - swapped.astype(int)])
        frames = np.arange(kp.shape[1])
        kp = kp.copy()
        kp[:2] = kp[order, frames]
        if score is not None and self.track_scores:
            score = score.copy()
            score[:2] = score[order, frames]
        _set(results, kp, score)
        return results


@ACTION_TRANSFORMS.register_module()
class MBJointConvert(MBSkeletonTransform):
    """Convert keypoints to MotionBERT's H36M-17 layout.

    ``'coco'``: COCO-17 (pyskl HRNet 2D) with the official ``coco2h36m``
    (pelvis, thorax, spine and head are midpoints); ``'ntu'``: Kinect NTU-25
    3D joints (``ntu60_3danno.pkl``; H36M 'nose' <- NTU 'neck', an
    approximation); ``'h36m'``: already H36M-17 (only checked).

    Args:
        src (str): Source layout, one of ``'coco'``, ``'ntu'``, ``'h36m'``.
            Defaults to ``'coco'``.
        convert_scores (bool): Map ``keypoint_score`` with the same joint
            table (a joint made from several joints gets their mean score).
            False keeps the scores in the source order, the official bug
            (MotionBERT issue #132), for parity with official checkpoints.
            Defaults to True.
    """

    _repr_keys = ('src', 'convert_scores')

    def __init__(self, src: str = 'coco', convert_scores: bool = True) -> None:
        if src not in SOURCE_LAYOUTS:
            raise ValueError(f'MBJointConvert: src must be one of '
                             f'{sorted(SOURCE_LAYOUTS)}, got {src!r}')
        self.src = src
        self.convert_scores = convert_scores

    def apply(self, results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Convert one sample's ``keypoint`` (and scores) to H36M-17."""
        expected = SOURCE_LAYOUTS[self.src]
        if kp.shape[2] != expected:
            raise ValueError(
                f'MBJointConvert(src={self.src!r}) expects {expected} '
                f'keypoints per person, got {kp.shape[2]} (keypoint shape '
                f'{kp.shape}); set src to the layout of your data')
        if self.src == 'h36m':
            return results
        convert = coco_to_h36m if self.src == 'coco' else ntu_to_h36m
        kp = convert(kp)
        if score is not None and self.convert_scores:
            score = convert(score[..., None])[..., 0]
        results['keypoint'] = kp
        if score is not None:
            results['keypoint_score'] = score
        return results



@ACTION_TRANSFORMS.register_module()
class MBFormatActionInput(MBSkeletonTransform):
    """Stack the model input: ``keypoint`` := (M, T, J, 3) float32.

    2D: [x, y, score]; 3D: [x, y, z]. ``PackActionInputs`` then packs
    ``keypoint`` as the model input.

    Args:
        num_joints (int): Joints the model expects. Defaults to 17.
    """

    _repr_keys = ('num_joints', )

    def __init__(self, num_joints: int = 17) -> None:
        self.num_joints = num_joints

    def apply(self, results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Put one sample's model input in ``keypoint``."""
        if kp.shape[2] != self.num_joints:
            raise ValueError(
                f'MBFormatActionInput: expected {self.num_joints} joints, '
                f'got keypoint shape {kp.shape}; add MBJointConvert to the '
                f'pipeline')
        if score is not None:
            kp = np.concatenate([kp[..., :2], score[..., None]], axis=-1)
        results['keypoint'] = np.ascontiguousarray(kp, dtype=np.float32)
        results.pop('keypoint_score', None)
        return results
