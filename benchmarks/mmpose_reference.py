# Copyright (c) mmmotionbert contributors. All rights reserved.
"""mmpose's ``DSTFormer`` as the in-run reference for our benchmarks.

mmpose 1.3.2 ships its own port of the official DSTformer. Its parameter
names differ from the official ones (which :class:`MBDSTformer` keeps), and
its backbone stops after the final LayerNorm, so :class:`MMPoseDSTformer`
wraps it with the official ``pre_logits`` (Linear + Tanh) to compute the
same representation as :class:`MBDSTformer`. :func:`ours_to_mmpose` maps a
state dict of ours (or an official backbone state dict, whose keys are the
same) onto it.
"""
from collections import OrderedDict
from typing import Dict

import torch
from torch import nn

def ours_to_mmpose(state_dict: Dict[str, torch.Tensor]
                   ) -> Dict[str, torch.Tensor]:
    """Rename an :class:`MBDSTformer` state dict for :class:`MMPoseDSTformer`.

    Args:
        state_dict (dict): Our (= official backbone) state dict.

    Returns:
        dict: The same tensors under mmpose's names (the package's mapping,
        :mod:`mmmotionbert.utils.mmpose_checkpoint`).
    """
    from mmmotionbert.utils.mmpose_checkpoint import \
        official_backbone_to_mmpose
    out = OrderedDict(
        ('dstformer.' + k, v)
        for k, v in official_backbone_to_mmpose(state_dict).items())
    out.update((k, v) for k, v in state_dict.items()
               if k.startswith('pre_logits.fc.'))
    return out


class MMPoseDSTformer(nn.Module):
    """mmpose's ``DSTFormer`` followed by the official ``pre_logits``.

    Args:
        dim_feat (int): Token channels.
        dim_rep (int): Representation channels.
        depth (int): Dual-stream layers.
        num_heads (int): Attention heads.
        mlp_ratio (float): MLP width ratio.
        maxlen (int): Longest clip.
        num_joints (int): Joints per frame.
    """

    def __init__(self,
                 dim_feat: int = 256,
                 dim_rep: int = 512,
                 depth: int = 5,
                 num_heads: int = 8,
                 mlp_ratio: float = 4,
                 maxlen: int = 243,
                 num_joints: int = 17) -> None:
        super().__init__()
        from mmpose.models.backbones.dstformer import DSTFormer
        self.dstformer = DSTFormer(
            in_channels=3,
            feat_size=dim_feat,
            depth=depth,
            num_heads=num_heads,
            mlp_ratio=mlp_ratio,
            num_keypoints=num_joints,
            seq_len=maxlen)
        self.pre_logits = nn.Sequential()
        self.pre_logits.add_module('fc', nn.Linear(dim_feat, dim_rep))
        self.pre_logits.add_module('act', nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, J, 3) -> (B, T, J, dim_rep)."""
        return self.pre_logits(self.dstformer(x))


def build_mmpose_twin(model: nn.Module) -> MMPoseDSTformer:
    """mmpose model with the same architecture and weights as ``model``.

    Args:
        model (MBDSTformer): Our backbone.

    Returns:
        MMPoseDSTformer: The twin, in ``model``'s train/eval mode.
    """
    blk = model.blocks_st[0]
    twin = MMPoseDSTformer(
        dim_feat=model.dim_feat,
        dim_rep=model.dim_rep,
        depth=len(model.blocks_st),
        num_heads=blk.attn_s.num_heads,
        mlp_ratio=blk.mlp_s.fc1.out_features / model.dim_feat,
        maxlen=model.maxlen,
        num_joints=model.num_joints)
    twin.load_state_dict(ours_to_mmpose(model.state_dict()), strict=True)
    twin.train(model.training)
    return twin
