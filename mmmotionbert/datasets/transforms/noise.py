# Copyright (c) mmmotionbert contributors. All rights reserved.
"""2D detection noise as MotionBERT pretraining adds it (``Augmenter2D``).

Behaviour of the official ``lib/data/augmentation.py``
``Augmenter2D.add_noise`` (re-implemented, same statistics):

* ``num_key_frames`` (27) key frames per clip draw a per-joint 2D offset:
  with probability ``weight[j]`` a Gaussian ``N(mean[j], std[j])``,
  otherwise uniform in ``[-uniform_range / 2, uniform_range / 2]``
  (``uniform_range`` 0.06);
* the key-frame offsets are linearly interpolated over the clip's frames
  (the official trilinear ``interpolate(..., align_corners=True)`` is
  linear in time: key frame 0 on frame 0, the last on frame T-1);
* every frame adds Gaussian jitter of std ``frame_noise_std`` (0.002);
* the confidence is derived from the offset's length ``d`` with the
  displacement-to-confidence fit ``a / (d + a) + b * d + N(m, s)``, clipped
  to ``[0, 1]``; it replaces the input confidence.

``mean``/``std``/``weight`` and ``a, b, m, s`` are the official
``params/synthetic_noise.pth`` and ``params/d2c_params.pkl`` values, shipped
in ``mmmotionbert/data/official_noise_params.json``
(:func:`load_official_noise_params`). They are in MotionBERT's normalised 2D
units (H36M: pixels / image width * 2); ``noise_scale`` rescales the offsets
for other normalisations (the confidence is computed from the unscaled
offset so its distribution stays the official one).

Differences from the official batch code: each clip draws its own
per-frame jitter (the official shares it across a batch), and the noise is
computed in numpy from a given ``numpy.random.Generator`` (or seed) so it is
deterministic.

May import: numpy, torch, mmcv, :mod:`mmmotionbert.registry` and
:mod:`..utils`; never ``apis``.
"""
import json
import os.path as osp
from functools import lru_cache
from typing import Dict, Optional, Sequence, Union

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmmotionbert.registry import register_shared_transform
from ..utils import as_rng, results_rng, worker_rng

__all__ = [
    'OFFICIAL_NOISE_PARAMS_FILE', 'load_official_noise_params',
    'sample_detection_noise', 'displacement_to_confidence',
    'add_detection_noise', 'MBDetectionNoise2D', 'transform_rng'
]

#: Package file with the official noise statistics.
OFFICIAL_NOISE_PARAMS_FILE = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'data',
    'official_noise_params.json')

RngLike = Union[None, int, Sequence[int], np.random.Generator]


#: A Generator, a seed (sequence) or None (see :func:`..utils.as_rng`).
_as_rng = as_rng


@lru_cache(maxsize=4)
def _read_params(path: str) -> str:
    """File text (cached)."""
    with open(path) as f:
        return f.read()


def load_official_noise_params(path: Optional[str] = None) -> Dict:
    """Load MotionBERT's official 2D noise statistics (safe: plain JSON).

    Args:
        path (str, optional): JSON file. Defaults to the packaged
            :data:`OFFICIAL_NOISE_PARAMS_FILE`.

    Returns:
        dict: ``mean`` (17, 2), ``std`` (17, 2), ``weight`` (17,) float64
        arrays; ``d2c`` dict with floats ``a, b, m, s``;
        ``uniform_range``, ``num_key_frames``, ``frame_noise_std`` (the
        official ``Augmenter2D`` constants) and ``attribution`` (str).
    """
    path = path or OFFICIAL_NOISE_PARAMS_FILE
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'official noise statistics {path} not found (package data of '
            'mmmotionbert; reinstall the package)')
    raw = json.loads(_read_params(path))
    noise, defaults = raw['synthetic_noise'], raw['augmenter_defaults']
    params = dict(
        mean=np.asarray(noise['mean'], dtype=np.float64),
        std=np.asarray(noise['std'], dtype=np.float64),
        weight=np.asarray(noise['weight'], dtype=np.float64),
        d2c={k: float(raw['d2c'][k])
             for k in ('a', 'b', 'm', 's')},
        uniform_range=float(defaults['uniform_range']),
        num_key_frames=int(defaults['num_key_frames']),
        frame_noise_std=float(defaults['frame_noise_std']),
        attribution=raw.get('_attribution', ''))
    if params['mean'].shape != (17, 2) or params['std'].shape != (
            17, 2) or params['weight'].shape != (17, ):
        raise ValueError(f'{path}: expected mean/std (17, 2) and weight '
                         '(17,)')
    return params


def _interp_key_frames(keys: np.ndarray, num_frames: int) -> np.ndarray:
    """Linear interpolation of (K, ...) key values onto ``num_frames``.

    Matches ``interpolate(mode='trilinear', align_corners=True)`` along
    time: key ``k`` sits on frame ``k * (T - 1) / (K - 1)``.
    """
    k = len(keys)
    if num_frames == 1 or k == 1:
        return np.repeat(keys[:1], num_frames, axis=0)
    pos = np.arange(num_frames) * (k - 1) / (num_frames - 1)
    i0 = np.clip(np.floor(pos).astype(int), 0, k - 1)
    i1 = np.minimum(i0 + 1, k - 1)
    w = (pos - i0).reshape((-1, ) + (1, ) * (keys.ndim - 1))
    return keys[i0] * (1 - w) + keys[i1] * w


def sample_detection_noise(num_frames: int,
                           num_joints: int = 17,
                           rng: RngLike = None,
                           params: Optional[Dict] = None,
                           num_key_frames: Optional[int] = None,
                           frame_noise_std: Optional[float] = None,
                           uniform_range: Optional[float] = None
                           ) -> np.ndarray:
    """Draw one clip's 2D detection-noise offsets (unscaled).

    Args:
        num_frames (int): T.
        num_joints (int): J; must match the statistics (17).
        rng (int | np.random.Generator, optional): Randomness.
        params (dict, optional): :func:`load_official_noise_params` output.
        num_key_frames (int, optional): Key frames. Defaults to the
            official 27.
        frame_noise_std (float, optional): Per-frame jitter std. Defaults to
            the official 0.002.
        uniform_range (float, optional): Width of the uniform component.
            Defaults to the official 0.06.

    Returns:
        np.ndarray: (T, J, 2) float64 offsets in normalised units.
    """
    params = params or load_official_noise_params()
    if num_joints != len(params['weight']):
        raise ValueError(f'noise statistics are for {len(params["weight"])} '
                         f'joints, got num_joints={num_joints}')
    if num_frames < 1:
        raise ValueError(f'num_frames must be >= 1, got {num_frames}')
    rng = _as_rng(rng)
    k = int(num_key_frames or params['num_key_frames'])
    jitter = (params['frame_noise_std']
              if frame_noise_std is None else float(frame_noise_std))
    width = (params['uniform_range']
             if uniform_range is None else float(uniform_range))
    sel = rng.random((k, num_joints, 1))
    gauss = rng.standard_normal((k, num_joints, 2)) * params['std'] + \
        params['mean']
    uniform = (rng.random((k, num_joints, 2)) - 0.5) * width
    keys = np.where(sel < params['weight'][:, None], gauss, uniform)
    delta = _interp_key_frames(keys, num_frames)
    return delta + rng.standard_normal((num_frames, num_joints, 2)) * jitter


def displacement_to_confidence(dis: np.ndarray,
                               rng: RngLike = None,
                               params: Optional[Dict] = None) -> np.ndarray:
    """Official displacement-to-confidence: ``a/(d+a) + b*d + N(m, s)``.

    Args:
        dis (np.ndarray): Offset lengths (any shape), normalised units.
        rng (int | np.random.Generator, optional): Randomness of the shift.
        params (dict, optional): :func:`load_official_noise_params` output.

    Returns:
        np.ndarray: Confidences clipped to [0, 1], same shape.
    """
    params = params or load_official_noise_params()
    a, b, m, s = (params['d2c'][k] for k in ('a', 'b', 'm', 's'))
    dis = np.asarray(dis, dtype=np.float64)
    shift = _as_rng(rng).standard_normal(dis.shape) * s + m
    return np.clip(a / (dis + a) + b * dis + shift, 0.0, 1.0)


def add_detection_noise(keypoints: Union[np.ndarray, torch.Tensor],
                        rng: RngLike = None,
                        params: Optional[Dict] = None,
                        noise_scale: float = 1.0,
                        **noise_kwargs) -> Union[np.ndarray, torch.Tensor]:
    """Add official-style detection noise and its confidence to 2D clips.

    Args:
        keypoints (np.ndarray | Tensor): (T, J, C) or (N, T, J, C), C >= 2,
            normalised 2D (channels beyond x, y are dropped).
        rng (int | np.random.Generator, optional): Randomness.
        params (dict, optional): :func:`load_official_noise_params` output.
        noise_scale (float): Multiplies the offsets (1.0: the official
            magnitude in the official units). Defaults to 1.0.
        **noise_kwargs: ``num_key_frames``, ``frame_noise_std``,
            ``uniform_range`` overrides for :func:`sample_detection_noise`.

    Returns:
        np.ndarray | Tensor: Same leading shape with C = 3 ``[x + dx, y +
        dy, conf]``; same type (and device/dtype for tensors).
    """
    params = params or load_official_noise_params()
    rng = _as_rng(rng)
    is_tensor = isinstance(keypoints, torch.Tensor)
    x = keypoints.detach().cpu().numpy() if is_tensor else np.asarray(
        keypoints)
    if x.ndim not in (3, 4) or x.shape[-1] < 2:
        raise ValueError('keypoints must be (T, J, C) or (N, T, J, C) with '
                         f'C >= 2, got {tuple(x.shape)}')
    batch = x[None] if x.ndim == 3 else x
    out = np.empty(batch.shape[:-1] + (3, ), dtype=np.float64)
    for i, clip in enumerate(batch):
        delta = sample_detection_noise(clip.shape[0], clip.shape[1], rng,
                                       params, **noise_kwargs)
        conf = displacement_to_confidence(
            np.linalg.norm(delta, axis=-1), rng, params)
        out[i, ..., :2] = clip[..., :2] + delta * noise_scale
        out[i, ..., 2] = conf
    out = out[0] if x.ndim == 3 else out
    if is_tensor:
        return torch.as_tensor(
            out, dtype=keypoints.dtype if keypoints.is_floating_point() else
            torch.float32, device=keypoints.device)
    return out.astype(x.dtype if np.issubdtype(x.dtype, np.floating) else
                      np.float32)


def transform_rng(seed: int, state: dict) -> np.random.Generator:
    """Generator of a transform, re-seeded when ``torch.initial_seed`` moves.

    Kept for callers of the old name; see
    :func:`mmmotionbert.datasets.utils.worker_rng`.

    Args:
        seed (int): The transform's own seed.
        state (dict): Mutable holder of ``rng`` and ``key``.

    Returns:
        np.random.Generator: The generator to draw from.
    """
    return worker_rng(seed, state)


@register_shared_transform
class MBDetectionNoise2D(BaseTransform):
    """Replace clean 2D keypoints by noisy detections with confidence.

    Works on ``results[key]`` ((T, J, C>=2) numpy or tensor, normalised 2D);
    writes (T, J, 3) ``[x, y, conf]``. Usable in a pipeline config or
    called directly by a dataset (``results = transform(results)``, or
    :meth:`apply` on an array).

    Args:
        key (str): Field to transform. Defaults to ``'motion_2d'`` (the
            ``augment`` convention of the pretraining datasets).
        prob (float): Probability to add noise to a clip; clips left clean
            get confidence 1. Defaults to 1.0.
        noise_scale (float): Offset multiplier (see
            :func:`add_detection_noise`). Defaults to 1.0.
        params_file (str, optional): Statistics file. Defaults to the
            packaged official one.
        seed (int): Seed of the transform's generator (used when
            ``results`` carries no ``rng``, see :func:`results_rng`).
            Defaults to 0.
        always_draw_prob (bool): Draw the ``prob`` decision even when
            ``prob == 1`` (one ``rng.random()`` per clip, as
            :class:`~mmmotionbert.datasets.MBMocapDataset` always did), so
            that later draws of a shared generator are unchanged. Defaults
            to False (no draw at ``prob == 1``).
        **noise_kwargs: ``num_key_frames``, ``frame_noise_std``,
            ``uniform_range`` overrides.
    """

    def __init__(self,
                 key: str = 'motion_2d',
                 prob: float = 1.0,
                 noise_scale: float = 1.0,
                 params_file: Optional[str] = None,
                 seed: int = 0,
                 always_draw_prob: bool = False,
                 **noise_kwargs) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.key = key
        self.prob = float(prob)
        self.noise_scale = float(noise_scale)
        self.params = load_official_noise_params(params_file)
        self.seed = int(seed)
        self.always_draw_prob = bool(always_draw_prob)
        self.noise_kwargs = noise_kwargs
        self._state: dict = {}

    def apply(self,
              keypoints: Union[np.ndarray, torch.Tensor],
              rng: RngLike = None) -> Union[np.ndarray, torch.Tensor]:
        """Noise one array (see :func:`add_detection_noise`).

        Args:
            keypoints (np.ndarray | Tensor): (T, J, C) or (N, T, J, C).
            rng (int | np.random.Generator, optional): Randomness; defaults
                to the transform's own generator.

        Returns:
            np.ndarray | Tensor: ``[x, y, conf]`` keypoints.
        """
        rng = _as_rng(rng) if rng is not None else transform_rng(
            self.seed, self._state)
        if ((self.prob < 1.0 or self.always_draw_prob)
                and rng.random() >= self.prob):
            if isinstance(keypoints, torch.Tensor):
                out = keypoints[..., :3].clone()
                if out.shape[-1] < 3:
                    out = torch.cat([out, torch.ones_like(out[..., :1])], -1)
                out[..., 2] = 1.0
                return out
            x = np.asarray(keypoints, dtype=np.float32)
            return np.concatenate([x[..., :2], np.ones_like(x[..., :1])], -1)
        return add_detection_noise(keypoints, rng, self.params,
                                   self.noise_scale, **self.noise_kwargs)

    def transform(self, results: dict) -> dict:
        """Noise ``results[self.key]`` in place of the clean keypoints.

        Draws from ``results['rng']`` when present (see
        :func:`results_rng`).
        """
        results[self.key] = self.apply(
            results[self.key], results_rng(results, self.seed, self._state))
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(key={self.key!r}, '
                f'prob={self.prob}, noise_scale={self.noise_scale})')
