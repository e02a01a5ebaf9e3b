# Copyright (c) mmmotionbert contributors. All rights reserved.
"""AMASS motion capture -> H36M-17 3D joints, for pretraining.

AMASS (https://amass.is.tue.mpg.de) distributes every motion as an ``.npz``
of SMPL+H parameters: ``poses`` (T, 156) axis-angle (root, 21 body joints,
15 + 15 finger joints), ``trans`` (T, 3) metres, ``betas`` (16,),
``gender``, ``mocap_framerate`` and optionally ``dmpls`` (T, 8) soft-tissue
coefficients. The joints are not in the files: they come from the SMPL+H
body model, which is licensed and must be downloaded by the user ("Extended
SMPL+H model", used by AMASS, from https://mano.is.tue.mpg.de; the AMASS
download page links it). This module

1. finds the body model of each gender under a user-given folder
   (:func:`find_body_model`; the AMASS layout ``smplh/{male,female,neutral}
   /model.npz`` and smplx's ``SMPLH_{MALE,FEMALE,NEUTRAL}.{npz,pkl}`` are
   accepted) and loads it without running code from the file
   (:func:`load_smplh_model_data`; MANO ``.pkl`` files hold chumpy arrays,
   read by our chumpy-free unpickler);
2. resamples each sequence to a target frame rate (:func:`resample_plan`:
   the official "keep every ``round(fps_src / fps)``-th frame", or slerp of
   the joint rotations to the exact rate);
3. poses the body with ``smplx.SMPLH`` (:class:`SMPLHJoints`, CPU, batched),
   and takes H36M-17 joints either as the official pipeline does -- the
   Human3.6M joint regressor ``J_regressor_h36m_correct.npy`` (17 x 6890)
   applied to the vertices -- or, without the regressor, from the SMPL+H
   joints plus two head vertices (:data:`H36M_FROM_SMPLH`, an
   approximation);
4. rotates AMASS's Z-up world to the Y-up world of
   :class:`~mmmotionbert.datasets.MBMocapDataset` (:func:`zup_to_yup`),
5. writes an ``.npz`` that
   :func:`~mmmotionbert.datasets.mocap.pybullet_fk.load_mocap_cache` reads
   (:class:`MocapNpzWriter`, streamed: the file never sits in memory), and/or
   the official pre-sliced clip folder ``<root>/AMASS/train/%08d.pkl`` of
   :class:`~mmmotionbert.datasets.MBMotionClipDataset`
   (:class:`OfficialClipWriter`: camera axes x right, y down, z = world
   forward, times the official ``scale_factor`` 0.298, clips of 243 frames
   every 81).

Official behaviour (Walter0807/MotionBERT ``tools/compress_amass.py``,
``preprocess_amass.py``, ``convert_amass.py``): every sequence subsampled
with stride ``round(mocap_framerate / 60)``; SMPL+H of the sequence's gender
(anything but male / female uses the female model) with 16 betas and the 8
DMPLs; the H36M regressor on the vertices (translation included); pieces of
at most 2916 frames; ``joints @ [[1, 0, 0], [0, 0, 1], [0, -1, 0]] * 0.298``;
``split_clips(243, 81)``, short pieces stretched to 243 frames.
"""
import fnmatch
import os
import os.path as osp
import pickle
import zipfile
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from mmmotionbert.utils.smpl import MissingSMPLAssetError

__all__ = [
    'AMASS_DOWNLOAD_HINT', 'DMPL_DOWNLOAD_HINT', 'GENDERS', 'H36M_FROM_SMPLH',
    'SMPLH_FACE_VERTICES', 'SMPL_HEAD_TOP_VERTEX', 'OFFICIAL_AMASS_SCALE',
    'OFFICIAL_MAX_PIECE_LEN', 'MissingBodyModelError', 'AmassSequence',
    'body_model_candidates', 'find_body_model', 'find_dmpl_model',
    'load_smplh_model_data', 'load_dmpl_model', 'load_h36m_regressor',
    'SMPLHJoints', 'list_amass_sequences', 'read_amass_sequence',
    'resample_plan', 'resample_sequence', 'zup_to_yup',
    'yup_to_official_camera', 'official_clip_indices', 'MocapNpzWriter',
    'OfficialClipWriter', 'convert_amass'
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
#: Official ``convert_amass.py`` scale from metres to the clip units.
OFFICIAL_AMASS_SCALE = 0.298
#: Official ``preprocess_amass.py`` cuts sequences into pieces this long.
OFFICIAL_MAX_PIECE_LEN = 2916

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
    from mmmotionbert.utils.smpl_pickle import (SMPLUnpickler,
                                                UnsafeSMPLPickleError,
                                                plain_array)
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
    from mmmotionbert.utils.smpl import load_joint_regressor
    if not osp.isfile(path):
        raise MissingSMPLAssetError(f'H36M joint regressor not found: {path}.'
                                    f' {REGRESSOR_HINT}')
    return load_joint_regressor(path, 'j_regressor_h36m', 17)


class _Struct:
    """Attribute bag ``smplx`` reads a model from."""

    def __init__(self, **kwargs) -> None:
        self.__dict__.update(kwargs)


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
        import contextlib
        import io
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


# ------------------------------------------------------------- sequences
@dataclass
class AmassSequence:
    """One AMASS motion.

    Args:
        name (str): Path relative to the AMASS root, without ``.npz``.
        poses (np.ndarray): (T, P) axis-angle poses.
        trans (np.ndarray): (T, 3) translations.
        betas (np.ndarray): (B,) shape.
        gender (str): ``male``, ``female``, ``neutral`` or ``unknown``.
        fps (float): Frame rate.
        dmpls (np.ndarray, optional): (T, K) DMPL coefficients.
    """

    name: str
    poses: np.ndarray
    trans: np.ndarray
    betas: np.ndarray
    gender: str
    fps: float
    dmpls: Optional[np.ndarray] = field(default=None)


def list_amass_sequences(
        root: str,
        include: Optional[Sequence[str]] = None,
        exclude: Optional[Sequence[str]] = None) -> List[Tuple[str, str]]:
    """All ``.npz`` files under an AMASS folder.

    Args:
        root (str): AMASS folder (e.g. with ``CMU/``, ``BMLmovi/``...).
        include (Sequence[str], optional): Glob patterns on the relative path
            (e.g. ``CMU/*``); only matching files are kept.
        exclude (Sequence[str], optional): Glob patterns to leave out.

    Returns:
        list[tuple[str, str]]: ``(name, path)`` sorted by name, ``name``
        the relative path without ``.npz`` with ``/`` separators.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'AMASS folder not found: {root}')
    out = []
    for folder, _, files in os.walk(root):
        for fname in files:
            if not fname.endswith('.npz'):
                continue
            path = osp.join(folder, fname)
            rel = osp.relpath(path, root).replace(os.sep, '/')
            if include and not any(fnmatch.fnmatch(rel, p) for p in include):
                continue
            if exclude and any(fnmatch.fnmatch(rel, p) for p in exclude):
                continue
            out.append((rel[:-len('.npz')], path))
    return sorted(out)


def _gender(value) -> str:
    """Normalise an AMASS ``gender`` entry."""
    value = np.asarray(value).reshape(-1)
    if value.size == 0:
        return 'unknown'
    g = value[0]
    if isinstance(g, bytes):
        g = g.decode('utf-8', 'replace')
    g = str(g).strip().lower()
    return g if g in GENDERS else 'unknown'


def read_amass_sequence(path: str,
                        name: Optional[str] = None,
                        load_motion: bool = True) -> Optional[AmassSequence]:
    """Read one AMASS ``.npz`` (``allow_pickle=False``).

    Args:
        path (str): The file.
        name (str, optional): Name to give it. Defaults to the file stem.
        load_motion (bool): Read ``poses`` / ``trans`` / ``dmpls``; with
            False only gender, fps and betas are read (a quick scan).

    Returns:
        AmassSequence | None: None for files that are not SMPL+H motions
        (``shape.npz`` files with betas only, SMPL-X sequences).
    """
    name = name or osp.splitext(osp.basename(path))[0]
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile):
        return None
    with npz:
        keys = set(npz.files)
        if 'poses' not in keys or 'trans' not in keys:
            return None
        if 'surface_model_type' in keys:
            try:
                model_type = str(npz['surface_model_type']).lower()
            except ValueError:
                model_type = 'smplh'
            if 'smplh' not in model_type and model_type != 'smpl+h':
                return None
        fps_key = ('mocap_framerate' if 'mocap_framerate' in keys else
                   'mocap_frame_rate' if 'mocap_frame_rate' in keys else None)
        if fps_key is None:
            return None
        fps = float(npz[fps_key])
        try:
            gender = _gender(npz['gender']) if 'gender' in keys else 'unknown'
        except ValueError:  # an object array
            gender = 'unknown'
        betas = (
            np.asarray(npz['betas'], np.float32).reshape(-1)
            if 'betas' in keys else np.zeros(16, np.float32))
        poses = trans = dmpls = np.zeros((0, 0), np.float32)
        if load_motion:
            poses = np.asarray(npz['poses'], dtype=np.float32)
            trans = np.asarray(npz['trans'], dtype=np.float32)
            dmpls = (
                np.asarray(npz['dmpls'], dtype=np.float32)
                if 'dmpls' in keys else None)
            if poses.ndim != 2 or poses.shape[1] < 66 or trans.shape != (
                    len(poses), 3):
                return None
            if poses.shape[1] > 156:  # SMPL-X (165: jaw, eyes, hands)
                return None
    return AmassSequence(name, poses, trans, betas, gender, fps, dmpls)


# ------------------------------------------------------------ resampling
def resample_plan(num_frames: int,
                  src_fps: float,
                  fps: float,
                  mode: str = 'auto') -> Tuple[np.ndarray, np.ndarray, float]:
    """Which source frames (and blend weights) make the resampled sequence.

    Args:
        num_frames (int): Source frames.
        src_fps (float): Source frame rate.
        fps (float): Target frame rate.
        mode (str): ``'stride'`` (official: every ``round(src_fps / fps)``
            -th frame, at least 1, whatever rate that gives), ``'slerp'``
            (exactly ``fps``: frame ``j`` at time ``j / fps`` blended from
            its two source neighbours) or ``'auto'`` (``'stride'`` when the
            rates are an integer ratio apart within 1%, else ``'slerp'``).

    Returns:
        tuple: ``index`` (M, 2) int64 neighbour frames, ``weight`` (M,)
        float64 weight of the second neighbour, and the output rate.
    """
    if mode not in ('auto', 'stride', 'slerp'):
        raise ValueError(f"mode must be 'auto', 'stride' or 'slerp', got "
                         f'{mode!r}')
    if src_fps <= 0 or fps <= 0:
        raise ValueError(f'frame rates must be > 0, got {src_fps}, {fps}')
    ratio = src_fps / fps
    step = max(int(round(ratio)), 1)
    if mode == 'auto':
        mode = 'stride' if abs(src_fps / step - fps) <= 0.01 * fps else 'slerp'
    if num_frames < 1:
        return np.zeros((0, 2), np.int64), np.zeros(0), float(fps)
    if mode == 'stride':
        idx = np.arange(0, num_frames, step)
        return (np.stack([idx, idx], 1).astype(np.int64), np.zeros(len(idx)),
                float(src_fps / step))
    count = int(np.floor((num_frames - 1) / ratio + 1e-6)) + 1
    t = np.arange(count) * ratio
    low = np.minimum(np.floor(t + 1e-9).astype(np.int64), num_frames - 1)
    high = np.minimum(low + 1, num_frames - 1)
    weight = np.clip(t - low, 0.0, 1.0)
    weight[high == low] = 0.0
    return np.stack([low, high], 1), weight, float(fps)


def _axis_angle_to_quat(aa: np.ndarray) -> np.ndarray:
    """(..., 3) axis-angle -> (..., 4) unit quaternions (w, x, y, z)."""
    angle = np.linalg.norm(aa, axis=-1, keepdims=True)
    half = 0.5 * angle
    # sin(a / 2) / a, -> 1/2 as a -> 0
    k = np.where(angle > 1e-8,
                 np.sin(half) / np.maximum(angle, 1e-8), 0.5 - angle**2 / 48.0)
    return np.concatenate([np.cos(half), aa * k], axis=-1)


def _quat_to_axis_angle(q: np.ndarray) -> np.ndarray:
    """(..., 4) unit quaternions -> (..., 3) axis-angle."""
    q = np.where(q[..., :1] < 0, -q, q)
    w, v = q[..., :1], q[..., 1:]
    s = np.linalg.norm(v, axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(s, w)
    k = np.where(s > 1e-8, angle / np.maximum(s, 1e-8),
                 2.0 / np.maximum(w, 1e-8))
    return v * k


def _slerp(q0: np.ndarray, q1: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Spherical interpolation of (..., 4) quaternions, weight (...,) of q1."""
    dot = np.sum(q0 * q1, axis=-1, keepdims=True)
    q1 = np.where(dot < 0, -q1, q1)
    dot = np.abs(dot)
    w = w[..., None]
    theta = np.arccos(np.clip(dot, -1.0, 1.0))
    sin = np.sin(theta)
    near = sin < 1e-6
    safe = np.where(near, 1.0, sin)
    a = np.where(near, 1.0 - w, np.sin((1.0 - w) * theta) / safe)
    b = np.where(near, w, np.sin(w * theta) / safe)
    out = a * q0 + b * q1
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def resample_sequence(seq: AmassSequence,
                      fps: float,
                      mode: str = 'auto') -> AmassSequence:
    """Resample an AMASS sequence's parameters to ``fps``.

    Rotations are blended by quaternion slerp, translations and DMPLs
    linearly (only in ``'slerp'`` mode; ``'stride'`` picks frames).

    Args:
        seq (AmassSequence): Source.
        fps (float): Target rate.
        mode (str): See :func:`resample_plan`.

    Returns:
        AmassSequence: New sequence; its ``fps`` is the rate obtained.
    """
    index, weight, out_fps = resample_plan(len(seq.poses), seq.fps, fps, mode)
    lo, hi = index[:, 0], index[:, 1]
    if not np.any(weight > 0):
        poses, trans = seq.poses[lo], seq.trans[lo]
        dmpls = None if seq.dmpls is None else seq.dmpls[lo]
    else:
        p = seq.poses.astype(np.float64)
        joints = p.reshape(len(p), -1, 3)
        q = _axis_angle_to_quat(joints)
        poses = _quat_to_axis_angle(_slerp(q[lo], q[hi], weight[:, None]))
        poses = poses.reshape(len(lo), -1).astype(np.float32)
        w = weight[:, None]
        trans = ((1 - w) * seq.trans[lo] + w * seq.trans[hi]).astype(
            np.float32)
        dmpls = None if seq.dmpls is None else ((1 - w) * seq.dmpls[lo] +
                                                w * seq.dmpls[hi]).astype(
                                                    np.float32)
    return AmassSequence(seq.name, poses, trans, seq.betas, seq.gender,
                         out_fps, dmpls)


# ----------------------------------------------------------- coordinates
def zup_to_yup(points: np.ndarray) -> np.ndarray:
    """AMASS world (Z up) -> the Y-up world of the mocap datasets.

    A rotation of -90 degrees about x: ``(x, y, z) -> (x, z, -y)``.

    Args:
        points (np.ndarray): (..., 3).

    Returns:
        np.ndarray: (..., 3) copy.
    """
    p = np.asarray(points)
    return np.stack([p[..., 0], p[..., 2], -p[..., 1]], axis=-1)


def yup_to_official_camera(points: np.ndarray,
                           scale: float = OFFICIAL_AMASS_SCALE) -> np.ndarray:
    """Y-up world -> the camera axes of the official AMASS clips.

    The official ``convert_amass.py`` maps AMASS ``(x, y, z)`` (Z up) to
    ``(x, -z, y) * 0.298`` (x right, y down, depth = AMASS y); from the Y-up
    world that is ``(x, -y, -z) * scale``.

    Args:
        points (np.ndarray): (..., 3) Y-up metres.
        scale (float): Official scale factor. Defaults to 0.298.

    Returns:
        np.ndarray: float32 (..., 3).
    """
    p = np.asarray(points, dtype=np.float32)
    return np.stack([p[..., 0], -p[..., 1], -p[..., 2]],
                    axis=-1) * np.float32(scale)


def official_clip_indices(num_frames: int,
                          clip_len: int = 243,
                          stride: int = 81) -> np.ndarray:
    """Frame indices of the official clips of one sequence piece.

    Clips start every ``stride`` frames while a whole clip fits; a piece
    shorter than ``clip_len`` gives one clip stretched to ``clip_len`` (the
    official ``resample``, no randomness).

    Args:
        num_frames (int): Frames of the piece.
        clip_len (int): Clip length. Defaults to 243.
        stride (int): Clip stride. Defaults to 81.

    Returns:
        np.ndarray: int64 (N, clip_len).
    """
    from mmmotionbert.datasets.h36m_reader import resample_indices
    if num_frames < 1:
        return np.zeros((0, clip_len), np.int64)
    if num_frames < clip_len:
        return resample_indices(num_frames, clip_len)[None]
    starts = np.arange(0, num_frames - clip_len + 1, stride)
    return starts[:, None] + np.arange(clip_len)[None]


# --------------------------------------------------------------- writers
class MocapNpzWriter:
    """Stream clips into the ``.npz`` layout of ``write_mocap_cache``.

    ``names``, ``fps``, ``joints/<name>`` (T, 17, 3), ``face/<name>``
    (T, 5, 3), ``loop``, ``joint_names``, ``face_names``, ``source``,
    ``source_fps`` and ``clip_fps`` (per clip: recorded and stored rates).
    Arrays are compressed one by one into a temporary file that replaces
    ``path`` on :meth:`close`.

    Args:
        path (str): Output ``.npz``.
        fps (float): Frame rate of every clip.
        source (str): Provenance stored in the file.
    """

    def __init__(self, path: str, fps: float, source: str = 'AMASS') -> None:
        self.path = path
        os.makedirs(osp.dirname(osp.abspath(path)) or '.', exist_ok=True)
        self.tmp = path + '.tmp.npz'
        self.zip = zipfile.ZipFile(
            self.tmp,
            mode='w',
            compression=zipfile.ZIP_DEFLATED,
            allowZip64=True)
        self.fps = float(fps)
        self.source = source
        self.names: List[str] = []
        self.source_fps: List[float] = []
        self.clip_fps: List[float] = []
        self.frames = 0

    def _put(self, key: str, array: np.ndarray) -> None:
        with self.zip.open(key + '.npy', 'w', force_zip64=True) as f:
            np.lib.format.write_array(
                f, np.asanyarray(array), allow_pickle=False)

    def add(self,
            name: str,
            joints: np.ndarray,
            face: Optional[np.ndarray] = None,
            source_fps: float = float('nan'),
            fps: Optional[float] = None) -> None:
        """Add one clip.

        Args:
            name (str): Unique clip name.
            joints (np.ndarray): (T, 17, 3) metres, Y up.
            face (np.ndarray, optional): (T, 5, 3).
            source_fps (float): Frame rate of the original recording.
            fps (float, optional): Rate of this clip when it differs from
                the file's (official stride resampling). Defaults to the
                file's rate.
        """
        if name in self.names:
            raise ValueError(f'duplicate clip name {name!r}')
        joints = np.asarray(joints, np.float32)
        if joints.ndim != 3 or joints.shape[1:] != (17, 3):
            raise ValueError(f'{name}: joints must be (T, 17, 3), got '
                             f'{joints.shape}')
        self._put(f'joints/{name}', joints)
        if face is not None:
            self._put(f'face/{name}', np.asarray(face, np.float32))
        self.names.append(name)
        self.source_fps.append(float(source_fps))
        self.clip_fps.append(float(self.fps if fps is None else fps))
        self.frames += len(joints)

    def close(self) -> str:
        """Write the index arrays and move the file into place.

        Returns:
            str: The output path.
        """
        from mmmotionbert.datasets.mocap.pybullet_fk import FACE_NAMES
        from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES
        self._put('names', np.array(self.names, dtype=str))
        self._put('fps', np.float64(self.fps))
        self._put('joint_names', np.array(H36M_JOINT_NAMES, dtype=str))
        self._put('face_names', np.array(FACE_NAMES, dtype=str))
        self._put('source', np.array(self.source))
        self._put('loop', np.zeros(len(self.names), dtype=bool))
        self._put('source_fps', np.array(self.source_fps, dtype=np.float64))
        self._put('clip_fps', np.array(self.clip_fps, dtype=np.float64))
        self.zip.close()
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Drop the temporary file."""
        self.zip.close()
        if osp.exists(self.tmp):
            os.remove(self.tmp)


class OfficialClipWriter:
    """Write the official ``MB3D_f243s81/AMASS/train/%08d.pkl`` clips.

    Each file is a dict ``{'data_input': None, 'data_label': (T, 17, 3)
    float32}`` (what :class:`~mmmotionbert.datasets.MBMotionClipDataset`
    reads with ``synthetic=True``).

    Args:
        root (str): Clip root, e.g. ``data/motion3d/MB3D_f243s81``.
        subset (str): Subset folder. Defaults to ``'AMASS'``.
        split (str): Split folder. Defaults to ``'train'``.
        clip_len (int): Clip length. Defaults to 243.
        stride (int): Clip stride. Defaults to 81.
        scale (float): Official metres -> clip units factor (0.298).
        max_piece_len (int, optional): Sequences are cut into independent
            pieces this long before slicing (official: 2916); None keeps them
            whole.
        overwrite (bool): Replace existing ``.pkl`` clips in the folder
            (otherwise a non-empty folder is an error).
    """

    def __init__(self,
                 root: str,
                 subset: str = 'AMASS',
                 split: str = 'train',
                 clip_len: int = 243,
                 stride: int = 81,
                 scale: float = OFFICIAL_AMASS_SCALE,
                 max_piece_len: Optional[int] = OFFICIAL_MAX_PIECE_LEN,
                 overwrite: bool = False) -> None:
        self.folder = osp.join(root, subset, split)
        if osp.isdir(self.folder):
            old = [n for n in os.listdir(self.folder) if n.endswith('.pkl')]
            if old and not overwrite:
                raise FileExistsError(
                    f'{self.folder} already holds {len(old)} clips; pass '
                    f'--overwrite (overwrite=True) to replace them')
            for n in old:
                os.remove(osp.join(self.folder, n))
        os.makedirs(self.folder, exist_ok=True)
        self.clip_len, self.stride = int(clip_len), int(stride)
        self.scale = float(scale)
        self.max_piece_len = max_piece_len
        self.count = 0

    def add(self, joints_yup: np.ndarray) -> int:
        """Slice one sequence (Y-up metres) into clips and write them.

        Args:
            joints_yup (np.ndarray): (T, 17, 3).

        Returns:
            int: Clips written.
        """
        motion = yup_to_official_camera(joints_yup, self.scale)
        piece = self.max_piece_len or len(motion)
        written = 0
        for start in range(0, len(motion), piece):
            part = motion[start:start + piece]
            for rows in official_clip_indices(
                    len(part), self.clip_len, self.stride):
                clip = dict(
                    data_input=None,
                    data_label=np.ascontiguousarray(part[rows]))
                path = osp.join(self.folder, f'{self.count:08d}.pkl')
                with open(path, 'wb') as f:
                    pickle.dump(clip, f, protocol=4)
                self.count += 1
                written += 1
        return written


# ----------------------------------------------------------------- driver
def _resolve_gender(gender: str, available: Dict[str, Optional[str]],
                    body_model_dir: str) -> str:
    """The model gender used for a sequence of ``gender``.

    A male / female sequence uses its own model, else the neutral one; a
    sequence of unknown gender uses the neutral model, else (official rule)
    the female one, else the male one.

    Raises:
        MissingBodyModelError: No usable model; names the files looked for.
    """
    if gender in ('male', 'female'):
        order = (gender, 'neutral')
    else:
        order = ('neutral', 'female', 'male')
    for g in order:
        if available.get(g):
            return g
    find_body_model(body_model_dir, order[0])  # raises, naming the files
    raise AssertionError('unreachable')


def _iter_batches(n: int, batch: int) -> Iterator[slice]:
    for s in range(0, n, batch):
        yield slice(s, min(s + batch, n))


def convert_amass(amass_dir: str,
                  body_model_dir: str,
                  out_npz: Optional[str] = None,
                  out_clips: Optional[str] = None,
                  fps: float = 60.0,
                  resample: str = 'auto',
                  h36m_regressor: Optional[str] = None,
                  dmpl_dir: Optional[str] = None,
                  gender: str = 'auto',
                  num_betas: int = 16,
                  include: Optional[Sequence[str]] = None,
                  exclude: Optional[Sequence[str]] = None,
                  limit: Optional[int] = None,
                  batch_size: int = 256,
                  clip_len: int = 243,
                  clip_stride: int = 81,
                  clip_scale: float = OFFICIAL_AMASS_SCALE,
                  max_piece_len: Optional[int] = OFFICIAL_MAX_PIECE_LEN,
                  overwrite: bool = False,
                  progress: bool = True) -> dict:
    """Convert an AMASS folder to H36M-17 joints.

    The body models of all genders the sequences need are looked up before
    any work starts, so a missing model fails at once
    (:class:`MissingBodyModelError` naming the files and where to get them).

    Args:
        amass_dir (str): AMASS root (sequence ``.npz`` files, any depth).
        body_model_dir (str): SMPL+H models (see
            :func:`body_model_candidates`).
        out_npz (str, optional): ``.npz`` for ``MBMocapDataset`` (metres,
            Y up, with face points).
        out_clips (str, optional): Root of the official clip folders
            (``<out_clips>/AMASS/train/%08d.pkl``).
        fps (float): Target frame rate. Defaults to 60 (official).
        resample (str): See :func:`resample_plan`. Defaults to ``'auto'``.
        h36m_regressor (str, optional): ``J_regressor_h36m_correct.npy``
            (official joints); None uses :data:`H36M_FROM_SMPLH`.
        dmpl_dir (str, optional): DMPL models, applied to sequences with
            ``dmpls`` (official); None ignores them.
        gender (str): ``'auto'`` (each sequence's own; neutral, then female
            for unknown genders or missing models) or one of
            :data:`GENDERS` for all.
        num_betas (int): Shape coefficients. Defaults to 16 (AMASS).
        include (Sequence[str], optional): Glob patterns of relative paths
            to convert (e.g. ``['CMU/*']``).
        exclude (Sequence[str], optional): Glob patterns to skip.
        limit (int, optional): Convert at most this many sequences.
        batch_size (int): Frames per body-model call. Defaults to 256.
        clip_len (int): Official clip length. Defaults to 243.
        clip_stride (int): Official clip stride. Defaults to 81.
        clip_scale (float): Official clip scale. Defaults to 0.298.
        max_piece_len (int, optional): Official piece length (2916).
        overwrite (bool): Replace existing clip files.
        progress (bool): Show a tqdm progress bar. Defaults to True.

    Returns:
        dict: ``sequences`` (converted), ``skipped`` (dict reason -> names),
        ``frames``, ``fps``, ``clips`` (official clips written), ``npz``
        and ``clip_dir`` (paths or None), ``joints_from``
        (``'h36m_regressor'`` or ``'smplh_joints'``), ``genders`` (model
        used -> path).
    """
    if out_npz is None and out_clips is None:
        raise ValueError('give out_npz and/or out_clips')
    if gender != 'auto' and gender not in GENDERS:
        raise ValueError(f"gender must be 'auto' or one of {GENDERS}, got "
                         f'{gender!r}')
    files = list_amass_sequences(amass_dir, include, exclude)
    if not files:
        raise FileNotFoundError(f'no .npz files under {amass_dir}' + (
            f' matching {list(include)}' if include else ''))
    skipped: Dict[str, List[str]] = {}

    # quick scan: which genders are needed
    headers = []
    for name, path in files:
        head = read_amass_sequence(path, name, load_motion=False)
        if head is None:
            skipped.setdefault('not an SMPL+H motion', []).append(name)
            continue
        headers.append((name, path, head.gender))
        if limit is not None and len(headers) >= limit:
            break
    if not headers:
        raise ValueError(f'no SMPL+H motion files (poses, trans, '
                         f'mocap_framerate) under {amass_dir}')
    if gender != 'auto':
        needed = {gender}
        available = {gender: find_body_model(body_model_dir, gender)}
    else:
        available = {}
        for g in GENDERS:
            try:
                available[g] = find_body_model(body_model_dir, g)
            except MissingBodyModelError:
                available[g] = None
        needed = {
            _resolve_gender(g, available, body_model_dir)
            for _, _, g in headers
        }
    regressor = (
        load_h36m_regressor(h36m_regressor) if h36m_regressor else None)
    dmpl_paths = ({
        g: find_dmpl_model(dmpl_dir, g)
        for g in needed
    } if dmpl_dir else {})
    models: Dict[str, SMPLHJoints] = {}
    for g in sorted(needed):
        models[g] = SMPLHJoints(
            load_smplh_model_data(available[g]), num_betas,
            load_dmpl_model(dmpl_paths[g]) if dmpl_dir else None, regressor)

    npz_writer = MocapNpzWriter(out_npz, fps) if out_npz else None
    clip_writer = (
        OfficialClipWriter(
            out_clips,
            clip_len=clip_len,
            stride=clip_stride,
            scale=clip_scale,
            max_piece_len=max_piece_len,
            overwrite=overwrite) if out_clips else None)
    iterator = headers
    if progress:
        from tqdm import tqdm
        iterator = tqdm(headers, desc='AMASS -> H36M', unit='seq')
    converted, frames, rates = [], 0, set()
    try:
        for name, path, g in iterator:
            seq = read_amass_sequence(path, name)
            if seq is None:
                skipped.setdefault('not an SMPL+H motion', []).append(name)
                continue
            if len(seq.poses) < 2:
                skipped.setdefault('fewer than 2 frames', []).append(name)
                continue
            source_fps = seq.fps
            seq = resample_sequence(seq, fps, resample)
            model = models[_resolve_gender(g, available, body_model_dir
                                           ) if gender == 'auto' else gender]
            joints, face = [], []
            for sl in _iter_batches(len(seq.poses), batch_size):
                out = model(seq.poses[sl], seq.trans[sl], seq.betas,
                            None if seq.dmpls is None else seq.dmpls[sl])
                joints.append(out['joints'])
                face.append(out['face'])
            joints = zup_to_yup(np.concatenate(joints)).astype(np.float32)
            face = zup_to_yup(np.concatenate(face)).astype(np.float32)
            rates.add(round(seq.fps, 3))
            if npz_writer is not None:
                npz_writer.add(
                    name, joints, face, source_fps=source_fps, fps=seq.fps)
            if clip_writer is not None:
                clip_writer.add(joints)
            converted.append(name)
            frames += len(joints)
    except BaseException:
        if npz_writer is not None:
            npz_writer.abort()
        raise
    if npz_writer is not None:
        if not converted:
            npz_writer.abort()
            raise ValueError(f'no sequence could be converted from '
                             f'{amass_dir} (skipped: {skipped})')
        npz_writer.close()
    return dict(
        sequences=converted,
        skipped=skipped,
        frames=frames,
        fps=float(fps),
        output_rates=sorted(rates),
        clips=clip_writer.count if clip_writer else 0,
        npz=out_npz,
        clip_dir=clip_writer.folder if clip_writer else None,
        joints_from='h36m_regressor'
        if regressor is not None else 'smplh_joints',
        genders={g: available[g]
                 for g in sorted(needed)})
