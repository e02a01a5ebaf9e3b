# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Build a mesh model (:class:`MBMeshRegressor`) with its SMPL files, and the
SO(3) helpers the mesh inferencer blends rotations with.

May import: torch, :mod:`mmmotionbert.utils`, the registry, the models and
:mod:`.model_files`.
"""
import os.path as osp
from typing import Mapping, Optional, Union

import torch
from torch import nn

from mmmotionbert.utils.smpl import (SMPL_NUM_JOINTS, MissingSMPLAssetError,
                                     smpl_flip_permutation)
from .model_files import _load_weights, _model_config, _resolve, _resolve_file

__all__ = [
    'DEFAULT_MESH_CLIP_LEN', 'DEFAULT_SMPL_DIR', 'init_mesh_model',
    'project_to_so3', 'flip_rotmat'
]

#: Window length of the official mesh models (their training clips).
DEFAULT_MESH_CLIP_LEN = 16

#: Default SMPL asset folder (the official layout, see docs/mesh.md).
DEFAULT_SMPL_DIR = 'data/mesh'

#: SMPL parameters per frame: 24 x 3 axis-angle pose and 10 betas.
_POSE_DIM = SMPL_NUM_JOINTS * 3

_MESH_HINT = ('a mesh checkpoint is an official MotionBERT mesh model '
              '(e.g. checkpoint/mesh/FT_MB_release_MB_ft_pw3d/'
              'best_epoch.bin) or one trained with configs/mesh/*.py')


def _not_mesh(checkpoint: str, what: str) -> ValueError:
    """The error for a checkpoint that holds no mesh model."""
    return ValueError(f'{checkpoint} is not a mesh checkpoint: {what}; '
                      f'{_MESH_HINT}')


def _smpl_dir(smpl_dir: Optional[str]) -> Optional[str]:
    """The default folder also relative to the repository."""
    if smpl_dir == DEFAULT_SMPL_DIR and not osp.isdir(smpl_dir):
        return _resolve(smpl_dir)
    return smpl_dir


def _prepare_smpl(model: nn.Module) -> str:
    """Load the SMPL body and mean parameters now, not mid-inference.

    Returns:
        str: Where the body model came from (for the result's meta).

    Raises:
        MissingSMPLAssetError: An SMPL file is missing (the message names
            it and where to get it).
        ValueError: An SMPL file is malformed.
    """
    head = model.head
    from_checkpoint = head._smpl_body is not None
    try:
        head.smpl  # noqa: B018  (loads the body model on first access)
        if not head._mean_params_ready:
            head.load_mean_params()
    except MissingSMPLAssetError as err:
        raise MissingSMPLAssetError(
            f'{err} (mesh inference: pass the SMPL folder as smpl_dir / '
            'demo --smpl-dir DIR)') from err
    if from_checkpoint:
        return 'official checkpoint (head.smpl.* buffers)'
    return osp.dirname(head.smpl_paths['model']) or '.'


def init_mesh_model(checkpoint: str,
                    config: Optional[str] = None,
                    smpl_dir: Optional[str] = DEFAULT_SMPL_DIR,
                    smpl_files: Optional[Mapping[str, str]] = None,
                    smpl_source: str = 'auto',
                    device: Union[str, torch.device] = 'cpu',
                    **official_kwargs) -> nn.Module:
    """Build a mesh model (:class:`MBMeshRegressor`) and load its SMPL files.

    The SMPL body model and mean parameters are read here, so a missing or
    malformed file stops before any inference.

    Args:
        checkpoint (str): An official MotionBERT mesh checkpoint (key
            ``model``), or an mmmotionbert / mmengine mesh checkpoint
            (``state_dict``; its config is read from ``meta.cfg`` when
            ``config`` is not given).
        config (str, optional): mmengine config of an mmmotionbert
            checkpoint that does not embed its config.
        smpl_dir (str, optional): Folder with the SMPL files
            (``SMPL_NEUTRAL.pkl``, ``smpl_mean_params.npz``,
            ``J_regressor_h36m_correct.npy``; see
            :func:`~mmmotionbert.utils.smpl.resolve_smpl_assets`). Defaults
            to ``'data/mesh'`` (also looked for in the repository). Replaces
            the config's ``smpl_dir``.
        smpl_files (Mapping[str, str], optional): Per-file overrides keyed
            ``model``, ``mean_params``, ``j_regressor_h36m``,
            ``j_regressor_extra``.
        smpl_source (str): Official checkpoints only: ``'auto'`` (the
            files when ``SMPL_NEUTRAL.pkl`` exists, else the SMPL buffers
            stored in the checkpoint), ``'files'`` or ``'checkpoint'``.
            Defaults to ``'auto'``.
        device (str | torch.device): Device. Defaults to ``'cpu'``.
        **official_kwargs: Architecture arguments of official checkpoints
            (e.g. ``num_heads``), see :func:`load_official_model`.

    Returns:
        nn.Module: The model in eval mode; ``model.cfg`` is its config
        (None for official checkpoints) and ``model.smpl_source`` says
        where the SMPL body model came from.

    Raises:
        FileNotFoundError: The checkpoint or config does not exist.
        MissingSMPLAssetError: An SMPL file is missing.
        ValueError: The checkpoint is not a mesh model, or does not fit
            its config.
    """
    import mmmotionbert  # noqa: F401  (registers the models)
    from mmmotionbert.models.mesh import MBMeshRegressor
    from mmmotionbert.registry import MODELS
    from mmmotionbert.utils.official import (load_checkpoint_dict,
                                             split_checkpoint)
    from ..official import load_official_model

    checkpoint = _resolve_file(str(checkpoint), 'mesh checkpoint')
    smpl_dir = _smpl_dir(smpl_dir)
    ckpt = load_checkpoint_dict(checkpoint)
    fmt, state_dict = split_checkpoint(ckpt)
    if fmt == 'official_pose':
        raise _not_mesh(
            checkpoint, "it is an official 3D-pose / pretraining checkpoint "
            "(key 'model_pos'); use it as the lifter (--checkpoint)")
    if 'head.head_pose.weight' not in state_dict:
        heads = sorted(k for k in state_dict if k.startswith('head.'))[:6]
        raise _not_mesh(
            checkpoint, 'it has no SMPL head weights (head.head_pose); its '
            f'head keys are {heads or "none"}')
    cfg = None
    if fmt == 'official_task' and config is None:
        model = load_official_model(
            ckpt,
            task='mesh',
            task_kwargs=dict(
                smpl_dir=smpl_dir,
                smpl_files=smpl_files,
                smpl_source=smpl_source),
            **official_kwargs)
    else:
        cfg = _model_config(
            config, ckpt, f'{checkpoint} holds a mesh state dict without its '
            'config; pass the config (demo: --mesh-config CONFIG)')
        model_cfg = cfg.model.copy()
        if model_cfg.get('type') not in ('MBMeshRegressor',
                                         'mmpose.MBMeshRegressor'):
            raise _not_mesh(
                checkpoint, f'its config builds {model_cfg.get("type")!r}, '
                'not MBMeshRegressor')
        head_cfg = dict(model_cfg.head)
        head_cfg['smpl_dir'] = smpl_dir
        if smpl_files is not None:
            head_cfg['smpl_files'] = dict(smpl_files)
        model_cfg.head = head_cfg
        backbone_cfg = dict(model_cfg.backbone)
        backbone_cfg.pop('init_cfg', None)  # the weights come from here
        model_cfg.backbone = backbone_cfg
        model = MODELS.build(model_cfg)
        if fmt == 'official_task':
            from mmmotionbert.utils.official import official_task_to_ours
            state_dict = official_task_to_ours(ckpt)
        _load_weights(
            model, state_dict,
            f'{checkpoint} does not fit the mesh model of its config')
    if not isinstance(model, MBMeshRegressor):
        raise _not_mesh(checkpoint,
                        f'it builds {type(model).__name__}, not a mesh model')
    model.cfg = cfg
    model.smpl_source = _prepare_smpl(model)
    model.to(device)
    model.eval()
    return model


def project_to_so3(mats: torch.Tensor) -> torch.Tensor:
    """Nearest rotation matrices (SVD), e.g. of weighted sums of rotations.

    Args:
        mats (Tensor): (..., 3, 3) matrices, not all zero.

    Returns:
        Tensor: (..., 3, 3) rotations (determinant +1).
    """
    u, _, vh = torch.linalg.svd(mats)
    det = torch.det(u @ vh)
    fix = torch.ones(*mats.shape[:-2], 3, dtype=mats.dtype, device=mats.device)
    fix[..., 2] = det
    return u @ torch.diag_embed(fix) @ vh


def flip_rotmat(rotmat: torch.Tensor) -> torch.Tensor:
    """Mirror SMPL joint rotations horizontally (x -> -x).

    Swaps left and right joints and conjugates every rotation with
    ``diag(-1, 1, 1)``; equal to the official ``flip_thetas`` on the
    axis-angle form (y and z components negated).

    Args:
        rotmat (Tensor): (..., 24, 3, 3).

    Returns:
        Tensor: (..., 24, 3, 3).
    """
    mirror = torch.tensor([-1.0, 1.0, 1.0],
                          dtype=rotmat.dtype,
                          device=rotmat.device)
    flipped = rotmat[..., smpl_flip_permutation(), :, :]
    return flipped * mirror[:, None] * mirror[None, :]
