# Copyright (c) mmmotionbert contributors. All rights reserved.
"""SMPL assets, the SMPL body model and rotation helpers for mesh recovery.

MotionBERT's mesh head regresses SMPL parameters; turning them into a mesh
needs four licensed files that cannot ship with this package. They live in
one folder (``smpl_dir``, ``data/mesh`` by default, the official layout):

=============================  ============================================
``SMPL_NEUTRAL.pkl``           gender-neutral SMPL model (6890 vertices)
``smpl_mean_params.npz``       mean pose (24 x 6D) and shape (10 betas)
``J_regressor_h36m_correct.npy``  17 x 6890 Human3.6M joint regressor
``J_regressor_extra.npy``      9 x 6890 extra joints of SPIN (optional here)
=============================  ============================================

:data:`SMPL_ASSETS` says what each file is and where to get it; every loader
raises :class:`MissingSMPLAssetError` (a ``FileNotFoundError``) or
``ValueError`` naming the file, what was expected and where it comes from.

Real ``SMPL_NEUTRAL.pkl`` files are Python 2 pickles holding ``chumpy``
arrays and a ``scipy.sparse`` regressor. :func:`load_smpl_model_data` reads
them without chumpy (it does not install on current Python) and without
running code from the file: a restricted unpickler turns chumpy arrays into
numpy arrays, sparse matrices into dense arrays, and refuses every other
global.

The rotation conversions (``rot6d_to_rotmat`` ...) live in
:mod:`mmmotionbert.utils.rotation` and are re-exported here.
"""
import contextlib
import io
import os
import os.path as osp
import pickle
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple, Union

import numpy as np
import torch
from torch import nn

from .rotation import (axis_angle_to_rotmat, quaternion_to_axis_angle,
                       rot6d_to_rotmat, rotmat_to_axis_angle,
                       rotmat_to_quaternion, rotmat_to_rot6d)

__all__ = [
    'SMPL_ASSETS', 'SMPL_NUM_JOINTS', 'SMPL_NUM_BETAS', 'SMPL_NUM_VERTS',
    'SMPL_FLIP_PAIRS', 'H36M_17_TO_14', 'MissingSMPLAssetError',
    'UnsafeSMPLPickleError', 'resolve_smpl_assets', 'load_smpl_model_data',
    'load_smpl_mean_params', 'load_joint_regressor', 'SMPLBody',
    'build_smpl_body', 'smpl_body_from_state_dict', 'rot6d_to_rotmat',
    'rotmat_to_rot6d', 'axis_angle_to_rotmat', 'rotmat_to_quaternion',
    'quaternion_to_axis_angle', 'rotmat_to_axis_angle',
    'smpl_flip_permutation', 'flip_smpl_pose'
]

#: SMPL joints (root + 23 body joints) and shape coefficients used.
SMPL_NUM_JOINTS = 24
SMPL_NUM_BETAS = 10
#: Vertices of the SMPL mesh topology.
SMPL_NUM_VERTS = 6890
#: Pose-blend-shape basis size of SMPL: 23 joints x 9 rotation entries.
SMPL_NUM_POSE_BASIS = 207
#: SMPL joints swapped by a horizontal flip (official ``flip_thetas``).
SMPL_FLIP_PAIRS = ((1, 2), (4, 5), (7, 8), (10, 11), (13, 14), (16, 17),
                   (18, 19), (20, 21), (22, 23))
#: H36M-17 joints kept by the official 14-joint MPJPE / PA-MPJPE (drops the
#: pelvis, spine and nose).
H36M_17_TO_14 = (1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16)

PathLike = Union[str, os.PathLike]
ArrayLike = Union[np.ndarray, torch.Tensor]

_OFFICIAL_DATA = ('the official MotionBERT mesh data folder (Walter0807/'
                  'MotionBERT docs/mesh.md, "Data" step 1), which comes from '
                  'SPIN (nkolot/SPIN, fetch_data.sh)')


@dataclass(frozen=True)
class SMPLAssetSpec:
    """One SMPL asset file.

    Args:
        filename (str): Default file name inside ``smpl_dir``.
        what (str): What the file holds.
        source (str): Where to get it.
        required (bool): Whether the mesh head needs it.
    """

    filename: str
    what: str
    source: str
    required: bool = True


#: asset key -> :class:`SMPLAssetSpec`, in the official ``data/mesh`` layout.
SMPL_ASSETS: Dict[str, SMPLAssetSpec] = {
    'model':
    SMPLAssetSpec(
        'SMPL_NEUTRAL.pkl', 'the gender-neutral SMPL body model',
        'SMPLify (https://smplify.is.tue.mpg.de, registration needed): '
        'download basicModel_neutral_lbs_10_207_0_v1.0.0.pkl and rename it '
        'to SMPL_NEUTRAL.pkl'),
    'mean_params':
    SMPLAssetSpec('smpl_mean_params.npz',
                  "SPIN's mean SMPL pose (24 x 6D) and shape (10 betas)",
                  _OFFICIAL_DATA),
    'j_regressor_h36m':
    SMPLAssetSpec('J_regressor_h36m_correct.npy',
                  'the Human3.6M 17-joint regressor (17 x 6890)',
                  _OFFICIAL_DATA),
    'j_regressor_extra':
    SMPLAssetSpec(
        'J_regressor_extra.npy',
        "SPIN's extra-joint regressor (9 x 6890; not used by MotionBERT's "
        'outputs, checked when present)',
        _OFFICIAL_DATA,
        required=False),
}


class MissingSMPLAssetError(FileNotFoundError):
    """A licensed SMPL asset file is not where the config points."""


class UnsafeSMPLPickleError(pickle.UnpicklingError):
    """An SMPL model file holds objects other than arrays (refused)."""


def _asset_hint(key: str) -> str:
    """Where to get asset ``key`` and how to point the config at it."""
    spec = SMPL_ASSETS[key]
    return (f'{spec.filename} is {spec.what}; get it from {spec.source}. '
            f'Put the SMPL files in one folder and set the mesh head\'s '
            f'`smpl_dir` (or `smpl_files={{{key!r}: PATH}}`); see '
            f'docs/mesh.md')


def _malformed(key: str, path: str, problem: str) -> ValueError:
    """The ValueError for a malformed asset file."""
    return ValueError(f'malformed SMPL asset {path}: {problem}. '
                      f'{_asset_hint(key)}')


def resolve_smpl_assets(
        smpl_dir: Optional[PathLike] = 'data/mesh',
        files: Optional[Mapping[str, PathLike]] = None) -> Dict[str, str]:
    """Paths of the SMPL assets (nothing is read).

    Args:
        smpl_dir (str | PathLike, optional): Folder with the files in the
            official layout. Defaults to ``'data/mesh'``.
        files (Mapping[str, str], optional): Per-asset overrides keyed like
            :data:`SMPL_ASSETS` (``model``, ``mean_params``,
            ``j_regressor_h36m``, ``j_regressor_extra``); relative paths are
            taken inside ``smpl_dir``.

    Returns:
        dict[str, str]: asset key -> path.
    """
    files = dict(files or {})
    unknown = sorted(set(files) - set(SMPL_ASSETS))
    if unknown:
        raise ValueError(f'unknown SMPL asset keys {unknown}; known: '
                         f'{sorted(SMPL_ASSETS)}')
    base = '' if smpl_dir is None else str(smpl_dir)
    paths = {}
    for key, spec in SMPL_ASSETS.items():
        name = str(files.get(key, spec.filename))
        paths[key] = name if osp.isabs(name) else osp.join(base, name)
    return paths


def _check_exists(key: str, path: str) -> None:
    """Raise :class:`MissingSMPLAssetError` if ``path`` is not a file."""
    if not osp.isfile(path):
        raise MissingSMPLAssetError(
            f'SMPL asset not found: {path}. {_asset_hint(key)}')


# ----------------------------------------------------------- SMPL pickle
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


class _SMPLUnpickler(pickle.Unpickler):
    """Unpickle an SMPL model file without chumpy and without running code.

    Allowed globals: numpy's array / dtype / scalar reconstruction,
    ``copyreg._reconstructor`` with ``object`` (how Python 2 pickles plain
    classes), builtin ``set`` / ``frozenset``, ``_codecs.encode`` (bytes in
    Python 3 protocol-2 pickles), scipy sparse matrix classes
    (rebuilt by :class:`_SparseStub`, scipy is not called) and any chumpy
    class (kept as a :class:`_ChumpyStub`). Everything else is refused.
    """

    _ALLOWED = {
        ('numpy.core.multiarray', '_reconstruct'),
        ('numpy.core.multiarray', 'scalar'),
        ('numpy._core.multiarray', '_reconstruct'),
        ('numpy._core.multiarray', 'scalar'),
        ('numpy', 'ndarray'),
        ('numpy', 'dtype'),
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

    def __init__(self, file, path: str) -> None:
        super().__init__(file, encoding='latin1')
        self._path = path

    def find_class(self, module: str, name: str) -> Any:
        """Resolve allowed globals, stub chumpy and sparse classes."""
        if module == 'chumpy' or module.startswith('chumpy.'):
            return _stub_class(_ChumpyStub, 'chumpy_name', f'{module}.{name}')
        if module.startswith('scipy.sparse') and name in self._SPARSE:
            return _stub_class(_SparseStub, 'sparse_format', name[:3])
        is_dtype_class = module == 'numpy.dtypes' and name.endswith('DType')
        if (module, name) in self._ALLOWED or is_dtype_class:
            return super().find_class(module, name)
        raise UnsafeSMPLPickleError(
            f'{self._path}: refusing to unpickle {module}.{name}; an SMPL '
            f'model file may only hold numpy arrays, scipy sparse matrices '
            f'and chumpy arrays. {_asset_hint("model")}')


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


def _plain(value: Any) -> Any:
    """Turn stubs into numpy arrays; other values are returned unchanged.

    A chumpy object whose state has no ``x`` array (a chumpy expression, not
    a plain array) becomes the stub itself, which is reported only if the
    key is needed.
    """
    if isinstance(value, _SparseStub):
        return _dense_from_sparse(value)
    if isinstance(value, _ChumpyStub):
        state = value.__dict__.get('_state')
        if isinstance(state, dict) and 'x' in state:
            return np.asarray(_plain(state['x']))
        return value
    return value


#: Keys of an SMPL model file the body model reads.
_SMPL_KEYS = ('v_template', 'shapedirs', 'posedirs', 'J_regressor', 'weights',
              'kintree_table', 'f')


def _check_model_arrays(data: Dict[str, Any], path: str) -> Dict[str, Any]:
    """Validate and convert the arrays the SMPL body model reads."""
    missing = [k for k in _SMPL_KEYS if k not in data]
    if missing:
        raise _malformed('model', path,
                         f'missing keys {missing} (has {sorted(data)})')
    out = {}
    for key in _SMPL_KEYS:
        value = data[key]
        if isinstance(value, _ChumpyStub):
            raise _malformed(
                'model', path, f'{key!r} is a chumpy expression '
                f'({value.chumpy_name}), not a plain array; convert the file '
                f"with smplx's tools/clean_ch.py")
        try:
            out[key] = np.asarray(value)
        except Exception as err:  # noqa: BLE001 - report any conversion error
            raise _malformed('model', path,
                             f'{key!r} is not an array ({err})') from err
    num_verts = out['v_template'].shape[0] if out['v_template'].ndim else 0
    expected = {
        'v_template': (SMPL_NUM_VERTS, 3),
        'posedirs': (SMPL_NUM_VERTS, 3, SMPL_NUM_POSE_BASIS),
        'J_regressor': (SMPL_NUM_JOINTS, SMPL_NUM_VERTS),
        'weights': (SMPL_NUM_VERTS, SMPL_NUM_JOINTS),
        'kintree_table': (2, SMPL_NUM_JOINTS),
    }
    for key, shape in expected.items():
        if out[key].shape != shape:
            raise _malformed(
                'model', path, f'{key!r} has shape {out[key].shape}, '
                f'expected {shape} (an SMPL model has {SMPL_NUM_VERTS} '
                f'vertices and {SMPL_NUM_JOINTS} joints; got '
                f'{num_verts} vertices)')
    shapedirs = out['shapedirs']
    if (shapedirs.ndim != 3 or shapedirs.shape[:2] != (SMPL_NUM_VERTS, 3)
            or shapedirs.shape[2] < SMPL_NUM_BETAS):
        raise _malformed(
            'model', path, f"'shapedirs' has shape {shapedirs.shape}, "
            f'expected ({SMPL_NUM_VERTS}, 3, >= {SMPL_NUM_BETAS})')
    faces = out['f']
    if faces.ndim != 2 or faces.shape[1] != 3:
        raise _malformed('model', path,
                         f"'f' has shape {faces.shape}, expected (F, 3)")
    for key in ('v_template', 'shapedirs', 'posedirs', 'J_regressor',
                'weights'):
        if not np.issubdtype(out[key].dtype, np.number) or not np.isfinite(
                out[key]).all():
            raise _malformed('model', path,
                             f'{key!r} has non-finite or non-numeric values')
    return out


def load_smpl_model_data(path: PathLike) -> Dict[str, np.ndarray]:
    """Read an SMPL model pickle into plain numpy arrays.

    Works for the original chumpy-based files (without chumpy installed)
    and for "cleaned" numpy-only files. Only numpy / sparse / chumpy data
    is unpickled; any other global is refused, so a crafted file cannot run
    code.

    Args:
        path (str | PathLike): ``SMPL_NEUTRAL.pkl``.

    Returns:
        dict[str, np.ndarray]: ``v_template`` (6890, 3), ``shapedirs``
        (6890, 3, B>=10), ``posedirs`` (6890, 3, 207), ``J_regressor``
        (24, 6890) dense, ``weights`` (6890, 24), ``kintree_table`` (2, 24),
        ``f`` (F, 3).

    Raises:
        MissingSMPLAssetError: The file does not exist.
        ValueError: The file is not an SMPL model (message says why).
        UnsafeSMPLPickleError: The file holds disallowed objects (an
            ``UnpicklingError``).
    """
    path = str(path)
    _check_exists('model', path)
    try:
        with open(path, 'rb') as f:
            raw = _SMPLUnpickler(f, path).load()
    except UnsafeSMPLPickleError:
        raise
    except Exception as err:  # noqa: BLE001 - truncated / not a pickle
        raise _malformed(
            'model', path, f'cannot be unpickled ({type(err).__name__}: '
            f'{err})') from err
    if not isinstance(raw, dict):
        raise _malformed('model', path, f'expected a dict, got '
                         f'{type(raw).__name__}')
    try:
        data = {k: _plain(v) for k, v in raw.items()}
    except Exception as err:  # noqa: BLE001 - broken chumpy / sparse state
        raise _malformed('model', path,
                         f'cannot rebuild its arrays ({err})') from err
    return _check_model_arrays(data, path)


def load_smpl_mean_params(path: PathLike) -> Tuple[np.ndarray, np.ndarray]:
    """Read ``smpl_mean_params.npz``.

    Args:
        path (str | PathLike): The file.

    Returns:
        tuple[np.ndarray, np.ndarray]: float32 mean pose (144,) in the 6D
        representation and float32 mean shape (10,).

    Raises:
        MissingSMPLAssetError: The file does not exist.
        ValueError: It lacks ``pose`` (144,) or ``shape`` (10,).
    """
    path = str(path)
    _check_exists('mean_params', path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: np.asarray(npz[k]) for k in npz.files}
    except Exception as err:  # noqa: BLE001 - not an npz file
        raise _malformed('mean_params', path,
                         f'cannot be read as .npz ({err})') from err
    pose = arrays.get('pose')
    shape = arrays.get('shape')
    if pose is None or shape is None:
        raise _malformed(
            'mean_params', path, f"needs arrays 'pose' and 'shape', has "
            f'{sorted(arrays)}')
    pose = pose.reshape(-1).astype(np.float32)
    shape = shape.reshape(-1).astype(np.float32)
    if pose.shape != (SMPL_NUM_JOINTS *
                      6, ) or shape.shape != (SMPL_NUM_BETAS, ):
        raise _malformed(
            'mean_params', path, f"'pose' has {pose.size} values and "
            f"'shape' {shape.size}, expected {SMPL_NUM_JOINTS * 6} (24 x 6D)"
            f' and {SMPL_NUM_BETAS}')
    if not (np.isfinite(pose).all() and np.isfinite(shape).all()):
        raise _malformed('mean_params', path, 'has non-finite values')
    return pose, shape


def load_joint_regressor(path: PathLike,
                         key: str = 'j_regressor_h36m',
                         num_joints: Optional[int] = 17) -> np.ndarray:
    """Read a joint regressor ``.npy`` (joints x 6890).

    Args:
        path (str | PathLike): The file.
        key (str): Asset key, for messages. Defaults to
            ``'j_regressor_h36m'``.
        num_joints (int, optional): Expected number of rows (17 for H36M,
            9 for the extra regressor); not checked when None.

    Returns:
        np.ndarray: float32 (num_joints, 6890).

    Raises:
        MissingSMPLAssetError: The file does not exist.
        ValueError: Wrong shape or non-finite values.
    """
    path = str(path)
    _check_exists(key, path)
    try:
        reg = np.load(path, allow_pickle=False)
    except Exception as err:  # noqa: BLE001 - not an npy file
        raise _malformed(key, path, f'cannot be read as .npy ({err})') from err
    reg = np.asarray(reg)
    rows_ok = num_joints is None or (reg.ndim == 2
                                     and reg.shape[0] == num_joints)
    if reg.ndim != 2 or reg.shape[1] != SMPL_NUM_VERTS or not rows_ok:
        want = f'({num_joints if num_joints else "J"}, {SMPL_NUM_VERTS})'
        raise _malformed(key, path, f'has shape {reg.shape}, expected {want}')
    reg = reg.astype(np.float32)
    if not np.isfinite(reg).all():
        raise _malformed(key, path, 'has non-finite values')
    return reg


# ------------------------------------------------------------ body model
class _Struct:
    """Attribute bag that ``smplx.SMPL`` reads a model from."""

    def __init__(self, **kwargs) -> None:
        self.__dict__.update(kwargs)


class SMPLBody(nn.Module):
    """The SMPL body model (``smplx.SMPL``) plus the H36M joint regressor.

    Maps SMPL pose and shape to vertices and H36M-17 joints in millimetres,
    like the official ``SMPLRegressor`` (vertices x 1000, joints by the
    H36M regressor, no translation).

    Args:
        model_data (dict): Arrays of :func:`load_smpl_model_data`.
        j_regressor_h36m (np.ndarray): (17, 6890) regressor.
        j_regressor_extra (np.ndarray, optional): (9, 6890) SPIN extra
            regressor, kept as a buffer when given.
    """

    def __init__(self,
                 model_data: Dict[str, np.ndarray],
                 j_regressor_h36m: np.ndarray,
                 j_regressor_extra: Optional[np.ndarray] = None) -> None:
        super().__init__()
        try:
            import smplx
        except ImportError as err:
            raise ImportError(
                'mesh recovery needs the `smplx` package: pip install '
                'smplx==0.1.28 (requirements/runtime.txt)') from err
        struct = _Struct(**model_data)
        # smplx prints a warning for 10-beta models (all official ones)
        with contextlib.redirect_stdout(io.StringIO()):
            self.smpl = smplx.SMPL(
                model_path='',
                data_struct=struct,
                create_betas=False,
                create_global_orient=False,
                create_body_pose=False,
                create_transl=False,
                num_betas=SMPL_NUM_BETAS)
        self.register_buffer(
            'j_regressor_h36m',
            torch.as_tensor(j_regressor_h36m, dtype=torch.float32))
        if j_regressor_extra is not None:
            self.register_buffer(
                'j_regressor_extra',
                torch.as_tensor(j_regressor_extra, dtype=torch.float32))

    @property
    def faces(self) -> np.ndarray:
        """int64 (F, 3) triangle vertex indices."""
        return np.asarray(self.smpl.faces, dtype=np.int64)

    def forward(
        self,
        betas: torch.Tensor,
        rotmat: Optional[torch.Tensor] = None,
        pose: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Pose and shape the mesh.

        Args:
            betas (Tensor): (B, 10) shape.
            rotmat (Tensor, optional): (B, 24, 3, 3) joint rotations.
            pose (Tensor, optional): (B, 72) axis-angle pose; used when
                ``rotmat`` is None.

        Returns:
            tuple[Tensor, Tensor]: vertices (B, 6890, 3) and H36M-17 joints
            (B, 17, 3), both in millimetres.
        """
        if (rotmat is None) == (pose is None):
            raise ValueError('SMPLBody needs exactly one of `rotmat` '
                             '(B, 24, 3, 3) and `pose` (B, 72)')
        if rotmat is not None:
            rotmat = rotmat.reshape(-1, SMPL_NUM_JOINTS, 3, 3)
            out = self.smpl(
                betas=betas,
                body_pose=rotmat[:, 1:],
                global_orient=rotmat[:, :1],
                pose2rot=False)
        else:
            pose = pose.reshape(-1, SMPL_NUM_JOINTS * 3)
            out = self.smpl(
                betas=betas,
                body_pose=pose[:, 3:],
                global_orient=pose[:, :3],
                pose2rot=True)
        verts = out.vertices * 1000.0
        joints = torch.einsum('jv,bvc->bjc', self.j_regressor_h36m.to(verts),
                              verts)
        return verts, joints


def build_smpl_body(paths: Mapping[str, str]) -> SMPLBody:
    """Load the SMPL assets and build :class:`SMPLBody`.

    Args:
        paths (Mapping[str, str]): From :func:`resolve_smpl_assets`.

    Returns:
        SMPLBody: The body model (on the CPU).
    """
    model = load_smpl_model_data(paths['model'])
    reg_h36m = load_joint_regressor(paths['j_regressor_h36m'],
                                    'j_regressor_h36m', 17)
    extra = None
    extra_path = paths.get('j_regressor_extra')
    if extra_path and osp.isfile(extra_path):
        extra = load_joint_regressor(extra_path, 'j_regressor_extra', None)
    return SMPLBody(model, reg_h36m, extra)


def smpl_body_from_state_dict(state_dict: Mapping[str, torch.Tensor],
                              where: str = 'state dict') -> SMPLBody:
    """Rebuild :class:`SMPLBody` from the buffers of a ``smplx.SMPL``.

    Official mesh checkpoints keep the SMPL model their head was trained
    with under ``head.smpl.*`` (``v_template``, ``shapedirs``, ``posedirs``,
    ``J_regressor``, ``parents``, ``lbs_weights``, ``faces_tensor``,
    ``J_regressor_h36m``, ``J_regressor_extra``); this turns them back into
    a body model, so such a checkpoint runs without the SMPL files.

    Args:
        state_dict (Mapping[str, Tensor]): The buffers, keys without the
            ``head.smpl.`` prefix.
        where (str): Names the source in error messages.

    Returns:
        SMPLBody: The body model.

    Raises:
        KeyError: A buffer is missing.
        ValueError: A buffer has the wrong shape.
    """
    need = ('v_template', 'shapedirs', 'posedirs', 'J_regressor', 'parents',
            'lbs_weights', 'faces_tensor', 'J_regressor_h36m')
    missing = [k for k in need if k not in state_dict]
    if missing:
        raise KeyError(f'{where} has no SMPL buffers {missing}; it holds '
                       f'{sorted(state_dict)[:12]}')
    sd = {k: torch.as_tensor(v).detach().cpu() for k, v in state_dict.items()}
    posedirs = sd['posedirs'].double().numpy()
    if posedirs.shape != (SMPL_NUM_POSE_BASIS, SMPL_NUM_VERTS * 3):
        raise ValueError(f'{where}: posedirs has shape {posedirs.shape}, '
                         f'expected ({SMPL_NUM_POSE_BASIS}, '
                         f'{SMPL_NUM_VERTS * 3})')
    parents = sd['parents'].long().numpy()
    model = dict(
        v_template=sd['v_template'].double().numpy(),
        shapedirs=sd['shapedirs'].double().numpy(),
        posedirs=posedirs.T.reshape(SMPL_NUM_VERTS, 3, SMPL_NUM_POSE_BASIS),
        J_regressor=sd['J_regressor'].double().numpy(),
        weights=sd['lbs_weights'].double().numpy(),
        kintree_table=np.stack([parents, np.arange(len(parents))]),
        f=sd['faces_tensor'].long().numpy())
    model = _check_model_arrays(model, where)
    reg = sd['J_regressor_h36m'].float().numpy()
    if reg.shape != (17, SMPL_NUM_VERTS):
        raise ValueError(f'{where}: J_regressor_h36m has shape {reg.shape}, '
                         f'expected (17, {SMPL_NUM_VERTS})')
    extra = sd.get('J_regressor_extra')
    return SMPLBody(model, reg,
                    None if extra is None else extra.float().numpy())


# -------------------------------------------------------------- flipping
def smpl_flip_permutation() -> list:
    """SMPL joint permutation of a horizontal flip.

    Returns:
        list[int]: ``perm`` such that ``flipped[..., j, :] =
        x[..., perm[j], :]`` (left and right joints swapped).
    """
    perm = list(range(SMPL_NUM_JOINTS))
    for left, right in SMPL_FLIP_PAIRS:
        perm[left], perm[right] = right, left
    return perm


def flip_smpl_pose(pose: ArrayLike) -> ArrayLike:
    """Mirror SMPL axis-angle poses horizontally (official ``flip_thetas``).

    Swaps left and right joints and negates the y and z components of every
    joint's axis-angle vector.

    Args:
        pose (np.ndarray | Tensor): (..., 72) or (..., 24, 3).

    Returns:
        np.ndarray | Tensor: Flipped copy, same type and shape.
    """
    shape = tuple(pose.shape)
    if shape[-1] == SMPL_NUM_JOINTS * 3:
        joints = pose.reshape(*shape[:-1], SMPL_NUM_JOINTS, 3)
    elif shape[-2:] == (SMPL_NUM_JOINTS, 3):
        joints = pose
    else:
        raise ValueError(f'flip_smpl_pose expects (..., 72) or (..., 24, 3), '
                         f'got {shape}')
    flipped = joints[..., smpl_flip_permutation(), :]  # a copy
    flipped[..., 1:] = -flipped[..., 1:]
    return flipped.reshape(shape)
