# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Read 2D keypoints of in-the-wild videos in the common formats.

Every reader returns a :class:`KeypointSequence`: one track per person,
``(P, T, J, 2)`` pixel coordinates and ``(P, T, J)`` scores in the source
layout, plus track ids. :meth:`KeypointSequence.to_h36m` converts it to
MotionBERT's H36M-17 layout with :func:`convert_keypoints` (the one
conversion used everywhere, scores reordered with their joints).

Containers (detected from the path and the file's structure):

* a folder of OpenPose json files (one per frame, ``people[].
  pose_keypoints_2d``; BODY_25, BODY_25B or COCO-18) -- or of mmpose
  per-image prediction jsons;
* an AlphaPose / COCO results json: a list of ``{"image_id", "keypoints":
  [x, y, s, ...], "idx"?}`` (Halpe-26, COCO-17, Halpe-136 or
  COCO-WholeBody by joint count);
* an mmpose prediction json: ``MMPoseInferencer(pred_out_dir=...)`` video
  output ``[{"frame_id", "instances": [{"keypoints", "keypoint_scores",
  "track_id"?}]}]``, its per-image output (a list of instances), or
  ``demo/*.py --save-predictions`` output ``{"meta_info", "instance_info"}``;
* a single OpenPose frame json (``{"people": [...]}``);
* ``.npy`` arrays (T, J, 2|3) or (P, T, J, 2|3) and ``.npz`` archives with
  ``keypoints`` (optional ``scores``, ``track_ids``, ``layout``, ``fps``,
  ``frame_size``).

The layout is found from the joint count; where two layouts share a count
(COCO-17 / H36M-17, BODY_25 / BODY_25B) a geometric check decides when it
is clear-cut, otherwise a :class:`KeypointFormatError` asks for the layout
(``--format``). Persons without track ids are tracked with
:func:`~mmmotionbert.apis.tracking.simple_track`.

One module per container (:mod:`.json_reader`, :mod:`.folder_reader`,
:mod:`.array_reader`), the layout detection in :mod:`.layout` and the
per-frame assembly shared by them in :mod:`.frames`; :func:`read_keypoints`
picks the reader from the path.

May import: numpy, :mod:`mmmotionbert.structures`, :mod:`mmmotionbert.utils`
and :mod:`mmmotionbert.apis.tracking`; never the inferencers or models.
"""
import os.path as osp

import numpy as np

from mmmotionbert.structures import KeypointFormatError, KeypointSequence
from mmmotionbert.utils.keypoints import canonical_layout
from .array_reader import array_sequence, read_npz_keypoints
from .folder_reader import read_keypoint_folder
from .frames import sequence_from_frames
from .json_reader import read_json_keypoints
from .layout import detect_layout

__all__ = [
    'read_keypoints', 'detect_layout', 'sequence_from_frames',
    'array_sequence', 'read_npz_keypoints', 'read_keypoint_folder',
    'read_json_keypoints', 'VIDEO_EXTENSIONS', 'KeypointFormatError'
]

#: File extensions treated as videos (run through a 2D detector).
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg',
                    '.mpeg', '.wmv', '.flv')


def read_keypoints(path: str,
                   layout: str = 'auto',
                   track: str = 'auto') -> KeypointSequence:
    """Read a 2D keypoint file or folder in any supported format.

    Args:
        path (str): OpenPose json folder, AlphaPose / COCO / mmpose / OpenPose
            json file, ``.npy`` or ``.npz``.
        layout (str): Joint layout (``'auto'``, ``'coco'``, ``'h36m'``,
            ``'halpe26'``, ``'body25'``, ``'body25b'``, ``'openpose18'``,
            ``'blazepose'``, ``'coco_wholebody'``, ``'halpe136'`` or an
            alias). Defaults to ``'auto'``.
        track (str): How persons are linked over frames, see
            :func:`sequence_from_frames`.

    Returns:
        KeypointSequence: The keypoints in the source layout; call
        :meth:`KeypointSequence.to_h36m` to convert.
    """
    path = str(path)
    if layout != 'auto':
        layout = canonical_layout(layout)
    if not osp.exists(path):
        raise FileNotFoundError(f'keypoint input {path!r} does not exist')
    if osp.isdir(path):
        return read_keypoint_folder(path, layout, track)
    if osp.getsize(path) == 0:
        raise KeypointFormatError(f'{path} is empty (0 bytes)')
    ext = osp.splitext(path)[1].lower()
    if ext == '.json':
        return read_json_keypoints(path, layout, track)
    if ext == '.npy':
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError as e:
            raise KeypointFormatError(f'{path}: cannot read ({e})') from e
        return array_sequence(arr, None, layout, path)
    if ext == '.npz':
        return read_npz_keypoints(path, layout)
    if ext in VIDEO_EXTENSIONS:
        raise KeypointFormatError(
            f'{path} is a video: run a 2D detector on it first '
            '(mmmotionbert.apis.detectors.detect_video, or give it to '
            'demo/lift_2d_to_3d.py)')
    raise KeypointFormatError(
        f'{path}: unsupported input {ext!r}; expected an OpenPose json '
        'folder, a .json (AlphaPose, COCO, mmpose, OpenPose), .npy, .npz or a '
        'video')
