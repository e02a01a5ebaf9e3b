# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Read 2D keypoints of in-the-wild videos in the common formats.

Every reader returns a :class:`KeypointSequence`: one track per person,
``(P, T, J, 2)`` pixel coordinates and ``(P, T, J)`` scores in the source
layout, plus track ids. :meth:`KeypointSequence.to_h36m` converts it to
MotionBERT's H36M-17 layout with :func:`convert_keypoints` (the one
conversion used everywhere, scores reordered with their joints).

Containers (detected from the path and the file's structure):

* a folder of OpenPose json files (one per frame, ``people[].
  pose_keypoints_2d``; BODY_25, BODY_25B or COCO-18) -- or of mmpose
  per-image prediction jsons;
* an AlphaPose / COCO results json: a list of ``{"image_id", "keypoints":
  [x, y, s, ...], "idx"?}`` (Halpe-26, COCO-17, Halpe-136 or
  COCO-WholeBody by joint count);
* an mmpose prediction json: ``MMPoseInferencer(pred_out_dir=...)`` video
  output ``[{"frame_id", "instances": [{"keypoints", "keypoint_scores",
  "track_id"?}]}]``, its per-image output (a list of instances), or
  ``demo/*.py --save-predictions`` output ``{"meta_info", "instance_info"}``;
* a single OpenPose frame json (``{"people": [...]}``);
* ``.npy`` arrays (T, J, 2|3) or (P, T, J, 2|3) and ``.npz`` archives with
  ``keypoints`` (optional ``scores``, ``track_ids``, ``layout``, ``fps``,
  ``frame_size``).

The layout is found from the joint count; where two layouts share a count
(COCO-17 / H36M-17, BODY_25 / BODY_25B) a geometric check decides when it
is clear-cut, otherwise a :class:`KeypointFormatError` asks for the layout
(``--format``). Persons without track ids are tracked with
:func:`simple_track`.
"""
import json
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.utils.keypoints import (KEYPOINT_LAYOUTS, canonical_layout,
                                          convert_keypoints)

__all__ = [
    'KeypointFormatError', 'KeypointSequence', 'read_keypoints',
    'detect_layout', 'simple_track', 'sequence_from_frames',
    'VIDEO_EXTENSIONS'
]

#: File extensions treated as videos (run through a 2D detector).
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg',
                    '.mpeg', '.wmv', '.flv')
#: A joint-count -> layouts table, built from :data:`KEYPOINT_LAYOUTS`.
_LAYOUTS_BY_COUNT: Dict[int, List[str]] = {}
for _name, _num in KEYPOINT_LAYOUTS.items():
    _LAYOUTS_BY_COUNT.setdefault(_num, []).append(_name)

#: An instance in one frame: ``(keypoints (J, 2), scores (J,), track_id)``.
Instance = Tuple[np.ndarray, np.ndarray, Optional[int]]


class KeypointFormatError(ValueError):
    """A keypoint file cannot be read or its layout cannot be determined."""


@dataclass
class KeypointSequence:
    """2D keypoints of every tracked person of a clip.

    Attributes:
        keypoints (np.ndarray): (P, T, J, 2) float32 pixel coordinates;
            0 where a joint or a person is missing.
        scores (np.ndarray): (P, T, J) float32 confidences; 0 = missing.
        track_ids (np.ndarray): (P,) int64 track id of each person.
        layout (str): Joint layout of ``keypoints`` (canonical name).
        frame_ids (np.ndarray): (T,) int64 source frame index of each frame.
        fps (float, optional): Frame rate when known.
        frame_size (tuple, optional): ``(width, height)`` in pixels when
            known.
        source (str): Where the keypoints came from.
    """

    keypoints: np.ndarray
    scores: np.ndarray
    track_ids: np.ndarray
    layout: str
    frame_ids: np.ndarray = None
    fps: Optional[float] = None
    frame_size: Optional[Tuple[int, int]] = None
    source: str = ''
    meta: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keypoints = np.asarray(self.keypoints, dtype=np.float32)
        self.scores = np.asarray(self.scores, dtype=np.float32)
        if self.keypoints.ndim != 4 or self.keypoints.shape[-1] != 2:
            raise KeypointFormatError(
                f'keypoints must be (P, T, J, 2), got {self.keypoints.shape}')
        if self.scores.shape != self.keypoints.shape[:3]:
            raise KeypointFormatError(
                f'scores {self.scores.shape} do not match keypoints '
                f'{self.keypoints.shape}')
        self.layout = canonical_layout(self.layout)
        if self.keypoints.shape[2] != KEYPOINT_LAYOUTS[self.layout]:
            raise KeypointFormatError(
                f'layout {self.layout!r} has '
                f'{KEYPOINT_LAYOUTS[self.layout]} joints but the keypoints '
                f'have {self.keypoints.shape[2]}')
        if self.track_ids is None:
            self.track_ids = np.arange(self.num_persons)
        self.track_ids = np.asarray(self.track_ids, dtype=np.int64)
        if self.track_ids.shape != (self.num_persons, ):
            raise KeypointFormatError(
                f'track_ids must be ({self.num_persons},), got '
                f'{self.track_ids.shape}')
        if self.frame_ids is None:
            self.frame_ids = np.arange(self.num_frames)
        self.frame_ids = np.asarray(self.frame_ids, dtype=np.int64)

    @property
    def num_persons(self) -> int:
        """Number of tracks P."""
        return self.keypoints.shape[0]

    @property
    def num_frames(self) -> int:
        """Number of frames T."""
        return self.keypoints.shape[1]

    def to_h36m(self) -> 'KeypointSequence':
        """This sequence converted to the H36M-17 layout.

        Returns:
            KeypointSequence: Same tracks and frames, ``layout='h36m'``.
        """
        kpts, scores = convert_keypoints(self.keypoints, self.scores,
                                         self.layout)
        return KeypointSequence(
            kpts, scores, self.track_ids.copy(), 'h36m', self.frame_ids.copy(),
            self.fps, self.frame_size, self.source, dict(self.meta))

    def select(self, index: Sequence[int]) -> 'KeypointSequence':
        """A sequence with only the tracks at positions ``index``."""
        index = list(index)
        return KeypointSequence(self.keypoints[index], self.scores[index],
                                self.track_ids[index], self.layout,
                                self.frame_ids.copy(), self.fps,
                                self.frame_size, self.source, dict(self.meta))

    def filter_tracks(self,
                      min_frames: int = 1,
                      max_persons: Optional[int] = None,
                      track_ids: Optional[Sequence[int]] = None
                      ) -> 'KeypointSequence':
        """Keep the tracks worth lifting.

        Args:
            min_frames (int): Drop tracks seen (any joint scored > 0) in
                fewer frames. Defaults to 1.
            max_persons (int, optional): Keep at most this many tracks, the
                ones with the largest total score.
            track_ids (Sequence[int], optional): Keep only these track ids.

        Returns:
            KeypointSequence: The kept tracks, in their original order.
        """
        seen = (self.scores > 0).any(-1).sum(-1)
        keep = [i for i in range(self.num_persons) if seen[i] >= min_frames]
        if track_ids is not None:
            wanted = set(int(t) for t in track_ids)
            missing = wanted - set(int(t) for t in self.track_ids)
            if missing:
                raise ValueError(
                    f'track ids {sorted(missing)} not in the input; it has '
                    f'{self.track_ids.tolist()}')
            keep = [i for i in keep if int(self.track_ids[i]) in wanted]
        if max_persons is not None and len(keep) > max_persons:
            total = self.scores.sum((1, 2))
            best = sorted(keep, key=lambda i: -total[i])[:max_persons]
            keep = sorted(best)
        return self.select(keep)


# ---------------------------------------------------------------------------
# Layout detection
# ---------------------------------------------------------------------------
def _midpoint_residual(kpts: np.ndarray, scores: np.ndarray, joint: int,
                       a: int, b: int) -> np.ndarray:
    """Distances |k[joint] - (k[a] + k[b]) / 2| / person size, valid only."""
    pts = kpts.reshape(-1, kpts.shape[-2], 2)
    sc = scores.reshape(-1, scores.shape[-1])
    valid = (sc[:, [joint, a, b]] > 0).all(1)
    vis = sc > 0
    size = np.zeros(len(pts))
    for i in np.nonzero(valid)[0]:
        p = pts[i][vis[i]]
        size[i] = np.linalg.norm(p.max(0) - p.min(0))
    valid &= size > 1e-6
    if not valid.any():
        return np.zeros(0)
    mid = (pts[valid, a] + pts[valid, b]) / 2
    return np.linalg.norm(pts[valid, joint] - mid, axis=-1) / size[valid]


def _check_score(kpts: np.ndarray, scores: np.ndarray,
                 checks: Sequence[Tuple[int, int, int]]
                 ) -> Tuple[Optional[float], bool]:
    """Largest median midpoint residual over the checks with data.

    Returns:
        tuple: ``(residual or None when no check has data, whether every
        check had data)``.
    """
    per_check = [_midpoint_residual(kpts, scores, *c) for c in checks]
    medians = [float(np.median(r)) for r in per_check if len(r)]
    if not medians:
        return None, False
    return max(medians), len(medians) == len(checks)


#: Geometric tests: layout -> (joint, a, b) with joint ~ midpoint of a, b.
_MIDPOINT_CHECKS = {
    # H36M: pelvis ~ mid-hips, spine ~ mid(pelvis, thorax), thorax ~
    # mid-shoulders.
    'h36m': ((0, 1, 4), (7, 0, 8), (8, 11, 14)),
    # BODY_25: neck ~ mid-shoulders, mid-hip ~ mid-hips.
    'body25': ((1, 2, 5), (8, 9, 12)),
}


def detect_layout(num_joints: int,
                  keypoints: Optional[np.ndarray] = None,
                  scores: Optional[np.ndarray] = None,
                  hint: Optional[str] = None,
                  source: str = 'input') -> str:
    """Find the keypoint layout of an input.

    A joint count that only one layout has decides. COCO-17 vs H36M-17 and
    BODY_25 vs BODY_25B are told apart geometrically (H36M's pelvis, spine
    and thorax and BODY_25's neck and mid-hip are midpoints of other
    joints) only when the result is clear-cut; otherwise the layout must be
    given.

    Args:
        num_joints (int): Joints per person.
        keypoints (np.ndarray, optional): (..., J, 2) coordinates for the
            geometric check.
        scores (np.ndarray, optional): (..., J) scores for the check.
        hint (str, optional): A layout given by the user or the file; it
            wins when it matches the joint count.
        source (str): Name of the input, for error messages.

    Returns:
        str: Canonical layout name.
    """
    if hint is not None and str(hint).lower() != 'auto':
        layout = canonical_layout(hint)
        if KEYPOINT_LAYOUTS[layout] != num_joints:
            raise KeypointFormatError(
                f'{source}: layout {layout!r} has {KEYPOINT_LAYOUTS[layout]} '
                f'joints but the input has {num_joints} per person')
        return layout
    candidates = _LAYOUTS_BY_COUNT.get(num_joints, [])
    if not candidates:
        known = ', '.join(f'{n} ({"/".join(v)})'
                          for n, v in sorted(_LAYOUTS_BY_COUNT.items()))
        raise KeypointFormatError(
            f'{source}: unknown keypoint layout with {num_joints} joints per '
            f'person; known joint counts: {known}')
    if len(candidates) == 1:
        return candidates[0]
    flag = ' or '.join(candidates)
    if keypoints is not None and scores is not None:
        test = 'h36m' if 'h36m' in candidates else 'body25'
        other = [c for c in candidates if c != test][0]
        residual, complete = _check_score(
            np.asarray(keypoints, np.float64), np.asarray(scores),
            _MIDPOINT_CHECKS[test])
        if residual is not None:
            if residual < 0.07 and complete:
                return test
            if residual > 0.15:
                return other
    raise KeypointFormatError(
        f'{source}: {num_joints} joints per person can be {flag} and the '
        f'keypoints do not tell which; pass the layout (--format {flag})')


# ---------------------------------------------------------------------------
# Tracking and assembly
# ---------------------------------------------------------------------------
def _pose_distance(k1: np.ndarray, s1: np.ndarray, k2: np.ndarray,
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
        return float(np.linalg.norm(k1[both] - k2[both], axis=-1).mean() /
                     size)
    return float(np.linalg.norm(k1[v1].mean(0) - k2[v2].mean(0)) / size)


def simple_track(frames: Sequence[Sequence[Instance]],
                 max_distance: float = 0.5,
                 max_gap: int = 30) -> List[List[int]]:
    """Link per-frame detections into tracks (no ids in the input).

    Each frame's detections are matched to the live tracks (last seen at
    most ``max_gap`` frames before) by the Hungarian algorithm on the mean
    joint distance relative to the person's size; pairs farther than
    ``max_distance`` start new tracks.

    Args:
        frames (Sequence[Sequence[Instance]]): Per frame, its instances
            ``(keypoints (J, 2), scores (J,), track_id)``.
        max_distance (float): Largest matching distance. Defaults to 0.5.
        max_gap (int): Frames a track survives unseen. Defaults to 30.

    Returns:
        list[list[int]]: Per frame, the track index of each instance.
    """
    from scipy.optimize import linear_sum_assignment
    last: List[Tuple[np.ndarray, np.ndarray, int]] = []
    assignment = []
    for t, instances in enumerate(frames):
        live = [i for i, tr in enumerate(last) if t - tr[2] <= max_gap]
        ids = [-1] * len(instances)
        if live and instances:
            cost = np.array([[
                _pose_distance(last[i][0], last[i][1], k, s)
                for (k, s, _) in instances
            ] for i in live])
            cost_f = np.where(np.isfinite(cost), cost, 1e6)
            rows, cols = linear_sum_assignment(cost_f)
            for r, c in zip(rows, cols):
                if cost[r, c] <= max_distance:
                    ids[c] = live[r]
        for j, (k, s, _) in enumerate(instances):
            if ids[j] < 0:
                ids[j] = len(last)
                last.append((k, s, t))
            else:
                last[ids[j]] = (k, s, t)
        assignment.append(ids)
    return assignment


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
    layout = detect_layout(
        num_joints, np.stack([k for k, _, _ in instances]),
        np.stack([s for _, s, _ in instances]), layout, source)
    have_ids = all(tid is not None for _, _, tid in instances) and all(
        len({tid for _, _, tid in f}) == len(f) for f in frames)
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


# ---------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------
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


def _load_json(path: str) -> Any:
    try:
        with open(path, 'r') as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise KeypointFormatError(f'{path}: not valid json ({e})') from e


def _openpose_frame(data: dict, where: str) -> List[Instance]:
    people = data.get('people')
    if not isinstance(people, list):
        raise KeypointFormatError(f"{where}: OpenPose json without a 'people'"
                                  ' list')
    out = []
    for i, person in enumerate(people):
        if 'pose_keypoints_2d' not in person:
            raise KeypointFormatError(
                f"{where}: person {i} has no 'pose_keypoints_2d'")
        inst = _instance(person['pose_keypoints_2d'], None,
                         person.get('person_id'), f'{where} person {i}')
        if inst is not None:
            out.append(inst)
    return out


def _mmpose_instances(instances: Any, where: str) -> List[Instance]:
    if not isinstance(instances, list):
        raise KeypointFormatError(f'{where}: instances must be a list')
    out = []
    for i, inst in enumerate(instances):
        if not isinstance(inst, dict) or 'keypoints' not in inst:
            raise KeypointFormatError(
                f"{where}: instance {i} has no 'keypoints'")
        scores = inst.get('keypoint_scores')
        if scores is None:
            scores = np.ones(len(inst['keypoints']))
        parsed = _instance(inst['keypoints'], scores,
                           inst.get('track_id', inst.get('idx')),
                           f'{where} instance {i}')
        if parsed is not None:
            out.append(parsed)
    return out


def _layout_from_meta(meta: Any) -> Optional[str]:
    """mmpose ``dataset_meta`` -> layout name, when recognised."""
    if not isinstance(meta, dict):
        return None
    name = str(meta.get('dataset_name', '')).lower()
    table = {
        'coco': 'coco', 'h36m': 'h36m', 'halpe26': 'halpe26',
        'halpe': 'halpe136', 'coco_wholebody': 'coco_wholebody',
        'body8': None
    }
    return table.get(name)


def _read_json(path: str, layout: str, track: str) -> KeypointSequence:
    data = _load_json(path)
    if isinstance(data, (list, dict)) and len(data) == 0:
        raise KeypointFormatError(f'{path}: empty json, no keypoints')
    if isinstance(data, dict) and 'people' in data:
        return sequence_from_frames([_openpose_frame(data, path)], layout,
                                    [_frame_number(path) or 0], path,
                                    track=track)
    if isinstance(data, dict) and 'instance_info' in data:
        meta_layout = _layout_from_meta(data.get('meta_info'))
        if layout == 'auto' and meta_layout is not None:
            layout = meta_layout
        data = data['instance_info']
        if not data:
            raise KeypointFormatError(f'{path}: empty instance_info')
    if not isinstance(data, list):
        raise KeypointFormatError(
            f'{path}: unrecognised json; expected an AlphaPose/COCO results '
            'list, an mmpose prediction file or an OpenPose frame')
    first = data[0]
    if not isinstance(first, dict):
        raise KeypointFormatError(f'{path}: expected a list of objects')
    if 'instances' in first:  # mmpose video predictions
        frames, ids = [], []
        for i, item in enumerate(data):
            frames.append(
                _mmpose_instances(item.get('instances', []),
                                  f'{path} frame {i}'))
            ids.append(int(item.get('frame_id', i)))
        return _dense(frames, ids, layout, path, track)
    if 'keypoint_scores' in first:  # mmpose single image
        return sequence_from_frames([_mmpose_instances(data, path)], layout,
                                    [0], path, track=track)
    if 'keypoints' in first:  # AlphaPose / COCO results
        order: Dict[Any, int] = {}
        frames: List[List[Instance]] = []
        for i, item in enumerate(data):
            if 'keypoints' not in item:
                raise KeypointFormatError(
                    f"{path}: entry {i} has no 'keypoints'")
            key = item.get('image_id', i)
            if key not in order:
                order[key] = len(frames)
                frames.append([])
            inst = _instance(item['keypoints'], None,
                             item.get('idx', item.get('track_id')),
                             f'{path} entry {i}')
            if inst is not None:
                frames[order[key]].append(inst)
        numbers = [_frame_number(k) if isinstance(k, str) else
                   (int(k) if isinstance(k, (int, float)) else None)
                   for k in order]
        if all(n is not None for n in numbers) and len(set(numbers)) == len(
                numbers):
            return _dense(frames, numbers, layout, path, track)
        return sequence_from_frames(frames, layout, None, path, track=track)
    raise KeypointFormatError(
        f'{path}: unrecognised json entries (keys {sorted(first)[:8]}); '
        "expected 'keypoints' (AlphaPose/COCO) or 'instances' (mmpose)")


def _dense(frames: List[List[Instance]], numbers: List[int], layout: str,
           source: str, track: str) -> KeypointSequence:
    """Place frames on a dense timeline from their frame numbers."""
    order = np.argsort(numbers, kind='stable')
    start, stop = int(min(numbers)), int(max(numbers))
    if stop - start + 1 > 4 * len(numbers) + 1000:
        # Sparse numbering (not frame indices): keep the listed order.
        return sequence_from_frames([frames[i] for i in order], layout,
                                    [numbers[i] for i in order], source,
                                    track=track)
    dense: List[List[Instance]] = [[] for _ in range(stop - start + 1)]
    for f, n in zip(frames, numbers):
        dense[int(n) - start].extend(f)
    return sequence_from_frames(dense, layout,
                                np.arange(start, stop + 1), source,
                                track=track)


def _read_folder(path: str, layout: str, track: str) -> KeypointSequence:
    files = sorted(f for f in os.listdir(path) if f.lower().endswith('.json'))
    if not files:
        raise KeypointFormatError(
            f'{path}: folder without .json files (expected one OpenPose or '
            'mmpose json per frame)')
    numbers = [_frame_number(f) for f in files]
    if all(n is not None for n in numbers) and len(set(numbers)) == len(
            numbers):
        files = [f for _, f in sorted(zip(numbers, files))]
        numbers = sorted(numbers)
    else:
        numbers = list(range(len(files)))
    frames = []
    for f in files:
        full = osp.join(path, f)
        data = _load_json(full)
        if isinstance(data, dict) and 'people' in data:
            frames.append(_openpose_frame(data, full))
        elif isinstance(data, list):
            frames.append(_mmpose_instances(data, full))
        else:
            raise KeypointFormatError(
                f"{full}: expected an OpenPose frame ({{'people': [...]}}) "
                'or an mmpose instance list')
    return _dense(frames, numbers, layout, path, track)


def _array_sequence(kpts: np.ndarray, scores: Optional[np.ndarray],
                    layout: str, source: str, track_ids=None, fps=None,
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


def _read_npz(path: str, layout: str) -> KeypointSequence:
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
    frame_size = (tuple(int(v) for v in data['frame_size'])
                  if 'frame_size' in data else None)
    return _array_sequence(kpts, scores, layout, path,
                           data.get('track_ids'), fps, frame_size)


def read_keypoints(path: str,
                   layout: str = 'auto',
                   track: str = 'auto') -> KeypointSequence:
    """Read a 2D keypoint file or folder in any supported format.

    Args:
        path (str): OpenPose json folder, AlphaPose / COCO / mmpose / OpenPose
            json file, ``.npy`` or ``.npz``.
        layout (str): Joint layout (``'auto'``, ``'coco'``, ``'h36m'``,
            ``'halpe26'``, ``'body25'``, ``'body25b'``, ``'openpose18'``,
            ``'blazepose'``, ``'coco_wholebody'``, ``'halpe136'`` or an
            alias). Defaults to ``'auto'``.
        track (str): How persons are linked over frames, see
            :func:`sequence_from_frames`.

    Returns:
        KeypointSequence: The keypoints in the source layout; call
        :meth:`KeypointSequence.to_h36m` to convert.
    """
    path = str(path)
    if layout != 'auto':
        layout = canonical_layout(layout)
    if not osp.exists(path):
        raise FileNotFoundError(f'keypoint input {path!r} does not exist')
    if osp.isdir(path):
        return _read_folder(path, layout, track)
    ext = osp.splitext(path)[1].lower()
    if ext == '.json':
        return _read_json(path, layout, track)
    if ext == '.npy':
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError as e:
            raise KeypointFormatError(f'{path}: cannot read ({e})') from e
        return _array_sequence(arr, None, layout, path)
    if ext == '.npz':
        return _read_npz(path, layout)
    if ext in VIDEO_EXTENSIONS:
        raise KeypointFormatError(
            f'{path} is a video: run a 2D detector on it first '
            '(mmmotionbert.apis.detectors.detect_video, or give it to '
            'demo/lift_2d_to_3d.py)')
    raise KeypointFormatError(
        f'{path}: unsupported input {ext!r}; expected an OpenPose json '
        'folder, a .json (AlphaPose, COCO, mmpose, OpenPose), .npy, .npz or a '
        'video')
