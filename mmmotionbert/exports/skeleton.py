# Copyright (c) mmmotionbert contributors. All rights reserved.
"""A constant-bone-length H36M-17 skeleton and the rotations that pose it.

What the BVH writer (:mod:`mmmotionbert.exports.bvh`) animates. The skeleton
(:data:`SKELETON`) is the H36M-17 tree (:data:`~mmmotionbert.utils.keypoints.
H36M_BONES`) plus four *helper* joints with a zero offset, ``left_pelvis``
and ``right_pelvis`` at the pelvis and ``left_clavicle`` and
``right_clavicle`` at the thorax. Every bone then hangs from a joint of its
own, so every bone direction can be met exactly; a joint with several
children could only fit their directions in the least-squares sense.

Rest pose (a T-pose, all joint frames aligned with the world axes, Y up,
the person facing +Z and their left on +X): legs along -Y, hip bones along
-X (right) and +X (left), spine, neck and head along +Y, clavicles and arms
along +X (left) and -X (right). Each offset is the bone's rest direction
times its length, the median over the frames where both its joints are
finite (:func:`median_bone_lengths`).

Rotations (:func:`solve_rotations`), per frame, as global rotations that
map a joint's rest child offsets onto the observed bones:

* ``pelvis``: spine bone exact, the right-to-left hip line fixes the twist;
* ``thorax``: neck bone (thorax -> nose) exact, the right-to-left shoulder
  line fixes the twist;
* every other joint with a child (helpers included): the smallest rotation
  that turns the bone from where the parent's rotation carries it to where
  it is observed, after the parent's rotation (no twist about the bone
  relative to the parent, so the angles stay continuous);
* end joints (ankles, wrists, head): the parent's rotation.

May import: numpy, scipy and :mod:`mmmotionbert.utils`; never ``apis``.
"""
from typing import List, NamedTuple, Optional, Tuple

import numpy as np
from scipy.spatial.transform import Rotation

from mmmotionbert.utils.keypoints import H36M_BONES, H36M_JOINT_NAMES

__all__ = [
    'SkeletonJoint', 'SKELETON', 'fill_missing', 'median_bone_lengths',
    'rest_offsets', 'solve_rotations'
]


class SkeletonJoint(NamedTuple):
    """One joint of :data:`SKELETON`.

    Attributes:
        name (str): Joint name (H36M-17 name, or a helper's).
        parent (int): Index of the parent in :data:`SKELETON` (-1: root).
        h36m (int): Index in H36M-17 of the joint's position; a helper has
            the position of its parent's.
        rest_dir (tuple): Unit rest direction of the bone from the parent
            to this joint ((0, 0, 0) for the root and the helpers).
    """

    name: str
    parent: int
    h36m: int
    rest_dir: Tuple[float, float, float]


_X, _Y, _O = (1., 0., 0.), (0., 1., 0.), (0., 0., 0.)
_NX, _NY = (-1., 0., 0.), (0., -1., 0.)
#: Depth-first joint list, the order of the BVH file and its channels.
SKELETON = (
    SkeletonJoint('pelvis', -1, 0, _O),
    SkeletonJoint('right_pelvis', 0, 0, _O),
    SkeletonJoint('right_hip', 1, 1, _NX),
    SkeletonJoint('right_knee', 2, 2, _NY),
    SkeletonJoint('right_ankle', 3, 3, _NY),
    SkeletonJoint('left_pelvis', 0, 0, _O),
    SkeletonJoint('left_hip', 5, 4, _X),
    SkeletonJoint('left_knee', 6, 5, _NY),
    SkeletonJoint('left_ankle', 7, 6, _NY),
    SkeletonJoint('spine', 0, 7, _Y),
    SkeletonJoint('thorax', 9, 8, _Y),
    SkeletonJoint('nose', 10, 9, _Y),
    SkeletonJoint('head', 11, 10, _Y),
    SkeletonJoint('left_clavicle', 10, 8, _O),
    SkeletonJoint('left_shoulder', 13, 11, _X),
    SkeletonJoint('left_elbow', 14, 12, _X),
    SkeletonJoint('left_wrist', 15, 13, _X),
    SkeletonJoint('right_clavicle', 10, 8, _O),
    SkeletonJoint('right_shoulder', 17, 14, _NX),
    SkeletonJoint('right_elbow', 18, 15, _NX),
    SkeletonJoint('right_wrist', 19, 16, _NX),
)
# (primary child, secondary 'from' joint, secondary 'to' joint) in H36M-17
# of the joints whose rotation is a full frame: pelvis and thorax.
_FRAMES = {0: (7, 1, 4), 10: (9, 14, 11)}


def fill_missing(joints: np.ndarray) -> np.ndarray:
    """Fill NaN coordinates by linear interpolation over time.

    Each joint coordinate is interpolated between its nearest finite
    frames; before the first and after the last it holds their value.

    Args:
        joints (np.ndarray): (T, J, 3) positions, NaN where missing.

    Returns:
        np.ndarray: (T, J, 3) float64 copy without NaN.

    Raises:
        ValueError: If a joint is missing in every frame.
    """
    out = np.array(joints, dtype=np.float64)
    idx = np.arange(out.shape[0])
    for j in range(out.shape[1]):
        ok = np.isfinite(out[:, j]).all(-1)
        if not ok.any():
            raise ValueError(f'joint {j} has no finite frame')
        for c in range(3):
            out[:, j, c] = np.interp(idx, idx[ok], out[ok, j, c])
    return out


def median_bone_lengths(joints: np.ndarray) -> np.ndarray:
    """Median length of every H36M-17 bone.

    Args:
        joints (np.ndarray): (T, 17, 3) positions, NaN where missing.

    Returns:
        np.ndarray: (17,) float64, entry ``c`` the bone ending at joint
        ``c`` (entry 0, the pelvis, is 0).

    Raises:
        ValueError: If a bone has no frame where both its joints are finite.
    """
    lengths = np.zeros(len(H36M_JOINT_NAMES))
    for child, parent in H36M_BONES:
        length = np.linalg.norm(joints[:, child] - joints[:, parent], axis=-1)
        length = length[np.isfinite(length)]
        if not len(length):
            raise ValueError(f'bone {H36M_JOINT_NAMES[parent]} -> '
                             f'{H36M_JOINT_NAMES[child]} is never seen')
        lengths[child] = np.median(length)
    return lengths


def rest_offsets(lengths: np.ndarray) -> np.ndarray:
    """Rest offsets of :data:`SKELETON` from bone lengths.

    Args:
        lengths (np.ndarray): (17,) bone lengths (:func:`median_bone_lengths`).

    Returns:
        np.ndarray: (len(SKELETON), 3) offsets from the parent joint.
    """
    return np.array([np.multiply(j.rest_dir, lengths[j.h36m])
                     for j in SKELETON])


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norm > 1e-12, norm, 1.0)


def _perpendicular(v: np.ndarray) -> np.ndarray:
    """Unit vectors perpendicular to unit vectors ``v`` (N, 3)."""
    other = np.where(np.abs(v[:, :1]) < 0.9, [[1., 0., 0.]], [[0., 1., 0.]])
    return _unit(np.cross(v, other))


def _min_rotation(a: np.ndarray, b: np.ndarray) -> Rotation:
    """Smallest rotations taking unit vectors ``a`` onto ``b`` (N, 3)."""
    cross = np.cross(a, b)
    sin = np.linalg.norm(cross, axis=-1)
    cos = np.sum(a * b, axis=-1)
    axis = np.where((sin > 1e-12)[:, None], cross / np.maximum(
        sin, 1e-300)[:, None], _perpendicular(a))
    return Rotation.from_rotvec(axis * np.arctan2(sin, cos)[:, None])


def _frame(primary: np.ndarray, secondary: np.ndarray) -> Rotation:
    """Rotations taking +Y onto ``primary`` exactly and +X into the plane
    of ``primary`` and ``secondary`` (N, 3)."""
    y = _unit(primary)
    x = secondary - np.sum(secondary * y, -1, keepdims=True) * y
    bad = np.linalg.norm(x, axis=-1) < 1e-9
    x = np.where(bad[:, None], _perpendicular(y), _unit(x))
    return Rotation.from_matrix(np.stack([x, y, np.cross(x, y)], axis=-1))


def solve_rotations(joints: np.ndarray,
                    offsets: Optional[np.ndarray] = None
                    ) -> Tuple[List[Rotation], np.ndarray]:
    """Global rotation of every :data:`SKELETON` joint in every frame.

    Args:
        joints (np.ndarray): (T, 17, 3) finite positions (see
            :func:`fill_missing`).
        offsets (np.ndarray, optional): (len(SKELETON), 3) rest offsets.
            Defaults to :func:`rest_offsets` of the median bone lengths.

    Returns:
        tuple: ``(rotations, offsets)``: per joint a ``Rotation`` of T
        global (world) rotations, and the rest offsets used. The skeleton
        posed by them puts every bone along its observed direction, with
        its rest length.
    """
    joints = np.asarray(joints, dtype=np.float64)
    if offsets is None:
        offsets = rest_offsets(median_bone_lengths(joints))
    children = [[] for _ in SKELETON]
    for i, joint in enumerate(SKELETON):
        if joint.parent >= 0:
            children[joint.parent].append(i)
    rots: List[Rotation] = []
    for i, joint in enumerate(SKELETON):
        parent = rots[joint.parent] if joint.parent >= 0 else None
        if i in _FRAMES:
            prim, sec_from, sec_to = _FRAMES[i]
            rots.append(_frame(joints[:, prim] - joints[:, joint.h36m],
                               joints[:, sec_to] - joints[:, sec_from]))
        elif not children[i]:
            rots.append(parent)
        else:
            child = SKELETON[children[i][0]]
            seen = _unit(joints[:, child.h36m] - joints[:, joint.h36m])
            carried = parent.apply(np.tile(child.rest_dir, (len(seen), 1)))
            rots.append(_min_rotation(carried, seen) * parent)
    return rots, offsets
