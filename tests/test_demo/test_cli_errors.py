# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Bad input to the CLIs: one line '<program>: error: ...', exit 2, no
traceback, nothing left in --out-dir; --debug shows the traceback."""
import subprocess
import sys

import numpy as np
import pytest

from ..conftest import REPO_ROOT

DEMO = str(REPO_ROOT / 'demo' / 'lift_2d_to_3d.py')


def _run(args, cwd):
    return subprocess.run(
        [sys.executable] + [str(a) for a in args],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=300)


def assert_one_line_error(proc, message: str, out_dir) -> None:
    """Exit 2, one ``lift_2d_to_3d.py: error: ...`` line matching the regex
    ``message``, no traceback, nothing left in ``out_dir``."""
    import re
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr + proc.stdout
    errors = [
        line for line in proc.stderr.splitlines()
        if line.startswith('lift_2d_to_3d.py: error: ')
    ]
    assert len(errors) == 1 and re.search(message, errors[0]), proc.stderr
    assert not out_dir.exists()  # nothing half-written


def _bad_inputs(tmp_path):
    (tmp_path / 'empty.npy').write_bytes(b'')
    np.save(tmp_path / 'j13.npy', np.ones((10, 13, 3)))
    np.save(tmp_path / 'rank2.npy', np.ones((10, 3)))
    (tmp_path / 'trunc.json').write_text('[{"image_id": 1, "keypoints": [1')
    (tmp_path / 'notvideo.mp4').write_text('hello')


@pytest.mark.parametrize('args, message', [
    (['empty.npy'], r'empty\.npy is empty \(0 bytes\)'),
    (['j13.npy', '--format', 'h36m'], "layout 'h36m' has 17 joints but the "
     'input has 13'),
    (['rank2.npy'], r'must be \(T, J, 2\|3\) or \(P, T, J, 2\|3\), got shape'
     r' \(10, 3\)'),
    (['trunc.json'], r'trunc\.json: not valid json'),
    (['missing.json'], "keypoint input 'missing.json' does not exist"),
    (['notvideo.mp4'], "cannot read video 'notvideo.mp4': not a video"),
    (['j13.npy', '--checkpoint', 'nope.pth'], 'checkpoint file not found'),
])
def test_demo_bad_input_is_one_line(tmp_path, args, message):
    _bad_inputs(tmp_path)
    proc = _run([DEMO] + args + ['--out-dir', 'out', '--vis', 'none'],
                tmp_path)
    assert_one_line_error(proc, message, tmp_path / 'out')


def test_debug_shows_the_traceback(tmp_path):
    _bad_inputs(tmp_path)
    proc = _run([DEMO, 'rank2.npy', '--out-dir', 'out', '--debug'], tmp_path)
    assert proc.returncode == 1 and 'Traceback' in proc.stderr
    assert 'KeypointFormatError' in proc.stderr


def test_error_after_writing_removes_the_outputs(tmp_path):
    """The npz/json are written before the video is rendered: a video that
    cannot be read removes them again, files already there are kept."""
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'keep.txt').write_text('mine')
    kp = np.random.default_rng(0).uniform(100, 300, (12, 17, 3))
    kp[..., 2] = 1
    np.save(tmp_path / 'clip.npy', kp.astype(np.float32))
    (tmp_path / 'notvideo.mp4').write_text('hello')
    proc = _run([
        DEMO, 'clip.npy', '--format', 'h36m', '--out-dir', 'out', '--vis',
        'gif', '--video', 'notvideo.mp4', '--no-progress'
    ], tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "cannot open video 'notvideo.mp4'" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ['keep.txt']


def test_internal_errors_keep_their_traceback(tmp_path, monkeypatch):
    """An error raised inside a library (not our validation) is a bug: it
    keeps the traceback and exits 1."""
    from mmmotionbert.utils import cli

    def main(argv):
        np.zeros(2).reshape(3)  # numpy raises ValueError deep inside

    with pytest.raises(SystemExit) as exit_info:
        cli.run_cli(main, prog='x', argv=[])
    assert exit_info.value.code == 1

    def user(argv):
        raise cli.UserInputError('bad --thing')

    with pytest.raises(SystemExit) as exit_info:
        cli.run_cli(user, prog='x', argv=[])
    assert exit_info.value.code == 2


@pytest.mark.parametrize('tool, args, message', [
    ('tools/convert_official_checkpoint.py', ['nope.bin', 'x.pth'
                                              ], 'checkpoint file not found'),
    ('tools/train.py', ['nonexistent.py'], 'No such file or directory'),
    ('tools/test.py', ['nonexistent.py', 'x.pth'
                       ], 'No such file or directory'),
])
def test_tools_bad_input_is_one_line(tmp_path, tool, args, message):
    proc = _run([REPO_ROOT / tool] + args, tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    assert message in proc.stderr.strip().splitlines()[-1]
