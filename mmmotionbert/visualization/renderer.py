# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Render lifted poses: 2D keypoints on the frame (or a blank canvas) beside
a 3D skeleton view (OpenCV, :mod:`.panel_3d`; the metric world when the
result has one) and, when meshes are given, a shaded SMPL mesh panel;
written as MP4 (OpenCV) or GIF (Pillow).

May import: numpy, OpenCV and tqdm (the last two lazily),
:mod:`mmmotionbert.utils.keypoints`, :mod:`.colors`, :mod:`.mesh_drawing`,
:mod:`.panel_3d` and :mod:`.video_writer`; never ``apis``.
"""
from typing import Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.utils.keypoints import H36M_BONES
# The colours (colors.py), the mesh drawing (mesh_drawing.py) and the video
# writer (video_writer.py) live in their own modules; re-exported so their
# old path here keeps working.
from . import mesh_drawing
from .colors import PERSON_COLORS, _bone_color, _mesh_color
from .mesh_drawing import draw_mesh
from .panel_3d import _FEET, Skeleton3DPanel
from .video_writer import PoseVideoWriter

__all__ = [
    'PoseVideoWriter', 'SkeletonRenderer', 'render_lift_result',
    'draw_mesh'
]
#: Old private path of the mesh light (:mod:`.mesh_drawing`).
_LIGHT = mesh_drawing._LIGHT


def _display_basis(camera_to_world: Optional[np.ndarray]) -> np.ndarray:
    """Display frame (rows: right, up, back towards the viewer) of a Y-up
    world seen from its camera: ``back`` is the camera's horizontal viewing
    direction reversed, so that the default view (azimuth -75) looks at the
    persons from near the camera's side, as without metric poses."""
    up = np.array([0.0, 1.0, 0.0])
    basis = np.eye(3)
    if camera_to_world is None:
        return basis
    rot = np.asarray(camera_to_world, float)[:3, :3]
    forward = rot[:, 2] - (rot[:, 2] @ up) * up
    if not np.isfinite(forward).all() or np.linalg.norm(forward) < 0.1:
        return basis  # camera looking (nearly) straight down or up
    back = -forward / np.linalg.norm(forward)
    return np.stack([np.cross(up, back), up, back])


class SkeletonRenderer:
    """Draw one frame: 2D panel (image or canvas) + 3D skeleton view, and a
    mesh panel when ``vertices`` are given.

    The 3D panel (:class:`~.panel_3d.Skeleton3DPanel`, OpenCV) looks at the
    skeletons through a virtual perspective camera from a slightly
    elevated three-quarter view, with equal scale along every axis. Without
    ``metric`` it shows ``poses_3d`` (pixel units, y flipped to up) in a
    view that follows the persons of each frame, over a grid at the clip's
    lowest foot level; with ``metric`` it shows the world-space skeletons
    in metres over the floor grid (``y = 0``, 1 m cells) in one view
    framing the whole clip's trajectory, feet in contact highlighted.

    Args:
        poses_3d (np.ndarray): (P, T, 17, 3) poses placed in the image frame
            (x right, y down, z depth; see ``LiftResult.placed_3d``).
        keypoints_2d (np.ndarray): (P, T, 17, 2) pixel keypoints.
        scores (np.ndarray): (P, T, 17) 2D scores (0 = not drawn).
        frame_size (tuple, optional): ``(width, height)`` of the canvas;
            defaults to the keypoints' extent.
        track_ids (Sequence[int], optional): Labels of the persons.
        panel_height (int): Height of each panel in pixels. Defaults to 360.
        score_thr (float): Smallest drawn 2D score. Defaults to 0.
        vertices (np.ndarray, optional): (P, T, V, 3) meshes placed in the
            image frame like ``poses_3d`` (pixels; see
            ``MeshResult``); adds a third panel with the shaded meshes.
        faces (np.ndarray, optional): (F, 3) triangles of ``vertices``.
        mesh_azimuth (float): Mesh panel view, degrees about the vertical
            axis through each mesh's centre: 0 (default) draws the meshes
            over the frame as the camera sees them; other angles turn them
            (90: profile) on a blank canvas.
        metric (MetricMotion, optional): World-space metric poses of the
            same (P, T) (``keypoints_3d_world``, ``foot_contacts``,
            ``camera_to_world``); the 3D panel then draws them.
        elev (float, optional): 3D view elevation in degrees; defaults to
            12 (as the matplotlib view had) and, with ``metric``, to 20 (to
            show the trajectory on the floor).
        azim (float): 3D view azimuth in degrees (matplotlib's convention;
            -90 faces the camera). Defaults to -75.
    """

    def __init__(self,
                 poses_3d: np.ndarray,
                 keypoints_2d: np.ndarray,
                 scores: np.ndarray,
                 frame_size: Optional[Tuple[int, int]] = None,
                 track_ids: Optional[Sequence[int]] = None,
                 panel_height: int = 360,
                 score_thr: float = 0.0,
                 vertices: Optional[np.ndarray] = None,
                 faces: Optional[np.ndarray] = None,
                 mesh_azimuth: float = 0.0,
                 metric=None,
                 elev: Optional[float] = None,
                 azim: float = -75.0) -> None:
        self.poses_3d = np.asarray(poses_3d, np.float64)
        self.kp2d = np.asarray(keypoints_2d, np.float64)
        self.scores = np.asarray(scores, np.float64)
        self.num_persons = self.poses_3d.shape[0]
        self.track_ids = (list(track_ids) if track_ids is not None else list(
            range(self.num_persons)))
        self.panel_height = int(panel_height)
        self.score_thr = score_thr
        self.vertices = None
        if vertices is not None:
            if faces is None:
                raise ValueError('vertices given without faces')
            self.vertices = np.asarray(vertices, np.float32)
            if self.vertices.shape[:2] != self.poses_3d.shape[:2] or \
                    self.vertices.ndim != 4 or self.vertices.shape[-1] != 3:
                raise ValueError(
                    f'vertices must be (P, T, V, 3) with (P, T) = '
                    f'{self.poses_3d.shape[:2]}, got {self.vertices.shape}')
            self.faces = np.asarray(faces, np.int64)
            self.mesh_azimuth = float(mesh_azimuth) % 360
        valid = self.scores > score_thr
        if frame_size is None or not all(frame_size):
            pts = self.kp2d[valid]
            if len(pts) == 0:
                frame_size = (640, 480)
                self.origin = np.zeros(2)
            else:
                lo, hi = pts.min(0), pts.max(0)
                margin = 0.1 * (hi - lo).max() + 10
                self.origin = lo - margin
                frame_size = tuple(
                    int(v) for v in np.ceil(hi - lo + 2 * margin))
        else:
            self.origin = np.zeros(2)
        self.frame_size = (max(int(frame_size[0]), 1),
                           max(int(frame_size[1]), 1))
        self._blank = {}  # (h, w) -> white panel-sized canvas
        self._colors = [[_bone_color(p, c) for c, _ in H36M_BONES]
                        for p in range(self.num_persons)]
        self.metric = metric
        self.panel_3d = self._make_panel_3d(metric, elev, azim)

    def _make_panel_3d(self, metric, elev: Optional[float],
                       azim: float) -> Skeleton3DPanel:
        size = (self.panel_height, self.panel_height)
        if elev is None:
            elev = 12.0 if metric is None else 20.0
        if metric is None:
            # image frame (x right, y down, z away) -> Y up, z towards the
            # viewer: a rotation of 180 degrees about x
            world = self.poses_3d * np.array([1.0, -1.0, -1.0])
            feet = world[:, :, list(_FEET), 1]
            feet = feet[np.isfinite(feet)]
            return Skeleton3DPanel(
                world,
                size,
                self.track_ids,
                fixed_view=False,
                unit='px',
                floor_y=float(feet.min()) if len(feet) else None,
                elev=elev,
                azim=azim,
                axes=(('x', (1, 0, 0)), ('up', (0, 1, 0)),
                      ('depth', (0, 0, -1))),
                title='3D')
        world = np.asarray(metric.keypoints_3d_world, np.float64)
        if world.shape[:2] != self.poses_3d.shape[:2] or world.shape[2:] != (
                17, 3):
            raise ValueError(
                f'metric.keypoints_3d_world must be (P, T, 17, 3) with '
                f'(P, T) = {self.poses_3d.shape[:2]}, got {world.shape}')
        contacts = getattr(metric, 'foot_contacts', None)
        if contacts is not None and np.shape(contacts) != world.shape[:2] + (
                2, ):
            raise ValueError(f'metric.foot_contacts must be (P, T, 2), got '
                             f'{np.shape(contacts)}')
        return Skeleton3DPanel(
            world,
            size,
            self.track_ids,
            fixed_view=True,
            unit='m',
            floor_y=0.0,
            grid_step=1.0,
            foot_contacts=contacts,
            basis=_display_basis(getattr(metric, 'camera_to_world', None)),
            elev=elev,
            azim=azim,
            title='3D world (m)',
            trails=300)

    def close(self) -> None:
        """Release resources (nothing is held since the OpenCV 3D panel;
        kept for callers that close renderers)."""

    def _panel_3d(self, t: int) -> np.ndarray:
        return self.panel_3d.draw(t)

    def _background(self, image: Optional[np.ndarray]
                    ) -> Tuple[np.ndarray, float, bool]:
        """The panel-height background of the 2D and camera-view mesh
        panels: the frame resized once (callers copy it before drawing), or
        a cached white canvas. Returns it, the pixel scale and whether it
        is blank."""
        import cv2
        if image is None:
            w, h = self.frame_size
        else:
            h, w = image.shape[:2]
        scale = self.panel_height / float(h)
        size = (max(int(round(w * scale)), 1), self.panel_height)
        if image is None:
            # a white canvas is white at any size: make it at panel size
            blank = self._blank.get(size)
            if blank is None:
                blank = self._blank[size] = np.full(
                    (size[1], size[0], 3), 255, np.uint8)
            return blank, scale, True
        return cv2.resize(
            np.ascontiguousarray(image[..., :3]), size,
            interpolation=cv2.INTER_AREA), scale, False

    def _panel_2d(self, t: int, image: Optional[np.ndarray],
                  background=None) -> np.ndarray:
        import cv2
        bg, scale, blank = background or self._background(image)
        canvas = bg.copy()
        if blank:
            image = None
        thick = max(1, int(round(self.panel_height / 180)))
        for p in range(self.num_persons):
            kp = (self.kp2d[p, t] - self.origin) * scale
            sc = self.scores[p, t]
            for (child, parent), color in zip(H36M_BONES, self._colors[p]):
                if sc[child] > self.score_thr and sc[parent] > self.score_thr:
                    cv2.line(canvas, tuple(int(v) for v in kp[child]),
                             tuple(int(v) for v in kp[parent]), color,
                             thick, cv2.LINE_AA)
            vis = sc > self.score_thr
            dot = (60, 60, 60) if image is None else (255, 255, 255)
            for j in np.nonzero(vis)[0]:
                cv2.circle(canvas, tuple(int(v) for v in kp[j]), thick,
                           dot, -1, cv2.LINE_AA)
            if vis.any():
                top = kp[vis].min(0)
                cv2.putText(canvas, f'id {self.track_ids[p]}',
                            (int(top[0]), max(int(top[1]) - 6, 12)),
                            cv2.FONT_HERSHEY_SIMPLEX, 0.4 * thick,
                            PERSON_COLORS[p % len(PERSON_COLORS)], thick,
                            cv2.LINE_AA)
        cv2.putText(canvas, f'2D  frame {t}', (8, 18),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, (40, 40, 40), 1,
                    cv2.LINE_AA)
        return canvas

    def _panel_mesh(self, t: int, image: Optional[np.ndarray],
                    background=None) -> np.ndarray:
        """The meshes of frame ``t`` (over the frame for the camera view)."""
        import cv2
        bg, scale, blank = background or self._background(image)
        if blank:
            image = None
        if image is None or self.mesh_azimuth % 360 != 0:
            canvas = np.full_like(bg, 255)
        else:
            canvas = bg.copy()
        angle = np.deg2rad(self.mesh_azimuth)
        rot = np.array([[np.cos(angle), 0, np.sin(angle)], [0, 1, 0],
                        [-np.sin(angle), 0, np.cos(angle)]])
        meshes = []
        for p in range(len(self.vertices)):
            verts = self.vertices[p, t].astype(np.float64)
            if not np.isfinite(verts).all():
                continue
            if angle:
                center = verts.mean(0)
                verts = (verts - center) @ rot.T + center
            verts[:, :2] = (verts[:, :2] - self.origin) * scale
            verts[:, 2] *= scale
            meshes.append((verts, _mesh_color(p)))
        draw_mesh(canvas, meshes, self.faces,
                  alpha=0.85 if image is not None and not angle else 1.0)
        label = 'mesh' if not angle else f'mesh  {self.mesh_azimuth:g} deg'
        cv2.putText(canvas, f'{label}  frame {t}', (8, 18),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, (40, 40, 40), 1,
                    cv2.LINE_AA)
        return canvas

    def render(self, t: int, image: Optional[np.ndarray] = None) -> np.ndarray:
        """Frame ``t`` as an (H, W, 3) uint8 RGB image.

        Args:
            t (int): Frame index into the poses.
            image (np.ndarray, optional): (H, W, 3) RGB video frame to draw
                the 2D keypoints (and camera-view meshes) on; a blank canvas
                when None.

        Returns:
            np.ndarray: 2D panel and 3D panel side by side, then the mesh
            panel when the renderer has meshes.
        """
        background = self._background(image)  # one resize a frame
        panels = [self._panel_2d(t, image, background), self._panel_3d(t)]
        if self.vertices is not None:
            panels.append(self._panel_mesh(t, image, background))
        # every panel is panel_height tall: no resizing here
        return np.concatenate(panels, axis=1)


def render_lift_result(result,
                       out_path: str,
                       video: Optional[str] = None,
                       fps: Optional[float] = None,
                       panel_height: int = 360,
                       progress: bool = True,
                       max_gif_frames: int = 400,
                       mesh=None,
                       mesh_azimuth: float = 0.0) -> str:
    """Render a :class:`LiftResult` to an MP4 or GIF.

    Args:
        result (LiftResult): Lifted poses.
        out_path (str): ``*.mp4`` or ``*.gif``.
        video (str, optional): Source video; its frames (``result.frame_ids``)
            become the 2D panel's background. A blank canvas otherwise.
        fps (float, optional): Output frame rate; defaults to the result's
            (else 25).
        panel_height (int): Panel height in pixels. Defaults to 360.
        progress (bool): Show a progress bar. Defaults to True.
        max_gif_frames (int): Largest GIF length (longer clips are
            subsampled).
        mesh (MeshResult, optional): Meshes of the result's tracks (same
            order and root convention, see
            :class:`~mmmotionbert.apis.MeshInferencer`); defaults to
            ``result.mesh``. With meshes a third panel shows them; without,
            the output is the 2D and 3D skeleton panels only.
        mesh_azimuth (float): Mesh panel view in degrees (0: over the frame
            as the camera sees it; 90: profile). Defaults to 0.

    With ``result.metric`` (a :class:`MetricMotion`) the 3D panel shows its
    world-space poses in metres over the floor grid, the view framing the
    whole clip; otherwise ``result.placed_3d()`` in a view following the
    persons.

    Returns:
        str: ``out_path``.
    """
    from tqdm import tqdm
    fps = fps or result.fps or 25.0
    if not np.isfinite(fps) or fps <= 0:
        fps = 25.0
    cap = None
    frame_size = result.frame_size
    if video is not None:
        import cv2
        cap = cv2.VideoCapture(video)
        if not cap.isOpened():
            raise OSError(f'cannot open video {video!r} for rendering')
        frame_size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                      int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    placed = result.placed_3d()
    mesh = mesh if mesh is not None else getattr(result, 'mesh', None)
    vertices = faces = None
    if mesh is not None:
        if [int(t) for t in mesh.track_ids] != [
                int(t) for t in result.track_ids]:
            raise ValueError(f'mesh tracks {list(mesh.track_ids)} differ '
                             f'from the result tracks '
                             f'{list(result.track_ids)}')
        # what placed_3d added to the pelvis (root_2d for root-relative)
        offset = placed[:, :, 0] - result.keypoints_3d[:, :, 0]
        vertices = mesh.vertices + offset[:, :, None].astype(np.float32)
        faces = mesh.faces
    renderer = SkeletonRenderer(
        placed,
        result.keypoints_2d,
        result.scores,
        frame_size=frame_size,
        track_ids=result.track_ids,
        panel_height=panel_height,
        vertices=vertices,
        faces=faces,
        mesh_azimuth=mesh_azimuth,
        metric=getattr(result, 'metric', None))
    num_t = result.num_frames
    try:
        with PoseVideoWriter(out_path, fps, num_t, max_gif_frames) as writer:
            next_src = 0
            image = None
            for t in tqdm(range(num_t), desc='rendering', unit='frame',
                          disable=not progress):
                if writer.step > 1 and t % writer.step:
                    writer.write(np.zeros((1, 1, 3), np.uint8))
                    continue
                if cap is not None:
                    import cv2
                    want = int(result.frame_ids[t])
                    while next_src <= want:
                        ok, frame = cap.read()
                        if not ok:
                            frame = None
                            break
                        next_src += 1
                    image = (None if frame is None else cv2.cvtColor(
                        frame, cv2.COLOR_BGR2RGB))
                writer.write(renderer.render(t, image))
    finally:
        renderer.close()
        if cap is not None:
            cap.release()
    return out_path
