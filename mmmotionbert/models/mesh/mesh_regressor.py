# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Human mesh recovery: DSTformer backbone + SMPL head + mesh losses.

May import: torch, mmengine, :mod:`mmmotionbert.registry` and
:mod:`mmmotionbert.utils` (keypoints, smpl); never ``apis`` or ``datasets``.
"""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel

from mmmotionbert.registry import MODELS
from mmmotionbert.utils.keypoints import flip_h36m
from mmmotionbert.utils.smpl import flip_smpl_pose

ForwardResults = Union[Dict[str, torch.Tensor], List[dict]]
_POSE_DIM = 72


@MODELS.register_module()
class MBMeshRegressor(BaseModel):
    """Recover SMPL meshes from 2D keypoint clips (official ``MeshRegressor``).

    Batches come from :class:`~mmmotionbert.datasets.MBMeshDataset` (or a
    mix of them) collated by ``default_collate``: ``inputs`` (B, T, 17, 3)
    normalised 2D + confidence, ``data_samples`` a dict with the ground-truth
    SMPL ``pose`` (B, T, 72) axis-angle and ``shape`` (B, T, 10). Ground-truth
    vertices and joints are computed here with the head's SMPL model, as the
    official dataset does (so data loading needs no SMPL files).

    Args:
        backbone (dict): Backbone config, e.g. ``dict(type='MBDSTformer')``.
        head (dict): Head config, ``dict(type='MBMeshHead', ...)``.
        loss (dict, optional): Loss config. Defaults to
            ``dict(type='MBMeshLoss')`` (official weights).
        flip_test (bool): At test time average with the prediction on the
            mirrored input, flipped back in SMPL space (official
            ``validate`` with ``flip``). Defaults to True.
        data_preprocessor (dict, optional): mmengine data preprocessor.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 loss: Optional[dict] = None,
                 flip_test: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        self.loss_module = MODELS.build(
            loss if loss is not None else dict(type='MBMeshLoss'))
        self.flip_test = flip_test

    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Motion representation (B, T, J, dim_rep) of ``inputs``."""
        return self.backbone(inputs)

    def _forward(self,
                 inputs: torch.Tensor,
                 data_samples=None) -> Dict[str, torch.Tensor]:
        """Raw head output (``theta``, ``verts``, ``kp_3d``, ``rotmat``)."""
        return self.head(self.extract_feat(inputs))

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[dict] = None,
                mode: str = 'tensor') -> ForwardResults:
        """Dispatch on ``mode`` as every mmengine model does.

        Args:
            inputs (Tensor): (B, T, 17, 3) normalised 2D keypoints + scores.
            data_samples (dict, optional): Collated ground truth / meta.
            mode (str): ``'tensor'``, ``'loss'`` or ``'predict'``.

        Returns:
            dict | list[dict]: Head outputs, loss dict, or one dict per clip.
        """
        if mode == 'tensor':
            return self._forward(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', "
                         f'got {mode!r}')

    @staticmethod
    def _gt_theta(data_samples: Optional[dict],
                  ref: torch.Tensor) -> Optional[torch.Tensor]:
        """Ground-truth theta (B, T, 82) from collated ``pose`` / ``shape``.

        Returns None when ``data_samples`` carries no SMPL ground truth.
        """
        if not isinstance(data_samples, dict) or 'pose' not in data_samples:
            return None
        if 'shape' not in data_samples:
            raise KeyError("MBMeshRegressor: data_samples has 'pose' but no "
                           "'shape' (B, T, 10)")
        pose = torch.as_tensor(data_samples['pose']).to(ref)
        shape = torch.as_tensor(data_samples['shape']).to(ref)
        if pose.dim() != 3 or pose.shape[-1] != _POSE_DIM or \
                shape.shape[:2] != pose.shape[:2] or shape.shape[-1] != 10:
            raise ValueError(
                f'ground truth must be pose (B, T, 72) and shape (B, T, 10), '
                f'got {tuple(pose.shape)} and {tuple(shape.shape)}')
        return torch.cat([pose, shape], dim=-1)

    @torch.no_grad()
    def ground_truth(self, theta: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Ground-truth mesh like the official dataset (root-centred, mm).

        Args:
            theta (Tensor): (B, T, 82) axis-angle pose + betas.

        Returns:
            dict[str, Tensor]: ``theta``, ``verts`` (B, T, 6890, 3) and
            ``kp_3d`` (B, T, 17, 3), both relative to the H36M pelvis.
        """
        gt = self.head.smpl_from_theta(theta)
        root = gt['kp_3d'][:, :, :1]
        return dict(
            theta=theta, verts=gt['verts'] - root, kp_3d=gt['kp_3d'] - root)

    def loss(self, inputs: torch.Tensor,
             data_samples: dict) -> Dict[str, torch.Tensor]:
        """Compute the training losses.

        Args:
            inputs (Tensor): (B, T, 17, 3) inputs.
            data_samples (dict): Must hold ``pose`` (B, T, 72) and ``shape``
                (B, T, 10).

        Returns:
            dict[str, Tensor]: Weighted loss terms.
        """
        theta = self._gt_theta(data_samples, inputs)
        if theta is None:
            raise KeyError("MBMeshRegressor.loss needs data_samples['pose'] "
                           "(B, T, 72) and data_samples['shape'] (B, T, 10); "
                           'use MBMeshDataset batches with default_collate')
        if theta.shape[:2] != inputs.shape[:2]:
            raise ValueError(f'ground truth covers {tuple(theta.shape[:2])} '
                             f'(B, T) but inputs {tuple(inputs.shape[:2])}')
        pred = self._forward(inputs)
        return self.loss_module(pred, self.ground_truth(theta))

    def predict_tensor(self, inputs: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Batched test-time prediction with optional flip averaging.

        The flipped input's ``theta`` is mirrored back (official
        ``flip_thetas_batch``) and re-posed; ``theta``, ``verts`` and
        ``kp_3d`` are averaged with the direct prediction.

        Args:
            inputs (Tensor): (B, T, 17, 3).

        Returns:
            dict[str, Tensor]: ``theta`` (B, T, 82), ``verts``
            (B, T, 6890, 3), ``kp_3d`` (B, T, 17, 3), mm.
        """
        out = self._forward(inputs)
        out = {k: out[k] for k in ('theta', 'verts', 'kp_3d')}
        if not self.flip_test:
            return out
        flipped = self._forward(flip_h36m(inputs))['theta']
        theta_back = torch.cat([
            flip_smpl_pose(flipped[..., :_POSE_DIM]), flipped[..., _POSE_DIM:]
        ], -1)
        back = self.head.smpl_from_theta(theta_back)
        return {k: (out[k] + back[k]) * 0.5 for k in out}

    @torch.no_grad()
    def predict(self,
                inputs: torch.Tensor,
                data_samples: Optional[dict] = None) -> List[dict]:
        """Predict meshes (and the ground truth meshes when given).

        Args:
            inputs (Tensor): (B, T, 17, 3).
            data_samples (dict, optional): With ``pose`` / ``shape`` the
                ground-truth mesh is added for :class:`MBMeshMetric`.

        Returns:
            list[dict]: Per clip ``theta`` (T, 82), ``verts`` (T, 6890, 3),
            ``kp_3d`` (T, 17, 3) in mm (not root-centred) and, with ground
            truth, ``gt_verts`` / ``gt_kp_3d`` (root-centred).
        """
        pred = self.predict_tensor(inputs)
        theta = self._gt_theta(data_samples, inputs)
        gt = self.ground_truth(theta) if theta is not None else None
        results = []
        for b in range(inputs.shape[0]):
            item = {k: v[b] for k, v in pred.items()}
            if gt is not None:
                item['gt_verts'] = gt['verts'][b]
                item['gt_kp_3d'] = gt['kp_3d'][b]
            results.append(item)
        return results
