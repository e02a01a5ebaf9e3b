# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Training clips rendered from 3D motion capture by virtual cameras.

:class:`MBMocapDataset` turns H36M-17 3D clips (the pybullet DeepMimic
cache of ``tools/dataset_converters/pybullet_mocap.py`` or any ``.npz`` of
(T, 17, 3) clips in metres, Y up) into MotionBERT lifting samples that look
like in-the-wild detections:

1. a window of ``clip_len`` frames (random start; short clips are stretched
   with the official ``resample``);
2. bone-length augmentation (one random factor per symmetric bone group)
   and, optionally, new poses by rotating body parts about their parent
   joints (``rotation_prob``);
3. a random perspective camera looking at the subject (yaw 0-360 deg, pitch
   +-20 deg, distance 3-6 m, horizontal field of view 40-70 deg on a
   1920x1080-like sensor); points are kept at least ``min_depth`` in front;
4. the 2D input is made as a COCO detector + MotionBERT's ``coco2h36m``
   make it: COCO-17 points (with eyes and ears on the head) are projected,
   then converted, so the input "head" is the mid-eyes point and the
   thorax the mid-shoulders -- not the 3D top-of-head joint;
5. ``crop_scale`` normalisation of the 2D input (per clip, official
   in-the-wild rule), and the SAME box applied to the 3D target:
   ``target = [x_n, y_n, z_n]`` with ``x_n, y_n`` the normalised projection
   of the 3D joints and ``z_n = (Z_j - Z_root) * f / Z_root`` (pixels)
   normalised by the same scale;
6. optional horizontal flip (input and target), official detection noise
   with confidence, and official joint/frame masking of the input.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from scipy.spatial.transform import Rotation
from torch.utils.data import Dataset

from mmmotionbert.registry import DATASETS, TRANSFORMS
from mmmotionbert.utils.keypoints import (H36M_JOINT_NAMES, coco_to_h36m,
                                          flip_h36m, h36m_flip_permutation)
from .crop_scale import apply_crop_scale, crop_scale_box
from .h36m_reader import resample_indices
from .mocap.pybullet_fk import (HEAD_LANDMARKS, default_mocap_cache,
                                load_mocap_cache)
from .transforms.masking import apply_random_mask
from .transforms.noise import add_detection_noise, load_official_noise_params

__all__ = [
    'MBMocapDataset', 'BONE_GROUPS', 'ROTATION_GROUPS',
    'augment_joint_rotations', 'mix_limbs', 'LIMB_CHAINS',
    'sample_virtual_camera',
    'world_to_camera', 'project_points', 'augment_bone_lengths',
    'approximate_face_points', 'coco_points_from_h36m', 'canonical_mean_pose'
]

#: Bone groups scaled together by the bone-length augmentation.
BONE_GROUPS: Dict[str, Tuple[Tuple[int, int], ...]] = {
    'hip': ((1, 0), (4, 0)),
    'thigh': ((2, 1), (5, 4)),
    'shin': ((3, 2), (6, 5)),
    'torso': ((7, 0), (8, 7)),
    'neck': ((9, 8), ),
    'head': ((10, 9), ),
    'shoulder': ((11, 8), (14, 8)),
    'upper_arm': ((12, 11), (15, 14)),
    'forearm': ((13, 12), (16, 15)),
}
#: Typical camera resolutions (w, h) drawn for the virtual cameras.
DEFAULT_RESOLUTIONS = ((1920, 1080), (1080, 1920), (1280, 720), (1000, 1000),
                       (1088, 1920))


def _topological_bones() -> List[Tuple[int, int, str]]:
    """(child, parent, group) bones, every parent placed before its children.
    """
    pending = [(c, p, g) for g, bones in BONE_GROUPS.items() for c, p in bones]
    placed, order = {0}, []
    while pending:
        ready = [b for b in pending if b[1] in placed]
        order += ready
        placed.update(b[0] for b in ready)
        pending = [b for b in pending if b not in ready]
    return order


_BONE_ORDER = _topological_bones()


# -------------------------------------------------------------- geometry
def sample_virtual_camera(rng: np.random.Generator,
                          look_at: np.ndarray,
                          yaw_range: Sequence[float] = (0.0, 360.0),
                          pitch_range: Sequence[float] = (-20.0, 20.0),
                          distance_range: Sequence[float] = (3.0, 6.0),
                          fov_range: Sequence[float] = (40.0, 70.0),
                          resolutions: Sequence[Sequence[int]] = (
                              DEFAULT_RESOLUTIONS)) -> Dict:
    """Draw a pinhole camera looking at ``look_at`` (world Y up).

    The camera sits at ``look_at + d * (cos p sin y, sin p, cos p cos y)``
    (positive pitch: above, looking down) and looks at ``look_at`` with no
    roll. Camera axes follow OpenCV: x right, y down, z forward.

    Args:
        rng (np.random.Generator): Randomness.
        look_at (np.ndarray): (3,) world point the camera aims at.
        yaw_range (Sequence[float]): Degrees.
        pitch_range (Sequence[float]): Degrees.
        distance_range (Sequence[float]): Metres.
        fov_range (Sequence[float]): Field of view across the longer image
            side, degrees.
        resolutions (Sequence): ``(w, h)`` choices.

    Returns:
        dict: ``rotation`` (3, 3) world->camera (rows: right, down,
        forward), ``position`` (3,), ``focal`` (float, pixels), ``center``
        (2,) principal point, ``resolution`` (w, h), ``yaw``, ``pitch``
        (degrees), ``distance``.
    """
    yaw = float(rng.uniform(*yaw_range))
    pitch = float(rng.uniform(*pitch_range))
    dist = float(rng.uniform(*distance_range))
    fov = float(rng.uniform(*fov_range))
    w, h = resolutions[int(rng.integers(len(resolutions)))]
    return make_camera(look_at, yaw, pitch, dist,
                       max(w, h) / (2.0 * np.tan(np.radians(fov) / 2.0)),
                       (w, h))


def make_camera(look_at: np.ndarray, yaw: float, pitch: float,
                distance: float, focal: float,
                resolution: Sequence[int] = (1920, 1080)) -> Dict:
    """A pinhole camera aimed at ``look_at`` (see
    :func:`sample_virtual_camera` for the conventions).

    Args:
        look_at (np.ndarray): (3,) world point.
        yaw (float): Degrees about the world Y axis.
        pitch (float): Degrees of elevation.
        distance (float): Metres from ``look_at``.
        focal (float): Pixels.
        resolution (Sequence[int]): ``(w, h)``; the principal point is the
            image centre.

    Returns:
        dict: Camera as returned by :func:`sample_virtual_camera`.
    """
    y, p = np.radians(yaw), np.radians(pitch)
    offset = np.array(
        [np.cos(p) * np.sin(y),
         np.sin(p),
         np.cos(p) * np.cos(y)])
    position = np.asarray(look_at, dtype=np.float64) + distance * offset
    forward = -offset
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    w, h = resolution
    return dict(
        rotation=np.stack([right, down, forward]),
        position=position,
        focal=float(focal),
        center=np.array([w / 2.0, h / 2.0]),
        resolution=(int(w), int(h)),
        yaw=float(yaw),
        pitch=float(pitch),
        distance=float(distance))


def world_to_camera(points: np.ndarray, camera: Dict) -> np.ndarray:
    """World points (..., 3) into camera coordinates (x right, y down)."""
    return (np.asarray(points) - camera['position']) @ camera['rotation'].T


def project_points(points_cam: np.ndarray, focal: float,
                   center: np.ndarray) -> np.ndarray:
    """Pinhole projection of camera-space points (..., 3) to pixels (..., 2).
    """
    z = points_cam[..., 2:3]
    if np.any(z <= 0):
        raise ValueError('points behind the camera cannot be projected')
    return focal * points_cam[..., :2] / z + np.asarray(center)


def augment_bone_lengths(
    joints: np.ndarray,
    factors: Dict[str, float],
    face: Optional[np.ndarray] = None
) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Rescale H36M-17 bones, keeping every joint angle.

    Each bone vector ``joint[child] - joint[parent]`` is multiplied by its
    group's factor and the skeleton is rebuilt from the pelvis outwards.
    Face points follow the nose (their offsets scale with ``head``).

    Args:
        joints (np.ndarray): (T, 17, 3) joints.
        factors (dict[str, float]): Factor per :data:`BONE_GROUPS` name
            (missing groups keep 1).
        face (np.ndarray, optional): (T, F, 3) face points.

    Returns:
        tuple: Rescaled ``(joints, face)`` copies.
    """
    old = np.asarray(joints, dtype=np.float64)
    new = old.copy()
    for child, parent, group in _BONE_ORDER:
        new[:, child] = new[:, parent] + (
            old[:, child] - old[:, parent]) * factors.get(group, 1.0)
    new_face = None
    if face is not None:
        new_face = new[:, 9:10] + (np.asarray(face, np.float64) -
                                   old[:, 9:10]) * factors.get('head', 1.0)
    return new, new_face


#: Joint rotations of :func:`augment_joint_rotations`: (name, pivot joint,
#: rotated joints, carries the face points), parents before children.
ROTATION_GROUPS: Tuple[Tuple[str, int, Tuple[int, ...], bool], ...] = (
    ('trunk', 0, (7, 8, 9, 10, 11, 12, 13, 14, 15, 16), True),
    ('head', 8, (9, 10), True),
    ('thigh', 1, (2, 3), False),
    ('thigh', 4, (5, 6), False),
    ('shin', 2, (3, ), False),
    ('shin', 5, (6, ), False),
    ('upper_arm', 11, (12, 13), False),
    ('upper_arm', 14, (15, 16), False),
    ('forearm', 12, (13, ), False),
    ('forearm', 15, (16, ), False),
)
#: Default largest rotation (degrees) per :data:`ROTATION_GROUPS` name.
DEFAULT_ROTATION_DEGREES: Dict[str, float] = dict(
    trunk=30.0, head=25.0, thigh=30.0, shin=20.0, upper_arm=40.0,
    forearm=30.0)


def augment_joint_rotations(
    joints: np.ndarray,
    rng: np.random.Generator,
    max_degrees: Optional[Dict[str, float]] = None,
    face: Optional[np.ndarray] = None
) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """New poses: rotate body parts about their parent joint.

    For every :data:`ROTATION_GROUPS` entry (trunk about the pelvis, head
    about the thorax, thighs about the hips, shins about the knees, upper
    arms about the shoulders, forearms about the elbows) one rotation with a
    uniformly random axis and an angle uniform in ``[-max, max]`` is drawn
    and applied to the part and everything it carries, in every frame of
    the clip (the motion stays as smooth as the input). Bone lengths are
    kept. DeepMimic's few clips cover few poses (no leaning trunk, few arm
    positions); this widens them.

    Args:
        joints (np.ndarray): (T, 17, 3) H36M-17 joints.
        rng (np.random.Generator): Randomness.
        max_degrees (dict[str, float], optional): Largest angle per group
            name; missing names are not rotated. Defaults to
            :data:`DEFAULT_ROTATION_DEGREES`.
        face (np.ndarray, optional): (T, F, 3) face points; they follow the
            trunk and head rotations.

    Returns:
        tuple: Rotated ``(joints, face)`` copies.
    """
    limits = DEFAULT_ROTATION_DEGREES if max_degrees is None else max_degrees
    new = np.array(joints, dtype=np.float64)
    new_face = None if face is None else np.array(face, dtype=np.float64)
    for name, pivot, part, with_face in ROTATION_GROUPS:
        limit = float(limits.get(name, 0.0))
        if limit <= 0:
            continue
        axis = rng.normal(size=3)
        axis /= max(np.linalg.norm(axis), 1e-12)
        angle = np.radians(rng.uniform(-limit, limit))
        rot = Rotation.from_rotvec(axis * angle).as_matrix()
        origin = new[:, pivot:pivot + 1]
        idx = list(part)
        new[:, idx] = (new[:, idx] - origin) @ rot.T + origin
        if with_face and new_face is not None:
            new_face = (new_face - origin) @ rot.T + origin
    return new, new_face


#: Limbs of :func:`mix_limbs`: name -> (joint chain from the attachment
#: joint outwards, body frame it is expressed in).
LIMB_CHAINS: Dict[str, Tuple[Tuple[int, ...], str]] = {
    'left_arm': ((11, 12, 13), 'trunk'),
    'right_arm': ((14, 15, 16), 'trunk'),
    'left_leg': ((4, 5, 6), 'pelvis'),
    'right_leg': ((1, 2, 3), 'pelvis'),
}


def _unit(v: np.ndarray) -> np.ndarray:
    """Vectors (..., 3) scaled to length 1 (zero vectors stay ~0)."""
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def _up_and_right(up: np.ndarray,
                  right: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Unit ``up`` and unit ``right`` made orthogonal to it (Gram-Schmidt).
    """
    up = _unit(up)
    return up, _unit(right - np.sum(right * up, -1, keepdims=True) * up)


def _body_frames(joints: np.ndarray, frame: str) -> np.ndarray:
    """Per-frame orthonormal body frames (T, 3, 3), columns right/up/front.

    ``trunk``: up = pelvis -> thorax, right = left -> right shoulder;
    ``pelvis``: up = pelvis -> spine, right = left -> right hip (the right
    vector is made orthogonal to up).
    """
    if frame == 'trunk':
        up, right = _up_and_right(joints[:, 8] - joints[:, 0],
                                  joints[:, 14] - joints[:, 11])
    else:
        up, right = _up_and_right(joints[:, 7] - joints[:, 0],
                                  joints[:, 1] - joints[:, 4])
    return np.stack([right, up, np.cross(right, up)], axis=-1)


def mix_limbs(joints: np.ndarray, donor: np.ndarray,
              limbs: Sequence[str]) -> np.ndarray:
    """New poses: give a clip the limb motion of another clip.

    Each named limb (:data:`LIMB_CHAINS`) takes, frame by frame, the bone
    directions of the same limb of ``donor`` expressed in the donor's body
    frame (the trunk for arms, the pelvis for legs) and re-expressed in the
    body frame of ``joints``; the limb keeps its own bone lengths and
    attachment joint, the rest of the skeleton is untouched. DeepMimic's
    few clips pair each arm motion with one leg motion; mixing breaks those
    pairings (e.g. arms held out while standing on one leg).

    Args:
        joints (np.ndarray): (T, 17, 3) H36M-17 joints of the recipient.
        donor (np.ndarray): (T, 17, 3) joints giving the limb motion (same
            number of frames).
        limbs (Sequence[str]): Names of :data:`LIMB_CHAINS` to replace.

    Returns:
        np.ndarray: (T, 17, 3) float64 copy of ``joints`` with those limbs
        replaced.

    Raises:
        ValueError: On an unknown limb name or mismatched shapes.
    """
    new = np.array(joints, dtype=np.float64)
    donor = np.asarray(donor, dtype=np.float64)
    if new.ndim != 3 or new.shape[1:] != (17, 3) or donor.shape != new.shape:
        raise ValueError('mix_limbs needs two (T, 17, 3) arrays of the same '
                         f'shape, got {new.shape} and {donor.shape}')
    unknown = sorted(set(limbs) - set(LIMB_CHAINS))
    if unknown:
        raise ValueError(f'unknown limbs {unknown}; known: '
                         f'{sorted(LIMB_CHAINS)}')
    # donor body frame -> recipient body frame, per frame; limbs do not move
    # the joints that define the frames, so one rotation serves both limbs
    rots = {
        frame: _body_frames(new, frame) @ np.swapaxes(
            _body_frames(donor, frame), -1, -2)
        for frame in {LIMB_CHAINS[name][1] for name in limbs}
    }
    for name in limbs:
        chain, frame = LIMB_CHAINS[name]
        for parent, child in zip(chain[:-1], chain[1:]):
            length = np.linalg.norm(  # the recipient's own bone length
                joints[:, child] - joints[:, parent], axis=-1, keepdims=True)
            bone = _unit(donor[:, child] - donor[:, parent])
            new[:, child] = new[:, parent] + length * np.einsum(
                'tij,tj->ti', rots[frame], bone)
    return new


def approximate_face_points(joints: np.ndarray) -> np.ndarray:
    """COCO face points (nose, eyes, ears) guessed from H36M-17 joints.

    For clips without face points: the head frame is built from thorax ->
    head (up) and the shoulders (right), the head radius is 0.37 of the
    thorax-to-head-top distance (as on the DeepMimic humanoid) and the
    landmarks sit where :mod:`~mmmotionbert.datasets.mocap.pybullet_fk`
    puts them; the nose is the H36M nose joint.

    Args:
        joints (np.ndarray): (T, 17, 3) joints, Y up.

    Returns:
        np.ndarray: (T, 5, 3) ``nose, left_eye, right_eye, left_ear,
        right_ear``.
    """
    joints = np.asarray(joints, dtype=np.float64)

    top, thorax = joints[:, 10], joints[:, 8]
    up, right = _up_and_right(top - thorax, joints[:, 14] - joints[:, 11])
    forward = np.cross(up, right)
    radius = 0.37 * np.linalg.norm(top - thorax, axis=-1, keepdims=True)
    rel_top = np.asarray(HEAD_LANDMARKS['head_top'])
    centre = top - radius * (rel_top[0] * forward + rel_top[1] * up)
    out = [joints[:, 9]]
    for name in ('left_eye', 'right_eye', 'left_ear', 'right_ear'):
        fx, uy, rz = HEAD_LANDMARKS[name]
        out.append(centre + radius * (fx * forward + uy * up + rz * right))
    return np.stack(out, axis=1)


def coco_points_from_h36m(joints: np.ndarray, face: np.ndarray) -> np.ndarray:
    """COCO-17 points of an H36M-17 skeleton plus its face points.

    Args:
        joints (np.ndarray): (..., 17, 3) H36M-17.
        face (np.ndarray): (..., 5, 3) nose, left/right eye, left/right ear.

    Returns:
        np.ndarray: (..., 17, 3) in COCO-17 order.
    """
    body = joints[..., [11, 14, 12, 15, 13, 16, 4, 1, 5, 2, 6, 3], :]
    return np.concatenate([face, body], axis=-2)


def canonical_mean_pose(clips: Sequence[np.ndarray]) -> np.ndarray:
    """Mean root-relative pose of clips, each frame turned to face +x.

    Every frame is made root-relative and rotated about the vertical (Y)
    axis so that its hip axis (left hip -> right hip) points along +z,
    then all frames are averaged: the constant "mean training pose".

    Args:
        clips (Sequence[np.ndarray]): (T, 17, 3) clips, Y up.

    Returns:
        np.ndarray: (17, 3) mean pose, same units.
    """
    frames = np.concatenate([np.asarray(c, np.float64) for c in clips])
    frames = frames - frames[:, :1]
    hip = frames[:, 1] - frames[:, 4]
    angle = np.arctan2(hip[:, 0], hip[:, 2])  # rotate hip onto +z
    c, s = np.cos(angle), np.sin(angle)
    x, z = frames[..., 0], frames[..., 2]
    rotated = frames.copy()
    rotated[..., 0] = c[:, None] * x - s[:, None] * z
    rotated[..., 2] = s[:, None] * x + c[:, None] * z
    return rotated.mean(axis=0)


# --------------------------------------------------------------- dataset
@DATASETS.register_module()
class MBMocapDataset(Dataset):
    """3D mocap clips seen by random virtual cameras, MotionBERT style.

    See the module docstring for the pipeline. Items are
    ``dict(inputs=float32 (T, 17, 3) [x_n, y_n, conf],
    data_samples=dict(target=float32 (T, 17, 3), has_3d=True, ...))`` --
    the format of :class:`MBH36MDataset`, collated by ``default_collate``
    and trained by ``MBPoseLifter``.

    Randomness: training items draw from a ``numpy.random.Generator``
    seeded by ``(seed, torch.initial_seed())`` (distinct per DataLoader
    worker and epoch, reproducible under mmengine's seed); with
    ``test_mode=True`` item ``i`` always uses ``default_rng([seed, i])``
    and a fixed window start, so validation sets are fixed.

    Args:
        data_file (str, optional): ``.npz`` of clips (see
            :func:`~mmmotionbert.datasets.mocap.pybullet_fk.load_mocap_cache`).
            Defaults to the pybullet cache
            (``~/.cache/mmmotionbert/mocap/pybullet_h36m_v2.npz``).
        clip_len (int): Frames per item. Defaults to 27.
        data_stride (int, optional): Window stride defining the items of a
            clip (``ceil((n - clip_len) / stride) + 1`` per clip; a clip
            shorter than ``clip_len`` gives one). Defaults to
            ``clip_len // 3`` (the official training stride).
        clips (Sequence[str], optional): Only these clip names.
        exclude_clips (Sequence[str], optional): Leave these out (e.g. the
            held-out validation clips).
        test_mode (bool): Deterministic items (see above). Defaults to
            False.
        num_samples (int, optional): Override the dataset length (items are
            taken cyclically). Defaults to None.
        camera (dict, optional): Overrides of :func:`sample_virtual_camera`
            ranges (``yaw_range``, ``pitch_range``, ``distance_range``,
            ``fov_range``, ``resolutions``).
        look_at_jitter (float): Std (metres) of the random offset of the
            camera's aim point from the clip's mean pelvis. Defaults to
            0.15.
        min_depth (float): Every point is kept at least this far (metres)
            in front of the camera by moving it back. Defaults to 1.0.
        bone_scale_range (Sequence[float], optional): Range of the
            per-group bone-length factors; None disables. Defaults to
            ``(0.85, 1.25)`` (covers DeepMimic -> real skeletons: hips
            0.17 -> 0.20 m).
        group_scale_ranges (dict, optional): Per :data:`BONE_GROUPS` name,
            a range replacing ``bone_scale_range`` for that group (e.g. a
            narrower ``shoulder`` range centred below 1). Defaults to None.
        rotation_prob (float): Probability that an item's body parts are
            rotated by :func:`augment_joint_rotations`. Defaults to 0.
        rotation_degrees (dict, optional): Largest angles of that
            augmentation per group. Defaults to
            :data:`DEFAULT_ROTATION_DEGREES`.
        limb_mix_prob (float): Probability, per limb (each arm and leg
            independently), that the limb takes the motion of the same limb
            in another random training window (:func:`mix_limbs`). Applied
            before the bone-length and rotation augmentations. Defaults
            to 0.
        face_occlusion_prob (float): Probability that an item hides the
            nose and head inputs (zeroed like masked joints) in the frames
            where the face (mid-ears -> nose) points away from the camera,
            as detectors give no face keypoints for a person
            seen from behind. Needs ``wild_2d``. Defaults to 0.
        wild_2d (bool): Build the 2D input as a COCO detector would (head =
            mid-eyes, thorax = mid-shoulders, ...). When False the 3D
            joints are projected as they are. Defaults to True.
        scale_range (Sequence[float]): ``crop_scale`` box ratio range.
            Defaults to ``(1, 1)`` (the official in-the-wild inference).
        flip_prob (float): Horizontal flip probability. Defaults to 0.5.
        noise_prob (float): Probability to add the official detection noise
            (with confidence); other clips get confidence 1. Defaults to 1.
        noise_scale (float): Noise offset multiplier. The official values
            are in H36M width-normalised units, where a standing person is
            about 0.8 units tall, against 2 units after ``crop_scale``:
            about 2.5 reproduces the official noise *relative to the body*;
            1.0 (default) uses the official numbers as they are.
        joint_mask_prob (float): Official joint mask ratio. Defaults to
            0.05.
        frame_mask_prob (float): Official frame mask ratio. Defaults to 0.1.
        augment (dict, optional): Extra transform config applied last to
            ``dict(motion_2d=inputs)`` (the convention of
            :class:`MBMotionClipDataset`).
        with_meta (bool): Add per-item meta (clip name, start, camera,
            crop box, camera-space joints in mm) to ``data_samples``.
            Defaults to False (keys then match the other pretraining
            datasets, so they can be concatenated).
        seed (int): Seed. Defaults to 0.
    """

    def __init__(self,
                 data_file: Optional[str] = None,
                 clip_len: int = 27,
                 data_stride: Optional[int] = None,
                 clips: Optional[Sequence[str]] = None,
                 exclude_clips: Optional[Sequence[str]] = None,
                 test_mode: bool = False,
                 num_samples: Optional[int] = None,
                 camera: Optional[dict] = None,
                 look_at_jitter: float = 0.15,
                 min_depth: float = 1.0,
                 bone_scale_range: Optional[Sequence[float]] = (0.85, 1.25),
                 group_scale_ranges: Optional[Dict[str,
                                                   Sequence[float]]] = None,
                 rotation_prob: float = 0.0,
                 rotation_degrees: Optional[Dict[str, float]] = None,
                 limb_mix_prob: float = 0.0,
                 face_occlusion_prob: float = 0.0,
                 wild_2d: bool = True,
                 scale_range: Sequence[float] = (1.0, 1.0),
                 flip_prob: float = 0.5,
                 noise_prob: float = 1.0,
                 noise_scale: float = 1.0,
                 joint_mask_prob: float = 0.05,
                 frame_mask_prob: float = 0.1,
                 augment: Optional[dict] = None,
                 with_meta: bool = False,
                 seed: int = 0) -> None:
        super().__init__()
        if clip_len < 1:
            raise ValueError(f'clip_len must be >= 1, got {clip_len}')
        for name, p in (('flip_prob', flip_prob), ('noise_prob', noise_prob),
                        ('rotation_prob', rotation_prob),
                        ('limb_mix_prob', limb_mix_prob),
                        ('face_occlusion_prob', face_occlusion_prob),
                        ('joint_mask_prob', joint_mask_prob),
                        ('frame_mask_prob', frame_mask_prob)):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f'{name} must be in [0, 1], got {p}')
        self.data_file = data_file or default_mocap_cache()
        data = load_mocap_cache(self.data_file)
        names = list(data['joints'])
        if clips is not None:
            missing = sorted(set(clips) - set(names))
            if missing:
                raise ValueError(f'clips {missing} are not in '
                                 f'{self.data_file} (has {names})')
            names = [n for n in names if n in set(clips)]
        if exclude_clips:
            unknown = sorted(set(exclude_clips) - set(data['joints']))
            if unknown:
                raise ValueError(f'exclude_clips {unknown} are not in '
                                 f'{self.data_file} (has {names})')
            names = [n for n in names if n not in set(exclude_clips)]
        if not names:
            raise ValueError('no clips left after the clips/exclude_clips '
                             'selection')
        self.clip_names = names
        self.joints = [data['joints'][n] for n in names]
        self.face = [
            data['face'][n] if n in data['face'] else
            approximate_face_points(data['joints'][n]) for n in names
        ]
        self.fps = data['fps']
        self.clip_len = int(clip_len)
        self.data_stride = int(data_stride or max(1, clip_len // 3))
        self.test_mode = bool(test_mode)
        self.camera_cfg = dict(camera or {})
        self.look_at_jitter = float(look_at_jitter)
        self.min_depth = float(min_depth)
        self.bone_scale_range = (tuple(bone_scale_range)
                                 if bone_scale_range is not None else None)
        self.group_scale_ranges = {
            g: tuple(r) for g, r in (group_scale_ranges or {}).items()}
        unknown = sorted(set(self.group_scale_ranges) - set(BONE_GROUPS))
        if unknown:
            raise ValueError(f'group_scale_ranges: unknown bone groups '
                             f'{unknown}; known: {sorted(BONE_GROUPS)}')
        if self.group_scale_ranges and self.bone_scale_range is None:
            raise ValueError('group_scale_ranges needs bone_scale_range '
                             '(None disables the bone-length augmentation)')
        for g, r in [('bone_scale_range', self.bone_scale_range)] + list(
                self.group_scale_ranges.items()):
            if r is not None and not (len(r) == 2 and 0 < r[0] <= r[1]):
                raise ValueError(f'{g}: a range must be (low, high) with '
                                 f'0 < low <= high, got {r}')
        self.rotation_prob = float(rotation_prob)
        self.rotation_degrees = (None if rotation_degrees is None else
                                 dict(rotation_degrees))
        if self.rotation_degrees is not None:
            unknown = sorted(
                set(self.rotation_degrees) - set(DEFAULT_ROTATION_DEGREES))
            if unknown:
                raise ValueError(
                    f'rotation_degrees has unknown groups {unknown}; '
                    f'known: {sorted(DEFAULT_ROTATION_DEGREES)}')
        self.limb_mix_prob = float(limb_mix_prob)
        self.face_occlusion_prob = float(face_occlusion_prob)
        self.wild_2d = bool(wild_2d)
        self.scale_range = tuple(scale_range)
        self.flip_prob = float(flip_prob)
        self.noise_prob = float(noise_prob)
        self.noise_scale = float(noise_scale)
        self.joint_mask_prob = float(joint_mask_prob)
        self.frame_mask_prob = float(frame_mask_prob)
        self.with_meta = bool(with_meta)
        self.seed = int(seed)
        self.noise_params = load_official_noise_params()
        self.augment = TRANSFORMS.build(augment) if augment else None
        self.windows = []  # (clip index, nominal start)
        for ci, clip in enumerate(self.joints):
            n = len(clip)
            last = max(n - self.clip_len, 0)
            count = -(-last // self.data_stride) + 1
            starts = np.minimum(
                np.arange(count) * self.data_stride, last).tolist()
            self.windows += [(ci, int(s)) for s in starts]
        self.num_samples = int(num_samples) if num_samples else len(
            self.windows)
        self._rng: Optional[np.random.Generator] = None
        self._rng_key: Optional[int] = None

    @property
    def metainfo(self) -> Dict:
        """Dataset meta information."""
        return dict(
            dataset_name='mocap_virtual_camera',
            num_joints=len(H36M_JOINT_NAMES),
            keypoint_names=list(H36M_JOINT_NAMES),
            flip_indices=h36m_flip_permutation(),
            clip_len=self.clip_len,
            clips=list(self.clip_names),
            fps=self.fps,
            num_windows=len(self.windows))

    def __len__(self) -> int:
        """Number of items."""
        return self.num_samples

    def _item_rng(self, index: int) -> np.random.Generator:
        """Generator of one item (see the class docstring)."""
        if self.test_mode:
            return np.random.default_rng([self.seed, index])
        key = torch.initial_seed()
        if self._rng is None or key != self._rng_key:
            self._rng = np.random.default_rng([self.seed, key])
            self._rng_key = key
        return self._rng

    def _frames(self, index: int, rng: np.random.Generator) -> Tuple:
        """Clip index, start and frame indices of item ``index``."""
        ci, start = self.windows[index % len(self.windows)]
        n = len(self.joints[ci])
        if n < self.clip_len:
            rows = resample_indices(n, self.clip_len,
                                    None if self.test_mode else rng)
            return ci, 0, rows
        if not self.test_mode:
            start = int(rng.integers(0, n - self.clip_len + 1))
        return ci, start, np.arange(start, start + self.clip_len)

    def render(self, joints: np.ndarray, face: np.ndarray,
               rng: np.random.Generator) -> Dict:
        """Camera, 2D input and normalised target of one 3D window.

        Args:
            joints (np.ndarray): (T, 17, 3) world joints (m, Y up).
            face (np.ndarray): (T, 5, 3) face points.
            rng (np.random.Generator): Randomness.

        Returns:
            dict: ``inputs`` (T, 17, 3) normalised ``[x, y, 1]``,
            ``target`` (T, 17, 3), ``camera``, ``box`` (center, scale),
            ``joints_cam`` (T, 17, 3) metres, ``face_hidden`` (T,) bool
            (the face points away from the camera).
        """
        look_at = joints[:, 0].mean(0)
        if self.look_at_jitter > 0:
            look_at = look_at + rng.normal(0.0, self.look_at_jitter, 3)
        camera = sample_virtual_camera(rng, look_at, **self.camera_cfg)
        cam = world_to_camera(joints, camera)
        cam_face = world_to_camera(face, camera)
        nearest = min(cam[..., 2].min(), cam_face[..., 2].min())
        if nearest < self.min_depth:  # move the camera back along its axis
            shift = self.min_depth - nearest
            cam[..., 2] += shift
            cam_face[..., 2] += shift
            camera['position'] = camera['position'] - shift * camera[
                'rotation'][2]
            camera['distance'] += shift
        focal, center = camera['focal'], camera['center']
        if self.wild_2d:
            coco = project_points(
                coco_points_from_h36m(cam, cam_face), focal, center)
            kpts = coco_to_h36m(coco)
        else:
            kpts = project_points(cam, focal, center)
        inputs = np.concatenate([kpts, np.ones_like(kpts[..., :1])], -1)
        box = crop_scale_box(inputs, self.scale_range, rng)
        if box is None:
            raise ValueError('degenerate 2D clip (empty crop_scale box)')
        root_z = cam[:, :1, 2]
        target_px = np.concatenate([
            project_points(cam, focal, center),
            ((cam[..., 2] - root_z) * focal / root_z)[..., None]
        ], -1)
        # seen from behind: the face (mid-ears -> nose) looks away from the
        # camera centre (the origin of camera space)
        facing = cam_face[:, 0] - cam_face[:, 3:5].mean(1)
        face_hidden = np.sum(facing * -cam_face[:, 0], -1) < 0
        return dict(
            inputs=np.clip(apply_crop_scale(inputs, *box), -1, 1),
            target=apply_crop_scale(target_px, *box, depth=True),
            camera=camera,
            box=box,
            joints_cam=cam,
            face_hidden=face_hidden)

    def __getitem__(self, index: int) -> Dict:
        """One item (see the class docstring)."""
        if not -len(self) <= index < len(self):
            raise IndexError(f'index {index} out of range for {len(self)} '
                             'items')
        index = int(index) % len(self)
        rng = self._item_rng(index)
        ci, start, rows = self._frames(index, rng)
        joints = self.joints[ci][rows].astype(np.float64)
        face = self.face[ci][rows].astype(np.float64)
        if self.limb_mix_prob > 0 and not self.test_mode:
            limbs = [
                name for name in LIMB_CHAINS
                if rng.random() < self.limb_mix_prob
            ]
            if limbs:
                di, _, donor_rows = self._frames(
                    int(rng.integers(len(self.windows))), rng)
                joints = mix_limbs(joints, self.joints[di][donor_rows],
                                   limbs)
        if self.bone_scale_range is not None:
            factors = {
                g: float(rng.uniform(
                    *self.group_scale_ranges.get(g, self.bone_scale_range)))
                for g in BONE_GROUPS
            }
            joints, face = augment_bone_lengths(joints, factors, face)
        if self.rotation_prob > 0 and rng.random() < self.rotation_prob:
            joints, face = augment_joint_rotations(
                joints, rng, self.rotation_degrees, face)
        item = self.render(joints, face, rng)
        inputs, target = item['inputs'], item['target']
        joints_cam = item['joints_cam']
        if self.flip_prob > 0 and rng.random() < self.flip_prob:
            inputs, target = flip_h36m(inputs), flip_h36m(target)
            joints_cam = flip_h36m(joints_cam)
        if self.noise_prob > 0 and rng.random() < self.noise_prob:
            inputs = add_detection_noise(inputs, rng, self.noise_params,
                                         self.noise_scale)
        if self.joint_mask_prob > 0 or self.frame_mask_prob > 0:
            inputs, _ = apply_random_mask(inputs, self.joint_mask_prob,
                                          self.frame_mask_prob, rng)
        if (self.face_occlusion_prob > 0 and self.wild_2d
                and rng.random() < self.face_occlusion_prob):
            inputs = inputs.copy()
            inputs[item['face_hidden'], 9:11] = 0.0  # nose and head
        inputs = inputs.astype(np.float32)
        if self.augment is not None:
            inputs = np.asarray(
                self.augment(dict(motion_2d=inputs))['motion_2d'],
                dtype=np.float32)
        samples = dict(
            target=torch.from_numpy(target.astype(np.float32)), has_3d=True)
        if self.with_meta:
            cam = item['camera']
            samples.update(
                clip_name=self.clip_names[ci],
                start=start,
                frame_index=torch.from_numpy(np.asarray(rows, np.int64)),
                focal=float(cam['focal']),
                camera_wh=torch.tensor(cam['resolution'], dtype=torch.float32),
                crop_center=torch.from_numpy(item['box'][0].astype(
                    np.float32)),
                crop_scale=float(item['box'][1]),
                joints_cam_mm=torch.from_numpy(
                    (joints_cam * 1000.0).astype(np.float32)))
        return dict(inputs=torch.from_numpy(inputs), data_samples=samples)
