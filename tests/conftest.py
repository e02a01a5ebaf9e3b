# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Shared test helpers.

Official-parity fixtures live in ``../shared/fixtures/official_parity`` next
to the repository (generated from the official MotionBERT code); tests that
need them skip with a clear reason when that folder is absent.
"""
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional, Sequence

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


def build_tiny_lifter(maxlen: int, mlp_ratio: float, seed: int = 0):
    """A tiny random ``MBPoseLifter`` (dim 16, depth 1, 2 heads), built
    after ``torch.manual_seed(seed)``."""
    import mmmotionbert  # noqa: F401
    from mmmotionbert.registry import MODELS
    torch.manual_seed(seed)
    return MODELS.build(
        dict(
            type='MBPoseLifter',
            backbone=dict(
                type='MBDSTformer', dim_feat=16, dim_rep=16, depth=1,
                num_heads=2, mlp_ratio=mlp_ratio, maxlen=maxlen),
            head=dict(type='MBPoseHead', dim_rep=16, dim_out=3)))


def write_motion_clips(root: Path, subset: str, n: int, with_input: bool,
                       t: int, split: str = 'train') -> None:
    """``n`` official-style clip pickles (``data_label`` (t, 17, 3), and
    ``data_input`` 2D + score 0.7 when ``with_input``) under
    ``root/subset/split``."""
    import pickle

    import numpy as np
    folder = root / subset / split
    folder.mkdir(parents=True)
    rng = np.random.default_rng(len(subset))
    for i in range(n):
        label = rng.normal(size=(t, 17, 3)).astype(np.float32)
        clip = {'data_label': label,
                'data_input': (np.concatenate(
                    [label[..., :2] + 0.01, np.full((t, 17, 1), 0.7)],
                    -1).astype(np.float32) if with_input else None)}
        with open(folder / f'{i:08d}.pkl', 'wb') as f:
            pickle.dump(clip, f)


def run_tool(args: Sequence[str],
             cwd: Optional[os.PathLike] = None,
             timeout: int = 300) -> str:
    """Run ``python ARGS`` (a tool or demo script) and return its log.

    Args:
        args (Sequence[str]): Script path and its arguments.
        cwd (PathLike, optional): Working folder; the repository root by
            default.
        timeout (int): Seconds before the run fails. Defaults to 300.

    Returns:
        str: stdout followed by stderr. The test fails with the last 4000
        characters of it when the exit code is not 0.
    """
    proc = subprocess.run([sys.executable] + [str(a) for a in args],
                          cwd=str(cwd or REPO_ROOT),
                          capture_output=True,
                          text=True,
                          timeout=timeout)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    return log


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
