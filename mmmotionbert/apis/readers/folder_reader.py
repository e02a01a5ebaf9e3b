# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Reader of a folder of per-frame json files (OpenPose or mmpose per-image).

May import: numpy, :mod:`mmmotionbert.structures` and the other readers.
"""
import os
import os.path as osp

from mmmotionbert.structures import (KeypointFormatError, KeypointSequence)

from .frames import _dense, _frame_number
from .json_reader import _load_json, _mmpose_instances, _openpose_frame

__all__ = ['read_keypoint_folder']


def read_keypoint_folder(path: str, layout: str,
                         track: str) -> KeypointSequence:
    files = sorted(f for f in os.listdir(path) if f.lower().endswith('.json'))
    if not files:
        raise KeypointFormatError(
            f'{path}: folder without .json files (expected one OpenPose or '
            'mmpose json per frame)')
    numbers = [_frame_number(f) for f in files]
    if all(n is not None
           for n in numbers) and len(set(numbers)) == len(numbers):
        files = [f for _, f in sorted(zip(numbers, files))]
        numbers = sorted(numbers)
    else:
        numbers = list(range(len(files)))
    frames = []
    for f in files:
        full = osp.join(path, f)
        data = _load_json(full)
        if isinstance(data, dict) and 'people' in data:
            frames.append(_openpose_frame(data, full))
        elif isinstance(data, list):
            frames.append(_mmpose_instances(data, full))
        else:
            raise KeypointFormatError(
                f"{full}: expected an OpenPose frame ({{'people': [...]}}) "
                'or an mmpose instance list')
    return _dense(frames, numbers, layout, path, track)
