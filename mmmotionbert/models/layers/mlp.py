# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Feed-forward block used inside DSTformer blocks.

May import: torch and :mod:`.fused_ops`; never ``apis`` or ``datasets``.
"""
from typing import Optional

import torch
from torch import nn

from .fused_ops import fused_linear


class MotionMlp(nn.Module):
    """Two-layer perceptron ``fc1 -> GELU -> dropout -> fc2 -> dropout``.

    Parameter names (``fc1``, ``fc2``) follow the official MotionBERT ``MLP`` so
    official checkpoints load without renaming.

    Args:
        in_features (int): Input channels.
        hidden_features (int, optional): Hidden channels. Defaults to
            ``in_features``.
        out_features (int, optional): Output channels. Defaults to
            ``in_features``.
        drop (float): Dropout rate after each linear layer. Defaults to 0.
    """

    def __init__(self,
                 in_features: int,
                 hidden_features: Optional[int] = None,
                 out_features: Optional[int] = None,
                 drop: float = 0.) -> None:
        super().__init__()
        hidden_features = hidden_features or in_features
        out_features = out_features or in_features
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_features, out_features)
        self.drop = nn.Dropout(drop)

    def forward(self,
                x: torch.Tensor,
                residual: Optional[torch.Tensor] = None,
                out: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Apply the MLP on the last dimension, optionally plus a residual.

        The GELU and the residual add are fused into the linear layers when
        possible (see
        :func:`~mmmotionbert.models.layers.fused_ops.fused_linear`).

        Args:
            x (Tensor): (..., in_features).
            residual (Tensor, optional): (..., out_features) added to the
                output.
            out (Tensor, optional): Contiguous tensor to write the result
                into (inference without gradients only).

        Returns:
            Tensor: (..., out_features).
        """
        hidden = self.drop(
            fused_linear(x, self.fc1.weight, self.fc1.bias, act='gelu'))
        if self.drop.p > 0 and self.training:
            if out is not None:
                raise ValueError('MotionMlp: out= is for inference; this '
                                 'MLP is training with dropout')
            y = self.drop(fused_linear(hidden, self.fc2.weight,
                                       self.fc2.bias))
            return y if residual is None else residual + y
        return fused_linear(
            hidden, self.fc2.weight, self.fc2.bias, residual=residual,
            out=out)
