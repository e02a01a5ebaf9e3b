# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Readers of keypoint arrays: ``.npy`` (T, J, 2|3) / (P, T, J, 2|3), ``.npz``
archives and in-memory arrays.

May import: numpy, :mod:`mmmotionbert.structures`, :mod:`mmmotionbert.utils`
and the layout detection.
"""
from typing import Any, Optional

import numpy as np

from mmmotionbert.structures import (KeypointFormatError, KeypointSequence)

from .layout import detect_layout

__all__ = ['array_sequence', 'read_npz_keypoints']


def array_sequence(kpts: np.ndarray,
                   scores: Optional[np.ndarray],
                   layout: str,
                   source: str,
                   track_ids=None,
                   fps=None,
                   frame_size=None) -> KeypointSequence:
    kpts = np.asarray(kpts, dtype=np.float64)
    if kpts.ndim == 3:
        kpts = kpts[None]
        if scores is not None and np.ndim(scores) == 2:
            scores = np.asarray(scores)[None]
    if kpts.ndim != 4 or kpts.shape[-1] not in (2, 3):
        raise KeypointFormatError(
            f'{source}: keypoint array must be (T, J, 2|3) or (P, T, J, 2|3)'
            f', got shape {kpts.shape}')
    if kpts.shape[1] == 0:
        raise KeypointFormatError(f'{source}: keypoint array has no frames')
    if kpts.shape[-1] == 3:
        if scores is None:
            scores = kpts[..., 2]
        kpts = kpts[..., :2]
    if scores is None:
        scores = np.ones(kpts.shape[:-1])
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != kpts.shape[:-1]:
        raise KeypointFormatError(
            f'{source}: scores {scores.shape} do not match keypoints '
            f'{kpts.shape}')
    bad = ~np.isfinite(kpts).all(-1) | ~np.isfinite(scores)
    kpts = np.where(bad[..., None], 0, kpts)
    scores = np.where(bad, 0, np.clip(scores, 0, None))
    layout = detect_layout(kpts.shape[2], kpts, scores, layout, source)
    return KeypointSequence(kpts, scores, track_ids, layout, None, fps,
                            frame_size, source)


def _npz_scalar(value: Any) -> Any:
    value = np.asarray(value)
    return value.item() if value.ndim == 0 else value


def read_npz_keypoints(path: str, layout: str) -> KeypointSequence:
    with np.load(path, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    for key in ('keypoints', 'keypoints_2d', 'kpts', 'poses_2d'):
        if key in data:
            kpts = data[key]
            break
    else:
        if len(data) != 1:
            raise KeypointFormatError(
                f"{path}: npz has no 'keypoints' array (keys: "
                f'{sorted(data)})')
        kpts = next(iter(data.values()))
    scores = None
    for key in ('scores', 'keypoint_scores', 'confidence'):
        if key in data:
            scores = data[key]
            break
    if layout == 'auto':
        for key in ('layout', 'format'):
            if key in data:
                layout = str(_npz_scalar(data[key]))
                break
    fps = float(_npz_scalar(data['fps'])) if 'fps' in data else None
    frame_size = (
        tuple(int(v)
              for v in data['frame_size']) if 'frame_size' in data else None)
    return array_sequence(kpts, scores, layout, path, data.get('track_ids'),
                          fps, frame_size)
