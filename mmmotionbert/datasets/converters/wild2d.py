# Copyright (c) mmmotionbert contributors. All rights reserved.
"""In-the-wild 2D keypoint tracks -> 2D-only pretraining clips.

MotionBERT's pretraining adds 2D-only clips (InstaVariety, PoseTrack) from
epoch 30, trained with the confidence-weighted 2D loss. This module turns
2D tracks with confidence into the clip file that
:class:`~mmmotionbert.datasets.MBMotion2DDataset` reads with
``source='npz'``: an ``.npz`` with ``clips`` (N, T, 17, 3) float32, H36M-17
``[x, y, confidence]``, ``crop_scale``-normalised, invisible joints all
zeros.

Inputs (:func:`read_tracks`):

* PoseTrack json (``images`` + ``annotations`` with ``track_id``,
  ``image_id`` and ``keypoints`` (17 x 3)), PoseTrack-18 layout (``nose,
  head_bottom, head_top, ...``) or COCO-17 layout (read off the file's
  ``categories``); a folder of them is read file by file;
* a generic track json: ``{"layout": "coco", "tracks": {NAME: [[[x, y, c],
  ...17 or 25...], ...frames]}}`` (``tracks`` may also be a list of
  ``{"id": NAME, "keypoints": ..., "frames": [...]}``);
* a generic track ``.npz``: every (T, J, 3) array is a track named by its
  key; optional ``frames/<key>`` (T,) frame numbers and a ``layout`` string.

Every track is converted to H36M-17 (``posetrack``: as the official
pretraining reader; COCO and the other layouts of
:func:`~mmmotionbert.utils.keypoints.convert_keypoints`: composite joints
are the mean of their *valid* sources), split at missing frames, and cut
into clips of ``clip_len`` frames every ``stride`` (default ``clip_len //
3``: 81 / 27 as the official InstaVariety reader; the official PoseTrack
reader keeps only the first 30 frames of a track, ``max_clips_per_track=1``).
Each clip is normalised by ``crop_scale`` (the official in-the-wild rule) and
kept if enough of its joints are visible and its root is visible in every
frame (the official PoseTrack filters).

May import: numpy, :mod:`mmmotionbert.utils.keypoints`, :mod:`..crop_scale` and
:mod:`..h36m_reader`; never ``apis``.
"""
import glob
import json
import os
import os.path as osp
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.datasets.crop_scale import crop_scale
from mmmotionbert.utils.keypoints import (KEYPOINT_LAYOUTS, canonical_layout,
                                          convert_keypoints, posetrack_to_h36m)

__all__ = [
    'Track2D', 'read_posetrack_json', 'read_track_json', 'read_track_npz',
    'read_tracks', 'track_to_h36m', 'split_track', 'tracks_to_clips',
    'write_clips_npz', 'convert_wild2d'
]


@dataclass
class Track2D:
    """One person's 2D keypoints over time.

    Args:
        name (str): Unique name (``file:track``).
        keypoints (np.ndarray): (T, J, 3) ``[x, y, confidence]`` pixels.
        frames (np.ndarray): (T,) int64 frame numbers (increasing).
        layout (str): Keypoint layout (``posetrack`` or a name of
            :data:`~mmmotionbert.utils.keypoints.KEYPOINT_LAYOUTS`).
    """

    name: str
    keypoints: np.ndarray
    frames: np.ndarray
    layout: str


def _layout_name(layout: str) -> str:
    """Canonical layout name; ``posetrack`` is ours on top of keypoints'."""
    name = str(layout).strip().lower()
    if name in ('posetrack', 'posetrack18', 'posetrack21'):
        return 'posetrack'
    return canonical_layout(name)


def _guess_layout(num_joints: int) -> str:
    """Default layout for a joint count (17: COCO, 25: OpenPose BODY_25)."""
    guesses = {
        17: 'coco',
        25: 'body25',
        26: 'halpe26',
        18: 'openpose18',
        33: 'blazepose',
        133: 'coco_wholebody',
        136: 'halpe136'
    }
    if num_joints not in guesses:
        raise ValueError(f'cannot guess the layout of {num_joints}-joint '
                         'keypoints; pass layout= (--layout)')
    return guesses[num_joints]


def _check_keypoints(kpts: np.ndarray, layout: str, where: str) -> None:
    """Shape check of (T, J, 3) keypoints against a layout."""
    if kpts.ndim != 3 or kpts.shape[-1] != 3:
        raise ValueError(f'{where}: keypoints must be (T, J, 3) [x, y, '
                         f'confidence], got {kpts.shape}')
    want = 17 if layout == 'posetrack' else KEYPOINT_LAYOUTS[layout]
    if kpts.shape[1] != want:
        raise ValueError(f'{where}: layout {layout!r} has {want} joints, '
                         f'got {kpts.shape[1]}')


def read_posetrack_json(path: str,
                        layout: Optional[str] = None) -> List[Track2D]:
    """Tracks of one PoseTrack-style annotation json.

    Args:
        path (str): The json (``images``, ``annotations``, ``categories``).
        layout (str, optional): ``posetrack`` or ``coco``; by default read
            off ``categories[0].keypoints`` (``head_bottom`` -> PoseTrack-18,
            ``left_eye`` -> COCO), PoseTrack-18 when absent.

    Returns:
        list[Track2D]: One per ``track_id`` (ordered by first frame, then
        id), frames ordered by the images' ``frame_id`` (or their order in
        ``images``).
    """
    with open(path) as f:
        data = json.load(f)
    anns = data.get('annotations')
    if not isinstance(anns, list):
        raise KeyError(f"{path}: no 'annotations' list (not a PoseTrack "
                       'json)')
    if layout is None:
        names = []
        cats = data.get('categories') or []
        if cats and isinstance(cats[0], dict):
            names = list(cats[0].get('keypoints') or [])
        layout = ('coco' if 'left_eye' in names and 'head_bottom' not in names
                  else 'posetrack')
    layout = _layout_name(layout)
    frame_of = {}
    for pos, img in enumerate(data.get('images') or []):
        number = img.get('frame_id', img.get('frame'))
        frame_of[img.get('id')] = pos if number is None else int(number)
    tracks: Dict[object, List[Tuple[int, np.ndarray]]] = OrderedDict()
    stem = osp.splitext(osp.basename(path))[0]
    for k, ann in enumerate(anns):
        if 'keypoints' not in ann or ann.get('track_id') is None:
            continue
        kp = np.asarray(ann['keypoints'], dtype=np.float64).reshape(-1, 3)
        if not kp.size:
            continue
        frame = frame_of.get(ann.get('image_id'), k)
        tracks.setdefault(ann['track_id'], []).append((frame, kp))
    out = []
    for tid, items in sorted(
            tracks.items(), key=lambda kv:
        (min(f for f, _ in kv[1]), str(kv[0]))):
        items.sort(key=lambda x: x[0])
        frames = np.array([f for f, _ in items], dtype=np.int64)
        # one annotation per frame: keep the first of duplicates
        keep = np.r_[True, frames[1:] != frames[:-1]]
        kpts = np.stack(
            [kp for kp, k in zip((i[1] for i in items), keep) if k])
        track = Track2D(f'{stem}:{tid}', kpts, frames[keep], layout)
        _check_keypoints(track.keypoints, layout, f'{path} track {tid}')
        out.append(track)
    return out


def read_track_json(path: str, layout: Optional[str] = None) -> List[Track2D]:
    """Tracks of a generic track json (see the module docstring).

    Args:
        path (str): The json.
        layout (str, optional): Overrides the file's ``layout``; guessed
            from the joint count when neither is given.

    Returns:
        list[Track2D]: The tracks.
    """
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, dict) or 'tracks' not in data:
        raise KeyError(f"{path}: no 'tracks' entry")
    layout = layout or data.get('layout')
    items = data['tracks']
    if isinstance(items, dict):
        items = [dict(id=k, keypoints=v) for k, v in items.items()]
    stem = osp.splitext(osp.basename(path))[0]
    out = []
    for k, item in enumerate(items):
        if not isinstance(item, dict) or 'keypoints' not in item:
            raise ValueError(f'{path}: track {k} has no keypoints')
        kpts = np.asarray(item['keypoints'], dtype=np.float64)
        lay = _layout_name(
            layout or _guess_layout(kpts.shape[1] if kpts.ndim == 3 else -1))
        frames = np.asarray(
            item.get('frames', np.arange(len(kpts))), dtype=np.int64)
        name = f'{stem}:{item.get("id", k)}'
        _check_keypoints(kpts, lay, f'{path} track {item.get("id", k)}')
        if frames.shape != (len(kpts), ):
            raise ValueError(f'{name}: {len(frames)} frame numbers for '
                             f'{len(kpts)} frames')
        order = np.argsort(frames, kind='stable')
        out.append(Track2D(name, kpts[order], frames[order], lay))
    return out


def read_track_npz(path: str, layout: Optional[str] = None) -> List[Track2D]:
    """Tracks of a generic track ``.npz`` (see the module docstring).

    Args:
        path (str): The file (read with ``allow_pickle=False``).
        layout (str, optional): Overrides the file's ``layout``.

    Returns:
        list[Track2D]: The tracks.
    """
    stem = osp.splitext(osp.basename(path))[0]
    out = []
    with np.load(path, allow_pickle=False) as data:
        keys = list(data.files)
        if layout is None and 'layout' in keys:
            layout = str(data['layout'])
        for key in keys:
            if key.startswith('frames/') or key == 'layout':
                continue
            kpts = np.asarray(data[key], dtype=np.float64)
            if kpts.ndim != 3 or kpts.shape[-1] != 3:
                continue
            lay = _layout_name(layout or _guess_layout(kpts.shape[1]))
            _check_keypoints(kpts, lay, f'{path}[{key}]')
            frames = (
                np.asarray(data[f'frames/{key}'], dtype=np.int64)
                if f'frames/{key}' in keys else np.arange(len(kpts)))
            order = np.argsort(frames, kind='stable')
            out.append(
                Track2D(f'{stem}:{key}', kpts[order], frames[order], lay))
    if not out:
        raise ValueError(f'{path} holds no (T, J, 3) keypoint tracks')
    return out


def read_tracks(inputs: Sequence[str],
                layout: Optional[str] = None) -> List[Track2D]:
    """Read every track of files and folders (recursively).

    Args:
        inputs (Sequence[str]): ``.json`` / ``.npz`` files or folders.
        layout (str, optional): Force a layout for every file.

    Returns:
        list[Track2D]: All tracks, in file order.
    """
    files: List[str] = []
    for item in inputs:
        if osp.isdir(item):
            found = sorted(
                glob.glob(osp.join(item, '**', '*.json'), recursive=True) +
                glob.glob(osp.join(item, '**', '*.npz'), recursive=True))
            if not found:
                raise FileNotFoundError(f'no .json / .npz files in {item}')
            files += found
        elif osp.isfile(item):
            files.append(item)
        else:
            raise FileNotFoundError(f'2D keypoint input not found: {item}')
    tracks = []
    for path in files:
        if path.endswith('.npz'):
            tracks += read_track_npz(path, layout)
            continue
        with open(path) as f:
            head = json.load(f)
        if isinstance(head, dict) and 'annotations' in head:
            tracks += read_posetrack_json(path, layout)
        elif isinstance(head, dict) and 'tracks' in head:
            tracks += read_track_json(path, layout)
        else:
            raise ValueError(f"{path}: neither a PoseTrack json "
                             "('annotations') nor a track json ('tracks')")
    return tracks


def track_to_h36m(track: Track2D) -> np.ndarray:
    """H36M-17 ``[x, y, confidence]`` (pixels) of a track.

    Args:
        track (Track2D): The track.

    Returns:
        np.ndarray: float64 (T, 17, 3); invisible joints (confidence 0) are
        all zeros.
    """
    kpts = np.asarray(track.keypoints, dtype=np.float64)
    if track.layout == 'posetrack':
        out = posetrack_to_h36m(kpts).astype(np.float64)
    else:
        xy, conf = convert_keypoints(kpts[..., :2], kpts[..., 2], track.layout)
        out = np.concatenate([xy, conf[..., None]], -1).astype(np.float64)
    out[out[..., 2] <= 0] = 0
    return out


def split_track(frames: np.ndarray,
                clip_len: int,
                stride: int,
                max_clips: Optional[int] = None,
                resample_short: bool = False) -> List[np.ndarray]:
    """Row indices of the clips of one track.

    The track is first split into runs of consecutive frame numbers; in each
    run clips start at ``0, stride, 2 * stride, ...`` while a whole clip
    fits. With ``resample_short`` a run shorter than ``clip_len`` (at least
    2 frames) gives one clip stretched to ``clip_len``.

    Args:
        frames (np.ndarray): (T,) increasing frame numbers.
        clip_len (int): Frames per clip.
        stride (int): Offset between clip starts.
        max_clips (int, optional): Keep at most this many clips of the track
            (the first ones).
        resample_short (bool): Stretch short runs. Defaults to False.

    Returns:
        list[np.ndarray]: int64 (clip_len,) row indices per clip.
    """
    from mmmotionbert.datasets.h36m_reader import resample_indices
    frames = np.asarray(frames, dtype=np.int64)
    if len(frames) == 0:
        return []
    breaks = np.flatnonzero(np.diff(frames) != 1) + 1
    starts = np.r_[0, breaks]
    ends = np.r_[breaks, len(frames)]
    clips = []
    for s, e in zip(starts.tolist(), ends.tolist()):
        n = e - s
        if n >= clip_len:
            for c in range(0, n - clip_len + 1, stride):
                clips.append(s + c + np.arange(clip_len))
        elif resample_short and n >= 2:
            clips.append(s + resample_indices(n, clip_len))
    return clips[:max_clips] if max_clips else clips


def tracks_to_clips(tracks: Sequence[Track2D],
                    clip_len: int = 81,
                    stride: Optional[int] = None,
                    normalize: str = 'clip',
                    min_valid: float = 0.6,
                    require_root: bool = True,
                    max_clips_per_track: Optional[int] = None,
                    resample_short: bool = False,
                    origin_first_root: bool = False) -> dict:
    """Cut tracks into normalised H36M-17 2D clips.

    Args:
        tracks (Sequence[Track2D]): Input tracks.
        clip_len (int): Frames per clip. Defaults to 81 (official
            InstaVariety; PoseTrack: 30).
        stride (int, optional): Offset between clips. Defaults to
            ``clip_len // 3`` (27 for 81, official).
        normalize (str): ``'clip'`` (``crop_scale`` box of each clip, as
            the official PoseTrack reader and in-the-wild inference) or
            ``'track'`` (one box per track, as the official InstaVariety
            conversion).
        min_valid (float): Keep clips whose fraction of visible joints
            (confidence > 0) is at least this. Defaults to 0.6 (official
            PoseTrack: 306 of 30 x 17).
        require_root (bool): Keep only clips whose root (pelvis) is visible
            in every frame (official PoseTrack). Defaults to True.
        max_clips_per_track (int, optional): At most this many clips per
            track (1 = the official PoseTrack reader).
        resample_short (bool): Stretch runs shorter than ``clip_len`` into
            one clip. Defaults to False (dropped).
        origin_first_root (bool): Subtract the first frame's root x, y from
            every clip (official InstaVariety conversion). Defaults to False.

    Returns:
        dict: ``clips`` float32 (N, clip_len, 17, 3), ``track`` (N,) track
        names, ``start_frame`` (N,) int64 first frame number, and
        ``dropped`` (dict reason -> count).
    """
    if clip_len < 1:
        raise ValueError(f'clip_len must be >= 1, got {clip_len}')
    stride = int(stride or max(1, clip_len // 3))
    if normalize not in ('clip', 'track'):
        raise ValueError(f"normalize must be 'clip' or 'track', got "
                         f'{normalize!r}')
    clips, names, starts = [], [], []
    dropped = {
        'too short': 0,
        'too few visible joints': 0,
        'root not visible': 0
    }
    for track in tracks:
        motion = track_to_h36m(track)
        if normalize == 'track':
            motion = crop_scale(motion, zero_invalid=True)
        rows_list = split_track(track.frames, clip_len, stride,
                                max_clips_per_track, resample_short)
        if not rows_list:
            dropped['too short'] += 1
        for rows in rows_list:
            clip = motion[rows]
            if normalize == 'clip':
                clip = crop_scale(clip, zero_invalid=True)
            visible = clip[..., 2] > 0
            if visible.mean() < min_valid or not visible.any():
                dropped['too few visible joints'] += 1
                continue
            if require_root and not visible[:, 0].all():
                dropped['root not visible'] += 1
                continue
            if origin_first_root:
                clip = clip.copy()
                clip[..., :2] -= clip[0:1, 0:1, :2]
                clip[~visible] = 0
            clips.append(clip.astype(np.float32))
            names.append(track.name)
            starts.append(int(track.frames[rows[0]]))
    out = np.stack(clips) if clips else np.zeros(
        (0, clip_len, 17, 3), np.float32)
    return dict(
        clips=out,
        track=np.array(names, dtype=str),
        start_frame=np.array(starts, dtype=np.int64),
        dropped=dropped)


def write_clips_npz(path: str, result: dict, **meta) -> str:
    """Write :func:`tracks_to_clips` output for ``MBMotion2DDataset``.

    Args:
        path (str): Output ``.npz`` (``source='npz'``, ``data_root=path``).
        result (dict): Output of :func:`tracks_to_clips`.
        **meta: Extra scalars / strings stored alongside (e.g. layout).

    Returns:
        str: The path written.
    """
    if len(result['clips']) == 0:
        raise ValueError('no clips to write (every track was too short or '
                         f'filtered out: {result.get("dropped")})')
    os.makedirs(osp.dirname(osp.abspath(path)) or '.', exist_ok=True)
    arrays = dict(
        clips=result['clips'],
        track=result['track'],
        start_frame=result['start_frame'])
    for key, value in meta.items():
        arrays[key] = np.asarray(value if value is not None else '')
    tmp = path + '.tmp.npz'
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)
    return path


def convert_wild2d(inputs: Sequence[str],
                   out: str,
                   layout: Optional[str] = None,
                   **clip_kwargs) -> dict:
    """Read tracks, cut clips and write them (the tool's whole job).

    Args:
        inputs (Sequence[str]): Files / folders (see :func:`read_tracks`).
        out (str): Output ``.npz``.
        layout (str, optional): Force a keypoint layout.
        **clip_kwargs: Arguments of :func:`tracks_to_clips`.

    Returns:
        dict: :func:`tracks_to_clips` output plus ``tracks`` (count),
        ``layouts`` (set of layouts read) and ``path``.
    """
    tracks = read_tracks(inputs, layout)
    if not tracks:
        raise ValueError(f'no keypoint tracks in {list(inputs)}')
    result = tracks_to_clips(tracks, **clip_kwargs)
    layouts = sorted({t.layout for t in tracks})
    result['path'] = write_clips_npz(
        out,
        result,
        source_layout=','.join(layouts),
        clip_len=result['clips'].shape[1])
    result['tracks'] = len(tracks)
    result['layouts'] = layouts
    return result
