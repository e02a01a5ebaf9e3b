# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The licensed SMPL asset files: where they are, what they are, reading them.

MotionBERT's mesh head regresses SMPL parameters; turning them into a mesh
needs four licensed files that cannot ship with this package. They live in
one folder (``smpl_dir``, ``data/mesh`` by default, the official layout):

=============================  ============================================
``SMPL_NEUTRAL.pkl``           gender-neutral SMPL model (6890 vertices)
``smpl_mean_params.npz``       mean pose (24 x 6D) and shape (10 betas)
``J_regressor_h36m_correct.npy``  17 x 6890 Human3.6M joint regressor
``J_regressor_extra.npy``      9 x 6890 extra joints of SPIN (optional here)
=============================  ============================================

:data:`SMPL_ASSETS` says what each file is and where to get it;
:func:`resolve_smpl_assets` turns a folder (and overrides) into paths; every
loader raises :class:`MissingSMPLAssetError` (a ``FileNotFoundError``) or
``ValueError`` naming the file, what was expected and where it comes from.

Real ``SMPL_NEUTRAL.pkl`` files are Python 2 pickles holding ``chumpy``
arrays and a ``scipy.sparse`` regressor. :func:`load_smpl_model_data` reads
them without chumpy (it does not install on current Python) and without
running code from the file, with the restricted unpickler of
:mod:`mmmotionbert.utils.smpl_pickle`.

The body model built from these arrays is in :mod:`mmmotionbert.utils.smpl`.

May import: numpy, the standard library and :mod:`mmmotionbert.utils.
smpl_pickle` (no torch).
"""
import os
import os.path as osp
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple, Union

import numpy as np

from .smpl_pickle import (SMPLUnpickler, UnsafeSMPLPickleError, is_chumpy_stub,
                          plain_array)

__all__ = [
    'SMPL_ASSETS', 'SMPL_NUM_JOINTS', 'SMPL_NUM_BETAS', 'SMPL_NUM_VERTS',
    'SMPL_NUM_POSE_BASIS', 'SMPLAssetSpec', 'MissingSMPLAssetError',
    'UnsafeSMPLPickleError', 'resolve_smpl_assets', 'load_smpl_model_data',
    'load_smpl_mean_params', 'load_joint_regressor'
]

#: SMPL joints (root + 23 body joints) and shape coefficients used.
SMPL_NUM_JOINTS = 24
SMPL_NUM_BETAS = 10
#: Vertices of the SMPL mesh topology.
SMPL_NUM_VERTS = 6890
#: Pose-blend-shape basis size of SMPL: 23 joints x 9 rotation entries.
SMPL_NUM_POSE_BASIS = 207

PathLike = Union[str, os.PathLike]

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
        if is_chumpy_stub(value):
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
            raw = SMPLUnpickler(f, path, _asset_hint('model')).load()
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
        data = {k: plain_array(v) for k, v in raw.items()}
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
