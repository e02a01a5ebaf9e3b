# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Shared test helpers.

Official-parity fixtures live in ``../shared/fixtures/official_parity`` next
to the repository (generated from the official MotionBERT code); tests that
need them skip with a clear reason when that folder is absent.
"""
import os
from pathlib import Path

# The test models are tiny: one thread per process is as fast as two and does
# not collapse when the machine is busy (OpenMP threads spin-wait for each
# other). Subprocesses (tools/*.py) inherit the setting.
os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('MKL_NUM_THREADS', '1')

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT.parent / 'shared' / 'fixtures' / 'official_parity'


def official_fixture(name: str) -> Path:
    """Path of an official-parity fixture, or skip the test if missing."""
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f'official parity fixture {path} is not available')
    return path


@pytest.fixture(scope='session')
def synthetic_h36m_pkl(tmp_path_factory) -> str:
    """A small generated H36M-format pkl shared by the runtime tests."""
    from mmmotionbert.datasets.synthetic_h36m import write_synthetic_h36m
    path = tmp_path_factory.mktemp('data') / 'synthetic_h36m.pkl'
    return write_synthetic_h36m(str(path), num_train=4, num_test=2,
                                frames=(60, 90), seed=0)
