# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Renderer, detectors and the demo/lift_2d_to_3d.py CLI end to end."""
import importlib.util
import json
import os.path as osp
import sys

import numpy as np
import pytest
import torch

from mmmotionbert.apis.inferencers import MotionLifterInferencer
from mmmotionbert.structures import KeypointFormatError
from ..conftest import REPO_ROOT, official_fixture
from ..test_apis.conftest import coco_motion, to_layout
from ..test_apis.test_readers import _openpose_folder

sys.path.insert(0, str(REPO_ROOT / 'demo'))
lift_demo = pytest.importorskip('lift_2d_to_3d')


@pytest.fixture(scope='module')
def official_bin(tmp_path_factory):
    """The official-parity fixture checkpoint as an official .bin file."""
    fx = torch.load(official_fixture('dstformer.pt'), weights_only=True)
    path = tmp_path_factory.mktemp('ckpt') / 'best_epoch.bin'
    torch.save(fx['checkpoint'], path)
    return str(path)


def _frames_of(path):
    if path.endswith('.gif'):
        from PIL import Image
        im = Image.open(path)
        frames = []
        for i in range(im.n_frames):
            im.seek(i)
            frames.append(np.asarray(im.convert('RGB')))
        return frames
    import cv2
    cap = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    return frames


@pytest.mark.parametrize('ext', ['gif', 'mp4'])
def test_renderer_writes_changing_frames(tmp_path, tiny_lifter, ext):
    from mmmotionbert.structures import KeypointSequence
    from mmmotionbert.visualization import render_lift_result
    kp, sc = to_layout(*coco_motion(6), 'coco')
    kp = kp + np.arange(6)[:, None, None] * 15.0  # visible motion
    seq = KeypointSequence(kp[None], sc[None], None, 'coco', fps=10)
    res = MotionLifterInferencer(model=tiny_lifter, progress=False).lift(seq)
    out = render_lift_result(res, str(tmp_path / f'vis.{ext}'),
                             panel_height=120, progress=False)
    assert osp.getsize(out) > 0
    frames = _frames_of(out)
    assert len(frames) == 6
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).max() > 0


def test_cli_openpose_folder_end_to_end(tmp_path, official_bin):
    folder = _openpose_folder(tmp_path, 'body25', num_frames=30)
    out_dir = tmp_path / 'out'
    numbers = lift_demo.main([
        folder, '--format', 'body25', '--checkpoint', official_bin,
        '--num-heads', '4', '--out-dir', str(out_dir), '--vis', 'gif',
        '--panel-height', '100', '--no-progress'
    ])
    assert numbers['persons'] == 2 and numbers['frames'] == 30
    data = np.load(out_dir / 'op_body25.npz')
    assert data['keypoints_3d'].dtype == np.float32
    assert data['keypoints_3d'].shape == (2, 30, 17, 3)
    assert data['scores'].shape == (2, 30, 17)
    assert data['track_ids'].shape == (2, )
    assert np.isfinite(data['keypoints_3d']).all()
    twin = json.loads((out_dir / 'op_body25.json').read_text())
    assert len(twin['persons']) == 2
    np.testing.assert_allclose(
        np.asarray(twin['persons'][0]['keypoints_3d'], float),
        data['keypoints_3d'][0], atol=1e-3)
    assert 'pixels' in twin['meta']['units']
    assert len(_frames_of(str(out_dir / 'op_body25.gif'))) == 30
    # Streaming (causal) mode through the CLI.
    numbers = lift_demo.main([
        folder, '--checkpoint', official_bin, '--num-heads', '4',
        '--out-dir', str(tmp_path / 'stream'), '--vis', 'none', '--stream',
        '--no-progress'
    ])
    assert numbers['mode'] == 'streaming' and numbers['latency_ms_median'] > 0


def test_pose2sim_example_end_to_end(tmp_path, official_bin):
    if importlib.util.find_spec('Pose2Sim') is None:
        pytest.skip('pose2sim==0.4.15 is not installed (pip install '
                    '--no-deps pose2sim==0.4.15)')
    numbers = lift_demo.main([
        'pose2sim:cam1', '--checkpoint', official_bin, '--num-heads', '4',
        '--out-dir', str(tmp_path), '--vis', 'none', '--no-progress'
    ])
    assert numbers['layout'] == 'body25b' and numbers['frames'] == 100
    score = numbers['pose2sim']
    assert score['frames'] == 100 and np.isfinite(score['p_mpjpe_mm'])
    data = np.load(tmp_path / 'pose2sim_cam1.npz')
    assert data['keypoints_3d'].shape[1:] == (100, 17, 3)


def _write_blank_video(path, frames=6):
    import cv2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), 20 * i, np.uint8))
    writer.release()


def test_bad_video_inputs(tmp_path, official_bin):
    from mmmotionbert.apis.detectors import build_detector, detect_video
    bad = tmp_path / 'broken.mp4'
    bad.write_bytes(b'this is not a video')
    with pytest.raises(OSError, match='cannot read video'):
        detect_video(str(bad), detector=lambda frame: [])
    with pytest.raises(FileNotFoundError):
        detect_video(str(tmp_path / 'missing.mp4'), detector=lambda f: [])
    with pytest.raises(OSError, match='cannot read video'):
        lift_demo.main([str(bad), '--checkpoint', official_bin,
                        '--num-heads', '4', '--out-dir', str(tmp_path),
                        '--no-progress'])
    with pytest.raises(ValueError, match='unknown 2D detector'):
        build_detector('openpifpaf')
    blank = tmp_path / 'blank.mp4'
    _write_blank_video(blank)

    class Nobody:
        layout = 'coco'

        def __call__(self, frame):
            return []

    with pytest.raises(KeypointFormatError, match='no person detected'):
        detect_video(str(blank), Nobody(), progress=False)


def test_pluggable_detector_feeds_the_lifter(tmp_path, tiny_lifter):
    from mmmotionbert.apis.detectors import detect_video
    blank = tmp_path / 'blank.mp4'
    _write_blank_video(blank, frames=5)
    kp, sc = coco_motion(5, (32, 24))
    kp = (kp - 32) * 0.1 + 32

    class Fake:
        layout = 'coco'

        def __init__(self):
            self.t = 0

        def __call__(self, frame):
            assert frame.shape == (48, 64, 3)
            self.t += 1
            return [(kp[self.t - 1], sc[self.t - 1], None)]

    seq = detect_video(str(blank), Fake(), progress=False)
    assert seq.frame_size == (64, 48) and seq.fps == pytest.approx(10)
    res = MotionLifterInferencer(model=tiny_lifter, progress=False).lift(seq)
    assert res.keypoints_3d.shape == (1, 5, 17, 3)


def test_mediapipe_detector_runs_offline(tmp_path):
    try:
        import mediapipe  # noqa: F401
        from mediapipe import solutions  # noqa: F401
    except ImportError:
        pytest.skip('mediapipe==0.10.21 is not installed (see '
                    'requirements/optional.txt)')
    from mmmotionbert.apis.detectors import detect_video
    blank = tmp_path / 'blank.mp4'
    _write_blank_video(blank, frames=3)
    with pytest.raises(KeypointFormatError, match='no person detected'):
        detect_video(str(blank), progress=False)  # default: BlazePose


def test_cli_prints_topk_actions(tmp_path, official_bin):
    config = REPO_ROOT / 'configs' / 'action' / (
        'mb-tiny_dstformer-16frm_synthetic-ntu.py')
    if not config.exists():
        pytest.skip(f'{config} is not in this checkout')
    folder = _openpose_folder(tmp_path, 'body25', num_frames=20)
    args = [
        folder, '--checkpoint', official_bin, '--num-heads', '4',
        '--out-dir', str(tmp_path / 'out'), '--vis', 'none', '--no-progress'
    ]
    numbers = lift_demo.main(args + ['--action-config', str(config),
                                     '--topk', '3'])
    assert sorted(numbers['actions']) == [0, 1]
    assert all(len(top) == 3 for top in numbers['actions'].values())
    with pytest.raises(ValueError, match='needs --action-config'):
        lift_demo.main(args + ['--action-checkpoint', official_bin])


def test_mmpose_detector_wraps_the_inferencer(tmp_path, monkeypatch):
    """The mmpose step (user weights) parses MMPoseInferencer's output."""
    import mmpose.apis.inferencers as mmpose_inferencers

    from mmmotionbert.apis.detectors import build_detector
    kp, sc = coco_motion(1)
    weights = tmp_path / 'pose2d.pth'
    weights.write_bytes(b'0')

    class FakeInferencer:

        def __init__(self, **kwargs):
            self.kwargs = kwargs

            class Model:
                dataset_meta = dict(dataset_name='coco')

            self.inferencer = type('P', (), {'model': Model()})()

        def __call__(self, frame, return_vis=False):
            yield dict(predictions=[[
                dict(keypoints=kp[0].tolist(),
                     keypoint_scores=sc[0].tolist(), bbox=[[0, 0, 9, 9]],
                     track_id=2)
            ]])

    monkeypatch.setattr(mmpose_inferencers, 'MMPoseInferencer',
                        FakeInferencer)
    det = build_detector('mmpose', pose2d='cfg.py',
                         pose2d_weights=str(weights))
    assert det.layout == 'coco'
    (k, s, tid), = det(np.zeros((48, 64, 3), np.uint8))
    np.testing.assert_allclose(k, kp[0], atol=1e-4)
    assert tid == 2
    with pytest.raises(FileNotFoundError, match='mmpose weights not found'):
        build_detector('mmpose', pose2d='cfg.py',
                       pose2d_weights=str(tmp_path / 'nope.pth'))


def test_sports2d_video_through_mediapipe(tmp_path, official_bin):
    for module, pin in (('Sports2D', 'sports2d==0.8.34'),
                        ('mediapipe', 'mediapipe==0.10.21')):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f'{pin} is not installed (requirements/optional.txt)')
    numbers = lift_demo.main([
        'sports2d', '--checkpoint', official_bin, '--num-heads', '4',
        '--out-dir', str(tmp_path), '--max-frames', '10', '--vis', 'mp4',
        '--panel-height', '100', '--no-progress'
    ])
    assert numbers['layout'] == 'blazepose' and numbers['frames'] == 10
    data = np.load(tmp_path / 'sports2d_demo.npz')
    assert data['keypoints_3d'].shape == (1, 10, 17, 3)
    assert (data['frame_size'] == (1768, 994)).all()
    assert len(_frames_of(str(tmp_path / 'sports2d_demo.mp4'))) == 10
