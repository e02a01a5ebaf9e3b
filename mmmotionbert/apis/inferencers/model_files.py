# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Find and build the models the inferencers run: checkpoint and config
resolution (a path as given, else relative to the repository) and
:func:`init_lifter`.

May import: torch, mmengine, :mod:`mmmotionbert.utils`, the registry and
:mod:`mmmotionbert.apis.official`.
"""
import glob
import os.path as osp
from typing import Any, Dict, List, Optional, Tuple, Union

import torch
from torch import nn

__all__ = [
    'DEFAULT_CHECKPOINT', 'DEFAULT_CONFIG_PATTERN', 'REPO_ROOT', 'init_lifter'
]

#: The installed package (``mmmotionbert/``).
PACKAGE_ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.abspath(__file__))))
#: The source checkout of an editable install (the package's parent folder;
#: see :func:`_in_checkout`).
REPO_ROOT = osp.dirname(PACKAGE_ROOT)
#: Files an installed package ships (setup.py puts ``configs/`` and the
#: shipped checkpoint there, as OpenMMLab packages do with ``configs/``),
#: under the same relative paths as in the repository.
MIM_ROOT = osp.join(PACKAGE_ROOT, '.mim')
#: Shipped small lifter (relative to the repository root or ``MIM_ROOT``).
DEFAULT_CHECKPOINT = 'checkpoints/mb_pretrain_small_pybullet.pth'
#: Its config (glob, relative to the repository root or ``MIM_ROOT``).
DEFAULT_CONFIG_PATTERN = 'configs/pretrain/mb-small_dstformer-*_pybullet.py'


def _in_checkout() -> bool:
    """Whether the package is imported from a source checkout."""
    return (osp.isfile(osp.join(REPO_ROOT, 'setup.py'))
            and osp.isdir(osp.join(REPO_ROOT, 'configs')))


def _search_roots() -> List[str]:
    """Folders relative paths are looked up in, first match wins.

    Returns:
        list[str]: The repository root of a source checkout (an editable
        install, the tests and demos), then the package data of an installed
        package (:data:`MIM_ROOT`).
    """
    return ([REPO_ROOT] if _in_checkout() else []) + [MIM_ROOT]


def _resolve(path: str) -> str:
    """``path`` as given if it exists, else in the repository or package.

    Args:
        path (str): A file or folder, absolute or relative to the working
            directory, the repository root or the package data.

    Returns:
        str: The first existing of ``path`` and ``path`` under
        :func:`_search_roots`; when none exists, ``path`` under the
        repository of a checkout (as given otherwise), for error messages.
    """
    if osp.exists(path) or osp.isabs(path):
        return path
    for root in _search_roots():
        if osp.exists(osp.join(root, path)):
            return osp.join(root, path)
    return osp.join(REPO_ROOT, path) if _in_checkout() else path


def _resolve_file(path: str, what: str) -> str:
    """:func:`_resolve` ``path``; FileNotFoundError ``'{what} not found'``."""
    path = _resolve(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    return path


def _model_config(config: Optional[str], ckpt: Dict[str, Any],
                  no_config_msg: str):
    """The mmengine config of a model checkpoint.

    Args:
        config (str, optional): Config file; None reads the config the
            checkpoint embeds (``meta.cfg``, saved by tools/train.py).
        ckpt (dict): The loaded checkpoint.
        no_config_msg (str): ValueError message when ``config`` is None and
            the checkpoint embeds no config.

    Returns:
        mmengine.Config: The config.
    """
    from mmengine.config import Config
    if config is not None:
        return Config.fromfile(_resolve_file(config, 'config file'))
    meta_cfg = (ckpt.get('meta') or {}).get('cfg')
    if not meta_cfg:
        raise ValueError(no_config_msg)
    return Config.fromstring(meta_cfg, '.py')


def _load_weights(model: nn.Module, state_dict: Dict[str, Any],
                  mismatch: str) -> None:
    """Load ``state_dict``; ValueError ``'{mismatch}: missing keys ...'``."""
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    if missing or unexpected:
        raise ValueError(f'{mismatch}: missing keys {missing[:5]}, '
                         f'unexpected keys {unexpected[:5]}')


def _default_model_files() -> Tuple[str, str]:
    """The shipped lifter: its checkpoint and config.

    Returns:
        tuple[str, str]: Checkpoint and config paths, from the repository of
        a checkout or from the package data of an installed package.
    """
    ckpt = _resolve(DEFAULT_CHECKPOINT)
    roots = _search_roots()
    configs = []
    for root in roots:
        configs = sorted(glob.glob(osp.join(root, DEFAULT_CONFIG_PATTERN)))
        if configs:
            break
    missing = []
    if not osp.isfile(ckpt):
        missing.append(f'checkpoint {DEFAULT_CHECKPOINT}')
    if not configs:
        missing.append(f'config {DEFAULT_CONFIG_PATTERN}')
    if missing:
        raise FileNotFoundError(
            'the default (shipped) lifter is missing from this checkout or '
            f'installation: {" and ".join(missing)} under '
            f'{" or ".join(roots)}. Pass a model '
            'explicitly: --checkpoint PATH with an official MotionBERT '
            'checkpoint (e.g. FT_MB_lite_MB_ft_h36m_global_lite/'
            'best_epoch.bin, add --global for global models) or an '
            'mmmotionbert .pth (add --config CFG unless the checkpoint was '
            'saved by tools/train.py)')
    return ckpt, configs[-1]


def init_lifter(checkpoint: Optional[str] = None,
                config: Optional[str] = None,
                device: Union[str, torch.device] = 'cpu',
                **official_kwargs) -> nn.Module:
    """Build a 2D-to-3D lifter and load its weights.

    Args:
        checkpoint (str, optional): Official MotionBERT checkpoint
            (``model_pos``), or an mmmotionbert / mmengine checkpoint
            (``state_dict``). Defaults to the shipped small model.
        config (str, optional): mmengine config of the model; needed for an
            mmengine checkpoint that does not embed its config.
        device (str | torch.device): Device. Defaults to ``'cpu'``.
        **official_kwargs: Architecture arguments of official checkpoints
            (e.g. ``num_heads``), see :func:`load_official_model`.

    Returns:
        nn.Module: The lifter in eval mode.
    """
    import mmmotionbert  # noqa: F401  (registers the models)
    from mmmotionbert.registry import MODELS
    from mmmotionbert.utils.official import (load_checkpoint_dict,
                                             official_pose_to_ours,
                                             split_checkpoint)
    from ..official import load_official_model

    if checkpoint is None and config is None:
        checkpoint, config = _default_model_files()
    if checkpoint is None:
        raise ValueError(f'config {config} given without --checkpoint; '
                         'a lifter needs trained weights')
    from ..model_zoo import CHECKPOINTS, resolve_checkpoint
    if checkpoint in CHECKPOINTS and not osp.exists(checkpoint):
        official_kwargs.setdefault('num_heads',
                                   CHECKPOINTS[checkpoint].num_heads)
    checkpoint = _resolve_file(resolve_checkpoint(checkpoint),
                               'checkpoint file')
    ckpt = load_checkpoint_dict(checkpoint)
    fmt, state_dict = split_checkpoint(ckpt)
    if fmt == 'official_task':
        raise ValueError(
            f'{checkpoint} is an official action/mesh checkpoint (key '
            "'model'); the lifter needs a pose checkpoint ('model_pos')")
    if config is None and fmt == 'official_pose':
        model = load_official_model(ckpt, **official_kwargs)
    else:
        cfg = _model_config(
            config, ckpt, f'{checkpoint} holds a bare state dict without '
            'its config; pass --config CONFIG')
        model = MODELS.build(cfg.model)
        if fmt == 'official_pose':
            state_dict = official_pose_to_ours(ckpt)
        _load_weights(model, state_dict,
                      f'{checkpoint} does not fit the model of the config')
    model.to(device)
    model.eval()
    return model
