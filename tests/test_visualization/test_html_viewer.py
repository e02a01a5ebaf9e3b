# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The single-file HTML 3D viewer: self-contained, exact motion, and (in a
headless chromium) a page that draws and moves over time."""
import json
import os
import re
import shutil
import subprocess

import cv2
import numpy as np
import pytest

from mmmotionbert.structures import LiftResult, MetricMotion
from mmmotionbert.visualization import write_html_viewer, write_result_viewer
from mmmotionbert.visualization.colors import PERSON_COLORS


def _walkers(num_p=2, num_t=48, fps=24.0):
    """Synthetic H36M-17 walkers in world metres (y up, floor at y = 0):
    legs and arms swing, the pelvis moves 1.2 m/s along x."""
    out = np.zeros((num_p, num_t, 17, 3))
    for p in range(num_p):
        for t in range(num_t):
            swing = 0.4 * np.sin(2 * np.pi * t / 24 + p)
            pel = np.array([-1.0 + 1.2 * t / fps, 0.95, -0.8 + 1.6 * p])
            j = np.zeros((17, 3))
            j[0] = pel
            for hip, knee, ank, side in ((1, 2, 3, -1), (4, 5, 6, 1)):
                a = swing * side
                j[hip] = pel + [0, 0, 0.12 * side]
                j[knee] = j[hip] + [0.45 * np.sin(a), -0.45 * np.cos(a), 0]
                j[ank] = j[knee] + [0.45 * np.sin(a / 2), -0.45, 0]
            j[7], j[8] = pel + [0, 0.25, 0], pel + [0, 0.5, 0]
            j[9], j[10] = pel + [0.08, 0.62, 0], pel + [0.02, 0.72, 0]
            for sh, el, wr, side in ((11, 12, 13, 1), (14, 15, 16, -1)):
                a = -swing * side
                j[sh] = j[8] + [0, 0, 0.18 * side]
                j[el] = j[sh] + [0.28 * np.sin(a), -0.28 * np.cos(a), 0]
                j[wr] = j[el] + [0.26 * np.sin(a), -0.26 * np.cos(a), 0]
            out[p, t] = j
    out[1:, 40:44] = np.nan  # person 1 not detected for 4 frames
    out[0, 10:11, 13] = np.nan  # one missing joint
    contacts = np.stack([out[..., 6, 1] < 0.07, out[..., 3, 1] < 0.07], -1)
    contacts &= np.isfinite(out[..., 0, 0])[..., None]
    return out, contacts


def _camera():
    """A camera 1.5 m high at z = 5 m looking along -z (x right, y down)."""
    cam = np.eye(4)
    cam[:3, :3] = [[1, 0, 0], [0, -1, 0], [0, 0, -1]]
    cam[:3, 3] = [0.0, 1.5, 5.0]
    return cam


def _motion_json(page: str) -> dict:
    m = re.search(
        r'<script type="application/json" id="motion">(.*?)</script>', page,
        re.S)
    assert m, 'no embedded motion'
    return json.loads(m.group(1).replace('<\\/', '</'))


def test_page_is_self_contained_and_motion_round_trips(tmp_path):
    joints, contacts = _walkers()
    path = write_html_viewer(
        str(tmp_path / 'sub' / 'v.html'),
        joints,
        24.0,
        track_ids=[5, 9],
        foot_contacts=contacts,
        camera_to_world=_camera(),
        title='walk <test>')
    page = open(path, encoding='utf-8').read()
    # no external scripts, styles, images or module imports
    assert not re.search(r'<script[^>]*\bsrc\s*=', page, re.I)
    assert not re.search(r'''(src|href)\s*=\s*["']?\s*(https?:)?//''', page,
                         re.I)
    assert not re.search(r'''import\s*\(?\s*["']https?://''', page)
    assert not re.search(r'@import', page)
    assert 'THREE' in page and 'walk &lt;test&gt;' in page
    # exactly one closing tag per script element (nothing closes one early)
    assert page.count('<script') == page.count('</script>') == 3

    motion = _motion_json(page)
    assert motion['fps'] == 24.0 and motion['num_frames'] == joints.shape[1]
    assert [pe['track_id'] for pe in motion['persons']] == [5, 9]
    back = np.array([[[np.nan] * 51 if f is None else f for f in pe['joints']]
                     for pe in motion['persons']],
                    dtype=float).reshape(joints.shape) / 1000.0
    np.testing.assert_array_equal(np.isnan(back), np.isnan(joints))
    ok = np.isfinite(joints)
    assert np.abs(back[ok] - joints[ok]).max() <= 0.0005 + 1e-9  # within 1 mm
    flags = np.array([[int(c) for c in pe['contacts']]
                      for pe in motion['persons']])
    np.testing.assert_array_equal(flags & 1, contacts[..., 0])
    np.testing.assert_array_equal(flags >> 1, contacts[..., 1])
    np.testing.assert_allclose(motion['camera_to_world'], _camera())
    assert flags.any() and not flags[1, 40:44].any()


def test_viewer_input_checks_and_result_viewer(tmp_path):
    joints, contacts = _walkers(num_p=1, num_t=6)
    with pytest.raises(ValueError, match=r'\(P, T, 17, 3\)'):
        write_html_viewer(str(tmp_path / 'a.html'), joints[0], 30)
    with pytest.raises(ValueError, match='fps'):
        write_html_viewer(str(tmp_path / 'a.html'), joints, 0)
    with pytest.raises(ValueError, match='track_ids'):
        write_html_viewer(str(tmp_path / 'a.html'), joints, 30, [1, 2])

    num_t = joints.shape[1]
    result = LiftResult(
        keypoints_3d=np.zeros((1, num_t, 17, 3), np.float32),
        scores=np.ones((1, num_t, 17), np.float32),
        track_ids=np.array([4]),
        keypoints_2d=np.zeros((1, num_t, 17, 2), np.float32),
        root_2d=np.zeros((1, num_t, 2), np.float32),
        frame_ids=np.arange(num_t),
        fps=25.0)
    with pytest.raises(ValueError, match='metric'):
        write_result_viewer(result, str(tmp_path / 'r.html'))
    result.metric = MetricMotion(
        keypoints_3d_metric=joints.astype(np.float32),
        keypoints_3d_world=joints.astype(np.float32),
        camera_to_world=_camera(),
        foot_contacts=contacts,
        subject_heights=np.array([1.7]))
    path = write_result_viewer(result, str(tmp_path / 'r.html'))
    motion = _motion_json(open(path, encoding='utf-8').read())
    assert motion['fps'] == 25.0
    assert motion['persons'][0]['track_id'] == 4


def _chromium():
    """Path of a headless-capable chromium; skip (or, under CI, fail)."""
    exe = shutil.which('chromium') or shutil.which('chromium-browser')
    if exe:
        return exe
    msg = ('chromium is not installed (bash tools/install_test_browser.sh '
           'installs it)')
    if os.environ.get('CI'):
        pytest.fail(msg + '; CI is set, so the browser test must run')
    pytest.skip(msg)


def _browse(exe, tmp_path, url, *args):
    """Run headless chromium on ``url``; returns (stdout, stderr)."""
    cmd = [
        exe, '--headless=new', '--no-sandbox', '--disable-gpu',
        '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
        '--window-size=800,600', '--hide-scrollbars',
        '--virtual-time-budget=3000', '--enable-logging=stderr', '--v=0',
        f'--user-data-dir={tmp_path / "profile"}', *args, url
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr


def _page_errors(stderr):
    """Console messages that are page errors (not GPU driver notes)."""
    lines = [ln for ln in stderr.splitlines() if 'CONSOLE' in ln]
    return [
        ln for ln in lines
        if ('Uncaught' in ln or 'THREE.' in ln) and 'GL Driver' not in ln
    ]


def _color_pixels(img, rgb, tol=28):
    bgr = np.array(rgb[::-1], int)
    return int((np.abs(img.astype(int) - bgr).max(-1) <= tol).sum())


@pytest.mark.parametrize('renderer', ['auto', '2d'])
def test_page_draws_and_moves_in_headless_chromium(tmp_path, renderer):
    exe = _chromium()
    joints, contacts = _walkers()
    path = write_html_viewer(
        str(tmp_path / 'v.html'),
        joints,
        24.0,
        foot_contacts=contacts,
        camera_to_world=_camera())
    extra = '' if renderer == 'auto' else '&renderer=2d'
    url = 'file://' + path + '#paused=1' + extra + '&frame='

    dom, stderr = _browse(exe, tmp_path, url + '0', '--dump-dom')
    status = re.search(r'<div id="status">(.*?)</div>', dom).group(1)
    assert status.startswith('drawn '), status  # the script ran to the end
    assert 'error' not in status, status  # nor uncaught nor console errors
    if renderer == '2d':
        assert status.startswith('drawn canvas2d'), status
    assert not _page_errors(stderr), _page_errors(stderr)

    shots = []
    for frame in (0, 12):
        png = str(tmp_path / f'{renderer}_{frame}.png')
        _, stderr = _browse(exe, tmp_path, url + str(frame),
                            f'--screenshot={png}')
        assert not _page_errors(stderr), _page_errors(stderr)
        img = cv2.imread(png)
        assert img is not None and img.shape[:2] == (600, 800)
        shots.append(img[:540])  # the 3D view, above the control bar
    for img in shots:
        assert img.std() > 5  # not a uniform page
        for rgb in PERSON_COLORS[:2]:  # both persons' (torso) colour
            assert _color_pixels(img, rgb) > 20, rgb
    moved = (np.abs(shots[0].astype(int) - shots[1]).max(-1) > 40).sum()
    assert moved > 300, moved  # the skeletons moved between the two times


def test_page_falls_back_to_canvas2d_without_webgl(tmp_path):
    exe = _chromium()
    joints, _ = _walkers(num_t=4)
    path = write_html_viewer(str(tmp_path / 'v.html'), joints, 24.0)
    dom, stderr = _browse(exe, tmp_path, 'file://' + path + '#paused=1',
                          '--disable-3d-apis', '--dump-dom')
    status = re.search(r'<div id="status">(.*?)</div>', dom).group(1)
    assert status == 'drawn canvas2d (WebGL unavailable)', status
    assert not _page_errors(stderr), _page_errors(stderr)
