# Copyright (c) mmmotionbert contributors. All rights reserved.
"""DSTformer: the dual-stream spatio-temporal transformer of MotionBERT.

May import: torch, mmengine, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils.official` (lazily) and :mod:`..layers`; never ``apis``
or ``datasets``.
"""
from functools import partial
from typing import Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn
from torch.utils.checkpoint import checkpoint

from mmmotionbert.registry import register_shared_model
from ..layers import DSTformerBlock
from ..layers.concurrent_streams import run_streams
from ..layers.fused_ops import fused_linear, is_tracing
from ..layers.per_clip import per_clip


@register_shared_model
class MBDSTformer(BaseModule):
    """MotionBERT's DSTformer backbone (registered as ``MBDSTformer``).

    Embeds every joint of every frame, adds learned spatial (per joint) and
    temporal (per frame) position embeddings, then runs ``depth`` layers of
    two parallel streams -- spatial-then-temporal and temporal-then-spatial
    blocks -- fused by learned per-token softmax weights. A final LayerNorm
    and ``pre_logits`` (Linear + Tanh) give the motion representation, the
    output of the official ``DSTformer.get_representation``. The official 3D
    output layer (``head``) lives in :class:`MBPoseHead`.

    The name differs from mmpose's own ``DSTFormer`` on purpose: both can be
    registered side by side. Parameter names equal the official ones, so an
    official state dict loads after dropping its ``module.`` prefix and its
    ``head.*`` keys (see :mod:`mmmotionbert.utils.official`).

    Args:
        dim_in (int): Input channels per joint (x, y, confidence). Defaults
            to 3.
        dim_out (int): Kept for signature compatibility with the official
            constructor; the output layer belongs to the head. Defaults to 3.
        dim_feat (int): Token channels. Defaults to 256.
        dim_rep (int): Representation channels; 0 disables ``pre_logits``.
            Defaults to 512.
        depth (int): Number of dual-stream layers. Defaults to 5.
        num_heads (int): Attention heads. Defaults to 8.
        mlp_ratio (float): MLP hidden width / ``dim_feat``. Defaults to 4.
        num_joints (int): Joints per frame. Defaults to 17.
        maxlen (int): Longest clip (frames) the temporal embedding covers.
            Defaults to 243.
        qkv_bias (bool): Bias in qkv projections. Defaults to True.
        qk_scale (float, optional): Attention scale override.
        drop_rate (float): Dropout rate. Defaults to 0.
        attn_drop_rate (float): Attention-weight dropout rate. Defaults to 0.
        drop_path_rate (float): Largest stochastic depth rate (linearly
            increasing over layers). Defaults to 0.
        norm_eps (float): LayerNorm epsilon; the official builder uses 1e-6.
        att_fuse (bool): Learned fusion of the two streams; False averages
            them. Defaults to True.
        with_cp (bool): Memory-lean training: keep only each dual-stream
            layer's input during the forward pass and recompute the layer's
            activations in the backward pass (activation checkpointing per
            layer, ``torch.utils.checkpoint``). Outputs and gradients are
            unchanged; training takes about one more forward pass of time.
            Only active in training mode with gradients enabled. Defaults
            to False.
        weight_init (str): ``'official'`` (truncated normal, std 0.02, as
            the official code) or ``'xavier'`` (Xavier-uniform weights of
            every linear layer). Training from scratch on little data, the
            official init spends hundreds of iterations predicting zero
            depth before the attention learns which joint is which;
            ``'xavier'`` with a larger ``pos_embed_std`` shortens that
            plateau (see configs/pretrain/README.md). Defaults to
            ``'official'``.
        pos_embed_std (float): Std of the joint (spatial) position
            embedding at init. Defaults to 0.02 (official).
        init_cfg (dict, optional): ``dict(type='Pretrained',
            checkpoint=PATH)`` loads backbone weights from an official
            MotionBERT checkpoint (``latest_epoch.bin``, any task) or from an
            mmmotionbert / mmengine checkpoint. Add ``strict=False`` to skip
            missing or mismatched keys with a warning.
    """

    def __init__(self,
                 dim_in: int = 3,
                 dim_out: int = 3,
                 dim_feat: int = 256,
                 dim_rep: int = 512,
                 depth: int = 5,
                 num_heads: int = 8,
                 mlp_ratio: float = 4,
                 num_joints: int = 17,
                 maxlen: int = 243,
                 qkv_bias: bool = True,
                 qk_scale: Optional[float] = None,
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 norm_eps: float = 1e-6,
                 att_fuse: bool = True,
                 with_cp: bool = False,
                 weight_init: str = 'official',
                 pos_embed_std: float = 0.02,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if weight_init not in ('official', 'xavier'):
            raise ValueError("weight_init must be 'official' or 'xavier', "
                             f'got {weight_init!r}')
        if not pos_embed_std > 0:
            raise ValueError(
                f'pos_embed_std must be > 0, got {pos_embed_std}')
        self.dim_in = dim_in
        self.dim_feat = dim_feat
        self.dim_rep = dim_rep if dim_rep else dim_feat
        self.num_joints = num_joints
        self.maxlen = maxlen
        self.att_fuse = att_fuse
        self.with_cp = with_cp
        norm_layer = partial(nn.LayerNorm, eps=norm_eps)

        self.joints_embed = nn.Linear(dim_in, dim_feat)
        self.pos_drop = nn.Dropout(p=drop_rate)
        rates = torch.linspace(0, drop_path_rate, depth).tolist()
        block = partial(
            DSTformerBlock,
            dim=dim_feat,
            num_heads=num_heads,
            mlp_ratio=mlp_ratio,
            qkv_bias=qkv_bias,
            qk_scale=qk_scale,
            drop=drop_rate,
            attn_drop=attn_drop_rate,
            norm_layer=norm_layer)
        self.blocks_st = nn.ModuleList(
            [block(order='st', drop_path=r) for r in rates])
        self.blocks_ts = nn.ModuleList(
            [block(order='ts', drop_path=r) for r in rates])
        self.norm = norm_layer(dim_feat)
        if dim_rep:
            self.pre_logits = nn.Sequential()
            self.pre_logits.add_module('fc', nn.Linear(dim_feat, dim_rep))
            self.pre_logits.add_module('act', nn.Tanh())
        else:
            self.pre_logits = nn.Identity()
        self.temp_embed = nn.Parameter(torch.zeros(1, maxlen, 1, dim_feat))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_joints, dim_feat))
        if att_fuse:
            self.ts_attn = nn.ModuleList(
                [nn.Linear(dim_feat * 2, 2) for _ in range(depth)])
        # compute the first LayerNorm + qkv projection of both streams of a
        # layer together (see first_qkv_weights); False runs them separately
        self._share_first_norm = True
        self._official_init()
        if weight_init == 'xavier':
            for m in self.modules():
                if isinstance(m, nn.Linear):
                    nn.init.xavier_uniform_(m.weight)
        if pos_embed_std != 0.02:
            nn.init.trunc_normal_(
                self.pos_embed, std=pos_embed_std, a=-2 * pos_embed_std,
                b=2 * pos_embed_std)

    def _official_init(self) -> None:
        """Initialise like the official code (truncated normal, std 0.02)."""
        nn.init.trunc_normal_(self.temp_embed, std=.02)
        nn.init.trunc_normal_(self.pos_embed, std=.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        if self.att_fuse:
            for fuse in self.ts_attn:
                nn.init.zeros_(fuse.weight)
                nn.init.constant_(fuse.bias, 0.5)

    def init_weights(self) -> None:
        """Load pretrained weights when ``init_cfg`` asks for them.

        Official MotionBERT checkpoints are not mmengine checkpoints, so a
        ``Pretrained`` init_cfg is handled here instead of by mmengine.
        """
        cfg = self.init_cfg
        if isinstance(cfg, dict) and cfg.get('type') == 'Pretrained':
            from mmmotionbert.utils.official import load_backbone_weights
            load_backbone_weights(
                self, cfg['checkpoint'], strict=cfg.get('strict', True))
            self._is_init = True
            return
        super().init_weights()

    def check_input(self, x: torch.Tensor) -> None:
        """Raise ``ValueError`` for inputs the model cannot handle.

        Args:
            x (Tensor): Candidate input.
        """
        if not isinstance(x, torch.Tensor):
            raise TypeError(f'MBDSTformer expects a torch.Tensor of shape '
                            f'(B, T, J, C), got {type(x).__name__}')
        if x.dim() != 4:
            raise ValueError(
                f'MBDSTformer expects input of shape (B, T, J, C) = '
                f'(batch, frames, {self.num_joints} joints, {self.dim_in} '
                f'channels), got a {x.dim()}-D tensor of shape '
                f'{tuple(x.shape)}')
        _, t, j, c = x.shape
        if j != self.num_joints:
            raise ValueError(
                f'MBDSTformer was built for {self.num_joints} joints, got '
                f'input with {j} joints (shape {tuple(x.shape)}); convert '
                f'keypoints to H36M-17 first')
        if c != self.dim_in:
            raise ValueError(
                f'MBDSTformer expects {self.dim_in} channels per joint, got '
                f'{c} (shape {tuple(x.shape)})')
        if t < 1 or t > self.maxlen:
            raise ValueError(
                f'MBDSTformer accepts 1 <= T <= maxlen={self.maxlen} frames, '
                f'got T={t}; split longer sequences into windows '
                f'(mmmotionbert.apis does this for inference)')
        if not is_tracing() and not torch.isfinite(x).all():
            bad = (~torch.isfinite(x)).nonzero()[0].tolist()
            raise ValueError(
                f'MBDSTformer input contains NaN or Inf (first at index '
                f'{bad}); mask missing keypoints with zeros and confidence 0 '
                f'instead')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute the motion representation.

        Args:
            x (Tensor): (B, T, J, dim_in) keypoints, e.g. normalized 2D
                coordinates plus confidence, with 1 <= T <= maxlen.

        Returns:
            Tensor: (B, T, J, dim_rep) representation.
        """
        self.check_input(x)
        # CPU inference runs one clip at a time: same result, faster
        return per_clip(self._forward_clips, x)

    def _forward_clips(self, x: torch.Tensor) -> torch.Tensor:
        """:meth:`forward` on checked input, all clips of ``x`` together."""
        b, t, j, _ = x.shape
        x = self.joints_embed(x) + self.pos_embed
        x = x + self.temp_embed[:, :t]
        x = self.pos_drop(x.reshape(b * t, j, self.dim_feat))
        checkpointing = (self.with_cp and self.training
                         and torch.is_grad_enabled())
        for idx in range(len(self.blocks_st)):
            if checkpointing:
                x = checkpoint(self._layer, x, t, idx, use_reentrant=False)
            else:
                x = self._layer(x, t, idx)
        x = self.norm(x).reshape(b, t, j, self.dim_feat)
        return self.pre_logits(x)

    def first_qkv_weights(self, idx: int) -> tuple:
        """Folded weights of the first qkv projection of both streams.

        Both streams of a layer start from the same tokens: the spatial
        attention of ``blocks_st[idx]`` and the temporal attention of
        ``blocks_ts[idx]`` normalise ``x`` with their own LayerNorm, then
        project it. The normalisation statistics are computed once and each
        LayerNorm's affine part is folded into its qkv weights:
        ``LN(x) @ W.T + c = x_hat @ (W * g).T + (W @ beta + c)`` with
        ``x_hat`` the normalised, not yet scaled, tokens. The two
        projections stay two GEMMs, one per stream, rather than one twice
        as wide: on CPU the wide output (50 MB for the full model at T=243)
        would be mapped and page-faulted afresh on every call (above glibc's
        mmap threshold), and each stream's GEMM runs in that stream's thread
        (:func:`run_streams`).

        Args:
            idx (int): Layer index.

        Returns:
            tuple: ``(weight, bias)`` of ``blocks_st[idx]`` and of
            ``blocks_ts[idx]``: a stream's qkv features are
            ``fused_linear(x_hat, weight, bias)``.
        """
        blk_st, blk_ts = self.blocks_st[idx], self.blocks_ts[idx]
        folded = []
        for norm, lin in ((blk_st.norm1_s, blk_st.attn_s.qkv),
                          (blk_ts.norm1_t, blk_ts.attn_t.qkv)):
            bias = lin.weight @ norm.bias
            folded.append((lin.weight * norm.weight,
                           bias if lin.bias is None else bias + lin.bias))
        return tuple(folded)

    def _layer(self, x: torch.Tensor, seqlen: int, idx: int) -> torch.Tensor:
        """One dual-stream layer: both streams and their fusion.

        Args:
            x (Tensor): (B*T, J, C) tokens.
            seqlen (int): T.
            idx (int): Layer index.

        Returns:
            Tensor: (B*T, J, C).
        """
        blk_st, blk_ts = self.blocks_st[idx], self.blocks_ts[idx]
        if self._share_first_norm:
            qkv_st, qkv_ts = self.first_qkv_weights(idx)
            x_hat = F.layer_norm(
                x, (self.dim_feat, ), eps=blk_st.norm1_s.eps)

            def stream_st():
                return blk_st(x, seqlen, fused_linear(x_hat, *qkv_st))

            def stream_ts():
                return blk_ts(x, seqlen, fused_linear(x_hat, *qkv_ts))
        else:
            stream_st = partial(blk_st, x, seqlen)
            stream_ts = partial(blk_ts, x, seqlen)
        # on CPU inference the two streams run concurrently
        x_st, x_ts = run_streams(x, stream_st, stream_ts)
        if not self.att_fuse:
            return (x_st + x_ts) * 0.5
        # softmax over two logits == sigmoid of their difference, and
        # a * x_st + (1 - a) * x_ts == lerp(x_ts, x_st, a): no concat, one
        # fused pass for the mix.
        fuse = self.ts_attn[idx]
        dw = fuse.weight[0] - fuse.weight[1]
        c = self.dim_feat
        logit = x_st @ dw[:c] + x_ts @ dw[c:] + (fuse.bias[0] - fuse.bias[1])
        # under autocast the streams and the logit may differ in dtype
        dtype = torch.promote_types(x_st.dtype, x_ts.dtype)
        return torch.lerp(
            x_ts.to(dtype), x_st.to(dtype),
            torch.sigmoid(logit).unsqueeze(-1).to(dtype))
