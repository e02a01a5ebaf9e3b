# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Shared test helpers.

Official-parity fixtures live in ``../shared/fixtures/official_parity`` next
to the repository (generated from the official MotionBERT code); tests that
need them skip with a clear reason when that folder is absent.
"""
import os.path as osp
import pickle
from pathlib import Path

import pytest

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
