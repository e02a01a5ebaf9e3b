# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The 3D pose output layer on top of the motion representation.

May import: torch, mmengine and :mod:`mmmotionbert.registry`; never ``apis`` or
``datasets``.
"""
import torch
from mmengine.model import BaseModule
from torch import nn

from mmmotionbert.registry import register_shared_model


@register_shared_model
class MBPoseHead(BaseModule):
    """Linear map from the representation to per-joint 3D coordinates.

    This is the official DSTformer ``head`` layer, split off the backbone.

    Args:
        dim_rep (int): Representation channels. Defaults to 512.
        dim_out (int): Output channels per joint. Defaults to 3.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 dim_rep: int = 512,
                 dim_out: int = 3,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.fc = nn.Linear(dim_rep, dim_out)
        nn.init.trunc_normal_(self.fc.weight, std=.02)
        nn.init.zeros_(self.fc.bias)

    def forward(self, rep: torch.Tensor) -> torch.Tensor:
        """Regress coordinates.

        Args:
            rep (Tensor): (B, T, J, dim_rep) representation.

        Returns:
            Tensor: (B, T, J, dim_out) coordinates.
        """
        return self.fc(rep)
