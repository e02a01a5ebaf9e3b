# Copyright (c) mmmotionbert contributors. All rights reserved.
"""H36M-17 skeleton maths for new training poses from 3D mocap clips.

Bone-length rescaling (:func:`augment_bone_lengths`), rotations of body
parts about their parent joints (:func:`augment_joint_rotations`), limb
motion taken from another clip (:func:`mix_limbs`), face points guessed
from the joints (:func:`approximate_face_points`), the COCO-17 points of a
skeleton (:func:`coco_points_from_h36m`) and a heading-free mean pose
(:func:`canonical_mean_pose`). Used by
:class:`~mmmotionbert.datasets.MBMocapDataset` and its transforms
(:mod:`mmmotionbert.datasets.transforms.mocap_skeleton`).

May import numpy, scipy and :mod:`.pybullet_fk` (the head landmarks).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy.spatial.transform import Rotation

from .pybullet_fk import HEAD_LANDMARKS

__all__ = [
    'BONE_GROUPS', 'ROTATION_GROUPS', 'DEFAULT_ROTATION_DEGREES',
    'LIMB_CHAINS', 'augment_bone_lengths', 'augment_joint_rotations',
    'mix_limbs', 'approximate_face_points', 'coco_points_from_h36m',
    'canonical_mean_pose'
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
