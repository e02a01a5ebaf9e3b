# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Window maths shared by every inferencer and the Pose2Sim evaluation:
overlapping windows over a track, their ``crop_scale`` normalization,
batching by length and the triangular cross-fade weights.

May import: numpy and :mod:`mmmotionbert.datasets.crop_scale` only.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.datasets.crop_scale import crop_scale

__all__ = [
    'check_window_settings', 'sliding_windows', 'blend_weights', 'Box',
    'WindowJob', 'normalize_clip', 'window_jobs', 'batch_jobs'
]


def check_window_settings(clip_len: int, overlap: Optional[int], maxlen: int,
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


def batch_jobs(jobs: Sequence[WindowJob], batch_size: int) -> List[List[int]]:
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
