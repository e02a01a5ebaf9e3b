# Copyright (c) mmmotionbert contributors. All rights reserved.
"""DSTformer: the dual-stream spatio-temporal transformer of MotionBERT."""
from functools import partial
from typing import Optional, Union

import torch
from mmengine.model import BaseModule
from torch import nn

from mmmotionbert.registry import register_shared_model
from ..layers import DSTformerBlock


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
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.dim_in = dim_in
        self.dim_feat = dim_feat
        self.dim_rep = dim_rep if dim_rep else dim_feat
        self.num_joints = num_joints
        self.maxlen = maxlen
        self.att_fuse = att_fuse
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
        self._official_init()

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
        if not torch.isfinite(x).all():
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
        b, t, j, _ = x.shape
        x = self.joints_embed(x) + self.pos_embed
        x = x + self.temp_embed[:, :t]
        x = self.pos_drop(x.reshape(b * t, j, self.dim_feat))
        for idx, (blk_st, blk_ts) in enumerate(
                zip(self.blocks_st, self.blocks_ts)):
            x_st = blk_st(x, t)
            x_ts = blk_ts(x, t)
            if self.att_fuse:
                alpha = self.ts_attn[idx](torch.cat([x_st, x_ts], dim=-1))
                alpha = alpha.softmax(dim=-1)
                x = x_st * alpha[..., 0:1] + x_ts * alpha[..., 1:2]
            else:
                x = (x_st + x_ts) * 0.5
        x = self.norm(x).reshape(b, t, j, self.dim_feat)
        return self.pre_logits(x)
