# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Causal, frame-by-frame lifting of live 2D input (webcam-like).

Uses the offline inferencer's public hooks (``forward_clips``,
``normalize``, ``to_pixels``) and the shared
:class:`~mmmotionbert.apis.tracking.PoseTracker`.

May import: numpy, :mod:`mmmotionbert.structures`, :mod:`mmmotionbert.utils`,
the tracker and :mod:`.lifter`.
"""
import time
from collections import deque
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.structures import KeypointSequence, LiftResult
from mmmotionbert.utils.keypoints import canonical_layout, convert_keypoints
from ..tracking import PoseTracker
from .lifter import MotionLifterInferencer

__all__ = ['StreamingLifter']


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
        self._tracker = PoseTracker(max_gap=self.max_gap)
        self._depth_offset: Dict[int, Tuple[int, float]] = {}
        self._frame = -1

    def push(
            self,
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
            scores = (
                kpts[..., 2] if kpts.shape[-1] == 3 else np.ones(
                    kpts.shape[:-1], np.float32))
        kpts2, sc2 = convert_keypoints(kpts[..., :2], scores, self.layout)
        if track_ids is None:
            track_ids = self._tracker.assign(self._frame, kpts2, sc2)
        elif len(track_ids) != len(kpts2):
            raise ValueError(f'{len(track_ids)} track ids for {len(kpts2)} '
                             'persons')
        for tid, k, s in zip(track_ids, kpts2, sc2):
            tid = int(tid)
            buf = self._buffers.setdefault(tid, deque(maxlen=self.clip_len))
            last = self._tracker.last_seen.get(tid, self._frame - 1)
            gap = self._frame - last - 1
            if gap > self.max_gap:
                buf.clear()
                self._depth_offset.pop(tid, None)
            else:
                for _ in range(gap):  # undetected frames: masked input
                    buf.append(np.zeros((17, 3), np.float32))
            buf.append(np.concatenate([k, s[:, None]], axis=-1))
            self._tracker.update(self._frame, tid, k, s)
        for tid in [
                t for t, seen in self._tracker.last_seen.items()
                if self._frame - seen > self.max_gap
        ]:
            for d in (self._buffers, self._depth_offset):
                d.pop(tid, None)
            self._tracker.forget(tid)
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
            clip, box = inf.normalize(np.stack(buf))
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
                pix = inf.to_pixels(pred, box)
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
        tids = [
            t for t, seen in self._tracker.last_seen.items()
            if seen == self._frame
        ]
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
            for t in tqdm(
                    range(num_t),
                    desc='streaming 2D->3D',
                    unit='frame',
                    disable=not progress):
                present = [
                    p for p in range(num_p) if (h36m.scores[p, t] > 0).any()
                ]
                if not present:
                    self._frame += 1
                    continue
                res = self.push(h36m.keypoints[present,
                                               t], h36m.scores[present, t],
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
        meta.update(
            mode='streaming',
            clip_len=self.clip_len,
            lookahead=self.lookahead,
            overlap=None,
            normalization='causal window')
        return LiftResult(kp3d, sc.astype(np.float32), h36m.track_ids.copy(),
                          h36m.keypoints.copy(), root, h36m.frame_ids.copy(),
                          seq.fps, seq.frame_size, meta)
