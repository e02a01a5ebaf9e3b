# Copyright (c) mmmotionbert contributors. All rights reserved.
"""One stream block of DSTformer: spatial and temporal attention in series."""
from typing import Callable

import torch
from mmcv.cnn.bricks import DropPath
from torch import nn

from .attention import MotionAttention
from .mlp import MotionMlp

BLOCK_ORDERS = ('st', 'ts')


class DSTformerBlock(nn.Module):
    """Spatial and temporal transformer sub-blocks applied in series.

    ``order='st'`` runs spatial attention + MLP, then temporal attention + MLP
    (the official ``stage_st`` stream); ``order='ts'`` runs them the other way
    round (``stage_ts``). Each sub-block is pre-norm with a residual.

    Args:
        dim (int): Token channels.
        num_heads (int): Attention heads.
        mlp_ratio (float): MLP hidden width as a multiple of ``dim``.
        order (str): ``'st'`` or ``'ts'``.
        qkv_bias (bool): Bias in qkv projections. Defaults to True.
        qk_scale (float, optional): Attention scale override.
        drop (float): Dropout in MLPs and after attention projections.
        attn_drop (float): Dropout on attention weights.
        drop_path (float): Stochastic depth rate for the residual branches.
        norm_layer (Callable): Builds a norm layer from ``dim``.
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 mlp_ratio: float,
                 order: str,
                 qkv_bias: bool = True,
                 qk_scale=None,
                 drop: float = 0.,
                 attn_drop: float = 0.,
                 drop_path: float = 0.,
                 norm_layer: Callable[[int], nn.Module] = nn.LayerNorm) -> None:
        super().__init__()
        if order not in BLOCK_ORDERS:
            raise ValueError(f'order must be one of {BLOCK_ORDERS}, '
                             f'got {order!r}')
        self.order = order
        attn_kwargs = dict(
            num_heads=num_heads,
            qkv_bias=qkv_bias,
            qk_scale=qk_scale,
            attn_drop=attn_drop,
            proj_drop=drop)
        hidden = int(dim * mlp_ratio)
        self.norm1_s = norm_layer(dim)
        self.norm1_t = norm_layer(dim)
        self.attn_s = MotionAttention(dim, mode='spatial', **attn_kwargs)
        self.attn_t = MotionAttention(dim, mode='temporal', **attn_kwargs)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.norm2_s = norm_layer(dim)
        self.norm2_t = norm_layer(dim)
        self.mlp_s = MotionMlp(dim, hidden, drop=drop)
        self.mlp_t = MotionMlp(dim, hidden, drop=drop)

    def _spatial(self, x: torch.Tensor, seqlen: int) -> torch.Tensor:
        x = x + self.drop_path(self.attn_s(self.norm1_s(x), seqlen))
        return x + self.drop_path(self.mlp_s(self.norm2_s(x)))

    def _temporal(self, x: torch.Tensor, seqlen: int) -> torch.Tensor:
        x = x + self.drop_path(self.attn_t(self.norm1_t(x), seqlen))
        return x + self.drop_path(self.mlp_t(self.norm2_t(x)))

    def forward(self, x: torch.Tensor, seqlen: int) -> torch.Tensor:
        """Run the two sub-blocks in this block's order.

        Args:
            x (Tensor): (B*T, J, C) tokens.
            seqlen (int): T.

        Returns:
            Tensor: (B*T, J, C).
        """
        if self.order == 'st':
            return self._temporal(self._spatial(x, seqlen), seqlen)
        return self._spatial(self._temporal(x, seqlen), seqlen)
