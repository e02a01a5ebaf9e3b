# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Reader of keypoint json files: AlphaPose / COCO results, mmpose predictions
(video, per-image, ``--save-predictions``) and single OpenPose frames.

May import: numpy, :mod:`mmmotionbert.structures`, :mod:`mmmotionbert.utils`
and the other readers' helpers.
"""
import json
from typing import Any, Dict, List, Optional

import numpy as np

from mmmotionbert.structures import (Instance, KeypointFormatError,
                                     KeypointSequence)

from .frames import _dense, _frame_number, _instance, sequence_from_frames

__all__ = ['read_json_keypoints']


def _load_json(path: str) -> Any:
    try:
        with open(path, 'r') as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise KeypointFormatError(f'{path}: not valid json ({e})') from e


def _openpose_frame(data: dict, where: str) -> List[Instance]:
    people = data.get('people')
    if not isinstance(people, list):
        raise KeypointFormatError(f"{where}: OpenPose json without a 'people'"
                                  ' list')
    out = []
    for i, person in enumerate(people):
        if 'pose_keypoints_2d' not in person:
            raise KeypointFormatError(
                f"{where}: person {i} has no 'pose_keypoints_2d'")
        inst = _instance(person['pose_keypoints_2d'], None,
                         person.get('person_id'), f'{where} person {i}')
        if inst is not None:
            out.append(inst)
    return out


def _mmpose_instances(instances: Any, where: str) -> List[Instance]:
    if not isinstance(instances, list):
        raise KeypointFormatError(f'{where}: instances must be a list')
    out = []
    for i, inst in enumerate(instances):
        if not isinstance(inst, dict) or 'keypoints' not in inst:
            raise KeypointFormatError(
                f"{where}: instance {i} has no 'keypoints'")
        scores = inst.get('keypoint_scores')
        if scores is None:
            scores = np.ones(len(inst['keypoints']))
        parsed = _instance(inst['keypoints'], scores,
                           inst.get('track_id', inst.get('idx')),
                           f'{where} instance {i}')
        if parsed is not None:
            out.append(parsed)
    return out


def _layout_from_meta(meta: Any) -> Optional[str]:
    """mmpose ``dataset_meta`` -> layout name, when recognised."""
    if not isinstance(meta, dict):
        return None
    name = str(meta.get('dataset_name', '')).lower()
    table = {
        'coco': 'coco',
        'h36m': 'h36m',
        'halpe26': 'halpe26',
        'halpe': 'halpe136',
        'coco_wholebody': 'coco_wholebody',
        'body8': None
    }
    return table.get(name)


def read_json_keypoints(path: str, layout: str,
                        track: str) -> KeypointSequence:
    data = _load_json(path)
    if isinstance(data, (list, dict)) and len(data) == 0:
        raise KeypointFormatError(f'{path}: empty json, no keypoints')
    if isinstance(data, dict) and 'people' in data:
        return sequence_from_frames([_openpose_frame(data, path)],
                                    layout, [_frame_number(path) or 0],
                                    path,
                                    track=track)
    if isinstance(data, dict) and 'instance_info' in data:
        meta_layout = _layout_from_meta(data.get('meta_info'))
        if layout == 'auto' and meta_layout is not None:
            layout = meta_layout
        data = data['instance_info']
        if not data:
            raise KeypointFormatError(f'{path}: empty instance_info')
    if not isinstance(data, list):
        raise KeypointFormatError(
            f'{path}: unrecognised json; expected an AlphaPose/COCO results '
            'list, an mmpose prediction file or an OpenPose frame')
    first = data[0]
    if not isinstance(first, dict):
        raise KeypointFormatError(f'{path}: expected a list of objects')
    if 'instances' in first:  # mmpose video predictions
        frames, ids = [], []
        for i, item in enumerate(data):
            frames.append(
                _mmpose_instances(
                    item.get('instances', []), f'{path} frame {i}'))
            ids.append(int(item.get('frame_id', i)))
        return _dense(frames, ids, layout, path, track)
    if 'keypoint_scores' in first:  # mmpose single image
        return sequence_from_frames([_mmpose_instances(data, path)],
                                    layout, [0],
                                    path,
                                    track=track)
    if 'keypoints' in first:  # AlphaPose / COCO results
        order: Dict[Any, int] = {}
        frames: List[List[Instance]] = []
        for i, item in enumerate(data):
            if 'keypoints' not in item:
                raise KeypointFormatError(
                    f"{path}: entry {i} has no 'keypoints'")
            key = item.get('image_id', i)
            if key not in order:
                order[key] = len(frames)
                frames.append([])
            inst = _instance(item['keypoints'], None,
                             item.get('idx', item.get('track_id')),
                             f'{path} entry {i}')
            if inst is not None:
                frames[order[key]].append(inst)
        numbers = [
            _frame_number(k) if isinstance(k, str) else
            (int(k) if isinstance(k, (int, float)) else None) for k in order
        ]
        if all(n is not None
               for n in numbers) and len(set(numbers)) == len(numbers):
            return _dense(frames, numbers, layout, path, track)
        return sequence_from_frames(frames, layout, None, path, track=track)
    raise KeypointFormatError(
        f'{path}: unrecognised json entries (keys {sorted(first)[:8]}); '
        "expected 'keypoints' (AlphaPose/COCO) or 'instances' (mmpose)")
