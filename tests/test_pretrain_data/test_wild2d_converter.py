# Copyright (c) mmmotionbert contributors. All rights reserved.
"""2D tracks (PoseTrack json, generic json / npz) -> 2D-only clips."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from mmmotionbert.utils.cli import UserInputError
import torch

from mmmotionbert.datasets import MBMotion2DDataset
from mmmotionbert.datasets.converters.wild2d import (convert_wild2d,
                                                     read_tracks, split_track,
                                                     tracks_to_clips)

TOOL = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools',
    'dataset_converters', 'wild2d_to_clips.py')

# COCO-17 points of a standing person (pixels), right side at smaller x.
COCO_POSE = np.array(
    [
        [100, 40],
        [104, 36],
        [96, 36],
        [110, 40],
        [90, 40],  # face
        [120, 70],
        [80, 70],
        [125, 110],
        [75, 110],
        [128, 150],
        [72, 150],
        [112, 150],
        [88, 150],
        [112, 210],
        [88, 210],
        [112, 270],
        [88, 270]
    ],
    dtype=np.float64)


def _coco_track(frames, rng, conf_low=0.3):
    """(T, 17, 3) COCO keypoints drifting right, random confidences."""
    t = np.arange(frames)[:, None, None]
    xy = COCO_POSE[None] + np.concatenate(
        [2.0 * t, np.zeros_like(t, dtype=np.float64)], -1)
    conf = rng.uniform(conf_low, 1.0, size=(frames, 17, 1))
    return np.concatenate([xy, conf], -1)


def _posetrack_json(path,
                    tracks,
                    layout='coco',
                    frame_offset=1000,
                    reverse=True):
    """A PoseTrack-style json: images with frame_id, annotations per track
    and frame; ``tracks`` maps track id -> ((T, 17, 3), frame numbers)."""
    names = (['nose', 'left_eye', 'right_eye']
             if layout == 'coco' else ['nose', 'head_bottom', 'head_top'])
    frames = sorted({int(f) for _, fr in tracks.values() for f in fr})
    images = [
        dict(id=5000 + f, frame_id=frame_offset + f, file_name=f'{f:06d}.jpg')
        for f in frames
    ]
    anns = []
    for tid, (kpts, fr) in tracks.items():
        for k, f in enumerate(fr):
            anns.append(
                dict(
                    image_id=5000 + int(f),
                    track_id=tid,
                    keypoints=kpts[k].reshape(-1).tolist()))
    if reverse:  # annotations may come in any order
        anns = anns[::-1]
    with open(path, 'w') as f:
        json.dump(
            dict(
                images=images,
                annotations=anns,
                categories=[dict(keypoints=names + ['...'])]), f)


def test_posetrack_json_clips(tmp_path):
    rng = np.random.default_rng(0)
    a = _coco_track(40, rng)
    b = _coco_track(25, rng)
    _posetrack_json(tmp_path / 'vid.json', {
        1: (a, np.arange(40)),
        2: (b, np.arange(25)),
    })
    result = convert_wild2d([str(tmp_path)],
                            str(tmp_path / 'clips.npz'),
                            clip_len=10)
    # stride 10 // 3 = 3: (40 - 10) // 3 + 1 and (25 - 10) // 3 + 1
    assert len(result['clips']) == 11 + 6
    assert result['layouts'] == ['coco']
    assert result['track'][0] == 'vid:1' and result['track'][-1] == 'vid:2'
    assert result['start_frame'][:3].tolist() == [1000, 1003, 1006]

    # known points: the second clip of track 1 (frames 3..12)
    clip = result['clips'][1]
    coco = a[3:13]
    conf = coco[..., 2]
    np.testing.assert_allclose(clip[:, 1, 2], conf[:, 12], rtol=1e-6)  # r hip
    np.testing.assert_allclose(clip[:, 13, 2], conf[:, 9], rtol=1e-6)  # l wri
    np.testing.assert_allclose(
        clip[:, 0, 2], (conf[:, 11] + conf[:, 12]) / 2,
        rtol=1e-6)  # pelvis: mean of the hips
    h36m_xy = np.stack(
        [
            (coco[:, 11, :2] + coco[:, 12, :2]) / 2,  # pelvis
            coco[:, 12, :2],
            coco[:, 14, :2],
            coco[:, 16, :2],  # right leg
            coco[:, 11, :2],
            coco[:, 13, :2],
            coco[:, 15, :2],  # left leg
        ],
        1)
    # crop_scale box of the clip: all H36M joints (bbox of the converted
    # skeleton): x from the right wrist to the left wrist, y from the head
    # (mid-eyes, 36) to the ankles (270)
    lo = np.array([72.0 + 2 * 3, 36.0])
    hi = np.array([128.0 + 2 * 12, 270.0])
    centre, half = (lo + hi) / 2, (hi - lo).max() / 2
    np.testing.assert_allclose(
        clip[:, :7, :2], (h36m_xy - centre) / half, atol=1e-5)
    np.testing.assert_allclose(
        clip[:, 10, :2],
        ((coco[:, 1, :2] + coco[:, 2, :2]) / 2 - centre) / half,
        atol=1e-5)  # head: mid-eyes

    # the clips load in MBMotion2DDataset with their confidence
    ds = MBMotion2DDataset('npz', str(tmp_path / 'clips.npz'), flip_prob=0.0)
    assert len(ds) == 17
    item = ds[1]
    torch.testing.assert_close(item['inputs'], torch.from_numpy(clip))
    torch.testing.assert_close(item['data_samples']['conf'],
                               torch.from_numpy(clip[..., 2]))
    assert item['data_samples']['has_3d'] is False


def test_posetrack18_layout_gaps_and_filters(tmp_path):
    rng = np.random.default_rng(1)
    kpts = _coco_track(30, rng)
    kpts[:, 1:3, :2] = [[100, 60], [100, 20]]  # head_bottom, head_top
    kpts[..., 2] = 1.0  # PoseTrack visibility flags
    kpts[:, 3:5] = 0  # PoseTrack-18 ears are not annotated
    kpts[::2, 9, 2] = 0  # left wrist invisible every other frame
    frames = np.r_[np.arange(12), np.arange(14, 32)]  # a 2-frame gap
    hidden = kpts.copy()
    hidden[20, 11:13] = 0  # root invisible in one frame
    _posetrack_json(
        tmp_path / 'pt.json', {
            7: (kpts, frames),
            8: (hidden, frames)
        },
        layout='posetrack')
    tracks = read_tracks([str(tmp_path / 'pt.json')])
    assert [t.layout for t in tracks] == ['posetrack', 'posetrack']
    result = tracks_to_clips(tracks, clip_len=10, stride=5)
    # runs of 12 and 18 frames: 1 + 2 clips per track; track 8 loses the
    # clips containing its frame 20 (run 2 rows 8..17 -> both clips)
    assert result['track'].tolist() == ['pt:7'] * 3 + ['pt:8']
    assert result['dropped']['root not visible'] == 2
    clip = result['clips'][0]
    assert (clip[..., 2] >= 0).all()
    assert np.all(clip[:, 8, 1] > clip[:, 10, 1])  # thorax below head top
    np.testing.assert_allclose(clip[:, 8, 0], clip[:, 10, 0], atol=1e-6)
    # official PoseTrack reader: first clip only
    first = tracks_to_clips(tracks, clip_len=10, max_clips_per_track=1)
    assert len(first['clips']) == 2
    # too few visible joints
    strict = tracks_to_clips(tracks, clip_len=10, min_valid=0.99)
    assert len(strict['clips']) == 0
    assert strict['dropped']['too few visible joints'] > 0


def test_split_track():
    assert [r.tolist() for r in split_track(np.arange(7), 3, 2)] == [[0, 1, 2],
                                                                     [2, 3, 4],
                                                                     [4, 5, 6]]
    assert split_track(np.arange(2), 3, 1) == []
    short = split_track(np.arange(2), 4, 1, resample_short=True)
    assert [r.tolist() for r in short] == [[0, 0, 1, 1]]
    assert len(split_track(np.r_[0, 1, 2, 5, 6, 7], 3, 1)) == 2


def test_generic_npz_and_json_tracks(tmp_path):
    rng = np.random.default_rng(2)
    body25 = np.zeros((12, 25, 3))
    body25[..., :2] = rng.uniform(0, 200, size=(12, 25, 2))
    body25[..., 2] = 0.9
    np.savez(
        tmp_path / 'tracks.npz',
        person0=body25,
        **{'frames/person0': np.arange(100, 112)})
    coco = _coco_track(12, rng)
    with open(tmp_path / 'tracks.json', 'w') as f:
        json.dump(dict(layout='coco', tracks={'p': coco.tolist()}), f)
    tracks = read_tracks(
        [str(tmp_path / 'tracks.npz'),
         str(tmp_path / 'tracks.json')])
    assert [(t.name, t.layout)
            for t in tracks] == [('tracks:person0', 'body25'),
                                 ('tracks:p', 'coco')]
    result = tracks_to_clips(tracks, clip_len=12)
    assert result['clips'].shape == (2, 12, 17, 3)
    # BODY_25 pelvis = mid_hip (8), right ankle = 11
    clip = result['clips'][0]
    np.testing.assert_allclose(clip[:, 0, 2], 0.9, rtol=1e-6)
    raw = body25[:, [8, 11], :2]
    d_raw = raw[:, 1] - raw[:, 0]
    d_clip = clip[:, 3, :2] - clip[:, 0, :2]
    ratio = d_clip / d_raw
    np.testing.assert_allclose(ratio, ratio[0, 0], rtol=1e-4)  # one scale
    with pytest.raises(ValueError, match='layout'):
        read_tracks([str(tmp_path / 'tracks.npz')], layout='coco')


def test_tool_errors_and_run(tmp_path):
    spec = importlib.util.spec_from_file_location('wild2d_tool', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with pytest.raises(UserInputError, match='not found'):
        tool.main([str(tmp_path / 'nope'), '--out', str(tmp_path / 'o.npz')])
    rng = np.random.default_rng(3)
    _posetrack_json(tmp_path / 'v.json',
                    {3: (_coco_track(8, rng), np.arange(8))})
    with pytest.raises(UserInputError, match='no clips'):  # short track
        tool.main([
            str(tmp_path / 'v.json'), '--out',
            str(tmp_path / 'o.npz'), '--clip-len', '30'
        ])
    result = tool.main([
        str(tmp_path / 'v.json'), '--out',
        str(tmp_path / 'o.npz'), '--clip-len', '30', '--resample-short'
    ])
    assert result['clips'].shape == (1, 30, 17, 3)
    assert osp.isfile(tmp_path / 'o.npz')


def test_matches_the_official_posetrack_reader(tmp_path):
    """With the official settings (first 30 frames, PoseTrack-18 layout)
    the clips equal MBMotion2DDataset's own PoseTrack reader."""
    from mmmotionbert.datasets.motion2d_dataset import load_posetrack
    rng = np.random.default_rng(4)
    kpts = _coco_track(40, rng)
    kpts[:, 1:3, :2] = [[100, 60], [100, 20]]
    kpts[..., 2] = 1.0
    kpts[:, 3:5] = 0  # ears not annotated
    kpts[::3, 10, 2] = 0  # right wrist hidden now and then
    # the official reader takes annotations in file order: keep it ordered
    _posetrack_json(
        tmp_path / 'seq.json', {4: (kpts, np.arange(40))},
        layout='posetrack',
        reverse=False)
    ours = convert_wild2d([str(tmp_path / 'seq.json')],
                          str(tmp_path / 'out.npz'),
                          clip_len=30,
                          max_clips_per_track=1)['clips']
    official = load_posetrack(str(tmp_path), clip_len=30)
    assert ours.shape == official.shape == (1, 30, 17, 3)
    np.testing.assert_allclose(ours, official, atol=1e-6)
