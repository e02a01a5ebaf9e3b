# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Rendering speed: the old matplotlib 3D panel against the OpenCV one.

Times, interleaved in the same process (see ``_common.interleaved``), whole
frames (2D panel + 3D panel, blank 2D canvas, no video decode, no encode)
of

* ``matplotlib``: a private copy of the renderer as it was before the
  OpenCV 3D panel (a matplotlib 3D figure per frame; kept here only as the
  baseline, the package has one renderer);
* ``opencv``: :class:`mmmotionbert.visualization.SkeletonRenderer`;
* ``opencv_metric``: the same with a ``MetricMotion`` (world-space panel
  in metres, floor grid, foot contacts, trails);

and the 3D panels alone, on the same poses at the same panel height, and
prints frames/s of each and the speed-up (median over rounds of the
per-round ratio).

Poses: a synthetic clip (two persons walking, metric world poses, their
pixel-unit camera view and 2D keypoints) by default, or a saved
``LiftResult`` npz (e.g. the Pose2Sim demo's ``pose2sim_cam1.npz`` written
by ``demo/lift_2d_to_3d.py pose2sim:cam1``; no metric panel then).

Examples::

    python benchmarks/bench_render.py
    python benchmarks/bench_render.py --npz /tmp/out/pose2sim_cam1.npz
    python benchmarks/bench_render.py --save-png /tmp/frames
"""
import argparse
import json
import os
import os.path as osp
import sys
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import (environment, interleaved, median,  # noqa: E402
                     print_environment, ratio)

from mmmotionbert.utils.keypoints import H36M_BONES  # noqa: E402
from mmmotionbert.visualization.colors import (PERSON_COLORS,  # noqa: E402
                                               _bone_color)

# --------------------------------------------------------------------------
# Synthetic poses
# --------------------------------------------------------------------------

#: A standing H36M-17 skeleton in metres, Y up, facing +z (its right side at
#: -x), feet on the floor.
_STAND = np.array([
    [0.0, 0.95, 0.0], [-0.12, 0.93, 0.0], [-0.13, 0.51, 0.02],
    [-0.14, 0.08, 0.0], [0.12, 0.93, 0.0], [0.13, 0.51, 0.02],
    [0.14, 0.08, 0.0], [0.0, 1.2, 0.0], [0.0, 1.45, 0.0], [0.0, 1.58, 0.08],
    [0.0, 1.7, 0.0], [0.18, 1.42, 0.0], [0.22, 1.15, 0.0],
    [0.24, 0.9, 0.02], [-0.18, 1.42, 0.0], [-0.22, 1.15, 0.0],
    [-0.24, 0.9, 0.02]
])


def _swing(pose, joints, pivot, angle):
    """Rotate ``joints`` of ``pose`` about the x axis through ``pivot``."""
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    pose[joints] = (pose[joints] - pose[pivot]) @ rot.T + pose[pivot]


def synthetic_clip(num_persons: int = 2, num_frames: int = 100):
    """Persons walking on the floor, seen by a camera 1.5 m high.

    Returns:
        SimpleNamespace: ``world`` (P, T, 17, 3) metres, Y up;
        ``contacts`` (P, T, 2) bool (left, right); ``camera_to_world``
        (4, 4); ``placed`` (P, T, 17, 3) camera view in pixels (x right,
        y down, z depth); ``kp2d`` (P, T, 17, 2); ``frame_size``.
    """
    t = np.arange(num_frames)
    world = np.zeros((num_persons, num_frames, 17, 3))
    contacts = np.zeros((num_persons, num_frames, 2), bool)
    for p in range(num_persons):
        phase = 2 * np.pi * t / 30 + p
        heading = np.deg2rad(75 + 50 * p)  # walking direction (yaw)
        speed = 1.2 / 25  # m per frame at 25 fps
        start = np.array([-1.5 + 1.2 * p, 0, -1.0 * p])
        for i in range(num_frames):
            pose = _STAND.copy()
            swing = 0.45 * np.sin(phase[i])
            _swing(pose, [2, 3], 1, swing)  # right leg
            _swing(pose, [5, 6], 4, -swing)  # left leg
            _swing(pose, [15, 16], 14, -swing)  # arms opposite
            _swing(pose, [12, 13], 11, swing)
            # the leg swinging forward lifts its foot
            lift = 0.08 * max(0.0, np.cos(phase[i]))
            pose[3 if np.cos(phase[i]) > 0 else 6, 1] += lift
            # the foot swinging forward (increasing angle) is in the air
            contacts[p, i] = (np.cos(phase[i]) <= 0.2, np.cos(phase[i]) >= -0.2)
            c, s = np.cos(heading), np.sin(heading)
            yaw = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
            pose = pose @ yaw.T
            move = speed * i * np.array([np.sin(heading), 0, np.cos(heading)])
            world[p, i] = pose + start + move
            world[p, i, :, 1] -= world[p, i, [3, 6], 1].min() - 0.08
    # camera at (0, 1.5, 4) looking at -z, 15 degrees down
    tilt = np.deg2rad(15)
    # columns: camera x, y (down), z (forward) in the world
    rot = np.stack([[1, 0, 0], [0, -np.cos(tilt), np.sin(tilt)],
                    [0, -np.sin(tilt), -np.cos(tilt)]], 1)
    cam2world = np.eye(4)
    cam2world[:3, :3] = rot
    cam2world[:3, 3] = [0, 1.5, 4.0]
    cam = (world - cam2world[:3, 3]) @ rot  # world -> camera
    focal, size = 600.0, (1280, 720)
    kp2d = cam[..., :2] / cam[..., 2:] * focal + np.array(size) / 2
    # pixel-unit camera view: x, y as the 2D keypoints, depth in the same
    # pixels-per-metre at the person's distance
    placed = np.concatenate(
        [kp2d, (cam[..., 2:] - cam[..., :1, 2:]) * focal / cam[..., :1, 2:]],
        -1)
    return SimpleNamespace(
        world=world.astype(np.float32),
        contacts=contacts,
        camera_to_world=cam2world,
        placed=placed.astype(np.float32),
        kp2d=kp2d.astype(np.float32),
        frame_size=size)


def npz_clip(path: str):
    """A saved LiftResult's poses (placed like the renderer places them)."""
    from mmmotionbert.structures import LiftResult
    d = np.load(path, allow_pickle=True)
    meta = json.loads(str(d['meta'])) if 'meta' in d else {}
    res = LiftResult(d['keypoints_3d'], d['scores'], d['track_ids'],
                     d['keypoints_2d'], d['root_2d'], d['frame_ids'],
                     frame_size=tuple(int(v) for v in d['frame_size']),
                     meta=meta)
    return SimpleNamespace(
        world=None,
        contacts=None,
        camera_to_world=None,
        placed=res.placed_3d(),
        kp2d=res.keypoints_2d,
        scores=res.scores,
        frame_size=res.frame_size)


# --------------------------------------------------------------------------
# The old renderer (baseline only): a copy of SkeletonRenderer's 2D panel,
# matplotlib 3D panel and frame assembly before the OpenCV 3D panel.
# --------------------------------------------------------------------------


class _MatplotlibRenderer:
    """The matplotlib-3D renderer as it was (without its mesh panel)."""

    def __init__(self, poses_3d, keypoints_2d, scores, frame_size=None,
                 track_ids=None, panel_height=360, score_thr=0.0):
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
        size = self.panel_height / 100.0
        self.fig = plt.figure(figsize=(size, size), dpi=100)
        self.ax = self.fig.add_subplot(111, projection='3d')
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

    def _set_limits(self, t):
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

    def close(self):
        import matplotlib.pyplot as plt
        plt.close(self.fig)

    def _panel_3d(self, t):
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

    def _panel_2d(self, t, image=None):
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

    def render(self, t, image=None):
        import cv2
        left = self._panel_2d(t, image)
        panels = [left, self._panel_3d(t)]
        for i, panel in enumerate(panels):
            if panel.shape[0] != left.shape[0]:
                panels[i] = cv2.resize(panel, (panel.shape[1] * left.shape[0]
                                               // panel.shape[0],
                                               left.shape[0]))
        return np.concatenate(panels, axis=1)


# --------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--npz', help='a saved LiftResult npz instead of '
                        'the synthetic clip')
    parser.add_argument('--frames', type=int, default=100,
                        help='synthetic clip length (default 100)')
    parser.add_argument('--persons', type=int, default=2)
    parser.add_argument('--panel-height', type=int, default=360)
    parser.add_argument('--repeats', type=int, default=3,
                        help='timed rounds (default 3)')
    parser.add_argument('--save-png', metavar='DIR',
                        help='write one frame of each renderer as PNG')
    parser.add_argument('--json', help='write the numbers to this file')
    args = parser.parse_args(argv)
    import cv2

    from mmmotionbert.structures import MetricMotion
    from mmmotionbert.visualization import SkeletonRenderer

    print('== command\n  ' + ' '.join([osp.basename(sys.argv[0])] +
                                     sys.argv[1:]))
    env = environment()
    env['opencv'] = cv2.__version__
    env['opencv_threads'] = cv2.getNumThreads()
    import matplotlib
    env['matplotlib'] = matplotlib.__version__
    print_environment(env)

    clip = npz_clip(args.npz) if args.npz else synthetic_clip(
        args.persons, args.frames)
    scores = getattr(clip, 'scores', None)
    if scores is None:
        scores = np.ones(clip.kp2d.shape[:3], np.float32)
    num_t = clip.placed.shape[1]
    kw = dict(frame_size=clip.frame_size, panel_height=args.panel_height)
    old = _MatplotlibRenderer(clip.placed, clip.kp2d, scores, **kw)
    new = SkeletonRenderer(clip.placed, clip.kp2d, scores, **kw)
    renderers = dict(matplotlib=old, opencv=new)
    if clip.world is not None:
        metric = MetricMotion(
            keypoints_3d_metric=clip.world,  # unused by the renderer
            keypoints_3d_world=clip.world,
            camera_to_world=clip.camera_to_world,
            foot_contacts=clip.contacts,
            subject_heights=np.full(len(clip.world), 1.75))
        renderers['opencv_metric'] = SkeletonRenderer(
            clip.placed, clip.kp2d, scores, metric=metric, **kw)
    sizes = {k: r.render(0).shape for k, r in renderers.items()}
    print(f'== clip: {"npz " + args.npz if args.npz else "synthetic"}, '
          f'{clip.placed.shape[0]} persons x {num_t} frames, panel height '
          f'{args.panel_height}; frame sizes {sizes}')
    if args.save_png:
        os.makedirs(args.save_png, exist_ok=True)
        for k, r in renderers.items():
            path = osp.join(args.save_png, f'{k}_frame{num_t // 2}.png')
            cv2.imwrite(path, cv2.cvtColor(r.render(num_t // 2),
                                           cv2.COLOR_RGB2BGR))
            print(f'  wrote {path}')

    def frames(r):
        return lambda: [r.render(t) for t in range(num_t)]

    def panels(r):
        return lambda: [r._panel_3d(t) for t in range(num_t)]

    out = dict(env=env, frames=num_t, panel_height=args.panel_height)
    for what, make in (('frame (2D + 3D panels)', frames),
                       ('3D panel alone', panels)):
        times = interleaved({k: make(r) for k, r in renderers.items()},
                            args.repeats, warmup=1)
        print(f'== {what}: frames/s (median of {args.repeats} rounds), '
              f'speed-up over matplotlib')
        res = {}
        for k in renderers:
            fps_wall = num_t / median(times[k]['wall'])
            fps_cpu = num_t / median(times[k]['cpu'])
            line = f'  {k:14s} {fps_wall:9.1f} frames/s wall  ' \
                   f'{fps_cpu:9.1f} frames/s CPU'
            entry = dict(fps_wall=fps_wall, fps_cpu=fps_cpu)
            if k != 'matplotlib':
                entry['speedup_wall'] = ratio(times, 'matplotlib', k)
                entry['speedup_cpu'] = ratio(times, 'matplotlib', k, 'cpu')
                line += f'   x{entry["speedup_wall"]:.1f} wall  ' \
                        f'x{entry["speedup_cpu"]:.1f} CPU'
            print(line)
            res[k] = entry
        out['frame' if what.startswith('frame') else 'panel_3d'] = res
    old.close()
    env_end = os.getloadavg() if hasattr(os, 'getloadavg') else ()
    print(f'  loadavg at end: {[round(v, 2) for v in env_end]}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(out, f, indent=1)
    return out


if __name__ == '__main__':
    main()
