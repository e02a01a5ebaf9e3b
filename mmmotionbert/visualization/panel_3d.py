# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The 3D skeleton panel, drawn with OpenCV: a virtual perspective camera
(:class:`ViewCamera`, equal scale along every axis at a given depth) looks
at Y-up skeletons from a slightly elevated three-quarter view; bones are
anti-aliased lines drawn far to near over a ground grid
(:class:`Skeleton3DPanel`).

Two framings: ``fixed_view`` (the metric world panel: the whole clip's
trajectory framed once, a floor grid of known cell size at ``y = 0``, foot
contacts and root trails drawn) and a view that follows the persons of
each frame (pixel-unit poses, grid at the clip's lowest foot level).

May import: numpy, OpenCV (imported when drawing),
:mod:`mmmotionbert.utils.keypoints`, :mod:`.colors` and
:mod:`.view_camera`; never ``apis``.
"""
from typing import Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.utils.keypoints import H36M_BONES
from .colors import PERSON_COLORS, _bone_color
from .view_camera import ViewCamera, nice_step

__all__ = ['ViewCamera', 'Skeleton3DPanel', 'GRID_COLOR', 'BACKGROUND']

#: Panel background (RGB).
BACKGROUND = (250, 250, 248)
#: Floor fill under the grid (RGB).
FLOOR_COLOR = (234, 237, 242)
#: Ground grid lines (RGB).
GRID_COLOR = (172, 178, 190)
#: Highlight of a foot in contact with the floor (RGB).
CONTACT_COLOR = (255, 196, 0)
_TEXT = (40, 40, 40)
_AXIS_COLORS = ((205, 60, 60), (50, 150, 60), (60, 90, 210))
#: Ankle joints of the (left, right) foot contacts.
_FEET = (6, 3)
_HEAD = 10
#: Fixed-point bits of the sub-pixel line coordinates.
_SHIFT = 4


def _fixed(uv: np.ndarray) -> np.ndarray:
    """Pixels as fixed-point ints for OpenCV's ``shift`` argument."""
    return np.round(np.nan_to_num(uv) * (1 << _SHIFT)).astype(np.int64)


class Skeleton3DPanel:
    """Draw Y-up 3D skeletons of P persons over T frames, one panel a frame.

    Args:
        poses (np.ndarray): (P, T, 17, 3) world points, Y up (NaN: missing).
        size (tuple): Panel ``(width, height)`` in pixels.
        track_ids (Sequence[int], optional): Person labels.
        fixed_view (bool): Frame the whole clip once (True) or follow the
            persons of each frame (False).
        unit (str): Unit name of the grid label ('m', 'px').
        floor_y (float, optional): Height of the ground grid; no grid when
            None.
        grid_step (float, optional): Grid cell size; chosen from the view
            size when None.
        foot_contacts (np.ndarray, optional): (P, T, 2) bool, left and right
            foot on the floor (highlighted).
        basis (np.ndarray, optional): Display frame, see
            :class:`ViewCamera`.
        elev (float): View elevation in degrees. Defaults to 12.
        azim (float): View azimuth in degrees. Defaults to -75.
        axes (Sequence[tuple]): ``(label, world direction)`` of the axis
            gizmo.
        title (str): Title before ``frame t``.
        trails (int): Frames of root trajectory (projected on the floor)
            drawn behind each person in a fixed view; 0 for none.
    """

    def __init__(self,
                 poses: np.ndarray,
                 size: Tuple[int, int],
                 track_ids: Optional[Sequence[int]] = None,
                 fixed_view: bool = False,
                 unit: str = 'px',
                 floor_y: Optional[float] = None,
                 grid_step: Optional[float] = None,
                 foot_contacts: Optional[np.ndarray] = None,
                 basis: Optional[np.ndarray] = None,
                 elev: float = 12.0,
                 azim: float = -75.0,
                 axes: Sequence[Tuple[str, Sequence[float]]] = (
                     ('x', (1, 0, 0)), ('y', (0, 1, 0)), ('z', (0, 0, 1))),
                 title: str = '3D',
                 trails: int = 0) -> None:
        self.poses = np.asarray(poses, np.float64)
        self.num_persons, self.num_frames = self.poses.shape[:2]
        self.track_ids = (list(track_ids) if track_ids is not None else list(
            range(self.num_persons)))
        self.size = (max(int(size[0]), 1), max(int(size[1]), 1))
        self.fixed_view = bool(fixed_view)
        self.unit = unit
        self.floor_y = None if floor_y is None else float(floor_y)
        self.contacts = (None if foot_contacts is None else np.asarray(
            foot_contacts, bool))
        self.axes = [(str(n), np.asarray(d, float)) for n, d in axes]
        self.title = title
        self.trails = int(trails)
        self.camera = ViewCamera(elev, azim, basis)
        h = self.size[1]
        self.font = max(0.3, 0.45 * h / 360)
        self.thick = max(1, int(round(h / 130)))
        # (left, top, right, bottom): the title and the labels above the
        # heads at the top
        self.margins = (int(0.04 * h), int(0.13 * h), int(0.04 * h),
                        int(0.05 * h))
        self._colors = [[_bone_color(p, c) for c, _ in H36M_BONES]
                        for p in range(self.num_persons)]
        self._bones = np.array(H36M_BONES)
        finite = np.isfinite(self.poses).all(-1)
        self._finite = finite
        if self.fixed_view:
            self._init_fixed(grid_step)
        else:
            self._init_follow(grid_step)
        self._background = self._static_background()

    # -- framing -----------------------------------------------------------
    def _init_fixed(self, grid_step: Optional[float]) -> None:
        """One view for the clip: its trajectory and the floor grid."""
        pts = self.poses[self._finite]
        if len(pts):
            lo, hi = pts.min(0), pts.max(0)
        else:
            lo, hi = -np.ones(3), np.ones(3)
        floor = self.floor_y if self.floor_y is not None else lo[1]
        step = grid_step or nice_step(max(hi[0] - lo[0], hi[2] - lo[2], 1e-6)
                                      / 4)
        self.step = float(step)
        # grid: whole cells around the trajectory, a fifth of a cell of
        # margin at least
        gx = (np.floor((lo[0] - step / 5) / step) * step,
              np.ceil((hi[0] + step / 5) / step) * step)
        gz = (np.floor((lo[2] - step / 5) / step) * step,
              np.ceil((hi[2] + step / 5) / step) * step)
        self._grid = (gx, gz)
        top = max(hi[1], floor + step / 2)
        bottom = min(lo[1], floor)
        corners = np.array([[x, y, z] for x in gx for y in (bottom, top)
                            for z in gz])
        center = corners.mean(0)
        radius = np.linalg.norm(corners - center, axis=1).max()
        self.camera.look_at(center, 3.0 * radius)
        # frame the trajectory (every joint of the clip, its shadow on the
        # floor and half a cell of floor around that); the grid may run
        # out of the panel
        if len(pts):
            pts = pts[::max(1, len(pts) // 4000)]
            ring = np.array([[dx, 0, dz] for dx in (-1, 1) for dz in (-1, 1)])
            shadow = pts * [1, 0, 1] + [0, floor, 0]
            keep = np.concatenate([pts, shadow] + [
                shadow + ring[i] * step / 2 for i in range(len(ring))])
        else:
            keep = corners
        self.camera.fit(keep, self.size, self.margins)

    def _init_follow(self, grid_step: Optional[float]) -> None:
        """A cube as large as the largest pose (95th percentile), following
        the persons of each frame; the projection of the cube is the same
        every frame (the camera moves and scales with it)."""
        extents = [
            np.ptp(self.poses[p, t][self._finite[p, t]], axis=0).max()
            for p in range(self.num_persons) for t in range(self.num_frames)
            if self._finite[p, t].sum() > 1
        ]
        self.half = max(
            float(np.percentile(extents, 95)) * 0.6 if extents else 1.0,
            1e-3)
        self.step = float(grid_step or nice_step(self.half * 2 / 5))
        self._dist = 4.0  # camera distance in cube half-sizes
        cube = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1)
                         for z in (-1, 1)], float)
        self.camera.look_at(np.zeros(3), self._dist)
        self.camera.fit(cube, self.size, self.margins)
        self._center = np.zeros(3)
        self._view_t = None

    def set_frame(self, t: int) -> None:
        """Point the camera at frame ``t`` (a following view only)."""
        if self.fixed_view or self._view_t == t:
            return
        pts = self.poses[:, t][self._finite[:, t]]
        half = self.half
        if len(pts):
            lo, hi = pts.min(0), pts.max(0)
            self._center = (lo + hi) / 2
            half = max(half, float((hi - lo).max()) / 2 * 1.05)
        self._half_t = half
        self.camera.look_at(self._center, self._dist * half)
        self._view_t = t

    def project(self, t: int, points: np.ndarray
                ) -> Tuple[np.ndarray, np.ndarray]:
        """World ``points`` (..., 3) to pixels (..., 2) and depths in frame
        ``t``'s view."""
        self.set_frame(t)
        return self.camera.project(points)

    # -- drawing -----------------------------------------------------------
    def _text(self, img, text, org, scale=None, color=_TEXT, thick=1):
        import cv2
        cv2.putText(img, text, (int(org[0]), int(org[1])),
                    cv2.FONT_HERSHEY_SIMPLEX, scale or self.font, color,
                    thick, cv2.LINE_AA)

    def _segments(self, img, a, b, color, thick):
        """Draw world segments ``a`` -> ``b`` (N, 3), clipped to the near
        plane."""
        import cv2
        cam_a = self.camera.camera_coords(a)
        cam_b = self.camera.camera_coords(b)
        near = 0.02 * self.camera.distance
        za, zb = cam_a[:, 2], cam_b[:, 2]
        keep = (za > near) | (zb > near)
        for cut, other, z_cut, z_other in ((cam_a, cam_b, za, zb),
                                           (cam_b, cam_a, zb, za)):
            bad = keep & (z_cut <= near)
            if bad.any():
                f = ((near - z_cut[bad]) / (z_other[bad] - z_cut[bad]))[:,
                                                                        None]
                cut[bad] = cut[bad] + f * (other[bad] - cut[bad])
        pa = _fixed(self.camera.project_camera(cam_a[keep])).tolist()
        pb = _fixed(self.camera.project_camera(cam_b[keep])).tolist()
        for p0, p1 in zip(pa, pb):
            cv2.line(img, tuple(p0), tuple(p1), color, thick, cv2.LINE_AA,
                     _SHIFT)

    def _grid_lines(self, gx, gz, y):
        """Segments of the grid ``gx`` x ``gz`` at height ``y``."""
        xs = np.arange(gx[0], gx[1] + self.step / 2, self.step)
        zs = np.arange(gz[0], gz[1] + self.step / 2, self.step)
        a = [[x, y, gz[0]] for x in xs] + [[gx[0], y, z] for z in zs]
        b = [[x, y, gz[1]] for x in xs] + [[gx[1], y, z] for z in zs]
        return np.array(a, float), np.array(b, float), xs, zs

    def _draw_grid(self, img, gx, gz, y, labels: bool) -> None:
        import cv2
        corners = np.array([[gx[0], y, gz[0]], [gx[1], y, gz[0]],
                            [gx[1], y, gz[1]], [gx[0], y, gz[1]]])
        uv, depth = self.camera.project(corners)
        if (depth > 0).all():
            cv2.fillPoly(img, [_fixed(uv).astype(np.int32)], FLOOR_COLOR,
                         cv2.LINE_AA, _SHIFT)
        a, b, xs, zs = self._grid_lines(gx, gz, y)
        self._segments(img, a, b, GRID_COLOR, 1)
        if labels:
            self._tick_labels(img, gx, gz, y, xs, zs)

    def _tick_labels(self, img, gx, gz, y, xs, zs) -> None:
        """Coordinates along the grid's nearer x and z edges."""
        font = self.font * 0.8
        h = self.size[1]
        min_gap = 0.09 * h
        # x values along the nearer z edge, z values along the nearer x edge
        drawn = []
        for along, fixed_vals, axis in ((xs, gz, 0), (zs, gx, 2)):
            edges = []
            for v in fixed_vals:
                pts = np.zeros((len(along), 3))
                pts[:, 1] = y
                pts[:, axis] = along
                pts[:, 2 - axis] = v
                edges.append(pts)
            depths = [self.camera.project(e)[1].mean() for e in edges]
            pts = edges[int(np.argmin(depths))]
            uv, depth = self.camera.project(pts)
            for (u, v), d, val in zip(uv, depth, along):
                if d <= 0 or not (0 <= u < self.size[0] and
                                  0 <= v < self.size[1]):
                    continue
                if any(np.hypot(u - a, v - b) < min_gap for a, b in drawn):
                    continue  # too close to a drawn label
                txt = f'{val:g}'
                self._text(img, txt, (u - 4 * len(txt) * font / 0.4 + 2,
                                      v + 14 * font / 0.4), font,
                           (110, 110, 120))
                drawn.append((u, v))

    def _gizmo(self, img) -> None:
        """Axis triad in the lower left corner."""
        import cv2
        h = self.size[1]
        length = 0.08 * h
        origin = np.array([0.11 * h, self.size[1] - 0.1 * h])
        font = self.font * 0.8
        for i, (name, direc) in enumerate(self.axes):
            d = self.camera.rot @ direc
            off = np.array([d[0], -d[1]])
            tip = origin + length * off
            color = _AXIS_COLORS[i % 3]
            cv2.arrowedLine(img, tuple(int(v) for v in origin),
                            tuple(int(v) for v in tip), color, 1,
                            cv2.LINE_AA, 0, 0.2)
            n = np.linalg.norm(off)
            off = off / n if n > 1e-6 else np.zeros(2)
            (tw, th), _ = cv2.getTextSize(name, cv2.FONT_HERSHEY_SIMPLEX,
                                          font, 1)
            # the label's centre beyond the tip, along the axis
            centre = tip + off * (0.5 * max(tw, th) + 3)
            self._text(img, name, centre + [-tw / 2, th / 2], font, color)

    def _overlay(self, img) -> None:
        """Axis gizmo and grid label (over the grid)."""
        w, h = self.size
        self._gizmo(img)
        if self.floor_y is not None:
            label = f'grid {self.step:g} {self.unit}'
            self._text(img, label,
                       (w - 0.03 * h - 9 * len(label) * self.font / 0.45,
                        h - 0.035 * h), self.font * 0.85, (90, 90, 100))

    def _static_background(self) -> np.ndarray:
        """What every frame shares: background, labels and (for a fixed
        view) the floor grid."""
        w, h = self.size
        img = np.empty((h, w, 3), np.uint8)
        img[:] = BACKGROUND
        if self.fixed_view and self.floor_y is not None:
            gx, gz = self._grid
            self._draw_grid(img, gx, gz, self.floor_y, labels=True)
            self._overlay(img)
        if self.fixed_view:
            self._trail_uv = self.camera.project(
                np.concatenate([
                    self.poses[:, :, 0, :1],
                    np.full_like(self.poses[:, :, 0, :1], self.floor_y or 0),
                    self.poses[:, :, 0, 2:]
                ], -1))[0]
        return img

    def _draw_trails(self, img, t: int) -> None:
        import cv2
        start = max(0, t - self.trails)
        for p in range(self.num_persons):
            uv = self._trail_uv[p, start:t + 1]
            ok = np.isfinite(uv).all(-1)
            if ok.sum() < 2:
                continue
            base = np.array(PERSON_COLORS[p % len(PERSON_COLORS)], float)
            color = tuple(int(c) for c in base * 0.5 + 255 * 0.5)
            # split at missing frames
            idx = np.flatnonzero(ok)
            runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
            lines = [_fixed(uv[r]).astype(np.int32) for r in runs if len(r) > 1]
            if lines:
                cv2.polylines(img, lines, False, color, 1, cv2.LINE_AA,
                              _SHIFT)

    def draw(self, t: int) -> np.ndarray:
        """Frame ``t`` as an (H, W, 3) uint8 RGB panel."""
        import cv2
        self.set_frame(t)
        img = self._background.copy()
        if not self.fixed_view and self.floor_y is not None:
            c, half = self._center, self._half_t
            s = self.step
            gx = (np.floor((c[0] - half) / s) * s, np.ceil((c[0] + half) / s)
                  * s)
            gz = (np.floor((c[2] - half) / s) * s, np.ceil((c[2] + half) / s)
                  * s)
            self._draw_grid(img, gx, gz, self.floor_y, labels=False)
        if not self.fixed_view:
            self._overlay(img)
        if self.fixed_view and self.trails:
            self._draw_trails(img, t)
        poses = self.poses[:, t]  # (P, 17, 3)
        cam = self.camera.camera_coords(poses)
        uv = self.camera.project_camera(cam)
        child, parent = self._bones[:, 0], self._bones[:, 1]
        ok = (self._finite[:, t][:, child] & self._finite[:, t][:, parent] &
              (cam[:, child, 2] > 0) & (cam[:, parent, 2] > 0))
        depth = (cam[:, child, 2] + cam[:, parent, 2]) / 2
        pix = _fixed(uv).tolist() if ok.any() else None
        order = [(p, b) for p, b in zip(*np.nonzero(ok))]
        order.sort(key=lambda pb: -depth[pb])
        for p, b in order:  # far to near
            cv2.line(img, tuple(pix[p][child[b]]), tuple(pix[p][parent[b]]),
                     self._colors[p][b], self.thick, cv2.LINE_AA, _SHIFT)
        if self.contacts is not None:
            r = (self.thick + 2) << _SHIFT
            for p in range(self.num_persons):
                for side, joint in enumerate(_FEET):
                    if self.contacts[p, t, side] and self._finite[p, t, joint]:
                        cv2.circle(img, tuple(pix[p][joint]), r,
                                   CONTACT_COLOR, -1, cv2.LINE_AA, _SHIFT)
                        cv2.circle(img, tuple(pix[p][joint]), r, (90, 70, 0),
                                   1, cv2.LINE_AA, _SHIFT)
        for p in range(self.num_persons):
            if self._finite[p, t, _HEAD] and cam[p, _HEAD, 2] > 0:
                u, v = uv[p, _HEAD]
                # below the title at least
                v = max(v - 8, 0.1 * self.size[1])
                self._text(img, f'id {self.track_ids[p]}', (u - 12, v),
                           self.font * 0.8,
                           PERSON_COLORS[p % len(PERSON_COLORS)])
        self._text(img, f'{self.title}  frame {t}', (8, 18), 0.5)
        return img
