# Copyright (c) mmmotionbert contributors. All rights reserved.
"""``load_official_model(ckpt, task='action')``: official action networks.

Official ``train_action.py`` / ``train_action_1shot.py`` checkpoints hold
``model`` with ``module.backbone.*`` and ``module.head.*``; the head is the
classification head (``fc1``, ``bn``, ``fc2``) or the one-shot embedding head
(``fc1`` only). The version and every head width are read off the weights,
so the official quirk that ``ActionNet`` builds its classification head with
width 2048 whatever ``hidden_dim`` says needs no special case.

May import: torch, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils.official` and :mod:`.official`; as part of ``apis``,
every layer.
"""
from typing import Optional

from torch import nn

from mmmotionbert.registry import ACTION_MODELS
from mmmotionbert.utils.official import official_task_to_ours
from .official import register_official_task

__all__ = ['build_official_action']


def official_action_head_cfg(state_dict: dict,
                             dim_rep: int,
                             version: Optional[str] = None,
                             dropout_ratio: float = 0.) -> dict:
    """Head config matching the ``head.*`` weights of an official action net.

    Args:
        state_dict (dict): Our-key state dict (``head.fc1.weight``...).
        dim_rep (int): Backbone representation channels.
        version (str, optional): ``'class'`` or ``'embed'``; detected from
            the keys when None (``head.fc2`` -> class).
        dropout_ratio (float): Head dropout (training only). Defaults to 0.

    Returns:
        dict: ``MBActionHead`` or ``MBActionEmbedHead`` config.
    """
    if 'head.fc1.weight' not in state_dict:
        raise KeyError(
            'not an official action checkpoint: no '
            'module.head.fc1.weight (heads: '
            f'{sorted(k for k in state_dict if k.startswith("head."))}'
            ')')
    detected = 'class' if 'head.fc2.weight' in state_dict else 'embed'
    if version is None:
        version = detected
    if version not in ('class', 'embed'):
        raise ValueError(f"version must be 'class' or 'embed', got "
                         f'{version!r}')
    if version != detected:
        raise ValueError(f'version={version!r} does not match the '
                         f'checkpoint, whose head is the {detected!r} head')
    hidden_dim, in_features = state_dict['head.fc1.weight'].shape
    if not dim_rep or in_features % dim_rep:
        raise ValueError(f'head.fc1 takes {in_features} features, not a '
                         f'multiple of the backbone dim_rep {dim_rep}')
    cfg = dict(
        dim_rep=dim_rep,
        num_joints=in_features // dim_rep,
        hidden_dim=int(hidden_dim),
        dropout_ratio=dropout_ratio)
    if version == 'class':
        cfg.update(
            type='MBActionHead',
            num_classes=int(state_dict['head.fc2.weight'].shape[0]))
    else:
        cfg.update(type='MBActionEmbedHead')
    return cfg


@register_official_task('action')
def build_official_action(ckpt: dict,
                          backbone_cfg: dict,
                          version: Optional[str] = None,
                          dropout_ratio: float = 0.) -> nn.Module:
    """Build :class:`MBRecognizer` from an official action checkpoint.

    ``model(x)`` with x (N, M, T, 17, 3) then equals the official
    ``ActionNet(x)``: logits (N, num_classes) or unit embeddings (N, D).

    Args:
        ckpt (dict): Official checkpoint (``'model'`` key).
        backbone_cfg (dict): ``MBDSTformer`` config read off the weights.
        version (str, optional): ``'class'`` / ``'embed'``; detected from
            the keys when None.
        dropout_ratio (float): Head dropout for further training. Defaults
            to 0.

    Returns:
        nn.Module: The recognizer with the weights loaded strictly.
    """
    state_dict = official_task_to_ours(ckpt)
    head = official_action_head_cfg(state_dict, backbone_cfg['dim_rep'],
                                    version, dropout_ratio)
    if head['num_joints'] != backbone_cfg.get('num_joints', 17):
        raise ValueError(
            f'head.fc1 implies {head["num_joints"]} joints, the backbone '
            f'has {backbone_cfg.get("num_joints")}')
    model = ACTION_MODELS.build(
        dict(
            type='MBRecognizer',
            backbone=backbone_cfg,
            head=head,
            _scope_='mmaction'))
    model.load_state_dict(state_dict, strict=True)
    return model
