# Copyright (c) mmmotionbert contributors. All rights reserved.
"""AMASS motion capture -> H36M-17 3D joints, for pretraining.

May import: numpy, tqdm (lazily) and the sibling modules listed below
(never ``apis``).

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

This module is the driver (:func:`convert_amass`, used by
``tools/dataset_converters/amass_to_h36m.py``); the pieces live in sibling
modules, one concept each, and every name is re-exported here (``from
mmmotionbert.datasets.converters.amass import SMPLHJoints`` keeps working):

* :mod:`.amass_body_model`: model discovery and loading,
  :class:`SMPLHJoints` (steps 1 and 3);
* :mod:`.amass_sequence`: reading and resampling one motion (step 2);
* :mod:`.frames`: Z-up, Y-up and official camera axes (step 4);
* :mod:`.mocap_writers`: :class:`MocapNpzWriter`,
  :class:`OfficialClipWriter` (step 5).
"""
from typing import Dict, Iterator, List, Optional, Sequence

import numpy as np

from . import amass_body_model, amass_sequence, frames, mocap_writers
# every public name of the pieces is re-exported from here
from .amass_body_model import *  # noqa: F401,F403
from .amass_body_model import (GENDERS, MissingBodyModelError, SMPLHJoints,
                               find_body_model, find_dmpl_model,
                               load_dmpl_model, load_h36m_regressor,
                               load_smplh_model_data)
from .amass_sequence import *  # noqa: F401,F403
from .amass_sequence import (list_amass_sequences, read_amass_sequence,
                             resample_sequence)
from .frames import *  # noqa: F401,F403
from .frames import OFFICIAL_AMASS_SCALE, zup_to_yup
from .mocap_writers import *  # noqa: F401,F403
from .mocap_writers import (OFFICIAL_MAX_PIECE_LEN, MocapNpzWriter,
                            OfficialClipWriter)

__all__ = (
    amass_body_model.__all__ + amass_sequence.__all__ + frames.__all__ +
    mocap_writers.__all__ + ['convert_amass'])


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
