# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Generated stand-ins for the licensed SMPL files and the mesh data.

The real SMPL model and MotionBERT's mesh annotations cannot ship. For tests
and quick runs this module writes files **in their formats** with made-up
content:

* :func:`write_synthetic_smpl_assets`: ``SMPL_NEUTRAL.pkl`` (a random
  articulated body: 6890 vertices scattered along the 24 bones of SMPL's
  kinematic tree, rigid-ish skinning, small random shape and pose blend
  shapes, a sparse joint regressor), ``smpl_mean_params.npz``,
  ``J_regressor_h36m_correct.npy`` and ``J_regressor_extra.npy``. ``smplx``
  loads the model like the real one; the numbers are not SMPL's.
* :func:`write_synthetic_mesh_data`: ``mesh_det_{pw3d,h36m,coco}.pkl`` with
  smooth random SMPL motions, their 2D joints (orthographic projection of
  the synthetic body's H36M joints plus pixel noise) and confidences.

Run ``python -m mmmotionbert.datasets.synthetic_mesh OUT_DIR`` to write both
into ``OUT_DIR`` (the layout of ``data/mesh``).

May import: numpy, torch, scipy (lazily), :mod:`mmmotionbert.utils` (rotation,
smpl), :mod:`.mesh_dataset` and :mod:`.synthetic_h36m` (both lazily); never
``apis``.
"""
import argparse
import os
import os.path as osp
import pickle
from typing import Dict, List, Optional

import numpy as np
import torch

from mmmotionbert.utils.rotation import rotmat_to_axis_angle, rotmat_to_rot6d
from mmmotionbert.utils.smpl import (SMPL_NUM_JOINTS, SMPL_NUM_VERTS, SMPLBody,
                                     build_smpl_body, resolve_smpl_assets)

__all__ = [
    'SMPL_PARENTS', 'make_synthetic_smpl_model', 'write_synthetic_smpl_assets',
    'make_synthetic_mesh_data', 'write_synthetic_mesh_data'
]

#: SMPL's kinematic tree (parent of every joint; the root has -1).
SMPL_PARENTS = (-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16,
                17, 18, 19, 20, 21)
# Rough rest positions (m, x left, y up, z forward) of the 24 SMPL joints.
_REST_JOINTS = np.array([[0, 0, 0], [.06, -.09, 0], [-.06, -.09, 0],
                         [0, .11, -.02], [.1, -.47, 0], [-.1, -.47, 0],
                         [0, .25, 0], [.09, -.87, -.04], [-.09, -.87, -.04],
                         [0, .31, .02], [.11, -.93, .08], [-.11, -.93, .08],
                         [0, .52, -.01], [.07, .43, 0], [-.07, .43, 0],
                         [0, .6, .05], [.18, .46, -.01], [-.18, .46, -.01],
                         [.44, .44, -.03], [-.44, .44, -.03], [.69, .45, -.03],
                         [-.69, .45, -.03], [.77, .44, -.04],
                         [-.77, .44, -.04]])
# SMPL joint of every H36M-17 joint, with an offset (m) from it.
_H36M_FROM_SMPL = ((0, (0, 0, 0)), (2, (0, 0, 0)), (5, (0, 0, 0)),
                   (8, (0, 0, 0)), (1, (0, 0, 0)), (4, (0, 0, 0)),
                   (7, (0, 0, 0)), (6, (0, 0, 0)), (12, (0, 0, 0)),
                   (15, (0, -.02, .08)), (15, (0, .1, 0)), (16, (0, 0, 0)),
                   (18, (0, 0, 0)), (20, (0, 0, 0)), (17, (0, 0, 0)),
                   (19, (0, 0, 0)), (21, (0, 0, 0)))
_LEAVES = (10, 11, 15, 22, 23)
_NUM_FACES = 13776


def _nearest_average(verts: np.ndarray, points: np.ndarray,
                     k: int) -> np.ndarray:
    """Rows averaging the ``k`` vertices nearest to each point."""
    dist = np.linalg.norm(verts[None] - points[:, None], axis=-1)
    reg = np.zeros((len(points), len(verts)))
    near = np.argsort(dist, axis=1)[:, :k]
    np.put_along_axis(reg, near, 1.0 / k, axis=1)
    return reg


def make_synthetic_smpl_model(seed: int = 0,
                              sparse_regressor: bool = True) -> Dict:
    """An SMPL-format model dict (the keys ``smplx`` reads), numpy only.

    Args:
        seed (int): Random seed; the output is a pure function of it.
        sparse_regressor (bool): Store ``J_regressor`` as a scipy CSC matrix
            like the real files. Defaults to True.

    Returns:
        dict: ``v_template``, ``shapedirs`` (6890, 3, 10), ``posedirs``
        (6890, 3, 207), ``J_regressor`` (24, 6890), ``weights`` (6890, 24),
        ``kintree_table`` (2, 24), ``f`` (13776, 3) and the H36M / extra
        regressors under ``_h36m`` / ``_extra`` (popped by the writer).
    """
    rng = np.random.default_rng(seed)
    joints = _REST_JOINTS
    bones = [j for j in range(1, SMPL_NUM_JOINTS)]
    num_leaf = SMPL_NUM_VERTS // 8
    num_bone = SMPL_NUM_VERTS - num_leaf
    child = rng.choice(bones, size=num_bone)
    parent = np.asarray(SMPL_PARENTS)[child]
    t = rng.uniform(0, 1, size=(num_bone, 1))
    bone_pts = joints[parent] + t * (joints[child] - joints[parent])
    bone_pts += rng.normal(0, 0.035, size=bone_pts.shape)
    leaf = rng.choice(_LEAVES, size=num_leaf)
    leaf_pts = joints[leaf] + rng.normal(0, 0.04, size=(num_leaf, 3))
    verts = np.concatenate([bone_pts, leaf_pts])
    weights = np.zeros((SMPL_NUM_VERTS, SMPL_NUM_JOINTS))
    rows = np.arange(num_bone)
    weights[rows, parent] = 1 - 0.3 * t[:, 0]
    weights[rows, child] += 0.3 * t[:, 0]
    weights[num_bone + np.arange(num_leaf), leaf] = 1.0
    # shape: overall size, then random per-part swellings
    shapedirs = np.zeros((SMPL_NUM_VERTS, 3, 10))
    shapedirs[:, :, 0] = 0.04 * verts
    part = np.argmax(weights, axis=1)
    for k in range(1, 10):
        gain = rng.normal(0, 0.015, size=(SMPL_NUM_JOINTS, 3))
        shapedirs[:, :, k] = gain[part]
    posedirs = rng.normal(0, 1e-3, size=(SMPL_NUM_VERTS, 3, 207))
    posedirs = posedirs.astype(np.float32)
    j_reg = _nearest_average(verts, joints, 30)
    h36m_pts = np.array(
        [joints[j] + np.asarray(off) for j, off in _H36M_FROM_SMPL])
    h36m_reg = _nearest_average(verts, h36m_pts, 20)
    extra_reg = _nearest_average(
        verts,
        joints[rng.choice(SMPL_NUM_JOINTS, 9)] + rng.normal(0, 0.03,
                                                            (9, 3)), 10)
    kintree = np.stack([np.asarray(SMPL_PARENTS), np.arange(24)])
    kintree[0, 0] = 4294967295  # the real files store -1 as uint32
    faces = rng.integers(0, SMPL_NUM_VERTS, size=(_NUM_FACES, 3))
    if sparse_regressor:
        from scipy.sparse import csc_matrix
        j_reg = csc_matrix(j_reg)
    return dict(
        v_template=verts,
        shapedirs=shapedirs,
        posedirs=posedirs,
        J_regressor=j_reg,
        weights=weights,
        kintree_table=kintree.astype(np.int64),
        f=faces.astype(np.uint32),
        bs_style='lbs',
        bs_type='lrotmin',
        _h36m=h36m_reg.astype(np.float32),
        _extra=extra_reg.astype(np.float32))


def write_synthetic_smpl_assets(
        out_dir: str,
        seed: int = 0,
        sparse_regressor: bool = True) -> Dict[str, str]:
    """Write the four SMPL asset files of the official layout.

    Args:
        out_dir (str): Folder to write into (created).
        seed (int): Random seed.
        sparse_regressor (bool): See :func:`make_synthetic_smpl_model`.

    Returns:
        dict[str, str]: asset key -> path (as
        :func:`~mmmotionbert.utils.smpl.resolve_smpl_assets`).
    """
    os.makedirs(out_dir, exist_ok=True)
    paths = resolve_smpl_assets(out_dir)
    model = make_synthetic_smpl_model(seed, sparse_regressor)
    h36m, extra = model.pop('_h36m'), model.pop('_extra')
    with open(paths['model'], 'wb') as f:
        pickle.dump(model, f, protocol=2)
    np.save(paths['j_regressor_h36m'], h36m)
    np.save(paths['j_regressor_extra'], extra)
    rng = np.random.default_rng(seed + 1)
    rot = np.tile(np.eye(3), (SMPL_NUM_JOINTS, 1, 1))
    rot[0] = np.diag([1.0, -1.0, -1.0])  # root upside down (camera y down)
    pose6d = rotmat_to_rot6d(torch.from_numpy(rot)).numpy().reshape(-1)
    pose6d = pose6d + rng.normal(0, 0.01, size=pose6d.shape)
    np.savez(
        paths['mean_params'],
        pose=pose6d.astype(np.float32),
        shape=rng.normal(0, 0.1, size=10).astype(np.float64),
        cam=np.array([0.9, 0.0, 0.0]))
    return paths


def _rotvec_root(yaw: np.ndarray) -> np.ndarray:
    """Axis-angle of ``Rx(pi)`` followed by a yaw about the (camera) y axis."""
    cos, sin = np.cos(yaw), np.sin(yaw)
    zero, one = np.zeros_like(yaw), np.ones_like(yaw)
    ry = np.stack([cos, zero, sin, zero, one, zero, -sin, zero, cos],
                  -1).reshape(-1, 3, 3)
    rot = ry @ np.diag([1.0, -1.0, -1.0])
    return rotmat_to_axis_angle(torch.from_numpy(rot)).numpy()


def _motion(num_frames: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth random axis-angle poses (T, 72)."""
    t = np.arange(num_frames)[:, None] / 30.0
    freq = rng.uniform(0.3, 1.2, size=(1, 69))
    phase = rng.uniform(0, 2 * np.pi, size=(1, 69))
    amp = rng.uniform(0.05, 0.35, size=(1, 69))
    body = amp * np.sin(2 * np.pi * freq * t + phase)
    yaw = rng.uniform(
        -np.pi,
        np.pi) + 0.3 * np.sin(2 * np.pi * rng.uniform(0.05, 0.2) * t[:, 0])
    return np.concatenate([_rotvec_root(yaw), body], axis=1)


def make_synthetic_mesh_data(
        smpl_dir: str,
        dataset: str = 'pw3d',
        num_train: int = 4,
        num_test: int = 2,
        frames: tuple = (40, 60),
        seed: int = 0,
        body: Optional[SMPLBody] = None) -> Dict[str, dict]:
    """A dataset in the official ``mesh_det_*.pkl`` format.

    Args:
        smpl_dir (str): SMPL assets (real or synthetic) that pose the
            bodies.
        dataset (str): ``'pw3d'``, ``'h36m'`` (adds ``camera_name``) or
            ``'coco'`` (single images: every frame its own source).
        num_train (int): Training sequences (images for COCO: ``num_train
            * frames[0]``).
        num_test (int): Test sequences.
        frames (tuple[int, int]): Range of sequence lengths.
        seed (int): Random seed.
        body (SMPLBody, optional): Body model built from ``smpl_dir``
            already (saves loading it again).

    Returns:
        dict: ``{'train': split, 'test': split}`` with ``joint_2d``,
        ``confidence``, ``smpl_pose``, ``smpl_shape``, ``source`` (and
        ``camera_name``).
    """
    from .mesh_dataset import MESH_DATASET_RESOLUTIONS
    from .synthetic_h36m import H36M_CAMERAS
    if dataset not in MESH_DATASET_RESOLUTIONS:
        raise ValueError(
            f'dataset must be one of '
            f'{sorted(MESH_DATASET_RESOLUTIONS)}, got {dataset!r}')
    if body is None:
        body = build_smpl_body(resolve_smpl_assets(smpl_dir))
    rng = np.random.default_rng(seed)
    cameras = list(H36M_CAMERAS)
    data = {}
    for split, count in (('train', num_train), ('test', num_test)):
        lengths = ([
            int(rng.integers(frames[0], frames[1] + 1)) for _ in range(count)
        ] if dataset != 'coco' else [1] * (count * frames[0]))
        pose = np.concatenate([_motion(n, rng) for n in lengths])
        betas = np.concatenate([
            np.repeat(rng.normal(0, 0.8, size=(1, 10)), n, 0) for n in lengths
        ])
        with torch.no_grad():
            kp = torch.cat([
                body(b, pose=p)[1] for b, p in zip(
                    torch.from_numpy(betas).float().split(512),
                    torch.from_numpy(pose).float().split(512))
            ]).double().numpy()
        # orthographic projection around a random image point per sequence
        seq = np.repeat(np.arange(len(lengths)), lengths)
        cam = [cameras[i % len(cameras)] for i in range(len(lengths))]
        res = np.array([
            MESH_DATASET_RESOLUTIONS[dataset] or H36M_CAMERAS[c] for c in cam
        ],
                       dtype=np.float64)
        scale = rng.uniform(0.25, 0.4, size=len(lengths)) * res[:, 0] / 1000
        center = res / 2 + rng.uniform(-0.1, 0.1, (len(lengths), 2)) * \
            res[:, :1]
        xy = (kp[..., :2] - kp[:, :1, :2]) * scale[seq, None, None]
        xy = xy + center[seq, None] + rng.normal(0, 2.0, size=xy.shape)
        rows = dict(
            joint_2d=xy.astype(np.float32),
            confidence=rng.uniform(0.6, 1.0,
                                   size=(len(seq), 17)).astype(np.float32),
            smpl_pose=pose.astype(np.float32),
            smpl_shape=betas.astype(np.float32),
            source=[f'{dataset}_{split}_{i:04d}' for i in seq])
        if dataset == 'h36m':
            rows['camera_name'] = [cam[i] for i in seq]
        data[split] = rows
    return data


def write_synthetic_mesh_data(smpl_dir: str,
                              out_dir: str,
                              datasets: tuple = ('pw3d', 'h36m', 'coco'),
                              seed: int = 0,
                              **kwargs) -> Dict[str, str]:
    """Write ``mesh_det_<dataset>.pkl`` files.

    Args:
        smpl_dir (str): SMPL assets posing the bodies.
        out_dir (str): Output folder (created).
        datasets (tuple[str]): Which files. Defaults to all three.
        seed (int): Random seed (offset per dataset).
        **kwargs: Passed to :func:`make_synthetic_mesh_data`.

    Returns:
        dict[str, str]: dataset -> path.
    """
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    kwargs.setdefault('body', build_smpl_body(resolve_smpl_assets(smpl_dir)))
    for k, name in enumerate(datasets):
        path = osp.join(out_dir, f'mesh_det_{name}.pkl')
        with open(path, 'wb') as f:
            pickle.dump(
                make_synthetic_mesh_data(
                    smpl_dir, name, seed=seed + 101 * k, **kwargs),
                f,
                protocol=4)
        paths[name] = path
    return paths


def main(argv: Optional[List[str]] = None) -> None:
    """Write synthetic SMPL assets and mesh data into one folder."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir', help='folder, e.g. data/synthetic_mesh')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    write_synthetic_smpl_assets(args.out_dir, seed=args.seed)
    for name, path in write_synthetic_mesh_data(
            args.out_dir, args.out_dir, seed=args.seed).items():
        print(f'{name}: {path}')


if __name__ == '__main__':
    main()
