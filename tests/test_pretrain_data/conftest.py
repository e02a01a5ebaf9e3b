# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Shared fixtures of the pretraining-data tests."""
import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Run tiny models with one intra-op thread.

    On a shared, busy 2-core machine two threads make every small op wait
    ~10 ms for the other thread (a 16-dim DSTformer forward: 0.3 s instead
    of 2 ms).
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
