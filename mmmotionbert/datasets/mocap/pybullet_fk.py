# Copyright (c) mmmotionbert contributors. All rights reserved.
"""H36M-17 joints from the DeepMimic motion clips bundled with pybullet.

pybullet (PyPI ``pybullet``, zlib licence) ships the DeepMimic clips
(Peng et al. 2018) in ``pybullet_data/data/motions``: ``humanoid3d_*.txt``
(15 actions) and ``walker/*.txt`` (5 walks and turns). Each is a JSON file
``{"Loop": ..., "Frames": [[dt, root xyz, root quat wxyz, chest quat, neck
quat, right hip quat, right knee angle, right ankle quat, right shoulder
quat, right elbow angle, left hip quat, left knee angle, left ankle quat,
left shoulder quat, left elbow angle], ...]}`` (44 values per frame) posing
pybullet's ``humanoid/humanoid.urdf`` loaded with ``globalScaling=0.25`` (as
``pybullet_envs.deep_mimic`` does).

:func:`humanoid_forward_kinematics` poses that humanoid with our own
vectorised forward kinematics (joint offsets read from the URDF; spherical
joints rotate by the clip's quaternion, knees and elbows about their URDF
axis). :func:`pybullet_forward_kinematics` does the same through pybullet
itself (DIRECT mode, ``resetBasePositionAndOrientation`` +
``resetJointStatesMultiDof``, link frames read back); the tests check that
both agree.

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
"""
import glob
import json
import os
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.utils.rotation import (axis_angle_to_rotmat_np,
                                         quaternion_to_rotmat_np,
                                         slerp_quaternion_np)

__all__ = [
    'FACE_NAMES', 'HEAD_LANDMARKS', 'DEEPMIMIC_SCALE',
    'THORAX_ABOVE_NECK_JOINT', 'MOCAP_CACHE_VERSION', 'default_mocap_cache',
    'pybullet_data_path', 'list_deepmimic_clips', 'load_deepmimic_clip',
    'resample_deepmimic_frames', 'HumanoidModel',
    'humanoid_forward_kinematics',
    'pybullet_forward_kinematics', 'convert_deepmimic_clips',
    'write_mocap_cache', 'load_mocap_cache'
]

#: globalScaling DeepMimic loads ``humanoid/humanoid.urdf`` with.
DEEPMIMIC_SCALE = 0.25
#: Thorax height above the humanoid's neck joint (m, along the chest's up
#: axis, at DeepMimic scale): puts the thorax 60 mm above the shoulder
#: joints, the Human3.6M convention (module docstring).
THORAX_ABOVE_NECK_JOINT = 0.08
#: Version of the joint definitions in the cache file name; bumped whenever
#: they change so that stale caches are rebuilt, never silently reused
#: (2: thorax raised to the base of the neck).
MOCAP_CACHE_VERSION = 2
#: COCO-style face points synthesised on the head (COCO order).
FACE_NAMES = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear')
#: Joints posed by a DeepMimic frame: (URDF joint, first value, #values).
_FRAME_LAYOUT = (('chest', 8, 4), ('neck', 12, 4), ('right_hip', 16, 4),
                 ('right_knee', 20, 1), ('right_ankle', 21, 4),
                 ('right_shoulder', 25, 4), ('right_elbow', 29, 1),
                 ('left_hip', 30, 4), ('left_knee', 34, 1),
                 ('left_ankle', 35, 4), ('left_shoulder', 39, 4),
                 ('left_elbow', 43, 1))
_FRAME_SIZE = 44
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
_PIP_HINT = 'pip install --no-deps pybullet==3.2.7'


def default_mocap_cache() -> str:
    """Default path of the converted DeepMimic cache.

    ``$MMMOTIONBERT_CACHE/mocap/pybullet_h36m_v{MOCAP_CACHE_VERSION}.npz``,
    where
    ``MMMOTIONBERT_CACHE`` defaults to ``~/.cache/mmmotionbert`` (as in
    ``tools/install.sh``; ``XDG_CACHE_HOME`` is honoured).

    Returns:
        str: The path (not necessarily existing).
    """
    base = os.environ.get('MMMOTIONBERT_CACHE')
    if not base:
        xdg = os.environ.get('XDG_CACHE_HOME') or osp.join(
            osp.expanduser('~'), '.cache')
        base = osp.join(xdg, 'mmmotionbert')
    return osp.join(base, 'mocap',
                    f'pybullet_h36m_v{MOCAP_CACHE_VERSION}.npz')


def pybullet_data_path() -> str:
    """Folder of ``pybullet_data`` (the URDFs and the DeepMimic clips).

    Returns:
        str: ``pybullet_data.getDataPath()``.

    Raises:
        ImportError: If pybullet is not installed.
    """
    try:
        import pybullet_data
    except ImportError as err:
        raise ImportError(
            'The DeepMimic motion clips come with pybullet, which is not '
            f'installed: {_PIP_HINT} (or pip install -r '
            'requirements/optional.txt --no-deps)') from err
    return pybullet_data.getDataPath()


def list_deepmimic_clips(data_path: Optional[str] = None) -> Dict[str, str]:
    """Find the DeepMimic humanoid clips of pybullet_data.

    Args:
        data_path (str, optional): ``pybullet_data`` folder. Defaults to the
            installed one.

    Returns:
        dict[str, str]: Clip name -> file, sorted by name: ``humanoid3d_*``
        as ``walk``, ``run``, ... and ``walker/*`` as ``walker_<stem>``.
    """
    root = osp.join(data_path or pybullet_data_path(), 'data', 'motions')
    clips = {}
    for path in sorted(glob.glob(osp.join(root, 'humanoid3d_*.txt'))):
        clips[osp.basename(path)[len('humanoid3d_'):-4]] = path
    for path in sorted(glob.glob(osp.join(root, 'walker', '*.txt'))):
        clips['walker_' + osp.basename(path)[:-4]] = path
    if not clips:
        raise FileNotFoundError(f'no DeepMimic humanoid clips under {root}')
    return dict(sorted(clips.items()))


def load_deepmimic_clip(path: str) -> Tuple[np.ndarray, bool]:
    """Read one DeepMimic motion file.

    Args:
        path (str): ``humanoid3d_*.txt`` or ``walker/*.txt`` file.

    Returns:
        tuple: ``(frames, loop)``: (N, 44) float64 frames and whether the
        clip loops (``"Loop": "wrap"``).
    """
    with open(path) as f:
        data = json.load(f)
    frames = np.asarray(data['Frames'], dtype=np.float64)
    if frames.ndim != 2 or frames.shape[1] != _FRAME_SIZE:
        raise ValueError(f'{path}: expected (N, {_FRAME_SIZE}) DeepMimic '
                         f'humanoid frames, got {frames.shape}')
    return frames, str(data.get('Loop', 'none')).lower() == 'wrap'


# ----------------------------------------------------------------- maths
#: Former name of :func:`~mmmotionbert.utils.rotation.quaternion_to_rotmat_np`
#: (``w, x, y, z`` quaternions, normalised there).
quat_to_matrix = quaternion_to_rotmat_np


def resample_deepmimic_frames(frames: np.ndarray, fps: float) -> np.ndarray:
    """Resample DeepMimic frames to a constant frame rate.

    Frame ``i`` starts at ``sum(dt[:i])``; new frames are taken every
    ``1 / fps`` seconds over the clip's duration, with linear interpolation
    of the root position and the knee/elbow angles and spherical linear
    interpolation (slerp) of every quaternion, so bone lengths stay exact.

    Args:
        frames (np.ndarray): (N, 44) DeepMimic frames.
        fps (float): Target frame rate.

    Returns:
        np.ndarray: (M, 44) frames; column 0 (dt) is ``1 / fps``.
    """
    if fps <= 0:
        raise ValueError(f'fps must be positive, got {fps}')
    n = len(frames)
    if n < 2:
        return frames.copy()
    times = np.concatenate([[0.0], np.cumsum(frames[:-1, 0])])
    duration = times[-1]
    new_t = np.arange(0.0, duration + 1e-9, 1.0 / fps)
    seg = np.clip(np.searchsorted(times, new_t, side='right') - 1, 0, n - 2)
    span = times[seg + 1] - times[seg]
    w = np.clip((new_t - times[seg]) / np.where(span > 0, span, 1.0), 0, 1)
    f0, f1 = frames[seg], frames[seg + 1]
    out = f0 + (f1 - f0) * w[:, None]  # linear for positions and angles
    quat_cols = [4] + [start for _, start, size in _FRAME_LAYOUT if size == 4]
    for c in quat_cols:
        out[:, c:c + 4] = slerp_quaternion_np(f0[:, c:c + 4],
                                              f1[:, c:c + 4], w)
    out[:, 0] = 1.0 / fps
    return out


# ------------------------------------------------------------ kinematics
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


# ----------------------------------------------------------------- cache
def convert_deepmimic_clips(clips: Optional[Sequence[str]] = None,
                            fps: float = 60.0,
                            data_path: Optional[str] = None,
                            progress: bool = True) -> dict:
    """Forward kinematics of DeepMimic clips, resampled to ``fps``.

    Args:
        clips (Sequence[str], optional): Clip names (see
            :func:`list_deepmimic_clips`). Defaults to all 20.
        fps (float): Common frame rate of the output. Defaults to 60 (the
            Pose2Sim demo's rate; most clips are recorded at 30 or 60).
        data_path (str, optional): ``pybullet_data`` folder.
        progress (bool): Show a tqdm progress bar. Defaults to True.

    Returns:
        dict: ``joints`` and ``face`` (dict name -> float32 (T, 17, 3) /
        (T, 5, 3), metres, Y up), ``fps`` (float), ``loop`` (dict name ->
        bool) and ``source_fps`` (dict name -> float).
    """
    available = list_deepmimic_clips(data_path)
    names = list(available) if clips is None else list(clips)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f'unknown DeepMimic clips {unknown}; available: '
                         f'{sorted(available)}')
    model = HumanoidModel(
        osp.join(data_path or pybullet_data_path(), 'humanoid',
                 'humanoid.urdf'))
    result = dict(joints={}, face={}, fps=float(fps), loop={}, source_fps={})
    iterator = names
    if progress:
        from tqdm import tqdm
        iterator = tqdm(names, desc='DeepMimic FK', unit='clip')
    for name in iterator:
        frames, loop = load_deepmimic_clip(available[name])
        dt = frames[:-1, 0]
        result['source_fps'][name] = float(1.0 / np.median(dt)) if len(
            dt) else float('nan')
        frames = resample_deepmimic_frames(frames, fps)
        joints, face = model.h36m(frames)
        result['joints'][name] = joints.astype(np.float32)
        result['face'][name] = face.astype(np.float32)
        result['loop'][name] = loop
    return result


def write_mocap_cache(converted: dict, path: Optional[str] = None,
                      source: str = 'pybullet DeepMimic') -> str:
    """Write converted clips as one ``.npz`` (no pickled objects).

    Layout: ``names`` (unicode array), ``fps`` (float), ``joints/<name>``
    (T, 17, 3), optional ``face/<name>`` (T, 5, 3), ``loop`` (bool array in
    ``names`` order), ``joint_names``, ``face_names`` and ``source``.

    Args:
        converted (dict): Output of :func:`convert_deepmimic_clips` (or any
            dict with ``joints``, optional ``face``, ``fps``).
        path (str, optional): Output file. Defaults to
            :func:`default_mocap_cache`.
        source (str): Provenance string stored in the file.

    Returns:
        str: The path written.
    """
    from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES
    path = path or default_mocap_cache()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    names = list(converted['joints'])
    arrays = {
        'names': np.array(names, dtype=str),
        'fps': np.float64(converted['fps']),
        'joint_names': np.array(H36M_JOINT_NAMES, dtype=str),
        'face_names': np.array(FACE_NAMES, dtype=str),
        'source': np.array(source),
        'loop': np.array([bool(converted.get('loop', {}).get(n, False))
                          for n in names]),
    }
    for name in names:
        arrays[f'joints/{name}'] = np.asarray(converted['joints'][name],
                                              np.float32)
        if name in converted.get('face', {}):
            arrays[f'face/{name}'] = np.asarray(converted['face'][name],
                                                np.float32)
    tmp = path + '.tmp.npz'
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)
    return path


def load_mocap_cache(path: Optional[str] = None) -> dict:
    """Read H36M-17 3D clips from an ``.npz``.

    Reads the layout of :func:`write_mocap_cache`, or any ``.npz`` whose
    arrays of shape (T, 17, 3) are clips (named by their keys). Loaded with
    ``allow_pickle=False``.

    Args:
        path (str, optional): File. Defaults to :func:`default_mocap_cache`.

    Returns:
        dict: ``joints`` (dict name -> float32 (T, 17, 3)), ``face`` (dict
        name -> float32 (T, 5, 3), possibly empty), ``fps`` (float or None).
    """
    path = path or default_mocap_cache()
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'mocap cache {path} not found; create it with '
            '`python tools/dataset_converters/pybullet_mocap.py` (needs '
            f'{_PIP_HINT})')
    with np.load(path, allow_pickle=False) as data:
        keys = list(data.keys())
        joints, face = {}, {}
        if 'names' in keys:
            for name in data['names'].tolist():
                joints[name] = data[f'joints/{name}'].astype(np.float32)
                if f'face/{name}' in keys:
                    face[name] = data[f'face/{name}'].astype(np.float32)
        else:
            for key in keys:
                arr = data[key]
                if arr.ndim == 3 and arr.shape[1:] == (17, 3):
                    joints[key] = arr.astype(np.float32)
        fps = float(data['fps']) if 'fps' in keys else None
    if not joints:
        raise ValueError(f'{path} holds no (T, 17, 3) H36M-17 clips')
    return dict(joints=joints, face=face, fps=fps)
