# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Render lifted poses: 2D keypoints on the frame (or a blank canvas) beside
a 3D skeleton view and, when meshes are given, a shaded SMPL mesh panel;
written as MP4 (OpenCV) or GIF (Pillow).

May import: numpy, OpenCV, matplotlib and tqdm (the last three lazily),
:mod:`mmmotionbert.utils.keypoints`, :mod:`.colors`, :mod:`.mesh_drawing` and
:mod:`.video_writer`; never ``apis``.
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
from .video_writer import PoseVideoWriter

__all__ = [
    'PoseVideoWriter', 'SkeletonRenderer', 'render_lift_result',
    'draw_mesh'
]
#: Old private path of the mesh light (:mod:`.mesh_drawing`).
_LIGHT = mesh_drawing._LIGHT


class SkeletonRenderer:
    """Draw one frame: 2D panel (image or canvas) + 3D skeleton view, and a
    mesh panel when ``vertices`` are given.

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
                 mesh_azimuth: float = 0.0) -> None:
        import matplotlib
        matplotlib.use('Agg', force=False)
        import matplotlib.pyplot as plt
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
        # 3D view: plot (x, z, -y) so that "up" is up.
        size = self.panel_height / 100.0
        self.fig = plt.figure(figsize=(size, size), dpi=100)
        self.ax = self.fig.add_subplot(111, projection='3d')
        # 3D view limits: a cube as large as the largest pose, following the
        # persons of each frame (see _set_limits).
        finite = np.isfinite(self.poses_3d).all(-1)
        extents = [
            np.ptp(self.poses_3d[p, t][finite[p, t]], axis=0).max()
            for p in range(self.num_persons)
            for t in range(self.poses_3d.shape[1]) if finite[p, t].sum() > 1
        ]
        self.half = max(
            float(np.percentile(extents, 95)) * 0.6 if extents else 1.0,
            1e-3)
        self.fig.subplots_adjust(left=0, right=1, bottom=0.02, top=0.95)
        self._set_limits(0)
        self.ax.set_xlabel('x')
        self.ax.set_ylabel('depth')
        self.ax.set_zlabel('up')
        self.ax.view_init(elev=12, azim=-75)
        self.ax.tick_params(labelsize=6)
        self.lines = []
        for p in range(self.num_persons):
            person = []
            for child, parent in H36M_BONES:
                color = np.array(_bone_color(p, child)) / 255.0
                (line, ) = self.ax.plot([], [], [], color=color, lw=2)
                person.append(line)
            self.lines.append(person)
        self.title = self.ax.set_title('', fontsize=8)

    def _set_limits(self, t: int) -> None:
        """Centre the 3D view on the persons present in frame ``t``."""
        pts = self.poses_3d[:, t][np.isfinite(self.poses_3d[:, t]).all(-1)]
        if len(pts):
            lo, hi = pts.min(0), pts.max(0)
            self._center = (lo + hi) / 2
            half = max(self.half, float((hi - lo).max()) / 2 * 1.05)
        else:
            self._center = getattr(self, '_center', np.zeros(3))
            half = self.half
        c = self._center
        self.ax.set_xlim(c[0] - half, c[0] + half)
        self.ax.set_ylim(c[2] - half, c[2] + half)
        self.ax.set_zlim(-c[1] - half, -c[1] + half)

    def close(self) -> None:
        """Release the matplotlib figure."""
        import matplotlib.pyplot as plt
        plt.close(self.fig)

    def _panel_3d(self, t: int) -> np.ndarray:
        for p in range(self.num_persons):
            pose = self.poses_3d[p, t]
            for line, (child, parent) in zip(self.lines[p], H36M_BONES):
                seg = pose[[child, parent]]
                if np.isfinite(seg).all():
                    line.set_data_3d(seg[:, 0], seg[:, 2], -seg[:, 1])
                else:
                    line.set_data_3d([], [], [])
        self._set_limits(t)
        self.title.set_text(f'3D  frame {t}')
        self.fig.canvas.draw()
        return np.asarray(self.fig.canvas.buffer_rgba())[..., :3].copy()

    def _panel_2d(self, t: int, image: Optional[np.ndarray]) -> np.ndarray:
        import cv2
        w, h = self.frame_size
        if image is None:
            canvas = np.full((h, w, 3), 255, np.uint8)
        else:
            canvas = np.ascontiguousarray(image[..., :3]).copy()
            h, w = canvas.shape[:2]
        scale = self.panel_height / float(h)
        size = (max(int(round(w * scale)), 1), self.panel_height)
        canvas = cv2.resize(canvas, size, interpolation=cv2.INTER_AREA)
        thick = max(1, int(round(self.panel_height / 180)))
        for p in range(self.num_persons):
            kp = (self.kp2d[p, t] - self.origin) * scale
            sc = self.scores[p, t]
            for child, parent in H36M_BONES:
                if sc[child] > self.score_thr and sc[parent] > self.score_thr:
                    cv2.line(canvas, tuple(int(v) for v in kp[child]),
                             tuple(int(v) for v in kp[parent]),
                             _bone_color(p, child), thick, cv2.LINE_AA)
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

    def _panel_mesh(self, t: int, image: Optional[np.ndarray]) -> np.ndarray:
        """The meshes of frame ``t`` (over the frame for the camera view)."""
        import cv2
        w, h = self.frame_size
        if image is not None:
            h, w = image.shape[:2]
        scale = self.panel_height / float(h)
        size = (max(int(round(w * scale)), 1), self.panel_height)
        if image is None or self.mesh_azimuth % 360 != 0:
            canvas = np.full((size[1], size[0], 3), 255, np.uint8)
        else:
            canvas = cv2.resize(
                np.ascontiguousarray(image[..., :3]), size,
                interpolation=cv2.INTER_AREA)
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
        import cv2
        left = self._panel_2d(t, image)
        panels = [left, self._panel_3d(t)]
        if self.vertices is not None:
            panels.append(self._panel_mesh(t, image))
        for i, panel in enumerate(panels):
            if panel.shape[0] != left.shape[0]:
                panels[i] = cv2.resize(panel, (panel.shape[1] * left.shape[0]
                                               // panel.shape[0],
                                               left.shape[0]))
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
        mesh_azimuth=mesh_azimuth)
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
