# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The SMPL body model of mesh recovery, and SMPL pose flipping.

:class:`SMPLBody` wraps ``smplx.SMPL`` plus the Human3.6M joint regressor
(vertices and H36M-17 joints in millimetres, like the official
``SMPLRegressor``); :func:`build_smpl_body` builds it from the licensed
asset files, :func:`smpl_body_from_state_dict` from the buffers an official
mesh checkpoint carries. :func:`flip_smpl_pose` mirrors axis-angle poses
(official ``flip_thetas``).

Where things moved (all names are still importable from here):

* asset specs, path resolution and file loaders:
  :mod:`mmmotionbert.utils.smpl_assets`;
* the chumpy-free restricted unpickler: :mod:`mmmotionbert.utils.smpl_pickle`;
* rotation conversions (``rot6d_to_rotmat`` ...):
  :mod:`mmmotionbert.utils.rotation`.

May import: numpy, torch, smplx (lazily), the standard library and
:mod:`mmmotionbert.utils.smpl_assets` / :mod:`~mmmotionbert.utils.rotation`.
"""
import contextlib
import io
import os.path as osp
from typing import Dict, Mapping, Optional, Tuple, Union

import numpy as np
import torch
from torch import nn

from . import smpl_assets
# the asset names and the torch rotation conversions are re-exported here
from .rotation import (axis_angle_to_rotmat, quaternion_to_axis_angle,
                       rot6d_to_rotmat, rotmat_to_axis_angle,
                       rotmat_to_quaternion, rotmat_to_rot6d)
from .smpl_assets import *  # noqa: F401,F403
from .smpl_assets import (SMPL_NUM_BETAS, SMPL_NUM_JOINTS, SMPL_NUM_POSE_BASIS,
                          SMPL_NUM_VERTS, _check_model_arrays,
                          load_joint_regressor, load_smpl_model_data)

__all__ = smpl_assets.__all__ + [
    'SMPL_FLIP_PAIRS', 'H36M_17_TO_14', 'SMPLBody', 'build_smpl_body',
    'smpl_body_from_state_dict', 'smpl_flip_permutation', 'flip_smpl_pose',
    'rot6d_to_rotmat', 'rotmat_to_rot6d', 'axis_angle_to_rotmat',
    'rotmat_to_quaternion', 'quaternion_to_axis_angle', 'rotmat_to_axis_angle'
]

#: SMPL joints swapped by a horizontal flip (official ``flip_thetas``).
SMPL_FLIP_PAIRS = ((1, 2), (4, 5), (7, 8), (10, 11), (13, 14), (16, 17),
                   (18, 19), (20, 21), (22, 23))
#: H36M-17 joints kept by the official 14-joint MPJPE / PA-MPJPE (drops the
#: pelvis, spine and nose).
H36M_17_TO_14 = (1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16)

ArrayLike = Union[np.ndarray, torch.Tensor]


# ------------------------------------------------------------ body model
class _Struct:
    """Attribute bag that ``smplx.SMPL`` / ``smplx.SMPLH`` read a model from."""

    def __init__(self, **kwargs) -> None:
        self.__dict__.update(kwargs)


class SMPLBody(nn.Module):
    """The SMPL body model (``smplx.SMPL``) plus the H36M joint regressor.

    Maps SMPL pose and shape to vertices and H36M-17 joints in millimetres,
    like the official ``SMPLRegressor`` (vertices x 1000, joints by the
    H36M regressor, no translation).

    Args:
        model_data (dict): Arrays of :func:`load_smpl_model_data`.
        j_regressor_h36m (np.ndarray): (17, 6890) regressor.
        j_regressor_extra (np.ndarray, optional): (9, 6890) SPIN extra
            regressor, kept as a buffer when given.
    """

    def __init__(self,
                 model_data: Dict[str, np.ndarray],
                 j_regressor_h36m: np.ndarray,
                 j_regressor_extra: Optional[np.ndarray] = None) -> None:
        super().__init__()
        try:
            import smplx
        except ImportError as err:
            raise ImportError(
                'mesh recovery needs the `smplx` package: pip install '
                'smplx==0.1.28 (requirements/runtime.txt)') from err
        struct = _Struct(**model_data)
        # smplx prints a warning for 10-beta models (all official ones)
        with contextlib.redirect_stdout(io.StringIO()):
            self.smpl = smplx.SMPL(
                model_path='',
                data_struct=struct,
                create_betas=False,
                create_global_orient=False,
                create_body_pose=False,
                create_transl=False,
                num_betas=SMPL_NUM_BETAS)
        self.register_buffer(
            'j_regressor_h36m',
            torch.as_tensor(j_regressor_h36m, dtype=torch.float32))
        if j_regressor_extra is not None:
            self.register_buffer(
                'j_regressor_extra',
                torch.as_tensor(j_regressor_extra, dtype=torch.float32))

    @property
    def faces(self) -> np.ndarray:
        """int64 (F, 3) triangle vertex indices."""
        return np.asarray(self.smpl.faces, dtype=np.int64)

    def forward(
        self,
        betas: torch.Tensor,
        rotmat: Optional[torch.Tensor] = None,
        pose: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Pose and shape the mesh.

        Args:
            betas (Tensor): (B, 10) shape.
            rotmat (Tensor, optional): (B, 24, 3, 3) joint rotations.
            pose (Tensor, optional): (B, 72) axis-angle pose; used when
                ``rotmat`` is None.

        Returns:
            tuple[Tensor, Tensor]: vertices (B, 6890, 3) and H36M-17 joints
            (B, 17, 3), both in millimetres.
        """
        if (rotmat is None) == (pose is None):
            raise ValueError('SMPLBody needs exactly one of `rotmat` '
                             '(B, 24, 3, 3) and `pose` (B, 72)')
        if rotmat is not None:
            rotmat = rotmat.reshape(-1, SMPL_NUM_JOINTS, 3, 3)
            out = self.smpl(
                betas=betas,
                body_pose=rotmat[:, 1:],
                global_orient=rotmat[:, :1],
                pose2rot=False)
        else:
            pose = pose.reshape(-1, SMPL_NUM_JOINTS * 3)
            out = self.smpl(
                betas=betas,
                body_pose=pose[:, 3:],
                global_orient=pose[:, :3],
                pose2rot=True)
        verts = out.vertices * 1000.0
        joints = torch.einsum('jv,bvc->bjc', self.j_regressor_h36m.to(verts),
                              verts)
        return verts, joints


def build_smpl_body(paths: Mapping[str, str]) -> SMPLBody:
    """Load the SMPL assets and build :class:`SMPLBody`.

    Args:
        paths (Mapping[str, str]): From :func:`resolve_smpl_assets`.

    Returns:
        SMPLBody: The body model (on the CPU).
    """
    model = load_smpl_model_data(paths['model'])
    reg_h36m = load_joint_regressor(paths['j_regressor_h36m'],
                                    'j_regressor_h36m', 17)
    extra = None
    extra_path = paths.get('j_regressor_extra')
    if extra_path and osp.isfile(extra_path):
        extra = load_joint_regressor(extra_path, 'j_regressor_extra', None)
    return SMPLBody(model, reg_h36m, extra)


def smpl_body_from_state_dict(state_dict: Mapping[str, torch.Tensor],
                              where: str = 'state dict') -> SMPLBody:
    """Rebuild :class:`SMPLBody` from the buffers of a ``smplx.SMPL``.

    Official mesh checkpoints keep the SMPL model their head was trained
    with under ``head.smpl.*`` (``v_template``, ``shapedirs``, ``posedirs``,
    ``J_regressor``, ``parents``, ``lbs_weights``, ``faces_tensor``,
    ``J_regressor_h36m``, ``J_regressor_extra``); this turns them back into
    a body model, so such a checkpoint runs without the SMPL files.

    Args:
        state_dict (Mapping[str, Tensor]): The buffers, keys without the
            ``head.smpl.`` prefix.
        where (str): Names the source in error messages.

    Returns:
        SMPLBody: The body model.

    Raises:
        KeyError: A buffer is missing.
        ValueError: A buffer has the wrong shape.
    """
    need = ('v_template', 'shapedirs', 'posedirs', 'J_regressor', 'parents',
            'lbs_weights', 'faces_tensor', 'J_regressor_h36m')
    missing = [k for k in need if k not in state_dict]
    if missing:
        raise KeyError(f'{where} has no SMPL buffers {missing}; it holds '
                       f'{sorted(state_dict)[:12]}')
    sd = {k: torch.as_tensor(v).detach().cpu() for k, v in state_dict.items()}
    posedirs = sd['posedirs'].double().numpy()
    if posedirs.shape != (SMPL_NUM_POSE_BASIS, SMPL_NUM_VERTS * 3):
        raise ValueError(f'{where}: posedirs has shape {posedirs.shape}, '
                         f'expected ({SMPL_NUM_POSE_BASIS}, '
                         f'{SMPL_NUM_VERTS * 3})')
    parents = sd['parents'].long().numpy()
    model = dict(
        v_template=sd['v_template'].double().numpy(),
        shapedirs=sd['shapedirs'].double().numpy(),
        posedirs=posedirs.T.reshape(SMPL_NUM_VERTS, 3, SMPL_NUM_POSE_BASIS),
        J_regressor=sd['J_regressor'].double().numpy(),
        weights=sd['lbs_weights'].double().numpy(),
        kintree_table=np.stack([parents, np.arange(len(parents))]),
        f=sd['faces_tensor'].long().numpy())
    model = _check_model_arrays(model, where)
    reg = sd['J_regressor_h36m'].float().numpy()
    if reg.shape != (17, SMPL_NUM_VERTS):
        raise ValueError(f'{where}: J_regressor_h36m has shape {reg.shape}, '
                         f'expected (17, {SMPL_NUM_VERTS})')
    extra = sd.get('J_regressor_extra')
    return SMPLBody(model, reg,
                    None if extra is None else extra.float().numpy())


# -------------------------------------------------------------- flipping
def smpl_flip_permutation() -> list:
    """SMPL joint permutation of a horizontal flip.

    Returns:
        list[int]: ``perm`` such that ``flipped[..., j, :] =
        x[..., perm[j], :]`` (left and right joints swapped).
    """
    perm = list(range(SMPL_NUM_JOINTS))
    for left, right in SMPL_FLIP_PAIRS:
        perm[left], perm[right] = right, left
    return perm


def flip_smpl_pose(pose: ArrayLike) -> ArrayLike:
    """Mirror SMPL axis-angle poses horizontally (official ``flip_thetas``).

    Swaps left and right joints and negates the y and z components of every
    joint's axis-angle vector.

    Args:
        pose (np.ndarray | Tensor): (..., 72) or (..., 24, 3).

    Returns:
        np.ndarray | Tensor: Flipped copy, same type and shape.
    """
    shape = tuple(pose.shape)
    if shape[-1] == SMPL_NUM_JOINTS * 3:
        joints = pose.reshape(*shape[:-1], SMPL_NUM_JOINTS, 3)
    elif shape[-2:] == (SMPL_NUM_JOINTS, 3):
        joints = pose
    else:
        raise ValueError(f'flip_smpl_pose expects (..., 72) or (..., 24, 3), '
                         f'got {shape}')
    flipped = joints[..., smpl_flip_permutation(), :]  # a copy
    flipped[..., 1:] = -flipped[..., 1:]
    return flipped.reshape(shape)
