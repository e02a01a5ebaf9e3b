# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The one place that knows official MotionBERT checkpoint layouts.

Official checkpoints (``latest_epoch.bin`` / ``best_epoch.bin``) are dicts:

* pretraining and 3D pose (``train.py``): ``model_pos`` -> state dict of
  ``nn.DataParallel(DSTformer)``: keys ``module.<backbone key>`` and
  ``module.head.{weight,bias}`` (the 3D output layer);
* action and mesh (``train_action*.py``, ``train_mesh.py``): ``model`` ->
  ``module.backbone.<backbone key>`` and ``module.head.<head key>``.

mmmotionbert / mmengine checkpoints hold ``state_dict`` with ``backbone.*``
and ``head.*`` keys. Backbone keys are identical to the official DSTformer's
because :class:`MBDSTformer` keeps the official parameter names; only the
pose output layer moves (official ``head.*`` -> our ``head.fc.*``).

May import: torch, mmengine (``MMLogger``) and :mod:`.checkpoint`; no other
layer of ours.
"""
from collections import OrderedDict
from typing import Dict, Tuple, Union

import torch
from mmengine.logging import MMLogger
from torch import nn

from .checkpoint import safe_torch_load
from .mmpose_checkpoint import is_mmpose_motionbert, mmpose_to_official

StateDict = Dict[str, torch.Tensor]
CheckpointLike = Union[str, dict]


def load_checkpoint_dict(checkpoint: CheckpointLike) -> dict:
    """Return a checkpoint as a dict, loading it safely when given a path.

    Args:
        checkpoint (str | dict): Path, or an already loaded checkpoint.

    Returns:
        dict: The checkpoint.
    """
    if isinstance(checkpoint, str):
        checkpoint = safe_torch_load(checkpoint, map_location='cpu')
    if not isinstance(checkpoint, dict):
        raise TypeError(f'a checkpoint must be a dict (or a path to one), '
                        f'got {type(checkpoint).__name__}')
    return checkpoint


def split_checkpoint(checkpoint: CheckpointLike) -> Tuple[str, StateDict]:
    """Find the state dict in any supported checkpoint and name its format.

    Args:
        checkpoint (str | dict): Path or loaded checkpoint.

    Returns:
        tuple[str, dict]: ``(fmt, state_dict)`` with ``module.`` prefixes
        removed; ``fmt`` is ``'official_pose'`` (``model_pos``: pretraining
        or 3D pose), ``'official_task'`` (``model``: action / mesh) or
        ``'mmengine'`` (``state_dict``, or a bare state dict). A checkpoint
        of mmpose's MotionBERT port (``PoseLifter`` with ``DSTFormer``,
        recognised by its keys, see :mod:`.mmpose_checkpoint`) is returned
        as ``'official_pose'`` in the official key layout.
    """
    ckpt = load_checkpoint_dict(checkpoint)
    if 'model_pos' in ckpt:
        fmt, sd = 'official_pose', ckpt['model_pos']
    elif 'model' in ckpt and isinstance(ckpt['model'], dict):
        fmt, sd = 'official_task', ckpt['model']
    elif 'state_dict' in ckpt:
        fmt, sd = 'mmengine', ckpt['state_dict']
    elif ckpt and all(isinstance(v, torch.Tensor) for v in ckpt.values()):
        fmt, sd = 'mmengine', ckpt
    else:
        raise KeyError(
            'unrecognised checkpoint: expected one of the keys '
            "'model_pos' (official pose/pretrain), 'model' (official "
            "action/mesh) or 'state_dict' (mmengine), found "
            f'{sorted(ckpt)[:10]}')
    sd = strip_prefix(sd, 'module.')
    if fmt == 'mmengine' and is_mmpose_motionbert(sd):
        fmt, sd = 'official_pose', mmpose_to_official(sd)
    return fmt, sd


def strip_prefix(state_dict: StateDict, prefix: str) -> StateDict:
    """Remove ``prefix`` from every key that has it (others are kept)."""
    return OrderedDict((k[len(prefix):] if k.startswith(prefix) else k, v)
                       for k, v in state_dict.items())


def backbone_state_dict(checkpoint: CheckpointLike) -> StateDict:
    """Extract DSTformer backbone weights from any supported checkpoint.

    Args:
        checkpoint (str | dict): Official (any task) or mmengine checkpoint.

    Returns:
        dict: Backbone state dict with :class:`MBDSTformer` key names.
    """
    fmt, sd = split_checkpoint(checkpoint)
    if fmt == 'official_pose':
        return OrderedDict(
            (k, v) for k, v in sd.items() if not k.startswith('head.'))
    backbone = OrderedDict((k[len('backbone.'):], v) for k, v in sd.items()
                           if k.startswith('backbone.'))
    if not backbone:
        raise KeyError('checkpoint has no backbone.* weights')
    # official action / mesh checkpoints keep the unused DSTformer head
    backbone.pop('head.weight', None)
    backbone.pop('head.bias', None)
    return backbone


def official_pose_to_ours(checkpoint: CheckpointLike) -> StateDict:
    """Map an official pretrain / 3D pose checkpoint to :class:`MBPoseLifter`.

    Args:
        checkpoint (str | dict): Official checkpoint with ``model_pos``.

    Returns:
        dict: State dict with ``backbone.*`` and ``head.fc.*`` keys.
    """
    fmt, sd = split_checkpoint(checkpoint)
    if fmt != 'official_pose':
        raise ValueError(f"expected an official checkpoint with 'model_pos' "
                         f'(pretraining / 3D pose), got format {fmt!r}')
    out = OrderedDict()
    for key, value in sd.items():
        if key.startswith('head.'):
            out['head.fc.' + key[len('head.'):]] = value
        else:
            out['backbone.' + key] = value
    return out


def ours_pose_to_official(state_dict: StateDict) -> StateDict:
    """The inverse of :func:`official_pose_to_ours`: an ``MBPoseLifter``
    state dict (``backbone.*``, ``head.fc.*``) in the official ``model_pos``
    layout. Other keys (losses, data preprocessor) are left out.

    Args:
        state_dict (dict): Our lifter's state dict.

    Returns:
        dict: Official DSTformer keys, the 3D head as ``head.*``.
    """
    out = OrderedDict()
    for key, value in state_dict.items():
        if key.startswith('backbone.'):
            out[key[len('backbone.'):]] = value
        elif key.startswith('head.fc.'):
            out['head.' + key[len('head.fc.'):]] = value
    return out


def official_task_to_ours(checkpoint: CheckpointLike) -> StateDict:
    """Map an official action / mesh checkpoint to our task models.

    Our recognizers and mesh models keep the official module names
    (``backbone.*``, ``head.*``), so only the ``module.`` prefix and the
    backbone's unused 3D output layer (``backbone.head.*``) go.

    Args:
        checkpoint (str | dict): Official checkpoint with ``model``.

    Returns:
        dict: State dict with ``backbone.*`` and ``head.*`` keys.
    """
    fmt, sd = split_checkpoint(checkpoint)
    if fmt != 'official_task':
        raise ValueError(f"expected an official checkpoint with 'model' "
                         f'(action / mesh), got format {fmt!r}')
    return OrderedDict((k, v) for k, v in sd.items()
                       if not k.startswith('backbone.head.'))


def load_backbone_weights(backbone: nn.Module,
                          checkpoint: CheckpointLike,
                          strict: bool = True) -> None:
    """Load DSTformer weights from an official or mmengine checkpoint.

    Args:
        backbone (nn.Module): An :class:`MBDSTformer`.
        checkpoint (str | dict): Path or loaded checkpoint of any format
            :func:`split_checkpoint` knows.
        strict (bool): Raise on missing or shape-mismatched keys. With
            False they are skipped and logged as warnings (the official
            ``load_pretrained_weights`` behaviour). Defaults to True.
    """
    source = backbone_state_dict(checkpoint)
    own = backbone.state_dict()
    missing = [k for k in own if k not in source]
    mismatched = [
        f'{k}: checkpoint {tuple(source[k].shape)} vs model '
        f'{tuple(own[k].shape)}' for k in own
        if k in source and source[k].shape != own[k].shape
    ]
    name = checkpoint if isinstance(checkpoint, str) else '<dict>'
    if (missing or mismatched) and strict:
        raise ValueError(
            f'pretrained backbone {name} does not fit the model: '
            f'{len(missing)} missing keys {missing[:5]}, '
            f'{len(mismatched)} shape mismatches {mismatched[:5]}. Check '
            f'dim_feat / dim_rep / depth / mlp_ratio / maxlen, or pass '
            f'strict=False to load what fits.')
    usable = {
        k: v
        for k, v in source.items() if k in own and v.shape == own[k].shape
    }
    backbone.load_state_dict(usable, strict=False)
    logger = MMLogger.get_current_instance()
    logger.info(f'loaded {len(usable)}/{len(own)} backbone tensors from '
                f'{name}')
    if missing or mismatched:
        logger.warning(f'skipped backbone keys: missing {missing}, '
                       f'mismatched {mismatched}')


def infer_dstformer_kwargs(backbone_sd: StateDict) -> dict:
    """Read DSTformer constructor arguments off a backbone state dict.

    Everything but ``num_heads`` (not visible in the weights; the official
    configs all use 8) can be read from tensor shapes.

    Args:
        backbone_sd (dict): Backbone state dict (``MBDSTformer`` names).

    Returns:
        dict: ``dim_in, dim_feat, dim_rep, depth, mlp_ratio, num_joints,
        maxlen, att_fuse``.
    """
    try:
        dim_feat, dim_in = backbone_sd['joints_embed.weight'].shape
        maxlen = backbone_sd['temp_embed'].shape[1]
        num_joints = backbone_sd['pos_embed'].shape[1]
        hidden = backbone_sd['blocks_st.0.mlp_s.fc1.weight'].shape[0]
    except KeyError as err:
        raise KeyError(f'not a DSTformer state dict: missing {err}') from err
    depth = 1 + max(
        int(k.split('.')[1]) for k in backbone_sd if k.startswith('blocks_st.'))
    rep = backbone_sd.get('pre_logits.fc.weight')
    return dict(
        dim_in=int(dim_in),
        dim_feat=int(dim_feat),
        dim_rep=int(rep.shape[0]) if rep is not None else 0,
        depth=depth,
        mlp_ratio=hidden / dim_feat,
        num_joints=int(num_joints),
        maxlen=int(maxlen),
        att_fuse='ts_attn.0.weight' in backbone_sd)


def convert_official_checkpoint(checkpoint: CheckpointLike) -> dict:
    """Turn an official checkpoint into an mmengine checkpoint dict.

    Args:
        checkpoint (str | dict): Official checkpoint path or dict.

    Returns:
        dict: ``{'state_dict': ..., 'meta': ...}``; ``meta`` records the
        official format, epoch and best metric and the backbone arguments.
    """
    ckpt = load_checkpoint_dict(checkpoint)
    fmt, sd = split_checkpoint(ckpt)
    if fmt == 'official_pose':
        state_dict = official_pose_to_ours(ckpt)
    elif fmt == 'official_task':
        # official mesh checkpoints embed the SMPL body model (licensed data,
        # ``head.smpl.*``); converted checkpoints leave it out -- our mesh
        # models read SMPL from the user's files
        state_dict = OrderedDict(
            (k, v) for k, v in official_task_to_ours(ckpt).items()
            if not k.startswith('head.smpl.'))
    else:
        raise ValueError(
            'this is already an mmengine checkpoint (state_dict); only '
            "official checkpoints ('model_pos' or 'model') need converting")
    meta = dict(
        official_format=fmt,
        backbone=infer_dstformer_kwargs(backbone_state_dict(ckpt)))
    for key in ('epoch', 'min_loss', 'best_acc'):
        if key in ckpt:
            value = ckpt[key]
            meta[key] = value.item() if torch.is_tensor(value) else value
    return dict(state_dict=state_dict, meta=meta)


def official_pose_to_mmpose_head(checkpoint: CheckpointLike) -> StateDict:
    """Map an official pretrain / 3D pose checkpoint to mmpose's head layout.

    For ``PoseLifter(backbone=MBDSTformer(dim_rep=0, ...),
    head=MotionRegressionHead(in_channels=dim_feat,
    embedding_size=dim_rep))``: the backbone has no representation layer,
    mmpose's head holds it (``pre_logits``, Linear + Tanh) and the 3D output
    layer (``fc``).

    Args:
        checkpoint (str | dict): Official checkpoint with ``model_pos``.

    Returns:
        dict: State dict with ``backbone.*``, ``head.pre_logits.fc.*`` (the
        official ``pre_logits.fc.*``) and ``head.fc.*`` (the official
        ``head.*``) keys.

    Raises:
        ValueError: Not an official pose checkpoint, or one without a
            representation layer (``pre_logits.fc.*``) or output layer
            (``head.*``), which mmpose's head needs.
    """
    fmt, sd = split_checkpoint(checkpoint)
    if fmt != 'official_pose':
        raise ValueError(f"expected an official checkpoint with 'model_pos' "
                         f'(pretraining / 3D pose), got format {fmt!r}')
    out = OrderedDict()
    for key, value in sd.items():
        if key.startswith('pre_logits.fc.'):
            out['head.' + key] = value
        elif key.startswith('head.'):
            out['head.fc.' + key[len('head.'):]] = value
        else:
            out['backbone.' + key] = value
    for needed in ('head.pre_logits.fc.weight', 'head.fc.weight'):
        if needed not in out:
            official = needed.replace('head.pre_logits.', 'pre_logits.')
            official = official.replace('head.fc.', 'head.')
            raise ValueError(
                f"official checkpoint has no 'model_pos' key "
                f"'module.{official}', which mmpose's MotionRegressionHead "
                f'needs (layout mmpose-head); use the default layout')
    return out
