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
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmmotionbert.registry import ACTION_TRANSFORMS
from mmmotionbert.utils.keypoints import coco_to_h36m, ntu_to_h36m
from ..h36m_reader import resample_indices

__all__ = [
    'MBSkeletonNormalize', 'MBHumanTracking', 'MBJointConvert',
    'MBResampleFrames', 'MBPadPersons', 'MBRandomMove', 'MBCropScale',
    'MBFormatActionInput', 'check_skeleton'
]

#: Source layouts :class:`MBJointConvert` knows: name -> joint count.
SOURCE_LAYOUTS = {'coco': 17, 'h36m': 17, 'ntu': 25}


def check_skeleton(results: Dict,
                   where: str) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Validate the skeleton fields of a sample and return them.

    Args:
        results (dict): The sample; needs ``keypoint`` (M, T, J, C) with
            C = 2 (2D, needs ``keypoint_score`` (M, T, J)) or C = 3 (3D).
        where (str): Name of the caller, used in error messages.

    Returns:
        tuple: ``keypoint`` as a float array and ``keypoint_score`` (or None
        for 3D skeletons).
    """
    name = results.get('frame_dir', results.get('filename', '<sample>'))
    if 'keypoint' not in results:
        raise ValueError(f'{where}: sample {name} has no "keypoint" field; '
                         f'expected pyskl/mmaction2 skeleton annotations')
    kp = np.asarray(results['keypoint'])
    if kp.ndim == 3:
        raise ValueError(
            f'{where}: sample {name} keypoint has shape {kp.shape}; expected '
            f'(persons M, frames T, joints J, C) -- add the person axis for '
            f'a single person')
    if kp.ndim != 4:
        raise ValueError(f'{where}: sample {name} keypoint must be (M, T, J, '
                         f'C), got shape {kp.shape}')
    m, t, j, c = kp.shape
    if m == 0:
        raise ValueError(f'{where}: sample {name} has no persons (keypoint '
                         f'shape {kp.shape}); drop it from the annotations')
    if t == 0:
        raise ValueError(f'{where}: sample {name} has zero frames (keypoint '
                         f'shape {kp.shape})')
    if j == 0 or c not in (2, 3):
        raise ValueError(
            f'{where}: sample {name} keypoint has shape {kp.shape}; expected '
            f'J > 0 joints and C = 2 (x, y with keypoint_score) or C = 3 '
            f'(x, y, z) channels')
    score = results.get('keypoint_score')
    if score is not None:
        score = np.asarray(score)
        if score.shape != (m, t, j):
            raise ValueError(
                f'{where}: sample {name} keypoint_score has shape '
                f'{score.shape}, expected {(m, t, j)} to match keypoint '
                f'{kp.shape}')
    elif c == 2:
        raise ValueError(f'{where}: sample {name} has 2D keypoints but no '
                         f'keypoint_score; MotionBERT needs (x, y, score)')
    return kp.astype(np.float64, copy=False), score


def _is_3d(kp: np.ndarray, score: Optional[np.ndarray]) -> bool:
    """Whether a sample holds 3D skeletons (x, y, z without scores)."""
    return kp.shape[-1] == 3 and score is None


def _set(results: Dict, kp: np.ndarray, score: Optional[np.ndarray]) -> None:
    """Write keypoints (and scores) back and keep the frame count in sync."""
    results['keypoint'] = kp
    if score is not None:
        results['keypoint_score'] = score
    results['total_frames'] = kp.shape[1]


@ACTION_TRANSFORMS.register_module()
class MBSkeletonNormalize(BaseTransform):
    """Normalize pixel coordinates by the longer image side (``make_cam``).

    ``x' = x / max(w, h) * 2 - 1`` for both x and y, so the longer side spans
    [-1, 1] and the aspect ratio is kept. 3D skeletons are left unchanged.

    Required keys: ``keypoint``, ``img_shape`` (h, w) for 2D. Modified keys:
    ``keypoint``.
    """

    def transform(self, results: Dict) -> Dict:
        """Normalize one sample.

        Args:
            results (dict): The sample.

        Returns:
            dict: The sample with normalized ``keypoint``.
        """
        kp, score = check_skeleton(results, type(self).__name__)
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
class MBHumanTracking(BaseTransform):
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

    def __init__(self, track_scores: bool = True) -> None:
        self.track_scores = track_scores

    def transform(self, results: Dict) -> Dict:
        """Track one sample.

        Args:
            results (dict): The sample.

        Returns:
            dict: The sample with persons 0 and 1 re-assigned per frame.
        """
        kp, score = check_skeleton(results, type(self).__name__)
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

    def __repr__(self) -> str:
        """Show the settings."""
        return f'{type(self).__name__}(track_scores={self.track_scores})'


@ACTION_TRANSFORMS.register_module()
class MBJointConvert(BaseTransform):
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

    def __init__(self, src: str = 'coco', convert_scores: bool = True) -> None:
        if src not in SOURCE_LAYOUTS:
            raise ValueError(f'MBJointConvert: src must be one of '
                             f'{sorted(SOURCE_LAYOUTS)}, got {src!r}')
        self.src = src
        self.convert_scores = convert_scores

    def transform(self, results: Dict) -> Dict:
        """Convert one sample.

        Args:
            results (dict): The sample.

        Returns:
            dict: The sample with H36M-17 ``keypoint`` (and scores).
        """
        kp, score = check_skeleton(results, type(self).__name__)
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

    def __repr__(self) -> str:
        """Show the settings."""
        return (f'{type(self).__name__}(src={self.src!r}, '
                f'convert_scores={self.convert_scores})')


@ACTION_TRANSFORMS.register_module()
class MBResampleFrames(BaseTransform):
    """Stretch or squeeze a sequence to ``clip_len`` frames (``resample``).

    Positions ``linspace(0, T, clip_len, endpoint=False)``; with
    ``randomness`` (official training) each is rounded up or down at random
    when upsampling and jittered within its interval when downsampling,
    otherwise floored (official testing).

    Args:
        clip_len (int): Output frames. Defaults to 243.
        randomness (bool): Random rounding / jitter. Defaults to False.
    """

    def __init__(self, clip_len: int = 243, randomness: bool = False) -> None:
        if clip_len < 1:
            raise ValueError(f'MBResampleFrames: clip_len must be >= 1, got '
                             f'{clip_len}')
        self.clip_len = clip_len
        self.randomness = randomness

    def transform(self, results: Dict) -> Dict:
        """Resample one sample.

        Args:
            results (dict): The sample.

        Returns:
            dict: The sample with ``clip_len`` frames.
        """
        kp, score = check_skeleton(results, type(self).__name__)
        rng = (
            np.random.default_rng(np.random.randint(2**31 - 1))
            if self.randomness else None)
        idx = resample_indices(kp.shape[1], self.clip_len, rng)
        _set(results, kp[:, idx], None if score is None else score[:, idx])
        results['frame_inds'] = idx
        return results

    def __repr__(self) -> str:
        """Show the settings."""
        return (f'{type(self).__name__}(clip_len={self.clip_len}, '
                f'randomness={self.randomness})')


@ACTION_TRANSFORMS.register_module()
class MBPadPersons(BaseTransform):
    """Make every sample hold exactly ``num_person`` persons.

    Missing persons are zeros (coordinates and scores), as the official fake
    second person; extra persons beyond ``num_person`` are dropped (the
    official tracking also keeps only the first two).

    Args:
        num_person (int): Persons per sample. Defaults to 2.
    """

    def __init__(self, num_person: int = 2) -> None:
        if num_person < 1:
            raise ValueError(f'MBPadPersons: num_person must be >= 1, got '
                             f'{num_person}')
        self.num_person = num_person

    def transform(self, results: Dict) -> Dict:
        """Pad or cut one sample.

        Args:
            results (dict): The sample.

        Returns:
            dict: The sample with ``num_person`` persons.
        """
        kp, score = check_skeleton(results, type(self).__name__)
        m = kp.shape[0]
        if m > self.num_person:
            kp = kp[:self.num_person]
            score = None if score is None else score[:self.num_person]
        elif m < self.num_person:
            pad = self.num_person - m
            kp = np.concatenate([kp, np.zeros((pad, ) + kp.shape[1:])])
            if score is not None:
                score = np.concatenate(
                    [score, np.zeros((pad, ) + score.shape[1:])])
        _set(results, kp, score)
        return results

    def __repr__(self) -> str:
        """Show the settings."""
        return f'{type(self).__name__}(num_person={self.num_person})'


@ACTION_TRANSFORMS.register_module()
class MBRandomMove(BaseTransform):
    """Random rotation, scaling and translation of x, y (``random_move``).

    Angle, scale and translation are drawn at ``move_time + 1`` key frames
    (``move_time`` chosen from ``move_time_candidate``) and linearly
    interpolated in between, then applied to all persons (zero-padded ones
    included, as the official code does). For 3D skeletons z is scaled with
    x and y.

    Args:
        angle_range (Sequence[float]): Rotation range in degrees. Defaults to
            (-10, 10).
        scale_range (Sequence[float]): Scale range. Defaults to (0.9, 1.1).
        transform_range (Sequence[float]): Translation range (normalized
            units). Defaults to (-0.1, 0.1).
        move_time_candidate (Sequence[int]): Numbers of segments to choose
            from. Defaults to (1, ).
    """

    def __init__(
        self,
        angle_range: Sequence[float] = (-10., 10.),
        scale_range: Sequence[float] = (0.9, 1.1),
        transform_range: Sequence[float] = (-0.1, 0.1),
        move_time_candidate: Sequence[int] = (1, )
    ) -> None:
        for name, rng in (('angle_range', angle_range),
                          ('scale_range', scale_range), ('transform_range',
                                                         transform_range)):
            if len(rng) != 2 or rng[0] > rng[1]:
                raise ValueError(f'MBRandomMove: {name} must be (low, high) '
                                 f'with low <= high, got {rng}')
        if not move_time_candidate or min(move_time_candidate) < 1:
            raise ValueError(f'MBRandomMove: move_time_candidate must hold '
                             f'positive integers, got {move_time_candidate}')
        self.angle_range = tuple(angle_range)
        self.scale_range = tuple(scale_range)
        self.transform_range = tuple(transform_range)
        self.move_time_candidate = tuple(move_time_candidate)

    def transform(self, results: Dict) -> Dict:
        """Augment one sample.

        Args:
            results (dict): The sample.

        Returns:
            dict: The sample with moved ``keypoint``.
        """
        kp, score = check_skeleton(results, type(self).__name__)
        t = kp.shape[1]
        move_time = int(np.random.choice(self.move_time_candidate))
        nodes = np.append(
            np.arange(0, t, t * 1.0 / move_time).round().astype(int), t)
        num_node = len(nodes)
        angles = np.random.uniform(*self.angle_range, num_node)
        scales = np.random.uniform(*self.scale_range, num_node)
        shift_x = np.random.uniform(*self.transform_range, num_node)
        shift_y = np.random.uniform(*self.transform_range, num_node)
        a, s, tx, ty = (np.zeros(t) for _ in range(4))
        for i in range(num_node - 1):
            seg = slice(nodes[i], nodes[i + 1])
            n = nodes[i + 1] - nodes[i]
            a[seg] = np.linspace(angles[i], angles[i + 1], n) * np.pi / 180
            s[seg] = np.linspace(scales[i], scales[i + 1], n)
            tx[seg] = np.linspace(shift_x[i], shift_x[i + 1], n)
            ty[seg] = np.linspace(shift_y[i], shift_y[i + 1], n)
        cos, sin = np.cos(a) * s, np.sin(a) * s  # (T, )
        x, y = kp[..., 0], kp[..., 1]  # (M, T, J)
        kp = kp.copy()
        kp[..., 0] = cos[:, None] * x - sin[:, None] * y + tx[:, None]
        kp[..., 1] = sin[:, None] * x + cos[:, None] * y + ty[:, None]
        if _is_3d(kp, score):
            kp[..., 2] = kp[..., 2] * s[:, None]
        results['keypoint'] = kp
        return results

    def __repr__(self) -> str:
        """Show the settings."""
        return (f'{type(self).__name__}(angle_range={self.angle_range}, '
                f'scale_range={self.scale_range}, '
                f'transform_range={self.transform_range}, '
                f'move_time_candidate={self.move_time_candidate})')


@ACTION_TRANSFORMS.register_module()
class MBCropScale(BaseTransform):
    """Normalize x, y by the sample's box to [-1, 1] (``crop_scale``).

    The box covers every joint with a non-zero score (all persons, all
    frames); its longer side times ``ratio ~ U(scale_range)`` becomes the
    unit, centred on the box, so ``ratio > 1`` shrinks the skeleton. Values
    are clipped to [-1, 1]. As in the official code, a sample with fewer than
    4 valid joints or a degenerate box becomes all zeros.

    For 3D skeletons the valid joints are the non-zero ones, x and y
    are normalized the same way and z is divided by the same scale after
    subtracting its mean over the valid joints.

    Args:
        scale_range (Sequence[float]): Range of ``ratio``: training (1, 3),
            testing (2, 2) in the official configs. Defaults to (1, 1).
    """

    def __init__(self, scale_range: Sequence[float] = (1., 1.)) -> None:
        if len(scale_range) != 2 or not 0 < scale_range[0] <= scale_range[1]:
            raise ValueError(f'MBCropScale: scale_range must be (low, high) '
                             f'with 0 < low <= high, got {scale_range}')
        self.scale_range = tuple(scale_range)

    def transform(self, results: Dict) -> Dict:
        """Normalize one sample.

        Args:
            results (dict): The sample.

        Returns:
            dict: The sample with box-normalized ``keypoint``.
        """
        kp, score = check_skeleton(results, type(self).__name__)
        is_3d = _is_3d(kp, score)
        if is_3d:
            valid = np.any(kp != 0, axis=-1)  # missing joints are zeros
        else:
            valid = score != 0
        coords = kp[valid]
        if len(coords) < 4:
            return self._zero(results, kp, score)
        lo, hi = coords[:, :2].min(0), coords[:, :2].max(0)
        ratio = np.random.uniform(*self.scale_range)
        scale = max(hi - lo) * ratio
        if scale == 0:
            return self._zero(results, kp, score)
        start = (lo + hi - scale) / 2
        kp = kp.copy()
        kp[..., :2] = ((kp[..., :2] - start) / scale - 0.5) * 2
        if is_3d:
            kp[..., 2] = (kp[..., 2] - coords[:, 2].mean()) / scale * 2
        results['keypoint'] = np.clip(kp, -1, 1)
        if score is not None:
            results['keypoint_score'] = np.clip(score, -1, 1)
        return results

    @staticmethod
    def _zero(results: Dict, kp: np.ndarray,
              score: Optional[np.ndarray]) -> Dict:
        """Official behaviour for samples without a usable box."""
        results['keypoint'] = np.zeros_like(kp)
        if score is not None:
            results['keypoint_score'] = np.zeros_like(score)
        return results

    def __repr__(self) -> str:
        """Show the settings."""
        return f'{type(self).__name__}(scale_range={self.scale_range})'


@ACTION_TRANSFORMS.register_module()
class MBFormatActionInput(BaseTransform):
    """Stack the model input: ``keypoint`` := (M, T, J, 3) float32.

    2D: [x, y, score]; 3D: [x, y, z]. ``PackActionInputs`` then packs
    ``keypoint`` as the model input.

    Args:
        num_joints (int): Joints the model expects. Defaults to 17.
    """

    def __init__(self, num_joints: int = 17) -> None:
        self.num_joints = num_joints

    def transform(self, results: Dict) -> Dict:
        """Format one sample.

        Args:
            results (dict): The sample.

        Returns:
            dict: The sample with the model input in ``keypoint``.
        """
        kp, score = check_skeleton(results, type(self).__name__)
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

    def __repr__(self) -> str:
        """Show the settings."""
        return f'{type(self).__name__}(num_joints={self.num_joints})'
