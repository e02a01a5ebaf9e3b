# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Assemble per-frame person instances into a :class:`KeypointSequence`.

Shared by the json, folder and detector readers: parses one person's
keypoints, links persons over frames (their ids or :func:`simple_track`) and
fills dense (P, T, J) arrays.

May import: numpy, :mod:`mmmotionbert.structures`, :mod:`mmmotionbert.utils`,
the tracker and the layout detection.
"""
import os.path as osp
import re
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.structures import (Instance, KeypointFormatError,
                                     KeypointSequence)

from ..tracking import simple_track
from .layout import detect_layout

__all__ = ['sequence_from_frames']


def sequence_from_frames(frames: Sequence[Sequence[Instance]],
                         layout: str = 'auto',
                         frame_ids: Optional[Sequence[int]] = None,
                         source: str = 'input',
                         fps: Optional[float] = None,
                         frame_size: Optional[Tuple[int, int]] = None,
                         track: str = 'auto') -> KeypointSequence:
    """Build a :class:`KeypointSequence` from per-frame instances.

    Args:
        frames (Sequence[Sequence[Instance]]): Per frame, its instances
            ``(keypoints (J, 2), scores (J,), track_id or None)``.
        layout (str): Keypoint layout or ``'auto'``.
        frame_ids (Sequence[int], optional): Source index of each frame.
        source (str): Name of the input, for error messages.
        fps (float, optional): Frame rate.
        frame_size (tuple, optional): ``(width, height)``.
        track (str): ``'auto'`` (use the input's track ids when every
            instance has a distinct one per frame, else :func:`simple_track`),
            ``'ids'`` (require them) or ``'simple'`` (always track).

    Returns:
        KeypointSequence: One track per person.
    """
    if track not in ('auto', 'ids', 'simple'):
        raise ValueError(f"track must be 'auto', 'ids' or 'simple', got "
                         f'{track!r}')
    instances = [inst for f in frames for inst in f]
    if not instances:
        raise KeypointFormatError(
            f'{source}: no person detected in any of its {len(frames)} '
            'frame(s)')
    counts = {len(k) for k, _, _ in instances}
    if len(counts) != 1:
        raise KeypointFormatError(
            f'{source}: persons have different joint counts {sorted(counts)}'
            '; missing joints must be given as zeros (score 0), not left out')
    num_joints = counts.pop()
    layout = detect_layout(num_joints, np.stack([k for k, _, _ in instances]),
                           np.stack([s for _, s, _ in instances]), layout,
                           source)
    have_ids = all(tid is not None for _, _, tid in instances) and all(
        len({tid
             for _, _, tid in f}) == len(f) for f in frames)
    if track == 'ids' and not have_ids:
        raise KeypointFormatError(
            f'{source}: track ids requested but not every person has a '
            'distinct one in each frame')
    if have_ids and track != 'simple':
        uniq = sorted({int(tid) for _, _, tid in instances})
        index = {tid: i for i, tid in enumerate(uniq)}
        assign = [[index[int(tid)] for _, _, tid in f] for f in frames]
        track_ids = np.asarray(uniq, dtype=np.int64)
    else:
        assign = simple_track(frames)
        num = max(max(a) for a in assign if a) + 1
        track_ids = np.arange(num, dtype=np.int64)
    num_p, num_t = len(track_ids), len(frames)
    kpts = np.zeros((num_p, num_t, num_joints, 2), np.float32)
    scores = np.zeros((num_p, num_t, num_joints), np.float32)
    for t, (f, ids) in enumerate(zip(frames, assign)):
        for (k, s, _), p in zip(f, ids):
            kpts[p, t], scores[p, t] = k, s
    return KeypointSequence(kpts, scores, track_ids, layout, frame_ids, fps,
                            frame_size, source)


def _frame_number(name: str) -> Optional[int]:
    """The last group of digits of a file / image name, if any."""
    stem = osp.splitext(osp.basename(str(name)))[0]
    digits = re.findall(r'\d+', stem)
    return int(digits[-1]) if digits else None


def _instance(flat_or_nested: Any,
              scores: Any = None,
              track_id: Any = None,
              where: str = '') -> Optional[Instance]:
    """Parse one person: flat ``[x, y, s, ...]`` or nested ``[[x, y], ...]``.

    Returns None for a person without any valid joint.
    """
    arr = np.asarray(flat_or_nested, dtype=np.float64)
    if scores is None:
        if arr.ndim == 2 and arr.shape[1] == 3:
            arr = arr.reshape(-1)
        if arr.ndim != 1 or arr.size == 0 or arr.size % 3:
            raise KeypointFormatError(
                f'{where}: keypoints must be a flat [x, y, score, ...] list '
                f'whose length is a multiple of 3, got shape {arr.shape}')
        arr = arr.reshape(-1, 3)
        kpts, sc = arr[:, :2], arr[:, 2]
    else:
        sc = np.asarray(scores, dtype=np.float64).reshape(-1)
        if arr.ndim == 3 and arr.shape[0] == 1:  # mmpose (1, J, 2)
            arr = arr[0]
        if arr.ndim == 1 and arr.size == 2 * sc.size:
            arr = arr.reshape(-1, 2)
        if arr.ndim != 2 or arr.shape[1] < 2 or len(arr) != len(sc):
            raise KeypointFormatError(
                f'{where}: {len(sc)} keypoint scores for keypoints of shape '
                f'{arr.shape}; expected [[x, y], ...] with one score each')
        kpts = arr[:, :2]
    bad = ~np.isfinite(kpts).all(-1) | ~np.isfinite(sc)
    kpts = np.where(bad[:, None], 0, kpts)
    sc = np.where(bad, 0, np.clip(sc, 0, None))
    if not (sc > 0).any():
        return None
    if isinstance(track_id, (list, tuple)):
        track_id = track_id[0] if len(track_id) else None
    if track_id is not None:
        try:
            track_id = int(track_id)
        except (TypeError, ValueError):
            track_id = None
        if track_id is not None and track_id < 0:
            track_id = None
    return kpts.astype(np.float32), sc.astype(np.float32), track_id


def _dense(frames: List[List[Instance]], numbers: List[int], layout: str,
           source: str, track: str) -> KeypointSequence:
    """Place frames on a dense timeline from their frame numbers."""
    order = np.argsort(numbers, kind='stable')
    start, stop = int(min(numbers)), int(max(numbers))
    if stop - start + 1 > 4 * len(numbers) + 1000:
        # Sparse numbering (not frame indices): keep the listed order.
        return sequence_from_frames([frames[i] for i in order],
                                    layout, [numbers[i] for i in order],
                                    source,
                                    track=track)
    dense: List[List[Instance]] = [[] for _ in range(stop - start + 1)]
    for f, n in zip(frames, numbers):
        dense[int(n) - start].extend(f)
    return sequence_from_frames(
        dense, layout, np.arange(start, stop + 1), source, track=track)
