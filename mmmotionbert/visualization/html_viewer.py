# Copyright (c) mmmotionbert contributors. All rights reserved.
"""A self-contained HTML page that shows world-space 3D motion.

:func:`write_html_viewer` writes one ``.html`` file with every person's
H36M-17 skeleton in metres over a labelled 1 m floor grid, the world axes,
the recording camera, play/pause, a time slider and an orbit camera. The
three.js build vendored under ``vendor/three`` (npm ``three@0.149.0``, MIT)
is inlined and the motion embedded as JSON (millimetres), so the page needs
no network; without WebGL it draws the same scene with Canvas2D. The URL
hash sets the initial state, e.g. ``viewer.html#frame=50&paused=1``
(``renderer=2d``, ``yaw``/``pitch`` in degrees and ``dist`` in metres too).
:func:`write_result_viewer` does this for a ``LiftResult``'s metric motion.
See docs/viewer.md.

May import: numpy, :mod:`mmmotionbert.utils.keypoints` and
:mod:`mmmotionbert.visualization.colors`; never ``apis``.
"""
import html
import json
import os
import os.path as osp
import re
from typing import Any, Optional, Sequence

import numpy as np

from mmmotionbert.utils.keypoints import H36M_BONES, H36M_JOINT_NAMES
from .colors import PERSON_COLORS, _bone_color

__all__ = ['write_html_viewer', 'write_result_viewer']

_HERE = osp.dirname(osp.abspath(__file__))
TEMPLATE = osp.join(_HERE, 'viewer_template.html')
THREE_JS = osp.join(_HERE, 'vendor', 'three', 'three.min.js')


def _frames_mm(joints: np.ndarray) -> list:
    """One person's (T, 17, 3) metres as per-frame flat mm lists.

    A frame without any finite joint becomes ``None``; a single missing
    coordinate inside a frame becomes ``None`` in its place.
    """
    mm = np.round(np.asarray(joints, np.float64) * 1000.0)
    out = []
    for frame in mm.reshape(len(mm), -1):
        ok = np.isfinite(frame)
        if not ok.any():
            out.append(None)
        else:
            out.append([int(v) if f else None for v, f in zip(frame, ok)])
    return out


def _contacts_str(contacts: Optional[np.ndarray], num_frames: int) -> str:
    """(T, 2) bools as one digit a frame: bit 0 left foot, bit 1 right."""
    if contacts is None:
        return '0' * num_frames
    c = np.asarray(contacts, bool)
    return ''.join(str(int(lt) + 2 * int(rt)) for lt, rt in c)


def _script_safe(text: str) -> str:
    """Keep text inside a ``<script>`` element from closing it early."""
    return re.sub(r'</(script)', r'<\\/\1', text, flags=re.IGNORECASE)


def write_html_viewer(path: str,
                      joints_world: np.ndarray,
                      fps: float,
                      track_ids: Optional[Sequence[int]] = None,
                      foot_contacts: Optional[np.ndarray] = None,
                      camera_to_world: Optional[np.ndarray] = None,
                      title: Optional[str] = None) -> str:
    """Write a single-file HTML 3D viewer of world-space motion.

    Args:
        path (str): Output ``.html`` file (folders are created).
        joints_world (np.ndarray): (P, T, 17, 3) H36M-17 joints in metres,
            Y up, floor at ``y = 0``; NaN where a person is not detected.
        fps (float): Playback frame rate.
        track_ids (Sequence[int], optional): (P,) ids shown in the legend;
            ``0..P-1`` by default.
        foot_contacts (np.ndarray, optional): (P, T, 2) bool, left and right
            foot on the floor (drawn as discs under the ankles).
        camera_to_world (np.ndarray, optional): (4, 4) camera pose (camera x
            right, y down, z forward), drawn as a small frustum.
        title (str, optional): Page title; ``'3D motion'`` by default.

    Returns:
        str: ``path``.

    Raises:
        ValueError: On a wrong shape or a non-positive ``fps``.
    """
    joints = np.asarray(joints_world, np.float64)
    if joints.ndim != 4 or joints.shape[2:] != (len(H36M_JOINT_NAMES), 3):
        raise ValueError('joints_world must be (P, T, 17, 3) metres, got '
                         f'shape {joints.shape}')
    num_p, num_t = joints.shape[:2]
    if not fps or not np.isfinite(fps) or fps <= 0:
        raise ValueError(f'fps must be a positive number, got {fps!r}')
    ids = list(range(num_p) if track_ids is None else map(int, track_ids))
    if len(ids) != num_p:
        raise ValueError(f'{len(ids)} track_ids for {num_p} persons')
    want = (num_p, num_t, 2)
    if foot_contacts is not None and np.shape(foot_contacts) != want:
        raise ValueError(f'foot_contacts must be ({num_p}, {num_t}, 2), got '
                         f'{np.shape(foot_contacts)}')
    cam = None
    if camera_to_world is not None:
        cam = np.asarray(camera_to_world, np.float64)
        if cam.shape != (4, 4) or not np.isfinite(cam).all():
            raise ValueError('camera_to_world must be a finite (4, 4) matrix')
        cam = np.round(cam, 6).tolist()
    persons = [
        dict(
            track_id=ids[p],
            color=list(PERSON_COLORS[p % len(PERSON_COLORS)]),
            bone_colors=[list(_bone_color(p, c)) for c, _ in H36M_BONES],
            joints=_frames_mm(joints[p]),
            contacts=_contacts_str(
                None if foot_contacts is None else foot_contacts[p], num_t))
        for p in range(num_p)
    ]
    motion = dict(
        format='mmmotionbert-viewer-1',
        units='mm',
        axes='world: y up, floor y = 0',
        fps=float(fps),
        num_frames=int(num_t),
        joint_names=list(H36M_JOINT_NAMES),
        bones=[list(b) for b in H36M_BONES],
        left_ankle=H36M_JOINT_NAMES.index('left_ankle'),
        right_ankle=H36M_JOINT_NAMES.index('right_ankle'),
        camera_to_world=cam,
        persons=persons)
    with open(TEMPLATE, encoding='utf-8') as f:
        template = f.read()
    with open(THREE_JS, encoding='utf-8') as f:
        three = f.read()
    values = dict(
        TITLE=html.escape(title or '3D motion'),
        THREE_JS=_script_safe(three),
        MOTION_JSON=_script_safe(json.dumps(motion, separators=(',', ':'))))
    page = re.sub(r'\{\{(\w+)\}\}', lambda m: values[m.group(1)], template)
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(page)
    return path


def write_result_viewer(result: Any,
                        path: str,
                        title: Optional[str] = None) -> str:
    """Write the HTML 3D viewer of a ``LiftResult``'s metric motion.

    Args:
        result (LiftResult): A result with ``.metric`` (a ``MetricMotion``),
            ``.track_ids`` and ``.fps`` (when unknown, the rate the metric
            reconstruction assumed, ``metric.meta['fps']``, else 30).
        path (str): Output ``.html`` file.
        title (str, optional): Page title.

    Returns:
        str: ``path``.

    Raises:
        ValueError: When the result carries no metric motion.
    """
    metric = getattr(result, 'metric', None)
    if metric is None:
        raise ValueError(
            'write_result_viewer needs a LiftResult with metric motion '
            '(result.metric is None): run the metric reconstruction '
            '(mmmotionbert.apis.metric) first; the viewer shows world-space '
            'joints in metres')
    fps = None
    for value in (getattr(result, 'fps', None),
                  getattr(metric, 'meta', {}).get('fps')):
        if value and np.isfinite(value) and value > 0:
            fps = float(value)
            break
    fps = fps or 30.0
    return write_html_viewer(
        path,
        metric.keypoints_3d_world,
        fps,
        track_ids=getattr(result, 'track_ids', None),
        foot_contacts=metric.foot_contacts,
        camera_to_world=metric.camera_to_world,
        title=title)
