# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Lift in-the-wild 2D keypoints to 3D with a MotionBERT lifter.

:class:`MotionLifterInferencer` lifts whole clips of any length with
overlapping sliding windows blended together; :class:`StreamingLifter`
lifts live input causally, one frame at a time.

Output convention (``LiftResult.keypoints_3d``, (P, T, 17, 3) float32,
H36M-17 joint order):

* **axes**: camera-aligned like the image: x right, y down, z away from
  the camera (depth);
* **units**: pixels of the input frames, depth in the same pixel scale
  (the model's normalized output times half the ``crop_scale`` box side).
  Multiply by ``subject height [m] / subject height [px]`` for metres;
* **root**: root-relative models (``rootrel=True``, e.g. the official
  H36M models and the shipped small model) give the pelvis at
  ``(0, 0, 0)`` in every frame; add ``LiftResult.root_2d`` to x, y to place
  a pose in the image. Global models (``rootrel=False``, e.g. the official
  ``MB_ft_h36m_global_lite``) give x, y in image pixels and a depth relative
  to the pelvis of the track's first frame (the official convention),
  consistent across windows;
* frames before a track's first or after its last detection are NaN with
  score 0. Frames inside a track where the person was not detected are
  filled by the model (score 0).
"""
import glob
import json
import os
import os.path as osp
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from mmmotionbert.datasets.crop_scale import crop_scale
from mmmotionbert.utils.keypoints import (H36M_JOINT_NAMES, canonical_layout,
                                          convert_keypoints, flip_h36m)
from .keypoint_io import KeypointSequence, read_keypoints

__all__ = [
    'DEFAULT_CHECKPOINT', 'DEFAULT_CONFIG_PATTERN', 'init_lifter',
    'sliding_windows', 'blend_weights', 'normalize_clip', 'window_jobs',
    'batch_jobs', 'LiftResult',
    'MotionLifterInferencer', 'StreamingLifter'
]

#: The installed package (``mmmotionbert/``).
PACKAGE_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
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


def _window_settings(clip_len: int, overlap: Optional[int], maxlen: int,
                     normalization: str) -> Tuple[int, int]:
    """Check the sliding-window settings of an inferencer.

    Args:
        clip_len (int): Window length, in ``[1, maxlen]``.
        overlap (int, optional): Frames shared by neighbouring windows, in
            ``[0, clip_len)``; None for ``clip_len // 2``.
        maxlen (int): The model's longest input.
        normalization (str): ``'window'`` or ``'sequence'``.

    Returns:
        tuple[int, int]: ``clip_len`` and ``overlap``.
    """
    clip_len = int(clip_len)
    if not 1 <= clip_len <= maxlen:
        raise ValueError(f'clip_len must be in [1, {maxlen}] (the '
                         f"model's maxlen), got {clip_len}")
    overlap = clip_len // 2 if overlap is None else int(overlap)
    if not 0 <= overlap < clip_len:
        raise ValueError(f'overlap must be in [0, {clip_len}), got '
                         f'{overlap}')
    if normalization not in ('window', 'sequence'):
        raise ValueError("normalization must be 'window' or 'sequence', "
                         f'got {normalization!r}')
    return clip_len, overlap


def _input_sequence(
    inputs: Union[str, KeypointSequence, np.ndarray],
    layout: str,
    scores: Optional[np.ndarray],
    min_frames: int,
    max_persons: Optional[int],
    track_ids: Optional[Sequence[int]],
    none_left: str,
    path_types: tuple = (str, os.PathLike)) -> KeypointSequence:
    """Read (if needed) and filter the input of an inferencer's call.

    Args:
        inputs (str | KeypointSequence | np.ndarray): A keypoint file or
            folder (an instance of ``path_types``), a sequence, or an array
            (T, J, 2|3) / (P, T, J, 2|3) in pixels.
        layout (str): Joint layout of ``inputs`` or ``'auto'``.
        scores (np.ndarray, optional): Scores of an array input.
        min_frames (int): Drop tracks seen in fewer frames.
        max_persons (int, optional): At most this many tracks.
        track_ids (Sequence[int], optional): Only these tracks.
        none_left (str): Start of the ValueError message when no track is
            left.
        path_types (tuple): The types read as paths.

    Returns:
        KeypointSequence: The tracks left, at least one.
    """
    if isinstance(inputs, path_types):
        seq = read_keypoints(str(inputs), layout)
    elif isinstance(inputs, KeypointSequence):
        seq = inputs
    else:
        from .keypoint_io import _array_sequence
        seq = _array_sequence(inputs, scores, layout, 'array')
    seq = seq.filter_tracks(min_frames, max_persons, track_ids)
    if seq.num_persons == 0:
        raise ValueError(f'{none_left} (all shorter than '
                         f'min_frames={min_frames})')
    return seq


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
    from .official import load_official_model

    if checkpoint is None and config is None:
        checkpoint, config = _default_model_files()
    if checkpoint is None:
        raise ValueError(f'config {config} given without --checkpoint; '
                         'a lifter needs trained weights')
    checkpoint = _resolve_file(checkpoint, 'checkpoint file')
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


def sliding_windows(num_frames: int, clip_len: int,
                    overlap: int) -> List[Tuple[int, int]]:
    """Start/stop of overlapping windows covering ``num_frames`` frames.

    A sequence that fits one window gives the single window
    ``(0, num_frames)``. Otherwise windows of ``clip_len`` frames start every
    ``clip_len - overlap`` frames and the last one ends at the sequence's
    end.

    Args:
        num_frames (int): Sequence length T >= 1.
        clip_len (int): Window length L >= 1.
        overlap (int): Frames shared by neighbouring windows, 0 <= overlap
            < L.

    Returns:
        list[tuple[int, int]]: ``(start, stop)`` per window.
    """
    if num_frames < 1 or clip_len < 1:
        raise ValueError(f'need num_frames >= 1 and clip_len >= 1, got '
                         f'{num_frames}, {clip_len}')
    if not 0 <= overlap < clip_len:
        raise ValueError(f'overlap must be in [0, clip_len={clip_len}), got '
                         f'{overlap}')
    if num_frames <= clip_len:
        return [(0, num_frames)]
    stride = clip_len - overlap
    starts = list(range(0, num_frames - clip_len, stride))
    starts.append(num_frames - clip_len)
    return [(s, s + clip_len) for s in starts]


def blend_weights(length: int) -> np.ndarray:
    """Triangular per-frame weights of a window (highest in the middle).

    Neighbouring windows cross-fade over their overlap; every weight is
    positive, so frames covered by one window keep its prediction exactly.

    Args:
        length (int): Window length.

    Returns:
        np.ndarray: (length,) float64 weights in (0, 1].
    """
    t = np.arange(length, dtype=np.float64)
    ramp = np.minimum(t + 1, length - t)
    return ramp / ramp.max()


#: A square ``crop_scale`` box: ``(center (2,), side)`` in pixels.
Box = Tuple[np.ndarray, float]
#: One model input window: ``(person, start, stop, box, clip)``.
WindowJob = Tuple[int, int, int, Box, np.ndarray]


def normalize_clip(motion: np.ndarray) -> Tuple[np.ndarray, Optional[Box]]:
    """``crop_scale`` a clip, missing joints (score 0) zeroed.

    Args:
        motion (np.ndarray): (T, 17, 3) pixel ``[x, y, score]``.

    Returns:
        tuple: (T, 17, 3) normalized clip and its box, or None for the box
        when fewer than 4 joints are valid.
    """
    return crop_scale(motion, zero_invalid=True, return_box=True)


def window_jobs(keypoints: np.ndarray,
                scores: np.ndarray,
                clip_len: int,
                overlap: int,
                normalization: str = 'window') -> List[WindowJob]:
    """Cut every track into normalized model-input windows.

    Each track is cut from its first to its last detected frame into the
    :func:`sliding_windows`; a window is normalized by its own
    ``crop_scale`` box (``'window'``) or by the box of the whole track
    (``'sequence'``). Windows without 4 valid joints are left out.

    Args:
        keypoints (np.ndarray): (P, T, 17, 2) H36M-17 pixels.
        scores (np.ndarray): (P, T, 17) scores (0 = missing).
        clip_len (int): Window length.
        overlap (int): Frames shared by neighbouring windows.
        normalization (str): ``'window'`` or ``'sequence'``.

    Returns:
        list[tuple]: ``(person, start, stop, box, clip)`` per window, with
        ``clip`` (stop - start, 17, 3) normalized ``[x, y, score]``.
    """
    motion_all = np.concatenate([keypoints, scores[..., None]], axis=-1)
    jobs: List[WindowJob] = []
    for p in range(len(keypoints)):
        seen = np.nonzero(scores[p].max(-1) > 0)[0]
        if len(seen) == 0:
            continue
        first, last = int(seen[0]), int(seen[-1]) + 1
        motion = motion_all[p, first:last]
        seq_norm, seq_box = normalize_clip(motion)
        for a, b in sliding_windows(last - first, clip_len, overlap):
            if normalization == 'sequence':
                clip, box = seq_norm[a:b], seq_box
            else:
                clip, box = normalize_clip(motion[a:b])
            if box is None:
                continue
            jobs.append((p, first + a, first + b, box, clip))
    return jobs


def batch_jobs(jobs: Sequence[WindowJob],
               batch_size: int) -> List[List[int]]:
    """Group window indices into batches of equal window length.

    Args:
        jobs (Sequence[tuple]): From :func:`window_jobs`.
        batch_size (int): Largest batch.

    Returns:
        list[list[int]]: Indices into ``jobs`` per batch.
    """
    by_len: Dict[int, List[int]] = {}
    for i, job in enumerate(jobs):
        by_len.setdefault(len(job[4]), []).append(i)
    return [
        idx[i:i + batch_size] for idx in by_len.values()
        for i in range(0, len(idx), batch_size)
    ]


@dataclass
class LiftResult:
    """3D poses of every tracked person (see the module doc for units).

    Attributes:
        keypoints_3d (np.ndarray): (P, T, 17, 3) float32, H36M-17.
        scores (np.ndarray): (P, T, 17) float32 2D scores of the joints.
        track_ids (np.ndarray): (P,) int64.
        keypoints_2d (np.ndarray): (P, T, 17, 2) float32 H36M-17 input in
            pixels (0 where missing).
        root_2d (np.ndarray): (P, T, 2) float32 pelvis pixel position
            (NaN where the pelvis was not detected).
        frame_ids (np.ndarray): (T,) source frame indices.
        fps (float, optional): Frame rate.
        frame_size (tuple, optional): ``(width, height)``.
        meta (dict): Units, root handling, model and window settings.
        mesh (MeshResult, optional): SMPL meshes of the same tracks (see
            :mod:`mmmotionbert.apis.mesh_inference`); saved and rendered
            with the poses when set.
    """

    keypoints_3d: np.ndarray
    scores: np.ndarray
    track_ids: np.ndarray
    keypoints_2d: np.ndarray
    root_2d: np.ndarray
    frame_ids: np.ndarray
    fps: Optional[float] = None
    frame_size: Optional[Tuple[int, int]] = None
    meta: Dict[str, Any] = field(default_factory=dict)
    mesh: Optional[Any] = None

    @property
    def num_persons(self) -> int:
        """Number of tracks P."""
        return self.keypoints_3d.shape[0]

    @property
    def num_frames(self) -> int:
        """Number of frames T."""
        return self.keypoints_3d.shape[1]

    def placed_3d(self) -> np.ndarray:
        """3D poses placed in the image plane (for drawing).

        Root-relative results get their 2D pelvis position added to x, y
        (depth stays relative); global results are returned as they are.

        Returns:
            np.ndarray: (P, T, 17, 3) float32.
        """
        if not self.meta.get('rootrel', True):
            return self.keypoints_3d.copy()
        out = self.keypoints_3d.copy()
        root = self.root_2d.copy()
        # Fill undetected pelvis positions from the nearest detected frame.
        for p in range(len(root)):
            ok = np.isfinite(root[p]).all(-1)
            if ok.any() and not ok.all():
                idx = np.arange(len(ok))
                for c in range(2):
                    root[p, :, c] = np.interp(idx, idx[ok], root[p, ok, c])
        out[..., :2] += root[:, :, None, :]
        return out

    def save(self, out_dir: str, name: str) -> Tuple[str, str]:
        """Write ``out_dir/name.npz`` and its json twin ``out_dir/name.json``.

        With a :attr:`mesh`, the npz also holds its arrays (``vertices``
        (P, T, 6890, 3) float32, ``faces``, SMPL parameters; see
        :meth:`MeshResult.npz_arrays`) and the json a ``mesh`` entry that
        describes them (shapes, units, which npz keys) without the arrays.

        Args:
            out_dir (str): Output folder (created).
            name (str): File name without extension.

        Returns:
            tuple[str, str]: Paths of the npz and the json file.
        """
        os.makedirs(out_dir, exist_ok=True)
        npz_path = osp.join(out_dir, f'{name}.npz')
        json_path = osp.join(out_dir, f'{name}.json')
        extra = {} if self.mesh is None else self.mesh.npz_arrays()
        np.savez(
            npz_path,
            keypoints_3d=self.keypoints_3d.astype(np.float32),
            scores=self.scores.astype(np.float32),
            track_ids=self.track_ids.astype(np.int64),
            keypoints_2d=self.keypoints_2d.astype(np.float32),
            root_2d=self.root_2d.astype(np.float32),
            frame_ids=self.frame_ids.astype(np.int64),
            fps=np.float64(self.fps if self.fps else np.nan),
            frame_size=np.asarray(self.frame_size or (0, 0), np.int64),
            meta=json.dumps(self.meta),
            **extra)

        def _list(a: np.ndarray) -> Any:
            a = np.round(np.asarray(a, dtype=np.float64), 3)
            return np.where(np.isfinite(a), a, None).tolist()

        data = dict(
            meta=self.meta,
            fps=self.fps,
            frame_size=list(self.frame_size) if self.frame_size else None,
            frame_ids=self.frame_ids.tolist(),
            persons=[
                dict(
                    track_id=int(tid),
                    keypoints_3d=_list(self.keypoints_3d[p]),
                    scores=_list(self.scores[p]),
                    root_2d=_list(self.root_2d[p]))
                for p, tid in enumerate(self.track_ids)
            ])
        if self.mesh is not None:
            data['mesh'] = self.mesh.json_note(osp.basename(npz_path))
        with open(json_path, 'w') as f:
            json.dump(data, f)
        return npz_path, json_path


def _raw_forward(model: nn.Module, x: torch.Tensor) -> Any:
    """Raw model output of a (B, T, 17, C) batch (``mode='tensor'``).

    (B, T, 17, 3) for a lifter; a dict (``rotmat``, ``theta``, ...) for a
    mesh model.
    """
    from mmengine.model import BaseModel
    if isinstance(model, BaseModel):
        return model(x, mode='tensor')
    return model(x)


class MotionLifterInferencer:
    """Lift 2D keypoint sequences of any length to 3D.

    Args:
        checkpoint (str, optional): Lifter checkpoint (official or ours);
            defaults to the shipped small model. Ignored when ``model``
            is given.
        config (str, optional): mmengine config for the checkpoint.
        model (nn.Module, optional): A ready lifter (``MBPoseLifter`` or any
            module mapping (B, T, 17, C) to (B, T, 17, 3)).
        device (str): Torch device. Defaults to ``'cpu'``.
        clip_len (int, optional): Window length; defaults to the model's
            ``maxlen`` (243 for official models).
        overlap (int, optional): Frames shared by neighbouring windows;
            defaults to ``clip_len // 2``.
        flip_test (bool): Average with the mirrored input's prediction
            (official test-time flip). Defaults to True.
        rootrel (bool, optional): Whether the model is root-relative;
            defaults to the model's ``rootrel`` (True for official pose
            checkpoints: pass False for the official global models).
        normalization (str): ``'window'`` (``crop_scale`` box of each
            window, the default) or ``'sequence'`` (one box per track, the
            official ``infer_wild.py``).
        batch_size (int): Windows per forward pass. Defaults to 16.
        progress (bool): Show a progress bar. Defaults to True.
        **official_kwargs: Architecture arguments of official checkpoints.
    """

    def __init__(self,
                 checkpoint: Optional[str] = None,
                 config: Optional[str] = None,
                 model: Optional[nn.Module] = None,
                 device: str = 'cpu',
                 clip_len: Optional[int] = None,
                 overlap: Optional[int] = None,
                 flip_test: bool = True,
                 rootrel: Optional[bool] = None,
                 normalization: str = 'window',
                 batch_size: int = 16,
                 progress: bool = True,
                 **official_kwargs) -> None:
        if model is None:
            model = init_lifter(checkpoint, config, device, **official_kwargs)
        self.model = model.eval()
        self.device = torch.device(device)
        backbone = getattr(model, 'backbone', model)
        self.maxlen = int(getattr(backbone, 'maxlen', 243))
        self.dim_in = int(getattr(backbone, 'dim_in', 3))
        self.clip_len, self.overlap = _window_settings(clip_len or self.maxlen,
                                                       overlap, self.maxlen,
                                                       normalization)
        self.flip_test = bool(flip_test)
        self.rootrel = bool(
            getattr(model, 'rootrel', True) if rootrel is None else rootrel)
        self.normalization = normalization
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        self.batch_size = int(batch_size)
        self.progress = progress
        self.checkpoint = checkpoint

    # ------------------------------------------------------------------
    @torch.no_grad()
    def forward_clips(self, clips: np.ndarray) -> np.ndarray:
        """Predict normalized clips with the official test-time processing.

        Args:
            clips (np.ndarray): (N, T, 17, 3) ``crop_scale``-normalized
                ``[x, y, score]``, T <= maxlen.

        Returns:
            np.ndarray: (N, T, 17, 3) normalized 3D: flip-averaged when
            ``flip_test``; root zeroed for root-relative models, the first
            frame's root depth zeroed for global ones.
        """
        x = torch.as_tensor(np.asarray(clips, np.float32), device=self.device)
        if self.dim_in == 2:
            x = x[..., :2]
        if self.flip_test:
            both = _raw_forward(self.model, torch.cat([x, flip_h36m(x)]))
            pred = (both[:len(x)] + flip_h36m(both[len(x):])) / 2
        else:
            pred = _raw_forward(self.model, x)
        if self.rootrel:
            pred[:, :, 0, :] = 0
        else:
            pred[:, 0, 0, 2] = 0
        return pred.float().cpu().numpy()

    def _to_pixels(self, pred: np.ndarray, box: Tuple[np.ndarray,
                                                      float]) -> np.ndarray:
        """Normalized prediction -> pixel units (see the module doc)."""
        center, scale = box
        out = pred.astype(np.float64) * (scale / 2.0)
        if not self.rootrel:
            out[..., :2] += np.asarray(center)
        return out

    def _normalize(self, motion: np.ndarray):
        """crop_scale with zeroed missing joints; (normalized, box|None)."""
        return normalize_clip(motion)

    def _meta(self) -> Dict[str, Any]:
        return dict(
            layout='h36m',
            joint_names=list(H36M_JOINT_NAMES),
            units='pixels of the input frames (x, y and depth z)',
            axes='camera-aligned: x right, y down, z away from the camera',
            root=('root-relative: pelvis at (0, 0, 0); add root_2d to x, y '
                  'to place it in the image') if self.rootrel else
            ('global: x, y in image pixels, z relative to the pelvis depth '
             "of the track's first frame"),
            rootrel=self.rootrel,
            clip_len=self.clip_len,
            overlap=self.overlap,
            flip_test=self.flip_test,
            normalization=self.normalization,
            checkpoint=self.checkpoint)

    # ------------------------------------------------------------------
    def __call__(self,
                 inputs: Union[str, KeypointSequence, np.ndarray],
                 layout: str = 'auto',
                 scores: Optional[np.ndarray] = None,
                 min_frames: int = 1,
                 max_persons: Optional[int] = None,
                 track_ids: Optional[Sequence[int]] = None) -> LiftResult:
        """Read (if needed), convert and lift an input.

        Args:
            inputs (str | KeypointSequence | np.ndarray): A keypoint file or
                folder (see :func:`read_keypoints`), a sequence, or an array
                (T, J, 2|3) / (P, T, J, 2|3) in pixels.
            layout (str): Joint layout of ``inputs`` or ``'auto'``.
            scores (np.ndarray, optional): Scores of an array input.
            min_frames (int): Drop tracks seen in fewer frames.
            max_persons (int, optional): Lift at most this many tracks.
            track_ids (Sequence[int], optional): Lift only these tracks.

        Returns:
            LiftResult: The 3D poses.
        """
        seq = _input_sequence(inputs, layout, scores, min_frames, max_persons,
                              track_ids, 'no track left to lift')
        return self.lift(seq)

    def lift(self, seq: KeypointSequence) -> LiftResult:
        """Lift every track of a sequence with blended sliding windows.

        Args:
            seq (KeypointSequence): 2D keypoints in any layout.

        Returns:
            LiftResult: The 3D poses.
        """
        from tqdm import tqdm
        h36m = seq.to_h36m()
        kp2d, sc = h36m.keypoints, h36m.scores
        num_p, num_t = kp2d.shape[:2]
        jobs = window_jobs(kp2d, sc, self.clip_len, self.overlap,
                           self.normalization)
        preds: List[Optional[np.ndarray]] = [None] * len(jobs)
        batches = batch_jobs(jobs, self.batch_size)
        bar = tqdm(
            total=len(jobs), desc='lifting 2D->3D', unit='window',
            disable=not self.progress or len(jobs) <= 1)
        for batch in batches:
            out = self.forward_clips(np.stack([jobs[i][4] for i in batch]))
            for i, pred in zip(batch, out):
                preds[i] = pred
            bar.update(len(batch))
        bar.close()
        acc = np.zeros((num_p, num_t, 17, 3))
        wsum = np.zeros((num_p, num_t))
        for (p, a, b, box, _), pred in zip(jobs, preds):
            pix = self._to_pixels(pred, box)
            w = blend_weights(b - a)
            if not self.rootrel:
                # Align this window's depth with what is already blended.
                have = wsum[p, a:b] > 0
                if have.any():
                    blended = acc[p, a:b, 0, 2][have] / wsum[p, a:b][have]
                    pix[..., 2] += np.mean(blended - pix[have, 0, 2])
            acc[p, a:b] += pix * w[:, None, None]
            wsum[p, a:b] += w
        with np.errstate(invalid='ignore', divide='ignore'):
            kp3d = acc / wsum[..., None, None]
        kp3d[wsum == 0] = np.nan
        root = kp2d[..., 0, :].astype(np.float32).copy()
        root[sc[..., 0] <= 0] = np.nan
        scores_out = np.where(wsum[..., None] > 0, sc, 0)
        return LiftResult(
            kp3d.astype(np.float32), scores_out.astype(np.float32),
            h36m.track_ids.copy(), kp2d.copy(), root, h36m.frame_ids.copy(),
            seq.fps, seq.frame_size, self._meta())


class StreamingLifter:
    """Causal, frame-by-frame lifting for live input (webcam-like).

    Each :meth:`push` of one frame's 2D poses returns 3D poses right away:
    the model sees the last ``clip_len`` frames of each track (normalized by
    their ``crop_scale`` box) and the pose of the newest frame -- or of the
    frame ``lookahead`` frames back, trading that many frames of latency
    for accuracy -- is emitted. Compute per frame is one forward pass of at
    most ``clip_len`` frames per person; latency is bounded by it plus
    ``lookahead`` frame periods. Output units and root handling are those of
    :class:`MotionLifterInferencer`.

    Args:
        inferencer (MotionLifterInferencer): Supplies the model, flip test
            and root handling.
        clip_len (int, optional): Causal window length; defaults to the
            inferencer's ``clip_len``.
        lookahead (int): Frames of delay (0 = emit the newest frame).
        layout (str): Layout of the pushed keypoints. Defaults to
            ``'h36m'``.
        max_gap (int): Frames a track survives unseen before its history is
            dropped. Defaults to 30.
    """

    def __init__(self,
                 inferencer: MotionLifterInferencer,
                 clip_len: Optional[int] = None,
                 lookahead: int = 0,
                 layout: str = 'h36m',
                 max_gap: int = 30) -> None:
        self.inferencer = inferencer
        self.clip_len = int(clip_len or inferencer.clip_len)
        if not 1 <= self.clip_len <= inferencer.maxlen:
            raise ValueError(f'clip_len must be in [1, {inferencer.maxlen}], '
                             f'got {self.clip_len}')
        if not 0 <= lookahead < self.clip_len:
            raise ValueError(f'lookahead must be in [0, {self.clip_len}), '
                             f'got {lookahead}')
        self.lookahead = int(lookahead)
        self.layout = canonical_layout(layout)
        self.max_gap = int(max_gap)
        self.latencies: List[float] = []
        self.reset()

    def reset(self) -> None:
        """Forget every track's history."""
        self._buffers: Dict[int, deque] = {}
        self._last_seen: Dict[int, int] = {}
        self._last_pose: Dict[int, Tuple[np.ndarray, np.ndarray]] = {}
        self._depth_offset: Dict[int, Tuple[int, float]] = {}
        self._frame = -1
        self._next_id = 0

    def _assign_ids(self, kpts: np.ndarray, scores: np.ndarray) -> List[int]:
        """Online matching of this frame's persons to live tracks."""
        from scipy.optimize import linear_sum_assignment

        from .keypoint_io import _pose_distance
        live = [
            t for t, seen in self._last_seen.items()
            if self._frame - seen <= self.max_gap and t in self._last_pose
        ]
        ids = [-1] * len(kpts)
        if live and len(kpts):
            cost = np.array([[
                _pose_distance(*self._last_pose[t], k, s)
                for k, s in zip(kpts, scores)
            ] for t in live])
            rows, cols = linear_sum_assignment(
                np.where(np.isfinite(cost), cost, 1e6))
            for r, c in zip(rows, cols):
                if cost[r, c] <= 0.5:
                    ids[c] = live[r]
        for j in range(len(ids)):
            if ids[j] < 0:
                while self._next_id in self._buffers:
                    self._next_id += 1
                ids[j] = self._next_id
                self._next_id += 1
        return ids

    def push(self,
             keypoints: np.ndarray,
             scores: Optional[np.ndarray] = None,
             track_ids: Optional[Sequence[int]] = None
             ) -> Dict[int, np.ndarray]:
        """Add one frame and get 3D poses at once.

        Args:
            keypoints (np.ndarray): (J, 2|3) one person or (M, J, 2|3) all
                persons of the frame, pixels, in ``layout``.
            scores (np.ndarray, optional): (J,) / (M, J) scores (else the
                third channel, else 1).
            track_ids (Sequence[int], optional): Track id of each person;
                matched online when absent.

        Returns:
            dict[int, np.ndarray]: Track id -> (17, 3) float32 3D pose of
            frame ``current - lookahead`` (tracks without that frame yet
            are left out).
        """
        start = time.perf_counter()
        self._frame += 1
        kpts = np.asarray(keypoints, dtype=np.float32)
        if kpts.ndim == 2:
            kpts = kpts[None]
            if scores is not None:
                scores = np.asarray(scores)[None]
        if kpts.ndim != 3 or kpts.shape[-1] not in (2, 3):
            raise ValueError(f'keypoints must be (J, 2|3) or (M, J, 2|3), '
                             f'got {kpts.shape}')
        if scores is None:
            scores = (kpts[..., 2] if kpts.shape[-1] == 3 else np.ones(
                kpts.shape[:-1], np.float32))
        kpts2, sc2 = convert_keypoints(kpts[..., :2], scores, self.layout)
        if track_ids is None:
            track_ids = self._assign_ids(kpts2, sc2)
        elif len(track_ids) != len(kpts2):
            raise ValueError(f'{len(track_ids)} track ids for {len(kpts2)} '
                             'persons')
        for tid, k, s in zip(track_ids, kpts2, sc2):
            tid = int(tid)
            buf = self._buffers.setdefault(tid, deque(maxlen=self.clip_len))
            gap = self._frame - self._last_seen.get(tid, self._frame - 1) - 1
            if gap > self.max_gap:
                buf.clear()
                self._depth_offset.pop(tid, None)
            else:
                for _ in range(gap):  # undetected frames: masked input
                    buf.append(np.zeros((17, 3), np.float32))
            buf.append(np.concatenate([k, s[:, None]], axis=-1))
            self._last_seen[tid] = self._frame
            if (s > 0).any():
                self._last_pose[tid] = (k, s)
        for tid in [t for t, seen in self._last_seen.items()
                    if self._frame - seen > self.max_gap]:
            for d in (self._buffers, self._last_seen, self._last_pose,
                      self._depth_offset):
                d.pop(tid, None)
        out = self._emit([int(t) for t in track_ids], self.lookahead)
        self.latencies.append(time.perf_counter() - start)
        return out

    def _emit(self, track_ids: Sequence[int],
              delay: int) -> Dict[int, np.ndarray]:
        inf = self.inferencer
        jobs = []
        for tid in track_ids:
            buf = self._buffers[tid]
            if len(buf) <= delay:
                continue
            clip, box = inf._normalize(np.stack(buf))
            if box is None:
                continue
            jobs.append((tid, clip, box))
        out: Dict[int, np.ndarray] = {}
        by_len: Dict[int, list] = {}
        for job in jobs:
            by_len.setdefault(len(job[1]), []).append(job)
        for group in by_len.values():
            preds = inf.forward_clips(np.stack([j[1] for j in group]))
            for (tid, clip, box), pred in zip(group, preds):
                pix = inf._to_pixels(pred, box)
                idx = len(clip) - 1 - delay
                pose = pix[idx].copy()
                if not inf.rootrel:
                    # Keep depth continuous with the previous emitted frame.
                    prev = self._depth_offset.get(tid)
                    if prev is not None and idx >= 1:
                        pose[:, 2] += prev[1] - pix[idx - 1, 0, 2]
                    self._depth_offset[tid] = (self._frame, float(pose[0, 2]))
                out[tid] = pose.astype(np.float32)
        return out

    def flush(self) -> List[Dict[int, np.ndarray]]:
        """Emit the ``lookahead`` frames still held back, oldest first.

        Returns:
            list[dict[int, np.ndarray]]: One dict per held-back frame.
        """
        tids = [t for t, seen in self._last_seen.items()
                if seen == self._frame]
        return [self._emit(tids, d) for d in range(self.lookahead - 1, -1, -1)]

    def run(self, seq: KeypointSequence, progress: bool = True) -> LiftResult:
        """Stream a whole recorded sequence frame by frame (causal mode).

        Args:
            seq (KeypointSequence): 2D keypoints (tracks keep their ids).
            progress (bool): Show a progress bar.

        Returns:
            LiftResult: Same format as the offline inferencer's.
        """
        from tqdm import tqdm
        self.reset()
        h36m = seq.to_h36m()
        saved, self.layout = self.layout, 'h36m'
        num_p, num_t = h36m.keypoints.shape[:2]
        kp3d = np.full((num_p, num_t, 17, 3), np.nan, np.float32)
        index = {int(t): p for p, t in enumerate(h36m.track_ids)}
        try:
            for t in tqdm(range(num_t), desc='streaming 2D->3D',
                          unit='frame', disable=not progress):
                present = [p for p in range(num_p)
                           if (h36m.scores[p, t] > 0).any()]
                if not present:
                    self._frame += 1
                    continue
                res = self.push(h36m.keypoints[present, t],
                                h36m.scores[present, t],
                                [int(h36m.track_ids[p]) for p in present])
                for tid, pose in res.items():
                    if t - self.lookahead >= 0:
                        kp3d[index[tid], t - self.lookahead] = pose
            for d, res in enumerate(self.flush()):
                for tid, pose in res.items():
                    kp3d[index[tid], num_t - self.lookahead + d] = pose
        finally:
            self.layout = saved
        # Frames where a track was not detected are not emitted causally.
        missing = ~(h36m.scores > 0).any(-1)
        kp3d[missing] = np.nan
        sc = np.where(np.isfinite(kp3d[..., 0]), h36m.scores, 0)
        root = h36m.keypoints[..., 0, :].astype(np.float32).copy()
        root[h36m.scores[..., 0] <= 0] = np.nan
        meta = self.inferencer._meta()
        meta.update(mode='streaming', clip_len=self.clip_len,
                    lookahead=self.lookahead, overlap=None,
                    normalization='causal window')
        return LiftResult(kp3d, sc.astype(np.float32), h36m.track_ids.copy(),
                          h36m.keypoints.copy(), root, h36m.frame_ids.copy(),
                          seq.fps, seq.frame_size, meta)
