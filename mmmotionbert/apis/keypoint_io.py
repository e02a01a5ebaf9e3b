# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Former home of the keypoint readers, kept so old imports work.

The container is :class:`mmmotionbert.structures.KeypointSequence`, the
readers live in :mod:`mmmotionbert.apis.readers` (one module per format) and
the tracker in :mod:`mmmotionbert.apis.tracking`.

May import: :mod:`.readers`, :mod:`.tracking` and
:mod:`mmmotionbert.structures` (re-exports only).
"""
from mmmotionbert.structures import (Instance, KeypointFormatError,
                                     KeypointSequence)
from .readers import (VIDEO_EXTENSIONS, array_sequence, detect_layout,
                      read_keypoints, read_npz_keypoints, sequence_from_frames)
from .readers.folder_reader import read_keypoint_folder
from .readers.json_reader import read_json_keypoints
from .tracking import pose_distance, simple_track

# private names some callers used
_array_sequence = array_sequence
_read_npz = read_npz_keypoints
_read_folder = read_keypoint_folder
_read_json = read_json_keypoints
_pose_distance = pose_distance

__all__ = [
    'KeypointFormatError', 'KeypointSequence', 'Instance', 'read_keypoints',
    'detect_layout', 'simple_track', 'sequence_from_frames', 'VIDEO_EXTENSIONS'
]
