# Copyright (c) mmmotionbert contributors. All rights reserved.
"""A small generated dataset in the official Human3.6M pkl format.

Used by the quick-start job and the tests when the real
``h36m_sh_conf_cam_source_final.pkl`` is not at hand. Each sequence is a
procedurally animated walker (leg, arm and torso swing, forward travel,
random heading, speed and size) seen by one of the four H36M cameras with
H36M-like intrinsics; 2D keypoints get detector-like pixel noise. The
numbers are not H36M's -- only the format is.

May import: numpy and :mod:`.h36m_reader`; never ``apis``.
"""
import pickle
from typing import Dict, List

import numpy as np

from .h36m_reader import H36M_CAMERA_RESOLUTIONS

#: H36M camera names and resolutions (w, h), as the official reader has them.
H36M_CAMERAS = H36M_CAMERA_RESOLUTIONS
#: H36M action ids and names.
H36M_ACTIONS = {
    2: 'Directions', 3: 'Discussion', 4: 'Eating', 5: 'Greeting',
    6: 'Phoning', 7: 'Posing', 8: 'Purchases', 9: 'Sitting',
    10: 'SittingDown', 11: 'Smoking', 12: 'Photo', 13: 'Waiting',
    14: 'Walking', 15: 'WalkDog', 16: 'WalkTogether'
}

# Rest pose (mm, x right, y down, z forward) of the H36M-17 joints.
_REST = np.array([
    [0, 0, 0], [-130, 0, 0], [-130, 450, 0], [-130, 880, 0], [130, 0, 0],
    [130, 450, 0], [130, 880, 0], [0, -230, 0], [0, -480, 0], [0, -580, -40],
    [0, -680, 0], [170, -450, 0], [170, -170, 0], [170, 80, 0],
    [-170, -450, 0], [-170, -170, 0], [-170, 80, 0]
], dtype=np.float64)


def _animate(num_frames: int, rng: np.random.Generator) -> np.ndarray:
    """World joints (T, 17, 3) in mm of one walking sequence."""
    t = np.arange(num_frames) / 50.0
    freq = rng.uniform(0.7, 1.3)
    phase = 2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi)
    joints = np.repeat(_REST[None] * rng.uniform(0.9, 1.1), num_frames, 0)
    swing = np.sin(phase) * rng.uniform(0.3, 0.6)
    # legs: knee and ankle swing forward/back, opposite sides out of phase
    for side, sign in (((2, 3), 1), ((5, 6), -1)):
        for k, joint in enumerate(side):
            length = 450.0 * (k + 1)
            joints[:, joint, 2] += sign * swing * length * 0.6
            joints[:, joint, 1] -= np.abs(sign * swing) * length * 0.15
    # arms swing opposite to the legs
    for side, sign in (((12, 13), -1), ((15, 16), 1)):
        for k, joint in enumerate(side):
            joints[:, joint, 2] += sign * swing * 280.0 * (k + 1) * 0.5
    joints[:, 7:11, 2] += 30 * np.sin(2 * phase)[:, None]  # torso bob
    # heading rotation about the vertical axis and forward travel
    yaw = rng.uniform(-np.pi, np.pi)
    rot = np.array([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0],
                    [-np.sin(yaw), 0, np.cos(yaw)]])
    joints = joints @ rot.T
    travel = np.outer(t * rng.uniform(300, 900), rot @ np.array([0, 0, 1.]))
    joints += travel[:, None, :]
    return joints


def _project(world: np.ndarray, cam_wh, rng: np.random.Generator) -> dict:
    """Camera-space placement and pinhole projection of one sequence."""
    w, h = cam_wh
    focal = rng.uniform(1140, 1150)
    depth = rng.uniform(4300, 5600)
    cam = world - world[:, :1].mean(0, keepdims=True)
    cam[..., 2] += depth
    cam[..., 0] += rng.uniform(-400, 400)
    u = focal * cam[..., 0] / cam[..., 2] + w / 2
    v = focal * cam[..., 1] / cam[..., 2] + h / 2
    factor = cam[:, 0, 2] / focal  # mm per pixel at the root depth
    z = (cam[..., 2] - cam[:, :1, 2]) / factor[:, None]
    joint3d_image = np.stack([u, v, z], axis=-1)
    noisy = joint3d_image[..., :2] + rng.normal(0, 4, size=u.shape + (2, ))
    return dict(
        joint_2d=noisy,
        confidence=rng.uniform(0.35, 1.0, size=u.shape),
        joint3d_image=joint3d_image,
        factor=factor,
    )


def make_synthetic_h36m(num_train: int = 8,
                        num_test: int = 4,
                        frames: tuple = (120, 300),
                        seed: int = 0) -> Dict[str, dict]:
    """Generate an in-memory dataset in the official H36M pkl format.

    Args:
        num_train (int): Training sequences (subjects 1, 5-8).
        num_test (int): Test sequences (subjects 9, 11).
        frames (tuple[int, int]): Range of sequence lengths.
        seed (int): Random seed; the output is a pure function of it.

    Returns:
        dict: ``{'train': split, 'test': split}``, each split a dict of
        per-frame arrays / lists with the official keys.
    """
    rng = np.random.default_rng(seed)
    cameras = list(H36M_CAMERAS)
    actions = sorted(H36M_ACTIONS)
    data = {}
    for split, count, subjects in (('train', num_train, (1, 5, 6, 7, 8)),
                                   ('test', num_test, (9, 11))):
        rows: Dict[str, List] = {k: [] for k in (
            'joint_2d', 'confidence', 'joint3d_image', '2.5d_factor',
            'joints_2.5d_image', 'camera_name', 'source', 'action')}
        for i in range(count):
            n = int(rng.integers(frames[0], frames[1] + 1))
            cam = cameras[i % len(cameras)]
            act = actions[i % len(actions)]
            subject = subjects[i % len(subjects)]
            seq = _project(_animate(n, rng), H36M_CAMERAS[cam], rng)
            rows['joint_2d'].append(seq['joint_2d'])
            rows['confidence'].append(seq['confidence'])
            rows['joint3d_image'].append(seq['joint3d_image'])
            rows['2.5d_factor'].append(seq['factor'])
            rows['joints_2.5d_image'].append(seq['joint3d_image'] *
                                             seq['factor'][:, None, None])
            source = (f's_{subject:02d}_act_{act:02d}_subact_'
                      f'{i // len(actions) + 1:02d}_ca_{i % 4 + 1:02d}')
            rows['camera_name'] += [cam] * n
            rows['source'] += [source] * n
            rows['action'] += [H36M_ACTIONS[act]] * n
        data[split] = {
            k: (np.concatenate(v).astype(np.float32)
                if isinstance(v[0], np.ndarray) else v)
            for k, v in rows.items()
        }
    return data


def write_synthetic_h36m(path: str, **kwargs) -> str:
    """Generate with :func:`make_synthetic_h36m` and pickle to ``path``.

    Args:
        path (str): Output ``.pkl`` path.
        **kwargs: Passed to :func:`make_synthetic_h36m`.

    Returns:
        str: ``path``.
    """
    with open(path, 'wb') as f:
        pickle.dump(make_synthetic_h36m(**kwargs), f, protocol=4)
    return path
