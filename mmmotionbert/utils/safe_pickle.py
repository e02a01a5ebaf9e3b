# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Read data pickles that may only hold numpy arrays and plain data.

MotionBERT's data files (the H36M pkl, pre-sliced clip pickles, mesh
annotations) are pickles. :func:`load_numpy_pickle` refuses every global but
numpy arrays, dtypes, scalars and ``OrderedDict``, so a crafted file cannot
run code while it is read.
"""
import os
import os.path as osp
import pickle
from typing import Any, Union

PathLike = Union[str, os.PathLike]


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that only rebuilds numpy arrays, dtypes and plain data.

    Args:
        file: Binary file object.
        name (str): Name used in error messages.
    """

    _ALLOWED = {
        ('numpy.core.multiarray', '_reconstruct'),
        ('numpy.core.multiarray', 'scalar'),
        ('numpy._core.multiarray', '_reconstruct'),
        ('numpy._core.multiarray', 'scalar'),
        ('numpy', 'ndarray'),
        ('numpy', 'dtype'),
        ('collections', 'OrderedDict'),
    }

    def __init__(self, file, name: str) -> None:
        super().__init__(file)
        self._name = name

    def find_class(self, module: str, name: str):
        """Resolve a global only when it is on the allowlist."""
        is_dtype_class = module == 'numpy.dtypes' and name.endswith('DType')
        if (module, name) in self._ALLOWED or is_dtype_class:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f'{self._name}: refusing to unpickle {module}.{name}; a data '
            f'file may only hold dicts, lists, strings and numpy arrays')


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
