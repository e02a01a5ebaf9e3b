# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Spatial and temporal multi-head self-attention over (B*T, J, C) tokens."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

ATTENTION_MODES = ('spatial', 'temporal')


class MotionAttention(nn.Module):
    """Multi-head self-attention along joints or along time.

    Tokens arrive as ``(B*T, J, C)``. ``mode='spatial'`` attends among the J
    joints of each frame; ``mode='temporal'`` attends among the T frames of
    each joint. Parameter names (``qkv``, ``proj``) and the head split of the
    fused ``qkv`` projection follow the official MotionBERT ``Attention``.

    Args:
        dim (int): Token channels C.
        num_heads (int): Number of heads; must divide ``dim``.
        mode (str): ``'spatial'`` or ``'temporal'``.
        qkv_bias (bool): Bias in the qkv projection. Defaults to True.
        qk_scale (float, optional): Attention scale. Defaults to
            ``head_dim ** -0.5``.
        attn_drop (float): Dropout on attention weights. Defaults to 0.
        proj_drop (float): Dropout after the output projection. Defaults to 0.
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 mode: str = 'spatial',
                 qkv_bias: bool = True,
                 qk_scale: Optional[float] = None,
                 attn_drop: float = 0.,
                 proj_drop: float = 0.) -> None:
        super().__init__()
        if mode not in ATTENTION_MODES:
            raise ValueError(f'mode must be one of {ATTENTION_MODES}, '
                             f'got {mode!r}')
        if dim % num_heads != 0:
            raise ValueError(f'dim ({dim}) must be divisible by num_heads '
                             f'({num_heads})')
        self.mode = mode
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = qk_scale or self.head_dim**-0.5
        self.attn_drop = attn_drop
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x: torch.Tensor, seqlen: int) -> torch.Tensor:
        """Attend spatially or temporally.

        Args:
            x (Tensor): (B*T, J, C) tokens, frames of one clip contiguous.
            seqlen (int): T, the number of frames per clip.

        Returns:
            Tensor: (B*T, J, C).
        """
        bt, joints, channels = x.shape
        heads, hd = self.num_heads, self.head_dim
        qkv = self.qkv(x)
        if self.mode == 'spatial':
            # (BT, J, 3, H, d) -> (3, BT, H, J, d)
            qkv = qkv.reshape(bt, joints, 3, heads, hd).permute(2, 0, 3, 1, 4)
        else:
            # (B, T, J, 3, H, d) -> (3, B, H, J, T, d)
            qkv = qkv.reshape(bt // seqlen, seqlen, joints, 3, heads,
                              hd).permute(3, 0, 4, 2, 1, 5)
        q, k, v = qkv.unbind(0)
        out = F.scaled_dot_product_attention(
            q,
            k,
            v,
            dropout_p=self.attn_drop if self.training else 0.,
            scale=self.scale)
        if self.mode == 'spatial':
            out = out.transpose(1, 2).reshape(bt, joints, channels)
        else:
            # (B, H, J, T, d) -> (B, T, J, H, d)
            out = out.permute(0, 3, 2, 1, 4).reshape(bt, joints, channels)
        return self.proj_drop(self.proj(out))
