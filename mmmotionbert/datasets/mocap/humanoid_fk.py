# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Forward kinematics of pybullet's DeepMimic humanoid to H36M-17 joints.

:class:`HumanoidModel` (:func:`humanoid_forward_kinematics`) poses
pybullet's ``humanoid/humanoid.urdf`` with our own vectorised forward
kinematics (joint offsets read from the URDF; spherical joints rotate by the
clip's quaternion, knees and elbows about their URDF axis; the rotation
maths is :mod:`mmmotionbert.utils.rotation`'s).
:func:`pybullet_forward_kinematics` does the same through pybullet itself
(DIRECT mode, ``resetBasePositionAndOrientation`` +
``resetJointStatesMultiDof``, link frames read back); the tests check that
both agree. The clip format is described in :mod:`.deepmimic`.

Output convention: metres, world Y up (the humanoid faces +x in its rest
pose, its right side is +z). H36M-17 joints are taken as

* pelvis = root link origin (the midpoint of the hip joints), hips, knees,
  ankles, shoulders, elbows and wrists = the URDF joint positions,
* thorax = base of the neck, :data:`THORAX_ABOVE_NECK_JOINT` above the
  neck joint along the chest's up axis: 60 mm above the shoulder joints, as
  in Human3.6M (its thorax lies 48-79 mm above the shoulder centres with
  the arms down: the S1, S5 and S7 frames annotated in mmpose's
  ``tests/data/h36m``; 9 mm with the arms raised sideways, S8). The
  humanoid's own neck joint is 20 mm *below* its shoulders: trained on
  that, a model put real people's thorax 60 mm too low,
* spine = midpoint of pelvis and thorax (as the in-the-wild COCO->H36M
  conversion and the Pose2Sim mapping make it),
* nose and head (top of the head) from the head sphere of the neck link.

The humanoid has no face, so COCO-style face points (nose, eyes, ears) are
synthesised on the head sphere as well (:data:`FACE_NAMES`): 2D detectors
give eyes/ears, and MotionBERT's in-the-wild "head" is the mid-eyes point,
not the top of the head (see :class:`~mmmotionbert.datasets.MBMocapDataset`).

May import: the standard library, numpy, :mod:`mmmotionbert.utils.rotation`
and :mod:`.deepmimic`; pybullet lazily (reference FK only).
"""
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.utils.rotation import (axis_angle_to_rotmat_np,
                                         quaternion_to_rotmat_np)
from .deepmimic import (_FRAME_LAYOUT, _FRAME_SIZE, _PIP_HINT,
                        DEEPMIMIC_SCALE, pybullet_data_path)

__all__ = [
    'FACE_NAMES', 'HEAD_LANDMARKS', 'THORAX_ABOVE_NECK_JOINT',
    'HumanoidModel', 'humanoid_forward_kinematics',
    'pybullet_forward_kinematics'
]

#: Thorax height above the humanoid's neck joint (m, along the chest's up
#: axis, at DeepMimic scale): puts the thorax 60 mm above the shoulder
#: joints, the Human3.6M convention (module docstring).
THORAX_ABOVE_NECK_JOINT = 0.08
#: COCO-style face points synthesised on the head (COCO order).
FACE_NAMES = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear')
#: H36M-17 joint -> URDF joint whose position it is (None: derived).
_H36M_FROM_URDF = ('root', 'right_hip', 'right_knee', 'right_ankle',
                   'left_hip', 'left_knee', 'left_ankle', None, 'neck', None,
                   None, 'left_shoulder', 'left_elbow', 'left_wrist',
                   'right_shoulder', 'right_elbow', 'right_wrist')
#: Head landmarks in head-sphere radii from its centre, in the neck link
#: frame (x forward, y up, z right).
HEAD_LANDMARKS = {
    'head_top': (0.10, 0.95, 0.0),
    'nose': (0.95, -0.10, 0.0),
    'left_eye': (0.80, 0.25, -0.33),
    'right_eye': (0.80, 0.25, 0.33),
    'left_ear': (0.0, 0.05, -0.75),
    'right_ear': (0.0, 0.05, 0.75),
}


class HumanoidModel:
    """Joint tree of pybullet's ``humanoid/humanoid.urdf``.

    Args:
        urdf (str, optional): URDF path. Defaults to pybullet_data's
            ``humanoid/humanoid.urdf``.
        scale (float): ``globalScaling``. Defaults to 0.25 (DeepMimic).
    """

    def __init__(self, urdf: Optional[str] = None,
                 scale: float = DEEPMIMIC_SCALE) -> None:
        if urdf is None:
            urdf = osp.join(pybullet_data_path(), 'humanoid', 'humanoid.urdf')
        self.urdf = urdf
        self.scale = float(scale)
        # The URDF is a trusted file bundled with pybullet; pybullet's copy
        # ends with a NUL byte, which XML parsers reject.
        with open(urdf, 'rb') as f:
            text = f.read().replace(b'\x00', b'')
        root = ET.fromstring(text)  # noqa: S314
        self.joints: List[dict] = []
        for joint in root.findall('joint'):
            origin = joint.find('origin')
            xyz = np.array([float(v) for v in origin.get('xyz').split()])
            rpy = [float(v) for v in origin.get('rpy', '0 0 0').split()]
            if any(abs(v) > 1e-9 for v in rpy):
                raise ValueError(f'{urdf}: joint origins with rotation are '
                                 'not supported')
            axis = joint.find('axis')
            self.joints.append(
                dict(
                    name=joint.get('name'),
                    type=joint.get('type'),
                    parent=joint.find('parent').get('link'),
                    child=joint.find('child').get('link'),
                    offset=xyz * self.scale,
                    axis=(np.array([float(v) for v in axis.get('xyz').split()])
                          if axis is not None else np.zeros(3))))
        neck_link = root.find("link[@name='neck']")
        sphere = neck_link.find('collision/geometry/sphere')
        centre = neck_link.find('collision/origin').get('xyz').split()
        self.head_centre = np.array([float(v) for v in centre]) * self.scale
        self.head_radius = float(sphere.get('radius')) * self.scale

    def forward(self, frames: np.ndarray) -> Dict[str, np.ndarray]:
        """Link frames of DeepMimic poses.

        Args:
            frames (np.ndarray): (T, 44) DeepMimic frames.

        Returns:
            dict[str, np.ndarray]: Per link name, ``(pos (T, 3), rot (T, 3,
            3))`` stacked as a (T, 3, 4) ``[rot | pos]`` world transform.
        """
        frames = np.asarray(frames, dtype=np.float64)
        if frames.ndim != 2 or frames.shape[1] != _FRAME_SIZE:
            raise ValueError(f'expected (T, {_FRAME_SIZE}) DeepMimic frames, '
                             f'got {frames.shape}')
        layout = {name: (start, size) for name, start, size in _FRAME_LAYOUT}
        base_rot = quaternion_to_rotmat_np(frames[:, 4:8])
        links = {'base': (frames[:, 1:4], base_rot)}
        for joint in self.joints:
            p_pos, p_rot = links[joint['parent']]
            pos = p_pos + p_rot @ joint['offset']
            rot = p_rot
            if joint['name'] in layout and joint['type'] != 'fixed':
                start, size = layout[joint['name']]
                if size == 4:
                    local = quaternion_to_rotmat_np(frames[:,
                                                           start:start + 4])
                else:  # revolute: the angle about the unit URDF axis
                    local = axis_angle_to_rotmat_np(
                        frames[:, start, None] * joint['axis'])
                rot = p_rot @ local
            links[joint['child']] = (pos, rot)
        return {
            name: np.concatenate([rot, pos[..., None]], axis=-1)
            for name, (pos, rot) in links.items()
        }

    def head_points(self, neck: np.ndarray) -> Dict[str, np.ndarray]:
        """Head landmarks from the neck link's world transform.

        Args:
            neck (np.ndarray): (T, 3, 4) world transform of the neck link.

        Returns:
            dict[str, np.ndarray]: (T, 3) world positions of
            ``head_top``, ``nose``, eyes and ears.
        """
        rot, pos = neck[..., :3], neck[..., 3]
        out = {}
        for name, rel in HEAD_LANDMARKS.items():
            local = self.head_centre + self.head_radius * np.asarray(rel)
            out[name] = pos + rot @ local
        return out

    def h36m(self, frames: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """H36M-17 joints and COCO face points of DeepMimic poses.

        Args:
            frames (np.ndarray): (T, 44) DeepMimic frames.

        Returns:
            tuple[np.ndarray]: ``(joints, face)``: (T, 17, 3) H36M-17 and
            (T, 5, 3) :data:`FACE_NAMES` points, float64 metres, Y up.
        """
        links = self.forward(frames)
        head = self.head_points(links['neck'])
        joints = []
        for j, name in enumerate(_H36M_FROM_URDF):
            if name is not None:
                joints.append(links[name][..., 3])
            elif j == 7:
                joints.append(None)  # spine, filled below
            elif j == 9:
                joints.append(head['nose'])
            else:
                joints.append(head['head_top'])
        chest_up = links['chest'][..., :3, 1]  # the chest frame's y axis
        joints[8] = joints[8] + THORAX_ABOVE_NECK_JOINT * chest_up
        joints[7] = 0.5 * (joints[0] + joints[8])
        face = np.stack([head[n] for n in FACE_NAMES], axis=1)
        return np.stack(joints, axis=1), face


def humanoid_forward_kinematics(
        frames: np.ndarray,
        model: Optional[HumanoidModel] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """H36M-17 joints (and face points) of DeepMimic frames.

    Args:
        frames (np.ndarray): (T, 44) DeepMimic frames.
        model (HumanoidModel, optional): Parsed humanoid; built from
            pybullet_data when None.

    Returns:
        tuple[np.ndarray]: (T, 17, 3) joints and (T, 5, 3) face points,
        metres, Y up.
    """
    return (model or HumanoidModel()).h36m(frames)


def pybullet_forward_kinematics(frames: np.ndarray,
                                links: Sequence[str] = ('root', 'neck',
                                                        'right_ankle',
                                                        'left_wrist')
                                ) -> Dict[str, np.ndarray]:
    """Link frame positions computed by pybullet itself (reference FK).

    Loads the humanoid in a DIRECT (headless) client with
    ``globalScaling=0.25`` and ``URDF_MAINTAIN_LINK_ORDER``, sets each frame
    with ``resetBasePositionAndOrientation`` and ``resetJointStatesMultiDof``
    and reads ``worldLinkFramePosition``.

    Args:
        frames (np.ndarray): (T, 44) DeepMimic frames.
        links (Sequence[str]): Link names to report.

    Returns:
        dict[str, np.ndarray]: (T, 3) world positions per link.
    """
    try:
        import pybullet
    except ImportError as err:
        raise ImportError(f'pybullet is not installed: {_PIP_HINT}') from err
    client = pybullet.connect(pybullet.DIRECT)
    try:
        urdf = osp.join(pybullet_data_path(), 'humanoid', 'humanoid.urdf')
        body = pybullet.loadURDF(
            urdf, [0, 0, 0],
            globalScaling=DEEPMIMIC_SCALE,
            useFixedBase=True,
            flags=pybullet.URDF_MAINTAIN_LINK_ORDER,
            physicsClientId=client)
        index = {}
        for j in range(pybullet.getNumJoints(body, physicsClientId=client)):
            info = pybullet.getJointInfo(body, j, physicsClientId=client)
            index[info[1].decode()] = j  # joint name == child link name
            index[info[12].decode()] = j
        out = {name: [] for name in links}
        for frame in np.asarray(frames, dtype=np.float64):
            w, x, y, z = frame[4:8]
            pybullet.resetBasePositionAndOrientation(
                body, frame[1:4].tolist(), [x, y, z, w],
                physicsClientId=client)
            ids, targets = [], []
            for name, start, size in _FRAME_LAYOUT:
                ids.append(index[name])
                if size == 4:
                    qw, qx, qy, qz = frame[start:start + 4]
                    targets.append([qx, qy, qz, qw])
                else:
                    targets.append([frame[start]])
            pybullet.resetJointStatesMultiDof(
                body, ids, targets, physicsClientId=client)
            for name in links:
                if name in ('root', 'base') and name not in index:
                    pos = pybullet.getBasePositionAndOrientation(
                        body, physicsClientId=client)[0]
                else:
                    pos = pybullet.getLinkState(
                        body,
                        index[name],
                        computeForwardKinematics=True,
                        physicsClientId=client)[4]
                out[name].append(pos)
    finally:
        pybullet.disconnect(physicsClientId=client)
    return {name: np.asarray(v) for name, v in out.items()}
