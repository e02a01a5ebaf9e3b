# Copyright (c) mmmotionbert contributors. All rights reserved.
"""A 2-process distributed run on CPU through tools/dist_train.sh."""
import pytest
import os
import socket
import subprocess
import sys

from tests.conftest import REPO_ROOT

CONFIG = 'configs/pose3d/mb-tiny_dstformer-27frm_synthetic-h36m.py'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_dist_train_two_processes(synthetic_h36m_pkl, tmp_path):
    work_dir = tmp_path / 'dist'
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(_free_port()),
               OMP_NUM_THREADS='1')
    data = f'train_dataloader.dataset.data_file={synthetic_h36m_pkl}'
    val = f'val_dataloader.dataset.data_file={synthetic_h36m_pkl}'
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
         str(work_dir), '--cfg-options', data, val,
         'train_cfg.max_epochs=2', 'train_cfg.val_interval=2'],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert (work_dir / 'epoch_2.pth').exists(), log[-4000:]
    assert 'Distributed training: True' in log, log[-4000:]
    assert 'GPU number: 2' in log, log[-4000:]
