# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Which joint layout keypoints are in, from their joint count and geometry.

Where two layouts share a count (COCO-17 / H36M-17, BODY_25 / BODY_25B) a
geometric check decides when it is clear-cut, otherwise a
:class:`~mmmotionbert.structures.KeypointFormatError` asks for the layout.

May import: numpy, :mod:`mmmotionbert.structures`, :mod:`mmmotionbert.utils`.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.structures import KeypointFormatError
from mmmotionbert.utils.keypoints import (KEYPOINT_LAYOUTS, canonical_layout)

__all__ = ['detect_layout']

#: A joint-count -> layouts table, built from :data:`KEYPOINT_LAYOUTS`.
_LAYOUTS_BY_COUNT: Dict[int, List[str]] = {}

for _name, _num in KEYPOINT_LAYOUTS.items():
    _LAYOUTS_BY_COUNT.setdefault(_num, []).append(_name)


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


def _check_score(
        kpts: np.ndarray, scores: np.ndarray,
        checks: Sequence[Tuple[int, int,
                               int]]) -> Tuple[Optional[float], bool]:
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
