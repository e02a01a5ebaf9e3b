# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Clip tables of MotionBERT's per-frame rows, like the official
``split_clips`` and ``resample``.

Per-frame string columns (``source``, ``camera_name``) are encoded as integer
codes (:func:`factorize`); inside every run of equal sources
(:func:`source_segments`) :func:`split_clips` cuts windows of ``n_frames``
rows every ``stride`` rows, and a source shorter than one clip gets one
clip of :func:`resample_indices`. Used by
:class:`~mmmotionbert.datasets.h36m_reader.H36MReader`, the mesh and 2D
motion datasets and the action / mocap resampling.

May import: numpy only (no other module of ours).
"""
import operator
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np


def factorize(values: Sequence[str]) -> Tuple[np.ndarray, List[str]]:
    """Encode a sequence of strings as integer codes (first-seen order).

    Fast for per-frame columns, whose values come in long runs: only the
    first value of every run is hashed.

    Args:
        values (Sequence[str]): N strings.

    Returns:
        tuple: ``codes`` int64 (N,) and ``uniques`` (list[str]) with
        ``uniques[codes[i]] == values[i]``.
    """
    values = list(values)
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    changed = np.fromiter(
        map(operator.ne, values[1:], values[:-1]), dtype=bool, count=n - 1)
    heads = np.flatnonzero(np.r_[True, changed])
    table: Dict[str, int] = {}
    head_codes = np.fromiter(
        (table.setdefault(values[i], len(table)) for i in heads.tolist()),
        dtype=np.int64,
        count=len(heads))
    codes = np.repeat(head_codes, np.diff(np.r_[heads, n]))
    return codes, [str(v) for v in table]


def resample_indices(ori_len: int,
                     target_len: int,
                     rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Indices stretching a sequence of ``ori_len`` frames to ``target_len``.

    Official ``resample(ori_len, target_len)`` (no replay): evenly spaced
    positions ``linspace(0, ori_len, target_len, endpoint=False)``. With
    ``rng`` every position is rounded down or up at random (upsampling) or
    jittered within its interval (downsampling), as the official default;
    without ``rng`` they are floored (official ``randomness=False``).

    Args:
        ori_len (int): Frames available, >= 1.
        target_len (int): Frames wanted, >= 1.
        rng (np.random.Generator, optional): Source of randomness.

    Returns:
        np.ndarray: int64 (target_len,) non-decreasing indices in
        ``[0, ori_len)``.
    """
    if ori_len < 1 or target_len < 1:
        raise ValueError(f'resample_indices needs ori_len >= 1 and '
                         f'target_len >= 1, got {ori_len}, {target_len}')
    even = np.linspace(0, ori_len, num=target_len, endpoint=False)
    if rng is None:
        result = np.floor(even)
    elif ori_len < target_len:
        pick_low = rng.integers(2, size=even.shape)
        result = np.sort(
            np.where(pick_low == 1, np.floor(even), np.ceil(even)))
    else:
        interval = even[1] - even[0] if target_len > 1 else float(ori_len)
        result = np.floor(rng.random(even.shape) * interval + even)
    return np.clip(result, 0, ori_len - 1).astype(np.int64)


def source_segments(codes: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Runs of equal consecutive codes.

    Args:
        codes (np.ndarray): (N,) integer codes of the per-frame source.

    Returns:
        tuple: ``starts`` and ``lengths``, int64 (S,), of the S runs.
    """
    if len(codes) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lengths = np.diff(np.r_[starts, len(codes)])
    return starts.astype(np.int64), lengths.astype(np.int64)


def _short_segments_to_resample(seg_codes: np.ndarray, seg_lengths: np.ndarray,
                                n_frames: int) -> np.ndarray:
    """Which runs get one resampled clip, with the official bookkeeping.

    A run shorter than ``n_frames`` is resampled unless its source name
    already produced a clip (a non-contiguous source) or it is the last run
    (the official loop stops before checking it).

    Args:
        seg_codes (np.ndarray): (S,) source code of every run.
        seg_lengths (np.ndarray): (S,) run lengths.
        n_frames (int): Clip length.

    Returns:
        np.ndarray: bool (S,).
    """
    chosen = np.zeros(len(seg_codes), dtype=bool)
    saved = set()
    for s, (code, length) in enumerate(
            zip(seg_codes.tolist(), seg_lengths.tolist())):
        if length >= n_frames:
            saved.add(code)
        elif code not in saved and s < len(seg_codes) - 1:
            chosen[s] = True
            saved.add(code)
    return chosen


def split_clips(sources: Union[Sequence[str], np.ndarray],
                n_frames: int,
                data_stride: int,
                rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Cut per-frame rows into clips like the official ``split_clips``.

    Inside every run of equal ``source`` values, clips start at run offsets
    ``0, stride, 2 * stride, ...`` while a whole clip fits: a run of length
    L >= n_frames gives ``(L - n_frames) // stride + 1`` clips and its last
    frames may belong to none. A shorter run gets one clip of
    :func:`resample_indices` (see :func:`_short_segments_to_resample` for
    the official exceptions). Clips come in row order.

    Args:
        sources (Sequence[str] | np.ndarray): (N,) source names, or integer
            source codes.
        n_frames (int): Clip length, >= 1.
        data_stride (int): Offset between clip starts, >= 1.
        rng (np.random.Generator, optional): Randomness of the resampled
            clips; deterministic when None.

    Returns:
        np.ndarray: int64 (N_clips, n_frames) row indices of every clip.
    """
    if n_frames < 1 or data_stride < 1:
        raise ValueError(f'split_clips needs n_frames >= 1 and data_stride '
                         f'>= 1, got {n_frames} and {data_stride}')
    codes = (
        np.asarray(sources, dtype=np.int64) if isinstance(sources, np.ndarray)
        and sources.dtype.kind in 'iu' else factorize(list(sources))[0])
    starts, lengths = source_segments(codes)
    counts = np.where(lengths >= n_frames,
                      (lengths - n_frames) // data_stride + 1, 0)
    seg_of_clip = np.repeat(np.arange(len(starts)), counts)
    first_clip = np.cumsum(counts) - counts
    k = np.arange(len(seg_of_clip)) - first_clip[seg_of_clip]
    clip_starts = starts[seg_of_clip] + k * data_stride
    clips = clip_starts[:, None] + np.arange(n_frames)[None, :]

    short = np.flatnonzero(
        _short_segments_to_resample(codes[starts] if len(starts) else starts,
                                    lengths, n_frames))
    if len(short):
        extra = np.stack([
            starts[s] + resample_indices(int(lengths[s]), n_frames, rng)
            for s in short
        ])
        order = np.argsort(np.r_[seg_of_clip, short], kind='stable')
        clips = np.concatenate([clips, extra])[order]
    return clips.astype(np.int64).reshape(-1, n_frames)
