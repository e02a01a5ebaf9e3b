# Copyright (c) mmmotionbert contributors. All rights reserved.
"""``load_official_model(ckpt, task='mesh')``: official mesh networks.

Official ``train_mesh.py`` checkpoints hold ``model`` with
``module.backbone.*`` and ``module.head.*`` (the ``SMPLRegressor``). Our
:class:`MBMeshHead` keeps the official parameter names, so the weights load
1:1. The official head also stores its whole SMPL body model under
``head.smpl.*``; our head keeps the body model out of its state dict and
either reads the SMPL files or, with ``smpl_source='checkpoint'``, rebuilds
the body model from those stored buffers.

May import: torch, mmengine, :mod:`mmmotionbert.registry`,
:mod:`mmmotionbert.utils` (official, smpl) and :mod:`.official`; as part of
``apis``, every layer.
"""
import os.path as osp
from typing import Mapping, Optional

from mmengine.logging import MMLogger
from torch import nn

from mmmotionbert.registry import MODELS
from mmmotionbert.utils.official import official_task_to_ours
from mmmotionbert.utils.smpl import (resolve_smpl_assets,
                                     smpl_body_from_state_dict)
from .official import register_official_task

__all__ = ['official_mesh_head_cfg', 'build_official_mesh']

_SMPL_PREFIX = 'head.smpl.'
_SMPL_SOURCES = ('auto', 'files', 'checkpoint')


def official_mesh_head_cfg(state_dict: Mapping, dim_rep: int,
                           **head_kwargs) -> dict:
    """``MBMeshHead`` config matching the ``head.*`` weights.

    Args:
        state_dict (Mapping): Our-key state dict (``head.fc1.weight``...).
        dim_rep (int): Backbone representation channels.
        **head_kwargs: Other :class:`MBMeshHead` arguments (``smpl_dir``,
            ``smpl_files``, ``dropout_ratio``).

    Returns:
        dict: The head config.
    """
    if 'head.fc1.weight' not in state_dict or \
            'head.head_pose.weight' not in state_dict:
        heads = sorted(k for k in state_dict if k.startswith('head.'))[:8]
        raise KeyError(f'not an official mesh checkpoint: no '
                       f'module.head.fc1 / head_pose weights (head keys: '
                       f'{heads})')
    hidden_dim, in_features = state_dict['head.fc1.weight'].shape
    if not dim_rep or in_features % dim_rep:
        raise ValueError(f'head.fc1 takes {in_features} features, not a '
                         f'multiple of the backbone dim_rep {dim_rep}')
    return dict(
        type='MBMeshHead',
        dim_rep=dim_rep,
        num_joints=in_features // dim_rep,
        hidden_dim=int(hidden_dim),
        **head_kwargs)


@register_official_task('mesh')
def build_official_mesh(ckpt: dict,
                        backbone_cfg: dict,
                        smpl_dir: Optional[str] = 'data/mesh',
                        smpl_files: Optional[Mapping[str, str]] = None,
                        smpl_source: str = 'auto',
                        dropout_ratio: float = 0.,
                        flip_test: bool = False) -> nn.Module:
    """Build :class:`MBMeshRegressor` from an official mesh checkpoint.

    ``model(x)`` with x (N, T, 17, 3) then gives the official
    ``MeshRegressor(x)[0]``: ``theta`` (N, T, 82), ``verts``
    (N, T, 6890, 3) and ``kp_3d`` (N, T, 17, 3) in mm (plus ``rotmat``).

    Args:
        ckpt (dict): Official checkpoint (``'model'`` key).
        backbone_cfg (dict): Backbone config read off the weights.
        smpl_dir (str, optional): Folder with the SMPL assets. Defaults to
            ``'data/mesh'``.
        smpl_files (Mapping[str, str], optional): Per-asset overrides.
        smpl_source (str): Where the SMPL body model comes from:
            ``'files'`` (the SMPL files, read on first use), ``'checkpoint'``
            (the ``head.smpl.*`` buffers of the official checkpoint) or
            ``'auto'`` (the files when ``SMPL_NEUTRAL.pkl`` exists, else the
            checkpoint's buffers when present). Defaults to ``'auto'``. The
            mean pose/shape always come from the checkpoint.
        dropout_ratio (float): Head dropout (training only). Defaults to 0.
        flip_test (bool): Flip averaging in ``predict``. Defaults to False
            (``model(x)`` is never flip-averaged).

    Returns:
        nn.Module: The model with the weights loaded strictly.
    """
    if smpl_source not in _SMPL_SOURCES:
        raise ValueError(f'smpl_source must be one of {_SMPL_SOURCES}, got '
                         f'{smpl_source!r}')
    state_dict = official_task_to_ours(ckpt)
    smpl_sd = {
        k[len(_SMPL_PREFIX):]: v
        for k, v in state_dict.items() if k.startswith(_SMPL_PREFIX)
    }
    weights = {
        k: v
        for k, v in state_dict.items() if not k.startswith(_SMPL_PREFIX)
    }
    head_cfg = official_mesh_head_cfg(
        weights,
        backbone_cfg.get('dim_rep', 512),
        dropout_ratio=dropout_ratio,
        smpl_dir=smpl_dir,
        smpl_files=smpl_files)
    model = MODELS.build(
        dict(
            type='MBMeshRegressor',
            backbone=backbone_cfg,
            head=head_cfg,
            flip_test=flip_test))
    model.load_state_dict(weights, strict=True)
    if smpl_source == 'auto':
        model_file = resolve_smpl_assets(smpl_dir, smpl_files)['model']
        smpl_source = ('files' if osp.isfile(model_file) or not smpl_sd else
                       'checkpoint')
    if smpl_source == 'checkpoint':
        model.head.set_smpl(
            smpl_body_from_state_dict(
                smpl_sd, where='official checkpoint head.smpl.*'))
    MMLogger.get_current_instance().info(
        f'official mesh model: SMPL body model from {smpl_source}')
    return model
