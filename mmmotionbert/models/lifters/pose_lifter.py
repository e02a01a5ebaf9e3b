# Copyright (c) mmmotionbert contributors. All rights reserved.
"""2D-to-3D pose lifter: DSTformer backbone + pose head + losses.

May import: torch, mmengine, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils` and :mod:`.test_time`; never ``apis`` or
``datasets``.
"""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel

from mmmotionbert.registry import MODELS
from .test_time import apply_root_convention, flip_average

ForwardResults = Union[torch.Tensor, Dict[str, torch.Tensor], List[dict]]


@MODELS.register_module()
class MBPoseLifter(BaseModel):
    """Lift 2D keypoint clips to 3D, trained and evaluated like MotionBERT.

    Batches come from :class:`MBH36MDataset` (or anything with the same
    keys) collated by mmengine's ``default_collate``: ``inputs`` (B, T, J, 3)
    normalized 2D + confidence, ``data_samples`` a dict with ``target``
    (B, T, J, 3) normalized 3D.

    Pretraining mixes in 2D-only clips (in-the-wild detections without 3D):
    their samples carry ``has_3d=False``, ``target`` holds the 2D keypoints
    in its x, y channels and, optionally, ``conf`` (T, J) their confidence
    (else the input's confidence channel is used). Those clips are trained
    with the confidence-weighted 2D loss on the predicted x, y (``loss_2d``),
    the others with ``loss``.

    Args:
        backbone (dict): Backbone config, e.g. ``dict(type='MBDSTformer')``.
        head (dict): Head config, e.g. ``dict(type='MBPoseHead')``.
        loss (dict, optional): Loss config returning a dict of loss terms.
            Defaults to ``dict(type='MBPoseLoss')`` (official weights).
        loss_2d (dict, optional): Loss for 2D-only clips. Defaults to
            ``dict(type='MBPose2DLoss')`` (official, weight 1).
        rootrel (bool): Root-relative model, as the official H36M configs:
            training targets are made root-relative and predictions get a
            zero root. When False (global model) the target depth is made
            relative to the first frame's root, as the official training.
            Defaults to True.
        flip_test (bool): Average with the prediction on the mirrored input
            at test time. Defaults to True.
        gt_2d (bool): Replace predicted x, y by the input's at test time so
            only depth is estimated (official ``gt_2d``). Defaults to False.
        data_preprocessor (dict, optional): mmengine data preprocessor.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 loss: Optional[dict] = None,
                 loss_2d: Optional[dict] = None,
                 rootrel: bool = True,
                 flip_test: bool = True,
                 gt_2d: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        self.loss_module = MODELS.build(
            loss if loss is not None else dict(type='MBPoseLoss'))
        self.loss_2d_module = MODELS.build(
            loss_2d if loss_2d is not None else dict(type='MBPose2DLoss'))
        self.rootrel = rootrel
        self.flip_test = flip_test
        self.gt_2d = gt_2d

    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Motion representation (B, T, J, dim_rep) of ``inputs``."""
        return self.backbone(inputs)

    def _forward(self,
                 inputs: torch.Tensor,
                 data_samples=None) -> torch.Tensor:
        """Raw 3D output (B, T, J, 3) without test-time processing."""
        return self.head(self.extract_feat(inputs))

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[dict] = None,
                mode: str = 'tensor') -> ForwardResults:
        """Dispatch on ``mode`` as every mmengine model does.

        Args:
            inputs (Tensor): (B, T, J, C) normalized 2D keypoints + scores.
            data_samples (dict, optional): Collated targets / meta.
            mode (str): ``'tensor'`` (raw output), ``'loss'`` or
                ``'predict'``.

        Returns:
            Tensor | dict | list[dict]: Raw output, loss dict, or one dict
            ``{'pred': (T, J, 3)}`` per clip.
        """
        if mode == 'tensor':
            return self._forward(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', "
                         f'got {mode!r}')

    def make_target(self, target: torch.Tensor) -> torch.Tensor:
        """Apply the official training-target convention.

        Args:
            target (Tensor): (B, T, J, 3) normalized 3D.

        Returns:
            Tensor: Root-relative target (``rootrel``) or target whose depth
            is relative to the first frame's root (global models).
        """
        if self.rootrel:
            return target - target[:, :, 0:1, :]
        target = target.clone()
        target[..., 2] = target[..., 2] - target[:, 0:1, 0:1, 2]
        return target

    def loss(self, inputs: torch.Tensor,
             data_samples: dict) -> Dict[str, torch.Tensor]:
        """Compute the training losses.

        Args:
            inputs (Tensor): (B, T, J, C) inputs.
            data_samples (dict): ``target`` (B, T, J, 3); optionally
                ``has_3d`` (B,) and ``conf`` (B, T, J) for 2D-only clips.

        Returns:
            dict[str, Tensor]: Weighted loss terms.
        """
        if not isinstance(data_samples, dict) or 'target' not in data_samples:
            raise KeyError("MBPoseLifter.loss needs data_samples['target'] "
                           '(B, T, J, 3); use default_collate with a dataset '
                           'that provides it')
        pred = self._forward(inputs)
        target = self.make_target(data_samples['target'].to(pred.dtype))
        if target.shape != pred.shape:
            raise ValueError(f'target shape {tuple(target.shape)} does not '
                             f'match prediction {tuple(pred.shape)}')
        has_3d = data_samples.get('has_3d')
        if has_3d is None or bool(has_3d.all()):
            return self.loss_module(pred, target)
        has_3d = has_3d.to(torch.bool)
        losses = {}
        if bool(has_3d.any()):
            losses.update(self.loss_module(pred[has_3d], target[has_3d]))
        only_2d = ~has_3d
        conf = data_samples.get('conf')
        conf = inputs[..., 2] if conf is None else conf.to(pred.dtype)
        losses.update(
            self.loss_2d_module(pred[only_2d], target[only_2d],
                                conf[only_2d]))
        return losses

    @torch.no_grad()
    def predict(self,
                inputs: torch.Tensor,
                data_samples: Optional[dict] = None) -> List[dict]:
        """Predict 3D poses with the official test-time processing.

        Args:
            inputs (Tensor): (B, T, J, C) inputs.
            data_samples (dict, optional): Unused; kept for the interface.

        Returns:
            list[dict]: ``{'pred': Tensor (T, J, 3)}`` per clip, normalized
            space (flip-averaged, zero root when ``rootrel``).
        """
        pred = self.predict_tensor(inputs)
        return [dict(pred=p) for p in pred]

    def predict_tensor(self, inputs: torch.Tensor) -> torch.Tensor:
        """Batched test-time prediction (B, T, J, 3); see :meth:`predict`."""
        if self.flip_test:
            pred = flip_average(self._forward, inputs, batched=False)
        else:
            pred = self._forward(inputs)
        apply_root_convention(pred, self.rootrel, global_first_frame=False)
        if self.gt_2d:
            pred[..., :2] = inputs[..., :2]
        return pred

    def test_time_forward(self,
                          inputs: torch.Tensor,
                          flip_test: Optional[bool] = None,
                          rootrel: Optional[bool] = None) -> torch.Tensor:
        """The in-the-wild inferencers' test-time prediction.

        The flip test runs as one batch of 2B; the root follows the model's
        convention, a global model's depth relative to the first frame's
        pelvis (what the inferencers blend windows on).

        Args:
            inputs (Tensor): (B, T, J, C) normalized inputs.
            flip_test (bool, optional): Defaults to :attr:`flip_test`.
            rootrel (bool, optional): Defaults to :attr:`rootrel`.

        Returns:
            Tensor: (B, T, J, 3) normalized 3D.
        """
        flip = self.flip_test if flip_test is None else flip_test
        pred = (flip_average(self._forward, inputs)
                if flip else self._forward(inputs))
        return apply_root_convention(
            pred, self.rootrel if rootrel is None else rootrel)
