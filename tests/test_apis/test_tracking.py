# Copyright (c) mmmotionbert contributors. All rights reserved.
"""One tracker for the readers and the streaming lifter."""
import numpy as np
import pytest

from mmmotionbert.apis.tracking import PoseTracker, pose_distance, simple_track


def _pose(x, y, n=17, size=100.0):
    rng = np.random.default_rng(int(x + 7 * y))
    return (np.array([x, y]) + rng.uniform(0, size, (n, 2))).astype(
        np.float32), np.ones(n, np.float32)


def test_pose_distance_is_relative_to_size():
    k, s = _pose(0, 0)
    assert pose_distance(k, s, k, s) == 0
    assert np.isclose(
        pose_distance(k, s, k + 10, s),
        np.sqrt(200) / np.linalg.norm(k.max(0) - k.min(0)))
    assert pose_distance(k, s * 0, k, s) == np.inf


def test_tracker_keeps_ids_across_swaps_and_gaps():
    a, b = _pose(0, 0), _pose(1000, 0)
    tr = PoseTracker(max_gap=2)
    ids0 = tr.assign(0, [a[0], b[0]], [a[1], b[1]])
    assert ids0 == [0, 1]
    for tid, (k, s) in zip(ids0, (a, b)):
        tr.update(0, tid, k, s)
    # order swapped and slightly moved: matched by pose, not position
    ids1 = tr.assign(1, [b[0] + 3, a[0] - 2], [b[1], a[1]])
    assert ids1 == [1, 0]
    for tid, (k, s) in zip(ids1, ((b[0] + 3, b[1]), (a[0] - 2, a[1]))):
        tr.update(1, tid, k, s)
    # a pose without valid joints keeps the last valid pose for matching
    tr.update(2, 0, a[0] * 0, a[1] * 0)
    assert tr.assign(3, [a[0]], [a[1]]) == [0]
    # unseen for longer than max_gap: a new track
    assert tr.assign(10, [a[0]], [a[1]]) == [2]
    assert dict(tr.last_seen) == {0: 2, 1: 1}
    with pytest.raises(TypeError):
        tr.last_seen[0] = 5  # a read-only view
    tr.forget(1)
    assert dict(tr.last_seen) == {0: 2}
    assert tr.assign(10, [b[0]], [b[1]]) == [3]


def test_tracker_skips_ids_given_by_the_caller():
    tr = PoseTracker()
    k, s = _pose(0, 0)
    tr.update(0, 0, k, s)
    far = _pose(5000, 5000)
    assert tr.assign(1, [far[0]], [far[1]]) == [1]


def test_simple_track_links_a_clip():
    a, b = _pose(0, 0), _pose(1000, 0)
    frames = [[(a[0], a[1], None), (b[0], b[1], None)],
              [(b[0] + 1, b[1], None)],
              [(b[0] + 2, b[1], None), (a[0] + 1, a[1], None)]]
    assert simple_track(frames) == [[0, 1], [1], [1, 0]]
    assert simple_track(frames, max_gap=1) == [[0, 1], [1], [1, 2]]
    assert simple_track(frames, max_gap=0) == [[0, 1], [2], [3, 4]]
