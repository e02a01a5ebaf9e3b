# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Link per-frame 2D detections into tracks: one tracker, offline and live.

:class:`PoseTracker` matches each frame's persons to the live tracks by the
Hungarian algorithm on the mean joint distance relative to the person's
size; :func:`simple_track` runs it over a whole recorded clip (the readers),
:class:`~mmmotionbert.apis.inferencers.StreamingLifter` frame by frame.

May import: numpy, scipy and :mod:`mmmotionbert.structures`.
"""
from types import MappingProxyType
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

import numpy as np

from mmmotionbert.structures import Instance

__all__ = ['PoseTracker', 'simple_track', 'pose_distance']


def pose_distance(k1: np.ndarray, s1: np.ndarray, k2: np.ndarray,
                  s2: np.ndarray) -> float:
    """Mean joint distance of two poses relative to their size."""
    v1, v2 = s1 > 0, s2 > 0
    if not v1.any() or not v2.any():
        return np.inf
    size = max(
        np.linalg.norm(k1[v1].max(0) - k1[v1].min(0)),
        np.linalg.norm(k2[v2].max(0) - k2[v2].min(0)), 1e-6)
    both = v1 & v2
    if both.sum() >= 3:
        return float(
            np.linalg.norm(k1[both] - k2[both], axis=-1).mean() / size)
    return float(np.linalg.norm(k1[v1].mean(0) - k2[v2].mean(0)) / size)


class PoseTracker:
    """Online Hungarian matching of each frame's persons to live tracks.

    A track is live when it was seen at most ``max_gap`` frames before and
    has a pose with at least one valid joint (its last such pose is what a
    new detection is compared with). Pairs farther than ``max_distance``
    (:func:`pose_distance`) start new tracks, numbered 0, 1, ... (ids given
    to :meth:`update` by the caller are skipped).

    Args:
        max_distance (float): Largest matching distance. Defaults to 0.5.
        max_gap (int): Frames a track survives unseen. Defaults to 30.
    """

    def __init__(self, max_distance: float = 0.5, max_gap: int = 30) -> None:
        self.max_distance = float(max_distance)
        self.max_gap = int(max_gap)
        self.reset()

    def reset(self) -> None:
        """Forget every track."""
        self._last_seen: Dict[int, int] = {}
        self._last_pose: Dict[int, Tuple[np.ndarray, np.ndarray]] = {}
        self._next_id = 0

    def assign(self, frame: int, keypoints: Iterable[np.ndarray],
               scores: Iterable[np.ndarray]) -> List[int]:
        """Track ids for one frame's persons (matched or new).

        Args:
            frame (int): Frame index (increasing).
            keypoints (Iterable[np.ndarray]): Per person (J, 2) pixels.
            scores (Iterable[np.ndarray]): Per person (J,) scores.

        Returns:
            list[int]: One id per person; call :meth:`update` with them.
        """
        from scipy.optimize import linear_sum_assignment
        persons = list(zip(keypoints, scores))
        live = [
            t for t, seen in self._last_seen.items()
            if frame - seen <= self.max_gap and t in self._last_pose
        ]
        ids = [-1] * len(persons)
        if live and persons:
            cost = np.array([[
                pose_distance(*self._last_pose[t], k, s) for k, s in persons
            ] for t in live])
            rows, cols = linear_sum_assignment(
                np.where(np.isfinite(cost), cost, 1e6))
            for r, c in zip(rows, cols):
                if cost[r, c] <= self.max_distance:
                    ids[c] = live[r]
        for j in range(len(ids)):
            if ids[j] < 0:
                while self._next_id in self._last_seen:
                    self._next_id += 1
                ids[j] = self._next_id
                self._next_id += 1
        return ids

    def update(self, frame: int, track_id: int, keypoints: np.ndarray,
               scores: np.ndarray) -> None:
        """Record that ``track_id`` was seen in ``frame`` with this pose.

        Args:
            frame (int): Frame index.
            track_id (int): The person's track id.
            keypoints (np.ndarray): (J, 2) pixels.
            scores (np.ndarray): (J,) scores; a pose without a valid joint
                keeps the track's previous pose for matching.
        """
        track_id = int(track_id)
        self._last_seen[track_id] = frame
        if (np.asarray(scores) > 0).any():
            self._last_pose[track_id] = (keypoints, scores)

    @property
    def last_seen(self) -> Mapping[int, int]:
        """Track id -> last frame it was updated in (read-only view)."""
        return MappingProxyType(self._last_seen)

    def forget(self, track_id: int) -> None:
        """Drop a track (its id may be handed out again)."""
        self._last_seen.pop(int(track_id), None)
        self._last_pose.pop(int(track_id), None)


def simple_track(frames: Sequence[Sequence[Instance]],
                 max_distance: float = 0.5,
                 max_gap: int = 30) -> List[List[int]]:
    """Link per-frame detections into tracks (no ids in the input).

    Runs a :class:`PoseTracker` over the clip: each frame's detections are
    matched to the live tracks by the Hungarian algorithm on the mean joint
    distance relative to the person's size; pairs farther than
    ``max_distance`` start new tracks.

    Args:
        frames (Sequence[Sequence[Instance]]): Per frame, its instances
            ``(keypoints (J, 2), scores (J,), track_id)``.
        max_distance (float): Largest matching distance. Defaults to 0.5.
        max_gap (int): Frames a track survives unseen. Defaults to 30.

    Returns:
        list[list[int]]: Per frame, the track index of each instance.
    """
    tracker = PoseTracker(max_distance, max_gap)
    assignment = []
    for t, instances in enumerate(frames):
        ids = tracker.assign(t, [k for k, _, _ in instances],
                             [s for _, s, _ in instances])
        for tid, (k, s, _) in zip(ids, instances):
            tracker.update(t, tid, k, s)
        assignment.append(ids)
    return assignment
