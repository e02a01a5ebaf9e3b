# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Read SMPL / SMPL+H model pickles without chumpy and without running code.

Real ``SMPL_NEUTRAL.pkl`` (and MANO SMPL+H ``.pkl``) files are Python 2
pickles holding ``chumpy`` arrays and a ``scipy.sparse`` joint regressor.
:class:`SMPLUnpickler` (a :class:`~mmmotionbert.utils.safe_pickle.
NumpyOnlyUnpickler` with a wider allowlist) turns chumpy arrays into stubs
that keep their state and sparse matrices into stubs rebuilt as dense numpy
arrays by :func:`plain_array`; every other global is refused with
:class:`UnsafeSMPLPickleError`.

Used by :func:`mmmotionbert.utils.smpl_assets.load_smpl_model_data` and the
AMASS converter's SMPL+H loader.

May import: numpy, the standard library and :mod:`mmmotionbert.utils.
safe_pickle`.
"""
import pickle
from typing import Any

import numpy as np

from .safe_pickle import NUMPY_GLOBALS, NumpyOnlyUnpickler

__all__ = [
    'UnsafeSMPLPickleError', 'SMPLUnpickler', 'plain_array', 'is_chumpy_stub'
]


class UnsafeSMPLPickleError(pickle.UnpicklingError):
    """An SMPL model file holds objects other than arrays (refused)."""


class _ChumpyStub:
    """Stands in for a chumpy object while unpickling; keeps its state."""

    chumpy_name = 'chumpy'

    def __setstate__(self, state: Any) -> None:
        """Keep the pickled state (``x`` holds a plain Ch's values)."""
        if isinstance(state, tuple) and len(state) == 2:
            state = state[0] or state[1]
        self.__dict__['_state'] = state


class _SparseStub:
    """Stands in for a scipy sparse matrix; rebuilt as a dense array."""

    sparse_format = 'csc'

    def __setstate__(self, state: Any) -> None:
        """Keep the pickled attributes (data, indices, indptr, shape)."""
        self.__dict__['_state'] = state


def _stub_class(base: type, attr: str, value: str) -> type:
    """A subclass of ``base`` with ``attr = value`` (one per pickled name)."""
    return type(f'{base.__name__}[{value}]', (base, ), {attr: value})


class SMPLUnpickler(NumpyOnlyUnpickler):
    """Unpickle an SMPL model file without chumpy and without running code.

    Allowed globals: numpy's array / dtype / scalar reconstruction,
    ``copyreg._reconstructor`` with ``object`` (how Python 2 pickles plain
    classes), builtin ``set`` / ``frozenset``, ``_codecs.encode`` (bytes in
    Python 3 protocol-2 pickles), scipy sparse matrix classes
    (rebuilt by :class:`_SparseStub`, scipy is not called) and any chumpy
    class (kept as a :class:`_ChumpyStub`). Everything else is refused.

    Args:
        file: Binary file object.
        path (str): File name for error messages.
        hint (str): Appended to the refusal message (where to get a good
            file). Defaults to ``''``.
    """

    _ALLOWED = NUMPY_GLOBALS | {
        ('copy_reg', '_reconstructor'),
        ('copyreg', '_reconstructor'),
        ('__builtin__', 'object'),
        ('builtins', 'object'),
        ('__builtin__', 'set'),
        ('builtins', 'set'),
        ('__builtin__', 'frozenset'),
        ('builtins', 'frozenset'),
        # how Python 3 writes bytes (numpy buffers) at protocol <= 2
        ('_codecs', 'encode'),
    }
    _SPARSE = ('csc_matrix', 'csr_matrix')

    def __init__(self, file, path: str, hint: str = '') -> None:
        super().__init__(file, path, encoding='latin1')
        self._hint = hint

    def _refuse(self, module: str, name: str) -> Exception:
        """:class:`UnsafeSMPLPickleError` naming the refused global."""
        return UnsafeSMPLPickleError(
            f'{self._name}: refusing to unpickle {module}.{name}; an SMPL '
            f'model file may only hold numpy arrays, scipy sparse matrices '
            f'and chumpy arrays. {self._hint}')

    def find_class(self, module: str, name: str) -> Any:
        """Resolve allowed globals, stub chumpy and sparse classes."""
        if module == 'chumpy' or module.startswith('chumpy.'):
            return _stub_class(_ChumpyStub, 'chumpy_name', f'{module}.{name}')
        if module.startswith('scipy.sparse') and name in self._SPARSE:
            return _stub_class(_SparseStub, 'sparse_format', name[:3])
        return super().find_class(module, name)


def _dense_from_sparse(stub: _SparseStub) -> np.ndarray:
    """Dense array of a pickled csc / csr matrix, computed with numpy."""
    state = stub._state
    if not isinstance(state, dict):
        raise TypeError('unexpected sparse matrix state')
    shape = state.get('_shape', state.get('shape'))
    data = np.asarray(state['data'])
    indices = np.asarray(state['indices'], dtype=np.int64)
    indptr = np.asarray(state['indptr'], dtype=np.int64)
    n_rows, n_cols = (int(s) for s in shape)
    dense = np.zeros((n_rows, n_cols), dtype=data.dtype)
    runs = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    if stub.sparse_format == 'csc':
        np.add.at(dense, (indices, runs), data)
    else:
        np.add.at(dense, (runs, indices), data)
    return dense


def plain_array(value: Any) -> Any:
    """Turn stubs into numpy arrays; other values are returned unchanged.

    A chumpy object whose state has no ``x`` array (a chumpy expression, not
    a plain array) becomes the stub itself (it has a ``chumpy_name``), which
    is reported only if the key is needed.

    Args:
        value (Any): A value of the unpickled model dict.

    Returns:
        Any: A numpy array for sparse and plain chumpy stubs, else
        ``value``.
    """
    if isinstance(value, _SparseStub):
        return _dense_from_sparse(value)
    if isinstance(value, _ChumpyStub):
        state = value.__dict__.get('_state')
        if isinstance(state, dict) and 'x' in state:
            return np.asarray(plain_array(state['x']))
        return value
    return value


def is_chumpy_stub(value: Any) -> bool:
    """Whether ``value`` is a chumpy expression left by :func:`plain_array`.

    Args:
        value (Any): A value returned by :func:`plain_array`.

    Returns:
        bool: True for a chumpy stub.
    """
    return isinstance(value, _ChumpyStub)
