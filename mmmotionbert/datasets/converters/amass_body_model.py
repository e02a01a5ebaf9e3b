# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The SMPL+H body model of the AMASS converter: finding, loading, posing.

AMASS motions are SMPL+H parameters; their joints come from the licensed
SMPL+H model ("Extended SMPL+H model", https://mano.is.tue.mpg.de), which
the user downloads. This module

* finds the model of each gender under a user-given folder
  (:func:`find_body_model`, :func:`body_model_candidates`; the AMASS layout
  ``smplh/{male,female,neutral}/model.npz`` and smplx's
  ``SMPLH_{MALE,FEMALE,NEUTRAL}.{npz,pkl}`` are accepted) and the optional
  DMPL soft-tissue basis (:func:`find_dmpl_model`);
* loads them without running code from the file
  (:func:`load_smplh_model_data`: ``.npz`` with ``allow_pickle=False``,
  MANO ``.pkl`` files with the chumpy-free unpickler of
  :mod:`mmmotionbert.utils.smpl_pickle`; :func:`load_dmpl_model`,
  :func:`load_h36m_regressor`);
* poses the body (:class:`SMPLHJoints`, ``smplx.SMPLH`` on the CPU) and
  takes H36M-17 joints from the official Human3.6M regressor or, without
  it, from the SMPL+H joints (:data:`H36M_FROM_SMPLH`).

May import: numpy, torch, smplx (lazily), the standard library and
:mod:`mmmotionbert.utils` (``smpl``, ``smpl_assets``, ``smpl_pickle``).
"""
import contextlib
import io
import os.path as osp
import zipfile
from typing import Dict, List, Optional

import numpy as np
import torch
from torch import nn

from mmmotionbert.utils.smpl import _Struct
from mmmotionbert.utils.smpl_assets import (MissingSMPLAssetError,
                                            load_joint_regressor)
from mmmotionbert.utils.smpl_pickle import (SMPLUnpickler,
                                            UnsafeSMPLPickleError, plain_array)

__all__ = [
    'AMASS_DOWNLOAD_HINT', 'DMPL_DOWNLOAD_HINT', 'REGRESSOR_HINT', 'GENDERS',
    'SMPLH_NUM_VERTS', 'SMPLH_NUM_JOINTS', 'H36M_FROM_SMPLH',
    'SMPLH_FACE_VERTICES', 'SMPL_HEAD_TOP_VERTEX', 'MissingBodyModelError',
    'body_model_candidates', 'find_body_model', 'find_dmpl_model',
    'load_smplh_model_data', 'load_dmpl_model', 'load_h36m_regressor',
    'SMPLHJoints'
]

#: Genders of the SMPL+H models.
GENDERS = ('male', 'female', 'neutral')
#: Vertices of the SMPL / SMPL+H mesh and joints of SMPL+H.
SMPLH_NUM_VERTS = 6890
SMPLH_NUM_JOINTS = 52
#: COCO face points (nose, left/right eye, left/right ear) as SMPL+H mesh
#: vertices (the indices ``smplx`` uses for its extra joints), in the order
#: of :data:`~mmmotionbert.datasets.mocap.pybullet_fk.FACE_NAMES`.
SMPLH_FACE_VERTICES = (332, 2800, 6260, 583, 4071)
#: A vertex on the top of the head of the SMPL / SMPL+H mesh.
SMPL_HEAD_TOP_VERTEX = 411
#: Without the H36M regressor: H36M-17 joint <- ('j', SMPL+H joint) or
#: ('v', mesh vertex); the spine (7) is the midpoint of pelvis and thorax.
H36M_FROM_SMPLH = (('j', 0), ('j', 2), ('j', 5), ('j', 8), ('j', 1), ('j', 4),
                   ('j', 7), None, ('j', 12), ('v', 332),
                   ('v', SMPL_HEAD_TOP_VERTEX), ('j', 16), ('j', 18),
                   ('j', 20), ('j', 17), ('j', 19), ('j', 21))

AMASS_DOWNLOAD_HINT = (
    'AMASS motions are SMPL+H parameters; their joints need the SMPL+H body '
    'model, which is licensed and cannot ship with mmmotionbert. Download '
    'the "Extended SMPL+H model" (the one AMASS uses, 16 shape '
    'coefficients) from https://mano.is.tue.mpg.de (Downloads, registration '
    'needed; the AMASS download page https://amass.is.tue.mpg.de links it), '
    'unpack it so that <body-model-dir>/male/model.npz, '
    '<body-model-dir>/female/model.npz (and optionally neutral/model.npz) '
    'exist, and pass --body-model-dir. smplx-style files '
    'SMPLH_MALE.npz / SMPLH_FEMALE.pkl ... in that folder work too.')
DMPL_DOWNLOAD_HINT = (
    'DMPLs (soft-tissue blend shapes, optional) come from the AMASS '
    'download page https://amass.is.tue.mpg.de ("DMPLs compatible with '
    'SMPL"); unpack them so that <dmpl-dir>/male/model.npz exists, or leave '
    '--dmpl-dir out to ignore the sequences\' dmpls (sub-centimetre effect '
    'on the joints).')
REGRESSOR_HINT = (
    'J_regressor_h36m_correct.npy (17 x 6890) is the Human3.6M joint '
    'regressor of SPIN / MotionBERT: get it with the official MotionBERT '
    'mesh data (docs/mesh.md of Walter0807/MotionBERT) or SPIN\'s '
    'fetch_data.sh (nkolot/SPIN); leave --h36m-regressor out to use the '
    'SMPL+H joints instead (an approximation of the H36M skeleton).')


class MissingBodyModelError(MissingSMPLAssetError):
    """The SMPL+H (or DMPL) model files are not where they were looked for."""


# ------------------------------------------------------------ body model
def body_model_candidates(body_model_dir: str,
                          gender: str,
                          kind: str = 'smplh') -> List[str]:
    """Paths where the model of ``gender`` may be, most common first.

    Accepted layouts of ``body_model_dir`` (``G`` = ``gender``):

    * AMASS: ``G/model.npz``, also reached from its parents
      (``smplh/G/model.npz``, ``body_models/smplh/G/model.npz``);
    * smplx: ``SMPLH_G.npz`` / ``SMPLH_G.pkl`` (also under ``smplh/``);
    * a single model file, used for every gender.

    Args:
        body_model_dir (str): Folder (or file) given by the user.
        gender (str): ``male``, ``female`` or ``neutral``.
        kind (str): ``'smplh'`` or ``'dmpls'``. Defaults to ``'smplh'``.

    Returns:
        list[str]: Candidate paths.
    """
    if osp.isfile(body_model_dir):
        return [body_model_dir]
    d, g = body_model_dir, gender.lower()
    paths = [
        osp.join(d, g, 'model.npz'),
        osp.join(d, kind, g, 'model.npz'),
        osp.join(d, 'body_models', kind, g, 'model.npz'),
    ]
    if kind == 'smplh':
        for sub in ('', 'smplh'):
            for ext in ('npz', 'pkl'):
                paths.append(osp.join(d, sub, f'SMPLH_{g.upper()}.{ext}'))
        paths.append(osp.join(d, g, 'model.pkl'))
    return [osp.normpath(p) for p in paths]


def find_body_model(body_model_dir: str, gender: str) -> str:
    """The SMPL+H model file of ``gender``.

    Args:
        body_model_dir (str): See :func:`body_model_candidates`.
        gender (str): ``male``, ``female`` or ``neutral``.

    Returns:
        str: Path of the first existing candidate.

    Raises:
        MissingBodyModelError: None exists; the message lists the paths
            looked at and where to get the model.
    """
    candidates = body_model_candidates(body_model_dir, gender)
    for path in candidates:
        if osp.isfile(path):
            return path
    shown = ', '.join(candidates[:2] + candidates[3:5])
    raise MissingBodyModelError(
        f'SMPL+H body model ({gender}) not found in {body_model_dir!r}: '
        f'looked for {shown} and similar. {AMASS_DOWNLOAD_HINT}')


def find_dmpl_model(dmpl_dir: str, gender: str) -> str:
    """The DMPL model file (``model.npz`` with ``eigvec``) of ``gender``.

    Args:
        dmpl_dir (str): Folder with ``G/model.npz`` (or its parent).
        gender (str): ``male``, ``female`` or ``neutral``.

    Returns:
        str: The path.

    Raises:
        MissingBodyModelError: Not found.
    """
    candidates = body_model_candidates(dmpl_dir, gender, kind='dmpls')
    for path in candidates:
        if osp.isfile(path):
            return path
    raise MissingBodyModelError(
        f'DMPL model ({gender}) not found in {dmpl_dir!r}: looked for '
        f'{", ".join(candidates)}. {DMPL_DOWNLOAD_HINT}')


def _malformed(path: str, problem: str) -> ValueError:
    """The error for a file that is not an SMPL+H model."""
    return ValueError(f'{path} is not an SMPL+H body model: {problem}. '
                      f'{AMASS_DOWNLOAD_HINT}')


#: Arrays of an SMPL+H model file that the body model reads.
_SMPLH_KEYS = ('v_template', 'shapedirs', 'posedirs', 'J_regressor', 'weights',
               'kintree_table', 'f')


def _read_pickled_model(path: str) -> dict:
    """A MANO / smplx SMPL+H ``.pkl`` as plain arrays (no code is run)."""
    try:
        with open(path, 'rb') as f:
            raw = SMPLUnpickler(f, path).load()
    except UnsafeSMPLPickleError:
        raise UnsafeSMPLPickleError(
            f'{path} holds objects other than numpy / chumpy / sparse '
            'arrays and was not unpickled (a model file cannot run code '
            f'here). {AMASS_DOWNLOAD_HINT}') from None
    except Exception as err:  # noqa: BLE001 - truncated / not a pickle
        raise _malformed(
            path, f'cannot be unpickled '
            f'({type(err).__name__}: {err})') from err
    if not isinstance(raw, dict):
        raise _malformed(path, f'expected a dict, got {type(raw).__name__}')
    return {k: plain_array(v) for k, v in raw.items()}


def load_smplh_model_data(path: str) -> Dict[str, np.ndarray]:
    """Read an SMPL+H model (``.npz`` or ``.pkl``) into numpy arrays.

    ``.npz`` files are read with ``allow_pickle=False`` (only the arrays
    below are touched); ``.pkl`` files with the restricted, chumpy-free
    unpickler of :mod:`mmmotionbert.utils.smpl_pickle`.

    Args:
        path (str): Model file.

    Returns:
        dict[str, np.ndarray]: ``v_template`` (6890, 3), ``shapedirs``
        (6890, 3, B), ``posedirs`` (6890, 3, 459), ``J_regressor``
        (52, 6890) dense, ``weights`` (6890, 52), ``kintree_table`` (2, 52),
        ``f`` (F, 3), and ``hands_{components,mean}{l,r}`` when present.

    Raises:
        MissingBodyModelError: The file does not exist.
        ValueError: It is not an SMPL+H model (message says why).
    """
    path = str(path)
    if not osp.isfile(path):
        raise MissingBodyModelError(
            f'SMPL+H body model not found: {path}. {AMASS_DOWNLOAD_HINT}')
    optional = ('hands_componentsl', 'hands_componentsr', 'hands_meanl',
                'hands_meanr')
    data: Dict[str, object] = {}
    if path.endswith('.pkl'):
        raw = _read_pickled_model(path)
        data = {k: raw[k] for k in _SMPLH_KEYS + optional if k in raw}
    else:
        try:
            with np.load(path, allow_pickle=False) as npz:
                for key in _SMPLH_KEYS + optional:
                    if key in npz.files:
                        data[key] = np.asarray(npz[key])
        except ValueError as err:
            raise _malformed(path, f'an array needs pickle ({err})') from err
        except (OSError, zipfile.BadZipFile) as err:
            raise _malformed(path, f'cannot be read as .npz ({err})') from err
    missing = [k for k in _SMPLH_KEYS if k not in data]
    if missing:
        raise _malformed(path, f'missing arrays {missing} (has '
                         f'{sorted(data)})')
    out = {}
    for key, value in data.items():
        if hasattr(value, 'chumpy_name'):
            raise _malformed(
                path, f'{key!r} is a chumpy expression, not '
                f'an array')
        out[key] = np.asarray(value)
    v, j = SMPLH_NUM_VERTS, SMPLH_NUM_JOINTS
    expected = {
        'v_template': (v, 3),
        'posedirs': (v, 3, (j - 1) * 9),
        'J_regressor': (j, v),
        'weights': (v, j),
        'kintree_table': (2, j),
    }
    for key, shape in expected.items():
        if out[key].shape != shape:
            hint = (' (an SMPL model with 24 joints? AMASS needs SMPL+H, 52 '
                    'joints)' if out[key].shape[-1:] == (24, )
                    or out[key].shape[:1] == (24, ) else '')
            raise _malformed(
                path, f'{key!r} has shape {out[key].shape}, '
                f'expected {shape}{hint}')
    sd = out['shapedirs']
    if sd.ndim != 3 or sd.shape[:2] != (v, 3) or sd.shape[2] < 1:
        raise _malformed(
            path, f"'shapedirs' has shape {sd.shape}, expected "
            f'({v}, 3, B)')
    if out['f'].ndim != 2 or out['f'].shape[1] != 3:
        raise _malformed(path, f"'f' has shape {out['f'].shape}")
    for key in ('v_template', 'shapedirs', 'posedirs', 'J_regressor',
                'weights'):
        if (not np.issubdtype(out[key].dtype, np.number)
                or not np.isfinite(out[key]).all()):
            raise _malformed(path, f'{key!r} is not a finite numeric array')
    return out


def load_dmpl_model(path: str, num_dmpls: int = 8) -> np.ndarray:
    """Read the DMPL soft-tissue basis.

    Args:
        path (str): DMPL ``model.npz`` (with ``eigvec``).
        num_dmpls (int): Components kept (AMASS sequences have 8).
            Defaults to 8.

    Returns:
        np.ndarray: float32 (6890, 3, K <= num_dmpls).
    """
    if not osp.isfile(path):
        raise MissingBodyModelError(f'DMPL model not found: {path}. '
                                    f'{DMPL_DOWNLOAD_HINT}')
    with np.load(path, allow_pickle=False) as npz:
        if 'eigvec' not in npz.files:
            raise ValueError(f'{path}: no "eigvec" array, not a DMPL model. '
                             f'{DMPL_DOWNLOAD_HINT}')
        eigvec = np.asarray(npz['eigvec'], dtype=np.float32)
    if eigvec.ndim != 3 or eigvec.shape[:2] != (SMPLH_NUM_VERTS, 3):
        raise ValueError(f'{path}: eigvec has shape {eigvec.shape}, expected '
                         f'({SMPLH_NUM_VERTS}, 3, K)')
    return np.ascontiguousarray(eigvec[:, :, :num_dmpls])


def load_h36m_regressor(path: str) -> np.ndarray:
    """Read ``J_regressor_h36m_correct.npy`` with a clear error if missing.

    Args:
        path (str): The file.

    Returns:
        np.ndarray: float32 (17, 6890).
    """
    if not osp.isfile(path):
        raise MissingSMPLAssetError(f'H36M joint regressor not found: {path}.'
                                    f' {REGRESSOR_HINT}')
    return load_joint_regressor(path, 'j_regressor_h36m', 17)


class SMPLHJoints(nn.Module):
    """SMPL+H posed by AMASS parameters -> H36M-17 joints and face points.

    Wraps ``smplx.SMPLH`` (no PCA hands, flat hand mean: AMASS stores the
    full finger rotations) with all the model's shape coefficients (smplx
    itself keeps at most 10 of a 16-coefficient model) and, optionally, the
    DMPL soft-tissue basis appended to them, as AMASS's own body model does.

    Args:
        model_data (dict): Arrays of :func:`load_smplh_model_data`.
        num_betas (int): Shape coefficients to use (at most the model's).
            Defaults to 16 (AMASS).
        dmpldirs (np.ndarray, optional): (6890, 3, K) DMPL basis.
        h36m_regressor (np.ndarray, optional): (17, 6890) joint regressor
            on the vertices (official). Without it the joints come from
            :data:`H36M_FROM_SMPLH`.
    """

    def __init__(self,
                 model_data: Dict[str, np.ndarray],
                 num_betas: int = 16,
                 dmpldirs: Optional[np.ndarray] = None,
                 h36m_regressor: Optional[np.ndarray] = None) -> None:
        super().__init__()
        try:
            import smplx
        except ImportError as err:
            raise ImportError('the AMASS converter needs the `smplx` package:'
                              ' pip install smplx==0.1.28') from err
        data = dict(model_data)
        hand_dim = 3 * 15
        for side in 'lr':
            data.setdefault(f'hands_components{side}',
                            np.zeros((hand_dim, hand_dim)))
            data.setdefault(f'hands_mean{side}', np.zeros(hand_dim))
        shapedirs = np.asarray(data['shapedirs'], dtype=np.float32)
        self.num_betas = int(min(num_betas, shapedirs.shape[2]))
        with contextlib.redirect_stdout(io.StringIO()):
            self.smplh = smplx.SMPLH(
                model_path='',
                data_struct=_Struct(**data),
                use_pca=False,
                flat_hand_mean=True,
                create_betas=False,
                create_global_orient=False,
                create_body_pose=False,
                create_left_hand_pose=False,
                create_right_hand_pose=False,
                create_transl=False,
                num_betas=self.num_betas,
                batch_size=1)
        shapedirs = shapedirs[:, :, :self.num_betas]
        self.num_dmpls = 0
        if dmpldirs is not None:
            dmpldirs = np.asarray(dmpldirs, dtype=np.float32)
            self.num_dmpls = dmpldirs.shape[2]
            shapedirs = np.concatenate([shapedirs, dmpldirs], axis=2)
        # smplx keeps 10 coefficients of models with < 300; use them all
        self.smplh.shapedirs = torch.from_numpy(
            np.ascontiguousarray(shapedirs))
        self.smplh._num_betas = shapedirs.shape[2]
        self.use_regressor = h36m_regressor is not None
        if self.use_regressor:
            reg = np.asarray(h36m_regressor, dtype=np.float32)
            if reg.shape != (17, SMPLH_NUM_VERTS):
                raise ValueError(f'H36M regressor must be (17, '
                                 f'{SMPLH_NUM_VERTS}), got {reg.shape}')
            self.register_buffer('h36m_regressor', torch.from_numpy(reg))

    @torch.no_grad()
    def forward(self,
                poses: np.ndarray,
                trans: np.ndarray,
                betas: np.ndarray,
                dmpls: Optional[np.ndarray] = None) -> Dict[str, np.ndarray]:
        """Pose a batch of frames.

        Args:
            poses (np.ndarray): (B, 156) AMASS axis-angle poses (or (B, 66+):
                missing finger rotations are zero).
            trans (np.ndarray): (B, 3) root translations (metres).
            betas (np.ndarray): (>=num_betas,) shape of the sequence.
            dmpls (np.ndarray, optional): (B, K) DMPL coefficients; zeros
                when the model has a DMPL basis and none are given.

        Returns:
            dict[str, np.ndarray]: ``joints`` (B, 17, 3) H36M-17 and
            ``face`` (B, 5, 3) nose / eyes / ears, float32 metres in the
            AMASS world (Z up).
        """
        poses = torch.as_tensor(np.asarray(poses), dtype=torch.float32)
        n = poses.shape[0]
        full = torch.zeros(n, 156, dtype=torch.float32)
        width = min(poses.shape[1], 156)
        full[:, :width] = poses[:, :width]
        betas = np.asarray(betas, dtype=np.float32).reshape(-1)
        shape = np.zeros(self.num_betas + self.num_dmpls, dtype=np.float32)
        nb = min(self.num_betas, len(betas))
        shape[:nb] = betas[:nb]
        shape = torch.from_numpy(shape)[None].repeat(n, 1)
        if self.num_dmpls and dmpls is not None:
            d = torch.as_tensor(np.asarray(dmpls), dtype=torch.float32)
            k = min(self.num_dmpls, d.shape[1])
            shape[:, self.num_betas:self.num_betas + k] = d[:, :k]
        out = self.smplh(
            betas=shape,
            global_orient=full[:, :3],
            body_pose=full[:, 3:66],
            left_hand_pose=full[:, 66:111],
            right_hand_pose=full[:, 111:156],
            transl=torch.as_tensor(np.asarray(trans), dtype=torch.float32),
            return_verts=True)
        verts = out.vertices
        if self.use_regressor:
            joints = torch.einsum('jv,bvc->bjc', self.h36m_regressor, verts)
        else:
            parts = []
            for src in H36M_FROM_SMPLH:
                if src is None:
                    parts.append(None)
                elif src[0] == 'j':
                    parts.append(out.joints[:, src[1]])
                else:
                    parts.append(verts[:, src[1]])
            parts[7] = 0.5 * (parts[0] + parts[8])
            joints = torch.stack(parts, dim=1)
        face = verts[:, list(SMPLH_FACE_VERTICES)]
        return dict(
            joints=joints.numpy().astype(np.float32),
            face=face.numpy().astype(np.float32))
