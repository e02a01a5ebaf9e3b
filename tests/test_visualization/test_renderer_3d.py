# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The OpenCV 3D panel: orientation, equal axis scales, depth order, the
metric floor grid and foot contacts."""
import numpy as np
import pytest

from mmmotionbert.structures import LiftResult, MetricMotion
from mmmotionbert.visualization.colors import _bone_color
from mmmotionbert.visualization.panel_3d import CONTACT_COLOR, GRID_COLOR
from mmmotionbert.visualization.view_camera import ViewCamera
from mmmotionbert.visualization.renderer import (SkeletonRenderer,
                                                 render_lift_result)

H = 360  # panel height

#: Standing H36M-17 pose in metres, Y up, facing +z (towards the camera of
#: the default view): its right side at -x.
STAND = np.array([[0.0, 0.95, 0.0], [-0.12, 0.93, 0.0], [-0.13, 0.51, 0.0],
                  [-0.14, 0.08, 0.0], [0.12, 0.93, 0.0], [0.13, 0.51, 0.0],
                  [0.14, 0.08, 0.0], [0.0, 1.2, 0.0], [0.0, 1.45, 0.0],
                  [0.0, 1.58, 0.08], [0.0, 1.7, 0.0], [0.18, 1.42, 0.0],
                  [0.22, 1.15, 0.0], [0.24, 0.9, 0.0], [-0.18, 1.42, 0.0],
                  [-0.22, 1.15, 0.0], [-0.24, 0.9, 0.0]])


def _metric(world, contacts=None):
    world = np.asarray(world, np.float32)
    if contacts is None:
        contacts = np.zeros(world.shape[:2] + (2, ), bool)
    return MetricMotion(
        keypoints_3d_metric=world,
        keypoints_3d_world=world,
        camera_to_world=np.diag([1.0, -1.0, -1.0, 1.0]),  # camera at origin
        foot_contacts=contacts,
        subject_heights=np.full(len(world), 1.75))


def _renderer(world, metric=True, contacts=None, **kw):
    """A renderer of Y-up metric poses (P, T, 17, 3); without ``metric``
    they become the pixel-unit image-frame poses (x right, y down)."""
    world = np.asarray(world, float)
    placed = world * [200.0, -200.0, -200.0] + [320, 400, 0]
    kp2d = placed[..., :2]
    scores = np.isfinite(kp2d).all(-1).astype(float)
    return SkeletonRenderer(
        placed,
        np.nan_to_num(kp2d),
        scores,
        frame_size=(640, 480),
        panel_height=H,
        metric=_metric(world, contacts) if metric else None,
        **kw)


def _panel(r, t=0):
    """The 3D panel of frame ``t`` (the renderer's second panel)."""
    frame = r.render(t)
    panel = r._panel_3d(t)
    assert frame.shape[0] == panel.shape[0] == H
    # the frame is 2D panel | 3D panel
    np.testing.assert_array_equal(frame[:, -panel.shape[1]:], panel)
    return panel


def _near(img, color, tol=12):
    return (np.abs(img.astype(int) - color) <= tol).all(-1)


@pytest.mark.parametrize('metric', [True, False])
def test_known_pose_head_above_feet_and_sides(metric):
    r = _renderer(STAND[None, None], metric=metric)
    panel = _panel(r)
    pose = r.panel_3d.poses[0, 0]
    uv, depth = r.panel_3d.project(0, pose)
    assert (depth > 0).all()
    head, r_ankle, l_ankle = uv[10], uv[3], uv[6]
    assert head[1] < r_ankle[1] - 0.5 * H * 0.2  # head well above the feet
    assert head[1] < l_ankle[1]
    # facing the viewer: its right leg on the left of the picture
    assert r_ankle[0] < l_ankle[0]
    # the pixels agree: mid-shins drawn in the right / left bone colours
    for knee, ankle in ((2, 3), (5, 6)):
        u, v = np.round((uv[knee] + uv[ankle]) / 2).astype(int)
        color = np.array(_bone_color(0, ankle))
        patch = panel[v - 1:v + 2, u - 1:u + 2].reshape(-1, 3).astype(int)
        assert np.abs(patch - color).max(-1).min() <= 10, (knee, patch)
    # the head bone is drawn above the shins
    rows = np.nonzero(_near(panel, _bone_color(0, 3), 6).any(1))[0]
    assert rows.min() > head[1]


def test_equal_axis_scales_frontal_view():
    """A 1 m bone along x and a 1 m bone along y at the same depth span the
    same number of pixels (frontal view: depth along z)."""
    pose = np.full((17, 3), np.nan)
    pose[0] = [0.0, 1.0, 0.0]  # pelvis
    pose[1] = [1.0, 1.0, 0.0]  # right hip: 1 m along x
    pose[7] = [0.0, 2.0, 0.0]  # spine: 1 m along y
    r = _renderer(pose[None, None], elev=0.0, azim=-90.0)
    panel = _panel(r)
    uv, depth = r.panel_3d.project(0, pose[[0, 1, 7]])
    np.testing.assert_allclose(depth, depth[0])
    len_x = np.linalg.norm(uv[1] - uv[0])
    len_y = np.linalg.norm(uv[2] - uv[0])
    assert len_x > 20
    assert abs(len_x - len_y) <= 0.02 * len_x
    # in the picture: the drawn bones reach as far from the pelvis (the
    # shared end is covered by whichever bone is drawn last)
    hip = _near(panel, _bone_color(0, 1), 8)
    spine = _near(panel, _bone_color(0, 7), 8)
    span_x = np.nonzero(hip.any(0))[0].max() - uv[0, 0]
    span_y = uv[0, 1] - np.nonzero(spine.any(1))[0].min()
    assert abs(span_x - span_y) <= 0.02 * len_x + 1, (span_x, span_y)
    assert abs(span_x - len_x) <= 3


@pytest.mark.parametrize('elev, azim', [(12, -75), (20, -75), (35, -30)])
def test_view_camera_equal_scale_any_view(elev, azim):
    cam = ViewCamera(elev, azim)
    cam.look_at(np.zeros(3), 5.0)
    cam.fit(np.array([[-1, 0, -1], [1, 2, 1]], float), (360, 360),
            (10, 10, 10, 10))
    c = np.array([0.3, 1.0, -0.2])
    uv, depth = cam.project(np.stack([c, c + cam.right, c + cam.up]))
    np.testing.assert_allclose(depth, depth[0])
    np.testing.assert_allclose(
        np.linalg.norm(uv[1] - uv[0]), np.linalg.norm(uv[2] - uv[0]),
        rtol=1e-9)
    # screen axes: right is +u, up is -v (image rows grow downwards)
    assert uv[1, 0] > uv[0, 0] and uv[2, 1] < uv[0, 1]
    # the vertical through the centre looked at stays vertical on screen
    # (others converge: perspective)
    ends = cam.project(np.array([[0, -1.0, 0], [0, 2.0, 0]]))[0]
    assert abs(ends[0, 0] - ends[1, 0]) < 1e-6 and ends[1, 1] < ends[0, 1]


def test_nearer_bone_drawn_last():
    """Where two persons' bones cross, the nearer one is on top, whatever
    the person order."""
    def crossing(z_horizontal, z_vertical):
        a = np.full((17, 3), np.nan)  # a horizontal 1 m bone
        a[0], a[1] = [-0.5, 1.0, z_horizontal], [0.5, 1.0, z_horizontal]
        b = np.full((17, 3), np.nan)  # a vertical 1 m bone
        b[0], b[7] = [0.0, 0.5, z_vertical], [0.0, 1.5, z_vertical]
        r = _renderer(np.stack([a, b])[:, None], elev=0.0, azim=-90.0)
        panel = _panel(r)
        # the screen point where they cross: the projection of (0, 1) on
        # the horizontal bone
        uv, _ = r.panel_3d.project(0, np.array([[0.0, 1.0, z_horizontal]]))
        u, v = np.round(uv[0]).astype(int)
        return panel[v, u].astype(int)

    horizontal, vertical = np.array(_bone_color(0, 1)), np.array(
        _bone_color(1, 7))
    on_top = crossing(z_horizontal=0.5, z_vertical=-0.5)  # horizontal near
    assert np.abs(on_top - horizontal).max() <= 10, on_top
    on_top = crossing(z_horizontal=-0.5, z_vertical=0.5)  # vertical near
    assert np.abs(on_top - vertical).max() <= 10, on_top


def test_metric_floor_grid_below_the_feet():
    r = _renderer(STAND[None, None])
    panel = _panel(r)
    uv, _ = r.panel_3d.project(0, r.panel_3d.poses[0, 0])
    ankle_row = int(np.ceil(uv[[3, 6], 1].max()))
    head_row = int(uv[10, 1])
    grid = _near(panel, GRID_COLOR, 14)
    below = grid[ankle_row + 4:]
    assert below.sum() > 100  # grid lines under the ankles
    assert len(np.unique(np.nonzero(below)[0])) > 10  # on many rows
    # the floor (y = 0) under each ankle is below it on screen
    floor = r.panel_3d.project(
        0, r.panel_3d.poses[0, 0, [3, 6]] * [1, 0, 1])[0]
    assert (floor[:, 1] > uv[[3, 6], 1]).all()
    # nothing of the grid above the head (an elevated view of the floor)
    assert not grid[30:head_row - 10].any()


def test_pixel_poses_grid_at_lowest_foot_and_following_view():
    walk = np.stack([STAND + [0.3 * t, 0, 0] for t in range(6)])[None]
    r = _renderer(walk, metric=False)
    panel = r.panel_3d
    # the grid height: the lowest foot of the clip (pixel units, y up)
    assert panel.floor_y == pytest.approx(panel.poses[0, :, [3, 6],
                                                      1].min())
    f0, f5 = r.render(0), r.render(5)
    assert (f0 != f5).any()
    # the view follows: the pelvis lands at the same place in both frames
    p0 = panel.project(0, panel.poses[0, 0, 0])[0]
    p5 = panel.project(5, panel.poses[0, 5, 0])[0]
    np.testing.assert_allclose(p0, p5, atol=1e-6)


def test_metric_view_is_fixed_and_frames_change_as_the_pose_moves():
    walk = np.stack([STAND + [0.3 * t, 0, -0.1 * t] for t in range(6)])[None]
    r = _renderer(walk)
    f0, f5 = r.render(0), r.render(5)
    assert f0.shape == f5.shape and (f0 != f5).any()
    panel = r.panel_3d
    eye = panel.camera.eye.copy()
    p0 = panel.project(0, panel.poses[0, 0, 0])[0]
    p5 = panel.project(5, panel.poses[0, 5, 0])[0]
    np.testing.assert_array_equal(panel.camera.eye, eye)  # fixed camera
    assert p5[0] - p0[0] > 20  # walking along +x moves right on screen
    # every frame's trajectory fits in the panel
    uv = panel.project(0, panel.poses.reshape(-1, 3))[0]
    assert (uv >= 0).all() and (uv[:, 0] < H).all() and (uv[:, 1] < H).all()


def test_foot_contacts_highlighted():
    world = STAND[None, None]
    contacts = np.array([[[True, False]]])  # left foot down
    panel = _panel(_renderer(world, contacts=contacts))
    r = _renderer(world, contacts=contacts)
    uv, _ = r.panel_3d.project(0, r.panel_3d.poses[0, 0])
    mark = _near(panel, CONTACT_COLOR, 10)
    assert mark.any()
    ys, xs = np.nonzero(mark)
    centre = np.array([xs.mean(), ys.mean()])
    assert np.linalg.norm(centre - uv[6]) < 3  # on the left ankle
    none = _panel(_renderer(world))
    assert not _near(none, CONTACT_COLOR, 10).any()


def test_metric_shape_mismatch_raises():
    pose = STAND[None, None]
    placed = np.repeat(pose, 2, axis=1) * 100
    with pytest.raises(ValueError, match='keypoints_3d_world'):
        SkeletonRenderer(
            placed,
            placed[..., :2],
            np.ones(placed.shape[:3]),
            frame_size=(640, 480),
            metric=_metric(pose))


def test_render_lift_result_with_metric(tmp_path):
    walk = np.stack([STAND + [0.2 * t, 0, 0] for t in range(5)])[None]
    placed = walk * [200.0, -200.0, -200.0] + [320, 400, 0]
    res = LiftResult(
        placed.astype(np.float32),
        np.ones(placed.shape[:3], np.float32),
        np.array([3]),
        placed[..., :2].astype(np.float32),
        placed[:, :, 0, :2].astype(np.float32),
        np.arange(5),
        fps=10.0,
        frame_size=(640, 480),
        meta=dict(rootrel=False),
        metric=_metric(walk))
    path = render_lift_result(
        res, str(tmp_path / 'clip.mp4'), panel_height=120, progress=False)
    import cv2
    cap = cv2.VideoCapture(path)
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, frame = cap.read()
    cap.release()
    # 2D panel (640x480 -> 160 wide) + square 3D panel
    assert ok and n == 5 and frame.shape[:2] == (120, 160 + 120)
