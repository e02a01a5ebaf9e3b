# Copyright (c) mmmotionbert contributors. All rights reserved.
"""A regular (non-editable) install finds the shipped default model.

``pip install .`` puts ``configs/`` and the shipped checkpoint under
``mmmotionbert/.mim``; :func:`mmmotionbert.apis.init_lifter` without
arguments must load them from there when no source checkout is around.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

#: The shipped checkpoint (relative to the checkout and to the package data).
CHECKPOINT = 'checkpoints/mb_pretrain_small_pybullet.pth'
#: Top-level folders of a checkout that are not part of the package source.
_NOT_SOURCE = {'.git', '.venv', 'data', 'work_dirs', 'outputs', 'build',
               'dist', '.pytest_cache'}

#: Run in the installed copy: default lifter on a random 2D clip.
_SCRIPT = '''
import json, os, sys
import numpy as np
import mmmotionbert
from mmmotionbert.apis import MotionLifterInferencer, inferencer
model_files = inferencer._default_model_files()
lifter = MotionLifterInferencer()
kpts = np.random.default_rng(0).uniform(100, 300, (30, 17, 2))
res = lifter(kpts.astype(np.float32), layout='h36m')
print(json.dumps(dict(
    package=mmmotionbert.__file__, model_files=model_files,
    shape=list(res.keypoints_3d.shape),
    finite=bool(np.isfinite(res.keypoints_3d).all()))))
'''


def _copy_source(dst: Path) -> None:
    """Copy the checkout's package source to ``dst``.

    Building from a copy keeps the checkout as it is: setup.py rewrites
    ``mmmotionbert/.mim``, which an editable install links to the checkout.
    """

    def ignore(folder: str, names: list) -> set:
        skip = {n for n in names if n == '__pycache__' or n.endswith(
            '.egg-info') or n == '.mim'}
        if Path(folder) == REPO_ROOT:
            skip |= _NOT_SOURCE & set(names)
        elif Path(folder) == REPO_ROOT / 'checkpoints':  # only the shipped
            skip |= set(names) - {Path(CHECKPOINT).name}
        return skip

    shutil.copytree(REPO_ROOT, dst, ignore=ignore, symlinks=True)


@pytest.mark.slow
def test_non_editable_install_runs_the_default_model(tmp_path):
    src, target, work = (tmp_path / 'src', tmp_path / 'site', tmp_path / 'cwd')
    _copy_source(src)
    work.mkdir()
    install = subprocess.run(
        [sys.executable, '-m', 'pip', 'install', '--no-deps',
         '--no-build-isolation', '--no-index', '--target', str(target), '.'],
        cwd=src, capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr
    shipped = target / 'mmmotionbert' / '.mim'
    assert (shipped / CHECKPOINT).is_file()
    assert (shipped / 'configs' / 'pretrain' /
            'mb-small_dstformer-27frm_pybullet.py').is_file()

    # PYTHONPATH comes before the editable finder of a development install
    # (appended to sys.meta_path), so the installed copy is imported
    env = dict(os.environ, PYTHONPATH=str(target), OMP_NUM_THREADS='1')
    run = subprocess.run([sys.executable, '-c', _SCRIPT], cwd=work, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr

    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert target.resolve() in Path(out['package']).resolve().parents
    ckpt, config = (Path(p).resolve() for p in out['model_files'])
    assert ckpt == (shipped / CHECKPOINT).resolve()
    assert (shipped / 'configs').resolve() in config.parents
    assert out['shape'] == [1, 30, 17, 3] and out['finite']
