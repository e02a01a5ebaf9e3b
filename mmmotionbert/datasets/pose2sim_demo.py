# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The Pose2Sim 0.4.15 demo as a real-data 2D -> 3D lifting test.

Pose2Sim (PyPI ``pose2sim``, BSD-3-Clause) ships under ``Pose2Sim/Demo``:

* ``pose/cam{1..4}_json/camNN.NNNN.json``: 4 cameras x 100 frames of
  OpenPose BODY_25B detections (several people per frame; the first 17
  BODY_25B keypoints are COCO-17), 60 fps, 1088x1920 portrait images;
* ``opensim/Balancing_for_IK.trc``: the triangulated 3D markers, 100 frames
  x 21 markers, 60 Hz, metres, Y up.

:func:`load_pose2sim_demo` gives, per camera, the most confident person's
keypoints of every frame as H36M-17 ``[x, y, score]`` pixels, and the
markers
as H36M-17 3D: pelvis = mid-hips, thorax = Neck, spine = midpoint of pelvis
and thorax, nose = Nose, head = Head (top of the head), limbs = the
corresponding markers.

Missing keypoints: OpenPose writes ``0`` for what it did not find, and the
demo also has keypoints with a 0 coordinate but a positive score (cam1's
nose in a few frames). Every keypoint with a 0 coordinate gets score 0,
and composite H36M joints average only valid keypoints
(:func:`~mmmotionbert.utils.keypoints.coco_to_h36m_valid`), so missing
joints never enter ``crop_scale``'s box. (The most confident person is
the subject in 399 of the 400 frames; cam1 frame 37 is a bystander.)

May import: numpy and :mod:`mmmotionbert.utils.keypoints`; never ``apis``.
"""
import glob
import importlib.util
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.utils.keypoints import coco_to_h36m_valid

__all__ = [
    'pose2sim_demo_dir', 'read_openpose_json', 'load_pose2sim_keypoints',
    'read_trc', 'trc_to_h36m', 'load_pose2sim_demo', 'TRC_TO_H36M',
    'pose2sim_calibration', 'static_trial_height', 'trc_to_calibration_world'
]

_PIP_HINT = 'pip install --no-deps pose2sim==0.4.15'
#: H36M-17 joint -> TRC markers averaged to make it (spine is special).
TRC_TO_H36M = (('RHip', 'LHip'), ('RHip', ), ('RKnee', ), ('RAnkle', ),
               ('LHip', ), ('LKnee', ), ('LAnkle', ), None, ('Neck', ),
               ('Nose', ), ('Head', ), ('LShoulder', ), ('LElbow', ),
               ('LWrist', ), ('RShoulder', ), ('RElbow', ), ('RWrist', ))
#: Demo image size (w, h) of every camera.
DEMO_IMAGE_SIZE = (1088, 1920)
DEMO_FPS = 60.0


def pose2sim_demo_dir() -> str:
    """``Demo`` folder of the installed Pose2Sim (not imported: its package
    pulls heavy dependencies).

    Returns:
        str: The folder.

    Raises:
        ImportError: If pose2sim is not installed.
        FileNotFoundError: If the installed version has no ``Demo/pose``
            (the layout of 0.4.x).
    """
    spec = importlib.util.find_spec('Pose2Sim')
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            'The Pose2Sim demo data comes with the pose2sim package, which '
            f'is not installed: {_PIP_HINT} (or pip install -r '
            'requirements/optional.txt --no-deps)')
    demo = osp.join(list(spec.submodule_search_locations)[0], 'Demo')
    if not osp.isdir(osp.join(demo, 'pose')):
        raise FileNotFoundError(
            f'{demo} has no pose/ folder; the 0.4.x demo layout is needed '
            f'({_PIP_HINT})')
    return demo


def read_openpose_json(path: str, num_keypoints: int = 25) -> np.ndarray:
    """All people of one OpenPose JSON file.

    Args:
        path (str): ``*.json`` with ``people[*].pose_keypoints_2d``.
        num_keypoints (int): Keypoints per person (BODY_25B: 25).

    Returns:
        np.ndarray: (P, K, 3) ``[x, y, score]``; P may be 0.
    """
    with open(path) as f:
        people = json.load(f).get('people', [])
    kpts = [
        np.asarray(p['pose_keypoints_2d'], dtype=np.float64).reshape(
            num_keypoints, 3) for p in people if p.get('pose_keypoints_2d')
    ]
    if not kpts:
        return np.zeros((0, num_keypoints, 3))
    return np.stack(kpts)


def load_pose2sim_keypoints(demo_dir: Optional[str] = None,
                            cameras: Optional[Sequence[str]] = None
                            ) -> Dict[str, np.ndarray]:
    """Most confident person of every frame, per camera (BODY_25B).

    Args:
        demo_dir (str, optional): Demo folder. Defaults to
            :func:`pose2sim_demo_dir`.
        cameras (Sequence[str], optional): Camera folder names without
            ``_json`` (``cam1`` ...). Defaults to all.

    Returns:
        dict[str, np.ndarray]: Camera -> (T, 25, 3) keypoints (zeros for a
        frame without people), frames sorted by file name.
    """
    demo_dir = demo_dir or pose2sim_demo_dir()
    folders = sorted(glob.glob(osp.join(demo_dir, 'pose', '*_json')))
    found = {osp.basename(f)[:-len('_json')]: f for f in folders}
    cameras = list(found) if cameras is None else list(cameras)
    missing = [c for c in cameras if c not in found]
    if missing or not cameras:
        raise FileNotFoundError(f'cameras {missing or cameras} not found in '
                                f'{demo_dir}/pose (has {sorted(found)})')
    out = {}
    for cam in cameras:
        files = sorted(glob.glob(osp.join(found[cam], '*.json')))
        frames = []
        for path in files:
            people = read_openpose_json(path)
            if len(people) == 0:
                frames.append(np.zeros((25, 3)))
            else:
                frames.append(people[np.argmax(people[..., 2].sum(-1))])
        out[cam] = np.stack(frames)
    return out


def read_trc(path: str) -> Tuple[List[str], np.ndarray, float]:
    """Read a TRC marker file.

    Args:
        path (str): ``*.trc`` file.

    Returns:
        tuple: ``(names, markers, rate)``: marker names, (T, M, 3) float64
        positions in metres (NaN where a field is empty) and the data rate
        (Hz).
    """
    with open(path) as f:
        lines = f.read().splitlines()
    header = dict(zip(lines[1].split('\t'), lines[2].split('\t')))
    names = [n for n in lines[3].split('\t')[2:] if n.strip()]
    rows = []
    for line in lines[5:]:
        if not line.strip():
            continue
        cells = line.split('\t')[2:2 + 3 * len(names)]
        cells += [''] * (3 * len(names) - len(cells))
        # an empty field is a missing marker (OpenSim, Pose2Sim)
        rows.append([c if c.strip() else 'nan' for c in cells])
    markers = np.asarray(rows, dtype=np.float64).reshape(-1, len(names), 3)
    units = header.get('Units', 'm').strip()
    if units == 'mm':
        markers = markers / 1000.0
    elif units != 'm':
        raise ValueError(f'{path}: unsupported TRC units {units!r}')
    return names, markers, float(header.get('DataRate', 'nan'))


def trc_to_h36m(names: Sequence[str], markers: np.ndarray) -> np.ndarray:
    """Map Pose2Sim BODY_25B markers to H36M-17 3D joints.

    Args:
        names (Sequence[str]): Marker names.
        markers (np.ndarray): (T, M, 3) positions.

    Returns:
        np.ndarray: (T, 17, 3) joints (see :data:`TRC_TO_H36M`).
    """
    index = {n: i for i, n in enumerate(names)}
    needed = {m for src in TRC_TO_H36M if src for m in src}
    missing = sorted(needed - set(index))
    if missing:
        raise ValueError(f'TRC lacks markers {missing} (has {list(names)})')
    joints = [
        None if src is None else markers[:, [index[m] for m in src]].mean(1)
        for src in TRC_TO_H36M
    ]
    joints[7] = 0.5 * (joints[0] + joints[8])
    return np.stack(joints, axis=1)


def load_pose2sim_demo(demo_dir: Optional[str] = None,
                       cameras: Optional[Sequence[str]] = None,
                       trc_name: str = 'Balancing_for_IK.trc') -> Dict:
    """The Pose2Sim demo as H36M-17 2D detections and 3D reference.

    Args:
        demo_dir (str, optional): Demo folder. Defaults to the installed
            package's.
        cameras (Sequence[str], optional): Cameras to load. Defaults to all
            four.
        trc_name (str): Marker file under ``opensim/``.

    Returns:
        dict: ``keypoints_2d`` (camera -> float32 (T, 17, 3) pixels +
        score), ``joints_3d`` float32 (T, 17, 3) metres (Y up), ``fps``,
        ``image_size`` (w, h), ``cameras`` (list).
    """
    demo_dir = demo_dir or pose2sim_demo_dir()
    body25b = load_pose2sim_keypoints(demo_dir, cameras)
    names, markers, rate = read_trc(osp.join(demo_dir, 'opensim', trc_name))
    joints = trc_to_h36m(names, markers).astype(np.float32)
    kpts = {}
    for cam, k in body25b.items():
        if len(k) != len(joints):
            raise ValueError(f'{cam}: {len(k)} detection frames but '
                             f'{len(joints)} marker frames')
        coco = k[:, :17].copy()
        coco[(coco[..., 0] == 0) | (coco[..., 1] == 0), 2] = 0.0
        kpts[cam] = coco_to_h36m_valid(coco).astype(np.float32)
    return dict(
        keypoints_2d=kpts,
        joints_3d=joints,
        fps=rate if np.isfinite(rate) else DEMO_FPS,
        image_size=DEMO_IMAGE_SIZE,
        cameras=list(kpts))


def pose2sim_calibration(demo_dir: Optional[str] = None) -> str:
    """Path of the demo's camera calibration (Pose2Sim toml, Z-up world).

    Args:
        demo_dir (str, optional): Demo folder. Defaults to the installed
            package's.

    Returns:
        str: ``calibration/Calib_qualisys.toml``.
    """
    path = osp.join(demo_dir or pose2sim_demo_dir(), 'calibration',
                    'Calib_qualisys.toml')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} is missing ({_PIP_HINT})')
    return path


def static_trial_height(demo_dir: Optional[str] = None,
                        trc_name: str = 'Standing_for_Scaling.trc') -> float:
    """The subject's height as a user would measure it from the static trial.

    Mean over the frames of the ``Head`` (top of the head) marker's height
    above the lowest foot marker (heels and toes), metres (Y up).

    Args:
        demo_dir (str, optional): Demo folder.
        trc_name (str): Static trial under ``opensim/``.

    Returns:
        float: Height in metres (1.744 for the demo subject).
    """
    names, markers, _ = read_trc(
        osp.join(demo_dir or pose2sim_demo_dir(), 'opensim', trc_name))
    index = {n: i for i, n in enumerate(names)}
    feet = [index[n] for n in ('RHeel', 'LHeel', 'RBigToe', 'LBigToe',
                               'RSmallToe', 'LSmallToe') if n in index]
    if 'Head' not in index or not feet:
        raise ValueError(f'{trc_name} lacks the Head or foot markers')
    head = markers[:, index['Head'], 1]
    floor = np.nanmin(markers[:, feet, 1], axis=1)
    return float(np.nanmean(head - floor))


def trc_to_calibration_world(points: np.ndarray) -> np.ndarray:
    """TRC axes (Y up) to the demo calibration's world (Z up).

    A TRC point ``(x, y, z)`` is the calibration world point ``(z, x, y)``.

    Args:
        points (np.ndarray): (..., 3) TRC coordinates.

    Returns:
        np.ndarray: (..., 3) calibration world coordinates.
    """
    return np.asarray(points)[..., [2, 0, 1]]
