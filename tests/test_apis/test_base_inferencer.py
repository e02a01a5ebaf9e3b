# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The windowed core: a subclass only supplies ``forward_clips``."""
import numpy as np
import pytest
import torch

from mmmotionbert.apis.inferencers import BaseMotionInferencer
from mmmotionbert.structures import KeypointSequence


class _Net(torch.nn.Module):
    maxlen = 9

    def forward(self, x):
        return x


class _Echo(BaseMotionInferencer):
    """Returns each window's normalized input and its frame count."""

    def __init__(self, **kw):
        super().__init__(_Net(), progress=False, **kw)
        self.batches = []

    def forward_clips(self, clips):
        self.batches.append(clips.shape[:2])
        return clips, np.full(len(clips), clips.shape[1])


def test_windows_batches_and_outputs_in_job_order():
    inf = _Echo(overlap=3)
    inf.batch_size = 2
    kp = np.random.default_rng(0).uniform(0, 100, (2, 20, 17, 2))
    sc = np.ones((2, 20, 17))
    sc[1, 15:] = 0  # person 1 ends at frame 15
    jobs = inf.windows(kp, sc)
    # person 0: 20 frames in windows of 9 every 6 (+ one ending at 20)
    assert [(p, a, b) for p, a, b, _, _ in jobs] == [(0, 0, 9), (0, 6, 15),
                                                     (0, 11, 20), (1, 0, 9),
                                                     (1, 6, 15)]
    out = inf.forward(jobs)
    assert len(out) == len(jobs)
    for job, (clip, n) in zip(jobs, out):
        np.testing.assert_array_equal(clip, job[4])
        assert n == 9
    assert all(b[0] <= 2 for b in inf.batches)
    assert sum(b[0] for b in inf.batches) == len(jobs)


def test_preprocess_reads_arrays_and_filters_tracks():
    inf = _Echo()
    arr = np.random.default_rng(1).uniform(0, 100, (2, 12, 17, 3))
    arr[1, :, :, 2] = 0
    arr[1, :2, :, 2] = 1  # person 1 seen in 2 frames
    seq = inf.preprocess(arr, layout='h36m', min_frames=3)
    assert isinstance(seq, KeypointSequence) and seq.num_persons == 1
    with pytest.raises(ValueError, match='no track left.*min_frames=20'):
        inf.preprocess(arr, layout='h36m', min_frames=20)


def test_window_settings_are_checked():
    with pytest.raises(ValueError, match=r'clip_len must be in \[1, 9\]'):
        _Echo(clip_len=10)
    with pytest.raises(ValueError, match='overlap'):
        _Echo(clip_len=5, overlap=5)
    assert _Echo().clip_len == 9  # default: the model's maxlen
