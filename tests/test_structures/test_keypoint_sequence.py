# Copyright (c) mmmotionbert contributors. All rights reserved.
"""KeypointSequence: validation, H36M conversion, track filtering."""
import numpy as np
import pytest

from mmmotionbert.structures import KeypointFormatError, KeypointSequence
from mmmotionbert.utils.keypoints import coco_to_h36m


def _seq(num_p=3, num_t=4):
    rng = np.random.default_rng(0)
    kp = rng.uniform(0, 100, (num_p, num_t, 17, 2))
    sc = np.ones((num_p, num_t, 17))
    return KeypointSequence(kp, sc, [7, 3, 5], 'coco', fps=30.0)


def test_defaults_and_dtypes():
    seq = _seq()
    assert seq.keypoints.dtype == np.float32 and seq.scores.dtype == np.float32
    assert seq.track_ids.tolist() == [7, 3, 5]
    assert seq.frame_ids.tolist() == [0, 1, 2, 3]
    assert (seq.num_persons, seq.num_frames) == (3, 4)


@pytest.mark.parametrize('kwargs, match', [
    (dict(keypoints=np.zeros((1, 4, 17, 3))), r'\(P, T, J, 2\)'),
    (dict(scores=np.zeros((1, 4, 16))), 'do not match'),
    (dict(layout='body25'), 'has 25 joints but the keypoints have 17'),
    (dict(track_ids=[0, 1]), r'track_ids must be \(1,\)'),
])
def test_bad_arrays_are_clear_errors(kwargs, match):
    args = dict(
        keypoints=np.zeros((1, 4, 17, 2)),
        scores=np.zeros((1, 4, 17)),
        track_ids=None,
        layout='coco')
    args.update(kwargs)
    with pytest.raises(KeypointFormatError, match=match):
        KeypointSequence(**args)


def test_to_h36m_uses_the_shared_conversion():
    seq = _seq()
    h36m = seq.to_h36m()
    # all joints valid: the plain COCO -> H36M mapping of [x, y, score]
    ref = coco_to_h36m(
        np.concatenate([seq.keypoints, seq.scores[..., None]], -1))
    kp, sc = ref[..., :2], ref[..., 2]
    assert h36m.layout == 'h36m' and h36m.fps == 30.0
    np.testing.assert_allclose(h36m.keypoints, kp, rtol=1e-6)
    np.testing.assert_allclose(h36m.scores, sc)
    assert h36m.track_ids.tolist() == [7, 3, 5]


def test_filter_tracks():
    seq = _seq()
    seq.scores[1, :3] = 0  # track 3 seen in one frame
    seq.scores[2] *= 0.5  # track 5 is the least confident of the rest
    assert seq.filter_tracks(min_frames=2).track_ids.tolist() == [7, 5]
    assert seq.filter_tracks(max_persons=1).track_ids.tolist() == [7]
    assert seq.filter_tracks(track_ids=[5, 3]).track_ids.tolist() == [3, 5]
    with pytest.raises(ValueError, match=r'track ids \[9\] not in the input'):
        seq.filter_tracks(track_ids=[9])
