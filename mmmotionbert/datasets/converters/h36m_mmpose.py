# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Convert MotionBERT's official H36M pickle into mmpose's ``_original`` npz.

May import: numpy, mmengine and :mod:`..h36m_reader`; never ``apis``.

mmpose drives MotionBERT on Human3.6M with ``Human36mDataset`` (per-frame
``h36m_{train,test}_original.npz`` annotations, a ``cameras.pkl`` and the
test ``h36m_factors.npy``) and the ``MotionBERTLabel`` codec. This module
writes those files from the official ``h36m_sh_conf_cam_source_final.pkl``
so that the mmpose route sees *exactly* the official inputs and labels.

What is written (relative to the output data root, mmpose's layout):

* ``annotation_body3d/fps50/h36m_{train,test}_original.npz`` with the keys
  ``Human36mDataset`` reads, one row per frame in the pickle's row order:

  - ``imgname`` (N,) str: ``S9_Greeting_1.54138969_000001.jpg``, i.e.
    ``S<subject>_<video>.<camera>_<frame>.jpg``; mmpose groups frames into
    videos by (subject, video, camera) parsed from it. ``<video>`` is the
    action name (alphanumerics of the ``action`` column) with
    ``_<subaction>`` appended, except that subaction 2 gets no suffix: this
    is how H36M names the S9 videos that the official evaluation blocks
    (``s_09_act_05_subact_02`` -> ``S9_Greeting``, ``s_09_act_10_subact_02``
    -> ``S9_SittingDown``, ``s_09_act_13_subact_01`` -> ``S9_Waiting_1``),
    so mmpose's ``MPJPE(skip_list=...)`` skips exactly those. ``<frame>``
    counts the source's rows from 1.
  - ``part`` (N, 17, 3) float32: the detected 2D keypoints in pixels and
    the detector confidence (``joint_2d``, ``confidence``; 1 when the file
    has no confidence, like the official reader).
  - ``S`` (N, 17, 4) float32: ``joint3d_image / 1000`` (x, y in pixels and
    the root-relative depth in pixel units, all divided by 1000) and a
    visibility of 1.
  - ``center`` (N, 2), ``scale`` (N,) float32: the 2D keypoints' bounding
    box centre and ``1.2 * max(box side) / 200``, like mmpose's
    ``preprocess_h36m.py`` (unused by the lifting pipeline).

* ``annotation_body3d/fps50/h36m_factors.npy`` (N_test,) float32: the test
  split's ``2.5d_factor`` (mm per pixel).
* ``annotation_body3d/cameras.pkl``: ``{(subject, camera): {'w', 'h', 'id',
  'name'}}`` for S1-S11 and the four H36M cameras, with the resolutions of
  the official reader and **no intrinsics** (no ``f``, ``c``).

Why this representation. ``MotionBERTLabel`` normalises the 2D input with
``x / w * 2 - [1, h / w]``, exactly the official formula. For the 3D target
it first applies ``camera_to_image_coord`` *only if* the camera has ``f``
and ``c``; that projection adds a 0.001 term to its scale (a ~0.2 % depth
error against the official labels), and the official pickle has no camera
coordinates anyway. Without ``f``/``c`` the codec takes ``S`` as image
coordinates: in train mode it divides by ``w / 1000``, so storing
``joint3d_image / 1000`` gives back ``joint3d_image / w * 2 - [1, h / w]``
(depth ``z / w * 2``) -- the official label, bit for bit when ``w`` is
1000 as for every H36M camera -- made root-relative as the official
``rootrel`` training does. In test mode it multiplies the root-relative
``S`` by the factor: ``joint3d_image * 2.5d_factor / 1000`` =
``joints_2.5d_image / 1000``, the official ground truth in metres, and
decoding the model output (pixels via ``w``, times the factor, / 1000) is
the official denormalisation in metres as well.

Consequences: these files need *this* ``cameras.pkl`` (mmpose's own, with
intrinsics, would project ``S`` as if it held camera coordinates in metres);
keep them in a data root of their own. mmpose's ``MPJPE`` metric averages
over frames and reports metres, the official evaluation averages per action
in millimetres, so the headline numbers differ slightly even for identical
predictions.
"""
import logging
import os
import os.path as osp
import pickle
import re
from typing import Dict, Iterable, List, Optional, Tuple, Union

import numpy as np
from mmengine.logging import print_log

from ..h36m_reader import (H36M_CAMERA_RESOLUTIONS, H36MReader, PathLike,
                           source_segments)

#: The split -> annotation file mmpose's MotionBERT configs read.
MMPOSE_NPZ_FILES: Dict[str, str] = {
    'train': 'annotation_body3d/fps50/h36m_train_original.npz',
    'test': 'annotation_body3d/fps50/h36m_test_original.npz',
}
#: Test-split 2.5D factors (mm per pixel), mmpose's ``factor_file``.
MMPOSE_FACTOR_FILE = 'annotation_body3d/fps50/h36m_factors.npy'
#: Camera table, mmpose's ``camera_param_file``.
MMPOSE_CAMERA_FILE = 'annotation_body3d/cameras.pkl'
#: Subjects whose cameras are always listed in the camera table.
H36M_SUBJECTS = tuple(f'S{i}' for i in range(1, 12))
#: Pixels per unit of the stored ``S`` (``MotionBERTLabel`` divides by
#: ``w / 1000``).
PIXELS_PER_UNIT = 1000.0
#: mmpose's bounding-box scale factor (``preprocess_h36m.py``).
BBOX_SCALE_FACTOR = 1.2
_SOURCE_RE = re.compile(r'^s_(\d+)_act_(\d+)_subact_(\d+)_ca_(\d+)$')


def parse_h36m_source(source: str) -> Tuple[int, int, int, int]:
    """Split an official source name into its numbers.

    Args:
        source (str): E.g. ``'s_09_act_05_subact_02_ca_02'``.

    Returns:
        tuple[int, int, int, int]: ``(subject, action, subaction, camera)``,
        e.g. ``(9, 5, 2, 2)``.

    Raises:
        ValueError: ``source`` does not have that form.
    """
    match = _SOURCE_RE.match(str(source))
    if match is None:
        raise ValueError(
            f'source {source!r} is not of the official form '
            f"'s_<subject>_act_<action>_subact_<subaction>_ca_<camera>'")
    subject, action, subaction, camera = (int(g) for g in match.groups())
    return subject, action, subaction, camera


def h36m_video_name(subject: int, action: str, subaction: int) -> str:
    """mmpose-style ``S<subject>_<video>`` name of one H36M video.

    Args:
        subject (int): Subject number, e.g. 9.
        action (str): Action name, e.g. ``'Greeting'`` (anything but
            letters and digits is dropped, since mmpose splits image names
            at ``_`` and ``.``).
        subaction (int): Subaction number; 2 gives no suffix, any other
            ``n`` the suffix ``_n`` (see the module docstring).

    Returns:
        str: E.g. ``'S9_Greeting'`` or ``'S9_Directions_1'``.

    Raises:
        ValueError: ``action`` has no letter or digit.
    """
    clean = re.sub(r'[^0-9A-Za-z]', '', str(action))
    if not clean:
        raise ValueError(f'action name {action!r} has no letters or digits')
    suffix = '' if subaction == 2 else f'_{subaction}'
    return f'S{subject}_{clean}{suffix}'


def bbox_center_scale(
        keypoints_2d: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Bounding-box centre and scale of 2D keypoints, as mmpose computes.

    Args:
        keypoints_2d (np.ndarray): (N, K, 2) pixel coordinates.

    Returns:
        tuple[np.ndarray, np.ndarray]: float32 centre (N, 2) and scale (N,)
        ``1.2 * max(box width, box height) / 200``.
    """
    low = keypoints_2d.min(axis=1)
    high = keypoints_2d.max(axis=1)
    center = ((low + high) / 2).astype(np.float32)
    scale = (BBOX_SCALE_FACTOR * (high - low).max(axis=1) / 200).astype(
        np.float32)
    return center, scale


def _per_segment_string(reader: H36MReader, split: str, key: str,
                        starts: np.ndarray, lengths: np.ndarray) -> List[str]:
    """The value of a string column in every source run; must be constant.

    Raises:
        ValueError: The column changes inside a run (names file, split,
            key and row).
    """
    codes, uniques = reader.strings(split, key)
    first = codes[starts]
    changed = np.flatnonzero(codes != np.repeat(first, lengths))
    if len(changed):
        row = int(changed[0])
        raise ValueError(
            f'{reader.data_file}: split {split!r} key {key!r} changes inside '
            f'one source at row {row} ({uniques[codes[row]]!r} after '
            f'{uniques[codes[row - 1]]!r}); every source must be one video '
            f'of one camera')
    return [uniques[c] for c in first.tolist()]


def h36m_imgnames(reader: H36MReader, split: str) -> np.ndarray:
    """mmpose image names of every row of a split.

    Args:
        reader (H36MReader): Reader of the official pickle.
        split (str): ``'train'`` or ``'test'``.

    Returns:
        np.ndarray: (N,) unicode strings, see the module docstring.

    Raises:
        KeyError: The split lacks ``source``, ``action`` or ``camera_name``.
        ValueError: A malformed source name, a camera or action changing
            inside a source, or two sources mapping to one mmpose video.
    """
    source_codes, sources = reader.strings(split, 'source')
    starts, lengths = source_segments(source_codes)
    actions = _per_segment_string(reader, split, 'action', starts, lengths)
    cameras = _per_segment_string(reader, split, 'camera_name', starts,
                                  lengths)
    where = f'{reader.data_file}: split {split!r}'
    names: List[str] = []
    next_frame: Dict[int, int] = {}
    video_of: Dict[Tuple[str, str], str] = {}
    for start, length, action, camera in zip(starts.tolist(), lengths.tolist(),
                                             actions, cameras):
        code = int(source_codes[start])
        source = sources[code]
        try:
            subject, _, subaction, _ = parse_h36m_source(source)
            video = h36m_video_name(subject, action, subaction)
        except ValueError as err:
            raise ValueError(f'{where} row {start}: {err}') from err
        owner = video_of.setdefault((video, camera), source)
        if owner != source:
            raise ValueError(
                f'{where}: sources {owner!r} and {source!r} both map to the '
                f'mmpose video {video}.{camera}; their action names must '
                f'differ')
        first = next_frame.get(code, 1)
        next_frame[code] = first + length
        prefix = f'{video}.{camera}_'
        names.extend(f'{prefix}{i:06d}.jpg'
                     for i in range(first, first + length))
    return np.asarray(names)


def h36m_split_to_mmpose(reader: H36MReader,
                         split: str) -> Dict[str, np.ndarray]:
    """Arrays of mmpose's ``_original`` npz for one split (in memory).

    Args:
        reader (H36MReader): Reader of the official pickle (it checks keys,
            shapes and finiteness and names file, split and key in its
            errors).
        split (str): ``'train'`` or ``'test'``.

    Returns:
        dict: ``imgname``, ``part``, ``S``, ``center``, ``scale`` (the npz
        keys) and ``factor`` (N,) float32, the split's ``2.5d_factor``.

    Raises:
        KeyError: A required key (``joint_2d``, ``joint3d_image``,
            ``2.5d_factor``, ``source``, ``action``, ``camera_name``) is
            missing; the message names the file, split and key.
        ValueError: See :func:`h36m_imgnames` and :class:`H36MReader`.
    """
    n = reader.num_frames(split)
    joint_2d = reader.array(split, 'joint_2d')[..., :2]
    if reader.has_key(split, 'confidence'):
        conf = reader.array(split, 'confidence').reshape(n, 17, 1)
    else:
        print_log(
            f'{reader.data_file}: split {split!r} has no key '
            f"'confidence'; using 1.0 like the official reader",
            logger='current',
            level=logging.WARNING)
        conf = np.ones((n, 17, 1), dtype=np.float32)
    joint3d = reader.array(split, 'joint3d_image')[..., :3]
    factor = reader.array(split, '2.5d_factor')
    reader.camera_wh(split)  # unknown camera names fail here, clearly
    imgname = h36m_imgnames(reader, split)

    part = np.concatenate([joint_2d, conf], axis=2).astype(np.float32)
    s_xyz = joint3d.astype(np.float32) / np.float32(PIXELS_PER_UNIT)
    s = np.concatenate([s_xyz, np.ones((n, 17, 1), np.float32)], axis=2)
    center, scale = bbox_center_scale(joint_2d)
    _check_2_5d(reader, split, joint3d, factor)
    return dict(
        imgname=imgname,
        part=part,
        S=s,
        center=center,
        scale=scale,
        factor=factor.astype(np.float32))


def _check_2_5d(reader: H36MReader,
                split: str,
                joint3d: np.ndarray,
                factor: np.ndarray,
                tol_mm: float = 1.0) -> None:
    """Warn when ``joints_2.5d_image != joint3d_image * 2.5d_factor``.

    The mmpose route's test ground truth is ``joint3d_image * factor``
    (root-relative); the official evaluation uses ``joints_2.5d_image``.
    """
    if not reader.has_key(split, 'joints_2.5d_image'):
        return
    official = reader.array(split, 'joints_2.5d_image')
    ours = joint3d.astype(np.float64) * factor[:, None, None]
    diff = (ours - ours[:, :1]) - (official - official[:, :1])
    worst = float(np.abs(diff).max()) if diff.size else 0.0
    if worst > tol_mm:
        print_log(
            f'{reader.data_file}: split {split!r}: root-relative '
            f"'joint3d_image' * '2.5d_factor' differs from "
            f"'joints_2.5d_image' by up to {worst:.3f} mm; the mmpose route "
            f'evaluates against the former',
            logger='current',
            level=logging.WARNING)


def mmpose_camera_table(subjects: Iterable[str] = H36M_SUBJECTS) -> dict:
    """Camera table for ``Human36mDataset`` without intrinsics.

    Args:
        subjects (Iterable[str]): Subject names (``'S9'``); the H36M
            subjects S1-S11 are always included.

    Returns:
        dict: ``{(subject, camera): {'w': int, 'h': int, 'id': camera,
        'name': 'camera<k>'}}`` for the four cameras of
        :data:`H36M_CAMERA_RESOLUTIONS`. Having neither ``f`` nor ``c``
        makes ``MotionBERTLabel`` take ``S`` as image coordinates.
    """
    table = {}
    all_subjects = sorted(
        set(H36M_SUBJECTS) | set(subjects), key=lambda s: (len(s), s))
    for subject in all_subjects:
        for k, (camera, (w, h)) in enumerate(H36M_CAMERA_RESOLUTIONS.items()):
            table[(subject, camera)] = dict(
                w=int(w), h=int(h), id=camera, name=f'camera{k + 1}')
    return table


def _save_atomic(path: str, writer) -> None:
    """Write ``path`` through a temporary file, replacing it at the end."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    tmp = path + '.part'
    with open(tmp, 'wb') as f:
        writer(f)
    os.replace(tmp, path)


def convert_h36m_pkl_to_mmpose(
        data_file: Union[PathLike, dict],
        out_dir: PathLike,
        overwrite: bool = False,
        splits: Optional[Iterable[str]] = None) -> Dict[str, str]:
    """Write mmpose's ``_original`` files from the official H36M pickle.

    Args:
        data_file (str | PathLike | dict): ``h36m_sh_conf_cam_source_final
            .pkl`` (or its loaded dict).
        out_dir (str | PathLike): Output data root (mmpose's
            ``data_root``); files go to the layout of the module docstring.
        overwrite (bool): Replace existing output files. Defaults to False.
        splits (Iterable[str], optional): Splits to convert. Defaults to
            both; the factor file needs ``'test'``.

    Returns:
        dict: Output name (``'train'``, ``'test'``, ``'factors'``,
        ``'cameras'``) -> written path.

    Raises:
        FileNotFoundError: ``data_file`` does not exist.
        FileExistsError: An output exists and ``overwrite`` is False (all
            are checked before anything is written).
        KeyError: A split or a required key is missing (the message names
            the file, the split and the key).
        ValueError: Malformed content (see :func:`h36m_split_to_mmpose`).
    """
    reader = H36MReader(data_file)
    splits = tuple(splits) if splits is not None else ('train', 'test')
    unknown = [s for s in splits if s not in MMPOSE_NPZ_FILES]
    if unknown:
        raise ValueError(f'unknown splits {unknown}; use train and/or test')
    out_dir = str(out_dir)
    targets = {s: osp.join(out_dir, MMPOSE_NPZ_FILES[s]) for s in splits}
    if 'test' in splits:
        targets['factors'] = osp.join(out_dir, MMPOSE_FACTOR_FILE)
    targets['cameras'] = osp.join(out_dir, MMPOSE_CAMERA_FILE)
    existing = [p for p in targets.values() if osp.exists(p)]
    if existing and not overwrite:
        raise FileExistsError(
            f'output files already exist: {existing}; pass overwrite=True '
            f'(--overwrite) to replace them. Do not mix these files with '
            f"mmpose's own cameras.pkl: it has camera intrinsics, which "
            f'make MotionBERTLabel reproject S (see '
            f'mmmotionbert.datasets.converters.h36m_mmpose)')

    converted = {s: h36m_split_to_mmpose(reader, s) for s in splits}
    subjects = set()
    for split, arrays in converted.items():
        subjects.update(f'S{parse_h36m_source(source)[0]}'
                        for source in reader.strings(split, 'source')[1])
        npz = {k: v for k, v in arrays.items() if k != 'factor'}
        _save_atomic(targets[split], lambda f, a=npz: np.savez(f, **a))
    if 'test' in converted:
        factors = converted['test']['factor']
        _save_atomic(targets['factors'], lambda f: np.save(f, factors))
    table = mmpose_camera_table(subjects)
    _save_atomic(targets['cameras'],
                 lambda f: pickle.dump(table, f, protocol=4))
    return targets
