# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Checkpoints load with weights_only=True; crafted ones are refused."""
import os

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner import load_checkpoint
from mmengine.runner.checkpoint import _load_checkpoint

import mmmotionbert  # noqa: F401  (installs the safe loader)
from mmmotionbert.utils.checkpoint import (UnsafeCheckpointError,
                                           safe_torch_load)


class _Exploit:
    """Pickles as a call to os.system: what a hostile checkpoint holds."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def test_crafted_checkpoint_is_refused(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': _Exploit(marker)}, path)
    with pytest.raises(UnsafeCheckpointError,
                       match=r'Refusing to load checkpoint .*evil.pth.*'
                       r'system'):
        safe_torch_load(str(path))
    # also through mmengine's own entry points (load_from / resume)
    with pytest.raises(UnsafeCheckpointError):
        _load_checkpoint(str(path), map_location='cpu')
    model = torch.nn.Linear(2, 2)
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(model, str(path))
    assert not marker.exists()


def test_mmengine_checkpoint_objects_load(tmp_path):
    buffer = HistoryBuffer()
    buffer.update(np.float64(1.5))
    buffer.update(2.0)
    ckpt = {
        'meta': {'epoch': 3, 'seed': np.int64(7)},
        'state_dict': {'w': torch.ones(2)},
        'message_hub': {'log_scalars': {'train/loss': buffer},
                        'runtime_info': {'arr': np.arange(3)}},
    }
    path = tmp_path / 'ok.pth'
    torch.save(ckpt, path)
    loaded = safe_torch_load(str(path))
    assert loaded['meta']['seed'] == 7
    assert loaded['message_hub']['log_scalars']['train/loss'].mean() == 1.75
    np.testing.assert_array_equal(
        loaded['message_hub']['runtime_info']['arr'], [0, 1, 2])


def test_protection_is_not_switched_off_globally(tmp_path):
    """Outside our loader torch's defaults still refuse numpy objects."""
    path = tmp_path / 'np.pth'
    torch.save({'a': np.arange(3)}, path)
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path)
    assert 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD' not in os.environ


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        safe_torch_load(str(tmp_path / 'nope.pth'))


class _GetattrExploit:
    """Pickles as getattr(np.ndarray, 'tofile'): a getattr we must refuse."""

    def __reduce__(self):
        return getattr, (np.ndarray, 'tofile')


def test_getattr_is_only_allowed_for_history_buffer(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save({'x': _GetattrExploit()}, path)
    with pytest.raises(UnsafeCheckpointError, match="'tofile'"):
        safe_torch_load(str(path))
