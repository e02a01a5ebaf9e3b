# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Read data pickles that may only hold numpy arrays and plain data.

MotionBERT's data files (the H36M pkl, pre-sliced clip pickles, mesh
annotations) are pickles. :func:`load_numpy_pickle` refuses every global but
numpy arrays, dtypes, scalars and ``OrderedDict``, so a crafted file cannot
run code while it is read.

:class:`NumpyOnlyUnpickler` is also the base of the SMPL model unpickler
(:mod:`mmmotionbert.utils.smpl_pickle`), which widens the allowlist
(:data:`NUMPY_GLOBALS` is what both accept) and raises its own error.

May import: the standard library only.
"""
import os
import os.path as osp
import pickle
from typing import Any, Callable, FrozenSet, Tuple, Union

PathLike = Union[str, os.PathLike]

#: The globals a pickle needs to rebuild numpy arrays, dtypes and scalars
#: (numpy 1.x and 2.x module names); ``numpy.dtypes.*DType`` classes are
#: accepted as well.
NUMPY_GLOBALS: FrozenSet[Tuple[str, str]] = frozenset({
    ('numpy.core.multiarray', '_reconstruct'),
    ('numpy.core.multiarray', 'scalar'),
    ('numpy._core.multiarray', '_reconstruct'),
    ('numpy._core.multiarray', 'scalar'),
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
})


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that only rebuilds numpy arrays, dtypes and plain data.

    Subclasses widen :attr:`_ALLOWED` and override :meth:`_refuse` to
    raise their own error.

    Args:
        file: Binary file object.
        name (str): Name used in error messages.
        **kwargs: Passed to :class:`pickle.Unpickler` (e.g. ``encoding``).
    """

    _ALLOWED: FrozenSet[Tuple[str, str]] = NUMPY_GLOBALS | {
        ('collections', 'OrderedDict'),
    }

    def __init__(self, file, name: str, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self._name = name

    def _is_allowed(self, module: str, name: str) -> bool:
        """Whether global ``module.name`` is on the allowlist."""
        is_dtype_class = module == 'numpy.dtypes' and name.endswith('DType')
        return (module, name) in self._ALLOWED or is_dtype_class

    def _refuse(self, module: str, name: str) -> Exception:
        """The error raised for a global that is not allowed."""
        return pickle.UnpicklingError(
            f'{self._name}: refusing to unpickle {module}.{name}; a data '
            f'file may only hold dicts, lists, strings and numpy arrays')

    def find_class(self, module: str, name: str) -> Callable[..., Any]:
        """Resolve a global only when it is on the allowlist."""
        if self._is_allowed(module, name):
            return super().find_class(module, name)
        raise self._refuse(module, name)


def load_numpy_pickle(path: PathLike, what: str = 'data file') -> Any:
    """Unpickle ``path`` allowing only numpy arrays and plain data.

    Args:
        path (str | PathLike): Pickle file.
        what (str): What the file is, for the not-found message.

    Returns:
        Any: The unpickled object.

    Raises:
        FileNotFoundError: The file does not exist.
        pickle.UnpicklingError: The file holds other objects.
    """
    path = str(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    with open(path, 'rb') as f:
        return NumpyOnlyUnpickler(f, path).load()
