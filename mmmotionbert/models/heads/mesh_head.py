# Copyright (c) mmmotionbert contributors. All rights reserved.
"""SMPL regression head on the DSTformer motion representation.

May import: torch, mmengine, :mod:`mmmotionbert.registry` and
:mod:`mmmotionbert.utils` (rotation, smpl); never ``apis`` or ``datasets``.
"""
from typing import Dict, Mapping, Optional

import torch
from mmengine.model import BaseModule
from torch import nn

from mmmotionbert.registry import MODELS
from mmmotionbert.utils.rotation import rot6d_to_rotmat, rotmat_to_axis_angle
from mmmotionbert.utils.smpl import (SMPL_NUM_BETAS, SMPL_NUM_JOINTS, SMPLBody,
                                     build_smpl_body, load_smpl_mean_params,
                                     resolve_smpl_assets)


@MODELS.register_module()
class MBMeshHead(BaseModule):
    """MotionBERT's ``SMPLRegressor``: SMPL pose and shape from the motion.

    * pose, per frame: dropout -> ``fc1`` -> ``bn1`` -> ReLU ->
      ``head_pose`` gives 24 joint rotations in the 6D representation,
      added to the SMPL mean pose;
    * shape, per clip: mean over time -> dropout -> ``fc2`` -> ``bn2`` ->
      ReLU -> ``head_shape`` gives 10 betas, added to the mean shape;
    * SMPL (``smplx``) turns them into vertices (mm) and the H36M regressor
      into 17 joints (mm).

    Parameter names are the official ones, so official mesh checkpoints
    load 1:1 under ``head.``. The SMPL files are licensed and are read
    lazily, on the first forward (building the head reads nothing):

    * the body model is kept outside the module tree, so it is not in
      ``state_dict`` (checkpoints stay free of SMPL data) and the
      ``head.smpl.*`` buffers of official checkpoints are ignored on load;
    * the mean pose / shape buffers ``init_pose`` / ``init_shape`` are saved
      with the model; they are read from ``smpl_mean_params.npz`` only if no
      checkpoint provided them.

    Args:
        dim_rep (int): Representation channels per joint. Defaults to 512.
        num_joints (int): Joints of the representation. Defaults to 17.
        hidden_dim (int): Hidden width of both branches. Defaults to 2048
            (official class default; the official configs use 1024).
        dropout_ratio (float): Dropout before ``fc1`` / ``fc2``. Defaults to
            0.
        smpl_dir (str, optional): Folder with the SMPL assets in the
            official layout (see :mod:`mmmotionbert.utils.smpl`). Defaults to
            ``'data/mesh'``.
        smpl_files (dict, optional): Per-asset path overrides, keys
            ``model``, ``mean_params``, ``j_regressor_h36m``,
            ``j_regressor_extra``.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 dim_rep: int = 512,
                 num_joints: int = 17,
                 hidden_dim: int = 2048,
                 dropout_ratio: float = 0.0,
                 smpl_dir: Optional[str] = 'data/mesh',
                 smpl_files: Optional[Mapping[str, str]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 0.0 <= dropout_ratio < 1.0:
            raise ValueError(
                f'dropout_ratio must be in [0, 1), got {dropout_ratio}')
        for name, value in (('dim_rep', dim_rep), ('num_joints', num_joints),
                            ('hidden_dim', hidden_dim)):
            if int(value) < 1:
                raise ValueError(f'{name} must be >= 1, got {value}')
        self.dim_rep = int(dim_rep)
        self.num_joints = int(num_joints)
        self.smpl_paths = resolve_smpl_assets(smpl_dir, smpl_files)
        in_dim = self.num_joints * self.dim_rep
        self.dropout = nn.Dropout(p=dropout_ratio)
        self.fc1 = nn.Linear(in_dim, hidden_dim)
        self.pool2 = nn.AdaptiveAvgPool2d((None, 1))
        self.fc2 = nn.Linear(in_dim, hidden_dim)
        self.bn1 = nn.BatchNorm1d(hidden_dim, momentum=0.1)
        self.bn2 = nn.BatchNorm1d(hidden_dim, momentum=0.1)
        self.relu1 = nn.ReLU(inplace=True)
        self.relu2 = nn.ReLU(inplace=True)
        self.head_pose = nn.Linear(hidden_dim, SMPL_NUM_JOINTS * 6)
        self.head_shape = nn.Linear(hidden_dim, SMPL_NUM_BETAS)
        nn.init.xavier_uniform_(self.head_pose.weight, gain=0.01)
        nn.init.xavier_uniform_(self.head_shape.weight, gain=0.01)
        self.register_buffer('init_pose', torch.zeros(1, SMPL_NUM_JOINTS * 6))
        self.register_buffer('init_shape', torch.zeros(1, SMPL_NUM_BETAS))
        self._mean_params_ready = False
        # kept out of the module tree on purpose (see the class docstring)
        self.__dict__['_smpl_body'] = None

    # ------------------------------------------------------------ assets
    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys,
                              error_msgs) -> None:
        """Drop official ``smpl.*`` buffers; note loaded mean parameters."""
        for key in [k for k in state_dict if k.startswith(prefix + 'smpl.')]:
            state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)
        pose = state_dict.get(prefix + 'init_pose')
        if pose is not None and bool(torch.as_tensor(pose).abs().sum() > 0):
            self._mean_params_ready = True

    def load_mean_params(self) -> None:
        """Fill ``init_pose`` / ``init_shape`` from ``smpl_mean_params.npz``.

        Raises:
            MissingSMPLAssetError: The file is missing (message says where
                to get it).
        """
        pose, shape = load_smpl_mean_params(self.smpl_paths['mean_params'])
        with torch.no_grad():
            self.init_pose.copy_(torch.from_numpy(pose)[None])
            self.init_shape.copy_(torch.from_numpy(shape)[None])
        self._mean_params_ready = True

    @property
    def smpl(self) -> SMPLBody:
        """The SMPL body model, loaded from the asset files on first use."""
        if self._smpl_body is None:
            self.__dict__['_smpl_body'] = build_smpl_body(self.smpl_paths)
        return self._smpl_body

    def set_smpl(self, body: SMPLBody) -> None:
        """Use an already built body model (e.g. shared between models).

        Args:
            body (SMPLBody): The body model.
        """
        self.__dict__['_smpl_body'] = body

    def smpl_on(self, ref: torch.Tensor) -> SMPLBody:
        """The body model on ``ref``'s device and dtype."""
        body = self.smpl
        buf = body.j_regressor_h36m
        if buf.device != ref.device or buf.dtype != ref.dtype:
            body.to(device=ref.device, dtype=ref.dtype)
        return body

    # ----------------------------------------------------------- forward
    def forward(self, feat: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Regress SMPL and pose the mesh.

        Args:
            feat (Tensor): (N, T, J, C) motion representation.

        Returns:
            dict[str, Tensor]: ``theta`` (N, T, 82) axis-angle pose (72) and
            betas (10); ``verts`` (N, T, 6890, 3) and ``kp_3d``
            (N, T, 17, 3) in mm (not root-centred); ``rotmat``
            (N, T, 24, 3, 3).
        """
        if feat.dim() != 4 or feat.shape[2:] != (self.num_joints,
                                                 self.dim_rep):
            raise ValueError(
                f'MBMeshHead expects (N, T, {self.num_joints}, '
                f'{self.dim_rep}) features, got {tuple(feat.shape)}')
        if not self._mean_params_ready:
            self.load_mean_params()
        n, t = feat.shape[:2]
        if self.training and n < 2:
            raise ValueError(
                'MBMeshHead trains its shape branch with BatchNorm over '
                'clips and needs at least 2 clips per training batch, got 1; '
                'use MBMeshSourceBatchSampler (it never yields a batch of '
                'one when a source has more samples) or drop_last=True')
        feat = feat.reshape(n, t, -1)
        feat_pose = self.dropout(feat.reshape(n * t, -1))
        feat_pose = self.relu1(self.bn1(self.fc1(feat_pose)))
        feat_shape = self.pool2(feat.permute(0, 2, 1)).reshape(n, -1)
        feat_shape = self.dropout(feat_shape)
        feat_shape = self.relu2(self.bn2(self.fc2(feat_shape)))
        pose6d = self.head_pose(feat_pose) + self.init_pose
        betas = self.head_shape(feat_shape) + self.init_shape
        betas = betas[:, None].expand(n, t, -1).reshape(n * t, -1)
        # rotations and SMPL in the parameters' precision, also under AMP
        dtype = self.head_pose.weight.dtype
        with torch.autocast(feat.device.type, enabled=False):
            pose6d, betas = pose6d.to(dtype), betas.to(dtype)
            rotmat = rot6d_to_rotmat(pose6d.reshape(n * t, SMPL_NUM_JOINTS, 6))
            verts, joints = self.smpl_on(pose6d)(betas, rotmat=rotmat)
            pose = rotmat_to_axis_angle(rotmat).reshape(n * t, -1)
        return dict(
            theta=torch.cat([pose, betas], dim=-1).reshape(n, t, -1),
            verts=verts.reshape(n, t, *verts.shape[1:]),
            kp_3d=joints.reshape(n, t, *joints.shape[1:]),
            rotmat=rotmat.reshape(n, t, SMPL_NUM_JOINTS, 3, 3))

    def smpl_from_theta(self, theta: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Pose the mesh from axis-angle SMPL parameters.

        Used for ground truth and for flipping predictions back.

        Args:
            theta (Tensor): (N, T, 82) axis-angle pose (72) + betas (10).

        Returns:
            dict[str, Tensor]: ``theta``, ``verts`` (N, T, 6890, 3) and
            ``kp_3d`` (N, T, 17, 3) in mm.
        """
        if theta.dim() != 3 or theta.shape[-1] != SMPL_NUM_JOINTS * 3 + \
                SMPL_NUM_BETAS:
            raise ValueError(f'smpl_from_theta expects (N, T, 82) theta, got '
                             f'{tuple(theta.shape)}')
        n, t = theta.shape[:2]
        flat = theta.reshape(n * t, -1).to(self.head_pose.weight.dtype)
        with torch.autocast(theta.device.type, enabled=False):
            verts, joints = self.smpl_on(flat)(
                flat[:, SMPL_NUM_JOINTS * 3:],
                pose=flat[:, :SMPL_NUM_JOINTS * 3])
        return dict(
            theta=theta,
            verts=verts.reshape(n, t, *verts.shape[1:]),
            kp_3d=joints.reshape(n, t, *joints.shape[1:]))
