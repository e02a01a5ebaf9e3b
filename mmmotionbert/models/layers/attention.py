# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Spatial and temporal multi-head self-attention over (B*T, J, C) tokens.

May import: torch and :mod:`.fused_ops`; never ``apis`` or ``datasets``.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .fused_ops import fused_linear, is_tracing

ATTENTION_MODES = ('spatial', 'temporal')


def motion_attention(qkv: torch.Tensor,
                     mode: str,
                     num_heads: int,
                     seqlen: int,
                     scale: float,
                     dropout_p: float = 0.) -> torch.Tensor:
    """Multi-head attention among joints or frames from fused qkv features.

    Tokens are ordered (batch, frame, joint). The q, k, v heads are read as
    strided views of ``qkv``. Temporal attention hands them to
    ``F.scaled_dot_product_attention`` as 4-D tensors, so that PyTorch picks
    its fused (flash) kernel: one call per clip with the joints as the batch
    dimension. Spatial attention (17 tokens) runs as batched matmuls and a
    softmax, faster there than the flash kernel on CPU. The outputs are
    transposed back to (frame, joint) order.

    Args:
        qkv (Tensor): (B*T, J, 3*C) features laid out as the official
            ``qkv`` projection: (3, heads, head_dim) per token. May be a
            column slice of a wider tensor (row stride > 3*C).
        mode (str): ``'spatial'`` (attend among the J joints of a frame) or
            ``'temporal'`` (among the T frames of a joint).
        num_heads (int): Heads H; ``C`` must be divisible by it.
        seqlen (int): T, frames per clip.
        scale (float): Logit scale.
        dropout_p (float): Attention-weight dropout. Defaults to 0.

    Returns:
        Tensor: (B*T*J, C) contiguous, tokens in (batch, frame, joint) order.
    """
    if qkv.dim() != 3:
        raise ValueError(f'qkv must be (B*T, J, 3C), got {tuple(qkv.shape)}')
    frames, joints, width = qkv.shape
    channels = width // 3
    tokens = frames * joints
    # (BT, J, 3, H, d)
    qkv = qkv.unflatten(-1, (3, num_heads, channels // num_heads))
    if is_tracing():
        return _traceable_attention(qkv, mode, seqlen, scale, dropout_p)
    if mode == 'spatial':
        # 3 x (BT, H, J, d) strided views; among 17 joints plain batched
        # matmuls beat the flash kernel's tiling overhead
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        attn = torch.matmul(q, k.transpose(-2, -1)).mul_(scale).softmax(-1)
        if dropout_p > 0:
            attn = F.dropout(attn, dropout_p)
        out = attn @ v
        return out.transpose(1, 2).reshape(tokens, channels)
    batch = frames // seqlen
    # (B, T, J, 3, H, d) -> (3, B, J, H, T, d)
    qkv = qkv.unflatten(0, (batch, seqlen)).permute(3, 0, 2, 4, 1, 5)
    outs = []
    for b in range(batch):
        q, k, v = qkv[:, b].unbind(0)  # (J, H, T, d) each
        out = F.scaled_dot_product_attention(
            q, k, v, dropout_p=dropout_p, scale=scale)
        outs.append(out.permute(2, 0, 1, 3))  # (T, J, H, d)
    out = outs[0].unsqueeze(0) if batch == 1 else torch.stack(outs)
    return out.reshape(tokens, channels)


def _traceable_attention(qkv: torch.Tensor, mode: str, seqlen: int,
                         scale: float, dropout_p: float) -> torch.Tensor:
    """:func:`motion_attention` in plain matmul/softmax ops.

    No Python loop over the batch and no fused kernel, so that tracing,
    ``torch.export`` and ONNX export see one graph for any batch size and
    clip length.

    Args:
        qkv (Tensor): (B*T, J, 3, H, d).
        mode (str): ``'spatial'`` or ``'temporal'``.
        seqlen (int): T.
        scale (float): Logit scale.
        dropout_p (float): Attention-weight dropout.

    Returns:
        Tensor: (B*T*J, C).
    """
    frames, joints, _, heads, head_dim = qkv.shape
    if mode == 'spatial':
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # (BT, H, J, d)
    else:
        # (B, T, J, 3, H, d) -> 3 x (B, J, H, T, d)
        q, k, v = qkv.unflatten(0, (-1, seqlen)).permute(
            3, 0, 2, 4, 1, 5).unbind(0)
    attn = (q * scale) @ k.transpose(-2, -1)
    attn = F.dropout(attn.softmax(dim=-1), dropout_p, training=dropout_p > 0)
    out = attn @ v
    if mode == 'spatial':
        out = out.transpose(1, 2)  # (BT, J, H, d)
    else:
        out = out.permute(0, 3, 1, 2, 4)  # (B, T, J, H, d)
    return out.reshape(frames * joints, heads * head_dim)


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

    def attend(self, qkv: torch.Tensor, seqlen: int) -> torch.Tensor:
        """Attention from already projected qkv features.

        Args:
            qkv (Tensor): (B*T, J, 3C), possibly a column slice.
            seqlen (int): T.

        Returns:
            Tensor: (B*T*J, C) attention output before ``proj``.
        """
        return motion_attention(
            qkv,
            self.mode,
            self.num_heads,
            seqlen,
            self.scale,
            dropout_p=self.attn_drop if self.training else 0.)

    def project(self,
                out: torch.Tensor,
                residual: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``proj`` (+ dropout) of :meth:`attend`'s output, plus a residual.

        Args:
            out (Tensor): (N, C) attention output.
            residual (Tensor, optional): (..., C) tensor with N tokens added
                to the result (fused into the GEMM when no dropout is
                active); the result takes its shape.

        Returns:
            Tensor: projected tokens, shaped like ``residual`` if given,
            else (N, C).
        """
        if residual is not None:
            out = out.view(residual.shape)
        if self.proj_drop.p > 0 and self.training:
            y = self.proj_drop(fused_linear(out, self.proj.weight,
                                            self.proj.bias))
            return y if residual is None else residual + y
        return fused_linear(
            out, self.proj.weight, self.proj.bias, residual=residual)

    def forward(self, x: torch.Tensor, seqlen: int) -> torch.Tensor:
        """Attend spatially or temporally.

        Args:
            x (Tensor): (B*T, J, C) tokens, frames of one clip contiguous.
            seqlen (int): T, the number of frames per clip.

        Returns:
            Tensor: (B*T, J, C).
        """
        qkv = fused_linear(x, self.qkv.weight, self.qkv.bias)
        out = self.attend(qkv, seqlen)
        return self.project(out).view(x.shape)
