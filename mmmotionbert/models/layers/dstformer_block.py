# Copyright (c) mmmotionbert contributors. All rights reserved.
"""One stream block of DSTformer: spatial and temporal attention in series.

May import: torch, mmcv (``DropPath``), :mod:`.attention`, :mod:`.fused_ops`
and :mod:`.mlp`; never ``apis`` or ``datasets``.
"""
from typing import Callable, Optional

import torch
from mmcv.cnn.bricks import DropPath
from torch import nn

from .attention import MotionAttention
from .fused_ops import (cpu_inference, fused_linear, plain_inplace_ok,
                        use_onednn)
from .mlp import MotionMlp

BLOCK_ORDERS = ('st', 'ts')

#: the attention modes of a block's two sub-blocks, in order, per block order
SUB_BLOCK_MODES = {
    'st': ('spatial', 'temporal'),
    'ts': ('temporal', 'spatial')
}

#: CPU inference on the plain kernels runs the MLP sub-block on chunks of
#: about this many tokens (0: never); see ``DSTformerBlock._chunk_mlp``
MLP_CHUNK_ROWS = 1024


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

    def _fuse_residual(self) -> bool:
        """Residual adds can be fused unless stochastic depth is active."""
        return not (self.training and isinstance(self.drop_path, DropPath)
                    and self.drop_path.drop_prob > 0)

    def attn_branch(self,
                    x: torch.Tensor,
                    seqlen: int,
                    mode: str,
                    qkv: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``x + attn(norm1(x))`` for the spatial or temporal sub-block.

        Args:
            x (Tensor): (B*T, J, C) tokens.
            seqlen (int): T.
            mode (str): ``'spatial'`` or ``'temporal'``.
            qkv (Tensor, optional): Precomputed ``attn.qkv(norm1(x))``
                (see ``MBDSTformer.first_qkv_weights``).

        Returns:
            Tensor: (B*T, J, C).
        """
        norm, attn = ((self.norm1_s, self.attn_s) if mode == 'spatial' else
                      (self.norm1_t, self.attn_t))
        if qkv is None:
            qkv = fused_linear(norm(x), attn.qkv.weight, attn.qkv.bias)
        out = attn.attend(qkv, seqlen)
        if self._fuse_residual():
            return attn.project(out, residual=x)
        return x + self.drop_path(attn.project(out).view(x.shape))

    def _chunk_mlp(self, x: torch.Tensor) -> bool:
        """Whether to run the MLP sub-block on chunks of tokens.

        Only for CPU inference on the plain kernels: there the GELU and the
        residual add are passes of their own, which stay in the cache when
        the hidden activations of a chunk fit in it. oneDNN fuses them into
        the GEMMs, and there the chunks' extra copy costs more than it saves.
        """
        return bool(MLP_CHUNK_ROWS and not self.training and cpu_inference(x)
                    and x.numel() // x.shape[-1] > MLP_CHUNK_ROWS
                    and not use_onednn(x) and plain_inplace_ok(x))

    def mlp_branch(self, x: torch.Tensor, mode: str) -> torch.Tensor:
        """``x + mlp(norm2(x))`` for the spatial or temporal sub-block.

        Args:
            x (Tensor): (B*T, J, C) tokens.
            mode (str): ``'spatial'`` or ``'temporal'``.

        Returns:
            Tensor: (B*T, J, C).
        """
        norm, mlp = ((self.norm2_s, self.mlp_s) if mode == 'spatial' else
                     (self.norm2_t, self.mlp_t))
        if self._fuse_residual():
            if self._chunk_mlp(x):
                flat = x.reshape(-1, x.shape[-1])
                out = torch.empty_like(flat)
                chunks = -(-flat.shape[0] // MLP_CHUNK_ROWS)
                for rows, dst in zip(flat.tensor_split(chunks),
                                     out.tensor_split(chunks)):
                    mlp(norm(rows), residual=rows, out=dst)
                return out.view(x.shape)
            return mlp(norm(x), residual=x)
        return x + self.drop_path(mlp(norm(x)))

    def forward(self,
                x: torch.Tensor,
                seqlen: int,
                qkv: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Run the two sub-blocks in this block's order.

        Args:
            x (Tensor): (B*T, J, C) tokens.
            seqlen (int): T.
            qkv (Tensor, optional): Precomputed qkv features of the first
                sub-block (spatial for ``'st'``, temporal for ``'ts'``).

        Returns:
            Tensor: (B*T, J, C).
        """
        first, second = SUB_BLOCK_MODES[self.order]
        x = self.mlp_branch(self.attn_branch(x, seqlen, first, qkv), first)
        return self.mlp_branch(self.attn_branch(x, seqlen, second), second)
