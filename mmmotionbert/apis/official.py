# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Build our models from official MotionBERT checkpoints.

May import: torch, :mod:`mmmotionbert.registry` and
:mod:`mmmotionbert.utils.official`; as part of ``apis``, every layer.
"""
from typing import Any, Callable, Dict

from torch import nn

from mmmotionbert.registry import MODELS, OFFICIAL_TASKS
from mmmotionbert.utils.official import (backbone_state_dict,
                                         infer_dstformer_kwargs,
                                         load_checkpoint_dict,
                                         official_pose_to_ours)

#: DSTformer constructor arguments of the official class and their mapping.
OFFICIAL_BACKBONE_KWARGS = ('dim_in', 'dim_out', 'dim_feat', 'dim_rep',
                            'depth', 'num_heads', 'mlp_ratio', 'num_joints',
                            'maxlen', 'qkv_bias', 'qk_scale', 'drop_rate',
                            'attn_drop_rate', 'drop_path_rate', 'att_fuse',
                            'norm_eps')
# OFFICIAL_TASKS (the mmengine Registry of mmmotionbert.registry): task name
# -> builder(checkpoint dict, backbone cfg, **kwargs) -> model


def register_official_task(name: str, force: bool = True) -> Callable:
    """Register a builder for ``load_official_model(..., task=name)``.

    The builder is called as ``builder(ckpt, backbone_cfg, **task_kwargs)``
    with the loaded official checkpoint dict and the backbone config, and
    returns the model with the weights loaded (strictly).

    Args:
        name (str): Task name.
        force (bool): Replace a builder already registered under ``name``
            (False: KeyError instead). Defaults to True.

    Returns:
        Callable: Decorator registering the builder; it returns the builder
        unchanged.
    """
    return OFFICIAL_TASKS.register_module(name=name, force=force)


def official_backbone_cfg(state_dict: Dict[str, Any], **kwargs) -> dict:
    """Backbone config from checkpoint shapes, overridden by ``kwargs``.

    Args:
        state_dict (dict): Backbone state dict.
        **kwargs: Official DSTformer constructor arguments. ``norm_layer``
            (a ``partial(nn.LayerNorm, eps=...)``) is accepted and turned
            into ``norm_eps``.

    Returns:
        dict: ``dict(type='MBDSTformer', ...)``.
    """
    norm_layer = kwargs.pop('norm_layer', None)
    if norm_layer is not None:
        kwargs['norm_eps'] = getattr(norm_layer, 'keywords', {}).get(
            'eps', 1e-5)
    unknown = set(kwargs) - set(OFFICIAL_BACKBONE_KWARGS)
    if unknown:
        raise TypeError(f'unknown DSTformer arguments {sorted(unknown)}; '
                        f'known: {OFFICIAL_BACKBONE_KWARGS}')
    cfg = dict(type='MBDSTformer', num_heads=8, norm_eps=1e-6)
    cfg.update(infer_dstformer_kwargs(state_dict))
    cfg.update(kwargs)
    cfg.pop('dim_out', None)
    return cfg


@register_official_task('rep')
def _build_rep(ckpt: dict, backbone_cfg: dict) -> nn.Module:
    """The backbone alone: ``model(x)`` is ``get_representation(x)``."""
    model = MODELS.build(backbone_cfg)
    model.load_state_dict(backbone_state_dict(ckpt), strict=True)
    return model


@register_official_task('pose3d')
def _build_pose3d(ckpt: dict, backbone_cfg: dict) -> nn.Module:
    """The lifter: ``model(x)`` is the official ``model_pos(x)``."""
    state_dict = official_pose_to_ours(ckpt)
    head_w = state_dict['head.fc.weight']
    model = MODELS.build(
        dict(
            type='MBPoseLifter',
            backbone=backbone_cfg,
            head=dict(
                type='MBPoseHead',
                dim_rep=head_w.shape[1],
                dim_out=head_w.shape[0]),
            flip_test=False))
    model.load_state_dict(state_dict, strict=True)
    return model


def load_official_model(checkpoint,
                        task: str = 'pose3d',
                        task_kwargs: Dict[str, Any] = None,
                        **official_kwargs) -> nn.Module:
    """Load an official MotionBERT checkpoint into an mmmotionbert model.

    Architecture arguments are read off the checkpoint's tensor shapes;
    pass the official constructor arguments (``dim_feat, dim_rep, depth,
    num_heads, mlp_ratio, maxlen, att_fuse, ...``) to override them --
    ``num_heads`` cannot be read from weights and defaults to the official 8.

    Args:
        checkpoint (str | dict): Path to an official ``*.bin`` file, or the
            loaded dict (``'model_pos'`` or ``'model'``; ``module.``
            prefixes are handled). Loaded with ``weights_only=True``.
        task (str): ``'pose3d'``: the 2D-to-3D lifter; ``model(x)`` maps
            (B, T, J, 3) to the official output (B, T, J, 3). ``'rep'``: the
            backbone; ``model(x)`` is the official ``get_representation``.
            Other tasks (see :data:`OFFICIAL_TASKS`) are registered by their
            modules.
        task_kwargs (dict, optional): Extra arguments of the task's builder
            (e.g. head settings that the weights do not show).
        **official_kwargs: Official DSTformer constructor arguments.

    Returns:
        nn.Module: The model, in eval mode, weights loaded strictly.
    """
    OFFICIAL_TASKS.import_from_location()  # the modules registering tasks
    if task not in OFFICIAL_TASKS.module_dict:
        raise ValueError('task must be one of '
                         f'{sorted(OFFICIAL_TASKS.module_dict)}, got {task!r}')
    ckpt = load_checkpoint_dict(checkpoint)
    backbone_cfg = official_backbone_cfg(
        backbone_state_dict(ckpt), **official_kwargs)
    builder = OFFICIAL_TASKS.module_dict[task]
    model = builder(ckpt, backbone_cfg, **(task_kwargs or {}))
    model.eval()
    return model
