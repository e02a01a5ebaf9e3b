# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The renderer on its own: mesh shading, frames, video files."""
import numpy as np
import pytest

from mmmotionbert.structures import LiftResult
from mmmotionbert.visualization.renderer import (PoseVideoWriter,
                                                 SkeletonRenderer, draw_mesh,
                                                 render_lift_result)


def _square(z=0.0, x0=10, size=20):
    verts = np.array(
        [[x0, 10, z], [x0 + size, 10, z], [x0 + size, 30, z], [x0, 30, z]],
        float)
    return verts, np.array([[0, 1, 2], [0, 2, 3]])


def test_draw_mesh_fills_and_depth_sorts():
    canvas = np.zeros((40, 60, 3), np.uint8)
    far, faces = _square(z=10, x0=10)
    near, _ = _square(z=1, x0=20)
    draw_mesh(canvas, [(far, (255, 0, 0)), (near, (0, 255, 0))], faces)
    assert canvas[20, 12].tolist()[0] > 0 and canvas[20, 12, 1] == 0
    # the overlap shows the nearer (green) square
    assert canvas[20, 25, 1] > 0 and canvas[20, 25, 0] == 0
    assert canvas[5, 5].sum() == 0  # outside: untouched
    # a face-on square is lit by |n . light| only: same shade everywhere
    assert canvas[15, 12].tolist() == canvas[28, 15].tolist()
    nan = np.full_like(far, np.nan)
    before = canvas.copy()
    draw_mesh(canvas, [(nan, (0, 0, 255))], faces)
    np.testing.assert_array_equal(canvas, before)


def _walk(num_t=6):
    rng = np.random.default_rng(0)
    pose = rng.normal(size=(17, 3)) * 40
    kp3d = np.stack([pose + [5 * t, 0, 0] for t in range(num_t)])[None]
    kp2d = kp3d[..., :2] + 200
    return kp3d.astype(np.float32), kp2d.astype(np.float32)


def test_skeleton_renderer_frames_change_over_time():
    kp3d, kp2d = _walk()
    r = SkeletonRenderer(
        kp3d,
        kp2d,
        np.ones(kp2d.shape[:3]),
        frame_size=(400, 400),
        panel_height=120)
    try:
        f0, f5 = r.render(0), r.render(5)
    finally:
        r.close()
    assert f0.shape == f5.shape and f0.shape[0] == 120 and f0.dtype == np.uint8
    assert f0.shape[1] >= 2 * 120  # 2D panel + 3D panel
    assert (f0 != f5).any()
    assert f0.std() > 5  # something is drawn


@pytest.mark.parametrize('ext', ['.gif', '.mp4'])
def test_render_lift_result_writes_a_video(tmp_path, ext):
    kp3d, kp2d = _walk(num_t=8)
    res = LiftResult(
        kp3d,
        np.ones(kp2d.shape[:3], np.float32),
        np.array([0]),
        kp2d,
        kp2d[:, :, 0],
        np.arange(8),
        fps=10.0,
        frame_size=(400, 400),
        meta=dict(rootrel=False))
    path = render_lift_result(
        res, str(tmp_path / f'clip{ext}'), panel_height=96, progress=False)
    if ext == '.gif':
        from PIL import Image
        with Image.open(path) as im:
            assert im.n_frames == 8
    else:
        import cv2
        cap = cv2.VideoCapture(path)
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        ok, frame = cap.read()
        cap.release()
        assert ok and n == 8 and frame.shape[0] == 96


def test_video_writer_rejects_bad_settings(tmp_path):
    with pytest.raises(ValueError, match='unsupported video extension'):
        PoseVideoWriter(str(tmp_path / 'x.png'), 10)
    with pytest.raises(ValueError, match='fps must be positive'):
        PoseVideoWriter(str(tmp_path / 'x.gif'), 0)
    with pytest.warns(UserWarning, match='too many for a GIF'):
        w = PoseVideoWriter(
            str(tmp_path / 'x.gif'), 10, num_frames=9, max_gif_frames=4)
    assert w.step == 3
