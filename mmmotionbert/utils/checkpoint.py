# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Safe checkpoint loading for torch >= 2.6 and mmengine 0.10.7.

torch >= 2.6 loads with ``weights_only=True`` by default: only tensors,
containers and an allowlist of globals may be unpickled, which is what stops
a crafted checkpoint from running code. mmengine 0.10.7 calls ``torch.load``
without ``weights_only`` and saves objects outside torch's default allowlist
(numpy arrays and scalars inside its ``HistoryBuffer`` log history), so under
torch >= 2.6 it cannot even resume from its own checkpoints.

We do **not** switch the protection off. :func:`safe_torch_load` keeps
``weights_only=True`` and allows, only for the duration of that one call, the
exact globals that mmengine / mmmotionbert checkpoints contain
(:data:`CHECKPOINT_SAFE_GLOBALS`). Anything else -- e.g. a pickle that would
call ``os.system`` -- is refused with :class:`UnsafeCheckpointError` naming
the offending global. :func:`install_safe_checkpoint_loader` routes
mmengine's local-file checkpoint loader (used by ``load_from``, ``resume``
and ``init_cfg=dict(type='Pretrained')``) through it; it is called on
``import mmmotionbert``.

May import: numpy, torch and mmengine (the loader it patches); no other layer
of ours.
"""
import os.path as osp
import pickle
import re
from typing import IO, Any, Callable, List, Optional, Union

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects outside the allowlist and was refused."""


def _numpy_globals() -> List[Any]:
    """Globals needed to unpickle numpy arrays, dtypes and scalars."""
    try:  # numpy >= 1.25 exposes dtype classes in numpy.dtypes
        from numpy import dtypes as np_dtypes
        dtype_classes = [
            getattr(np_dtypes, name) for name in dir(np_dtypes)
            if name.endswith('DType')
        ]
    except ImportError:  # pragma: no cover - older numpy
        dtype_classes = []
    try:
        from numpy.core.multiarray import _reconstruct, scalar
    except ImportError:  # pragma: no cover - numpy 2 layout
        from numpy._core.multiarray import _reconstruct, scalar
    return [_reconstruct, scalar, np.ndarray, np.dtype] + dtype_classes


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """The only ``getattr`` a checkpoint may call.

    ``HistoryBuffer.__getstate__`` pickles its statistics methods as
    ``getattr(HistoryBuffer, 'mean')`` etc.; this stand-in for
    ``builtins.getattr`` resolves exactly those and refuses anything else.
    """
    allowed = set(HistoryBuffer._statistics_methods) | {
        'min', 'max', 'current', 'mean'
    }
    if obj is HistoryBuffer and name in allowed:
        return getattr(HistoryBuffer, name)
    raise UnsafeCheckpointError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); only '
        f'HistoryBuffer statistics methods {sorted(allowed)} are allowed')


#: Everything beyond torch's own allowlist that our checkpoints hold
#: (``bytes``: mmpose's H36M dataset meta, in checkpoints its runner saves).
CHECKPOINT_SAFE_GLOBALS: List[Any] = [
    HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr'), bytes
] + _numpy_globals()


def safe_torch_load(file: Union[str, IO],
                    map_location: Optional[Union[str, Callable,
                                                 torch.device]] = 'cpu'):
    """``torch.load(weights_only=True)`` plus our checkpoints' allowlist.

    Args:
        file (str | file-like): Checkpoint path or open binary file.
        map_location: Passed to ``torch.load``. Defaults to ``'cpu'``.

    Returns:
        Any: The unpickled checkpoint.

    Raises:
        FileNotFoundError: ``file`` is a path that does not exist.
        UnsafeCheckpointError: The checkpoint holds objects (e.g. callables)
            outside the allowlist; nothing of it was executed.
    """
    if isinstance(file, str) and not osp.isfile(file):
        raise FileNotFoundError(f'checkpoint file not found: {file}')
    try:
        with torch.serialization.safe_globals(CHECKPOINT_SAFE_GLOBALS):
            return torch.load(file, map_location=map_location,
                              weights_only=True)
    except pickle.UnpicklingError as err:
        name = file if isinstance(file, str) else getattr(
            file, 'name', '<file object>')
        raise UnsafeCheckpointError(
            f'Refusing to load checkpoint {name}: it contains objects '
            f'outside the allowlist of safe types, which could run code '
            f'when unpickled ({_refusal_reason(str(err))}). Only load '
            f'checkpoints from sources you trust; if you trust this file, '
            f'convert it in a separate process with '
            f'torch.load(..., weights_only=False) and save only its '
            f'tensors.') from err


def _refusal_reason(message: str) -> str:
    """The informative part of torch's weights-only refusal message."""
    for pattern in (r'WeightsUnpickler error:\s*(.*?)\s*\n\s*\n\s*Check',
                    r'(Trying to load unsupported GLOBAL [^\n]+)'):
        found = re.search(pattern, message, re.S)
        if found and found.group(1).strip():
            return found.group(1).strip()
    return message.strip().splitlines()[-1]


def _load_from_local(filename: str, map_location=None):
    """mmengine ``CheckpointLoader`` scheme for local paths, made safe."""
    filename = osp.expanduser(filename)
    return safe_torch_load(filename, map_location=map_location)


def install_safe_checkpoint_loader() -> None:
    """Route mmengine's local checkpoint loading through :func:`safe_torch_load`.

    Replaces the loader mmengine registers for plain paths (prefix ``''``);
    http(s) and other schemes are untouched.
    """
    CheckpointLoader.register_scheme(
        prefixes='', loader=_load_from_local, force=True)
