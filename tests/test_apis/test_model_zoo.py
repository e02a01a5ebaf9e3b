# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Named checkpoints, downloaded from a local HTTP server on 127.0.0.1."""
import functools
import hashlib
import http.server
import threading

import pytest
import torch

from mmmotionbert.apis import model_zoo
from mmmotionbert.utils.cli import UserInputError
from ..conftest import build_tiny_lifter


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www on 127.0.0.1 (a free port)."""
    www = tmp_path / 'www'
    www.mkdir()
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield www, f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown()


@pytest.fixture
def zoo(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.setattr(model_zoo, 'CHECKPOINTS', dict(model_zoo.CHECKPOINTS))
    return model_zoo


def _tiny_official_checkpoint(path):
    from mmmotionbert.utils.official import ours_pose_to_official
    lifter = build_tiny_lifter(maxlen=9, mlp_ratio=1)
    torch.save({'model_pos': ours_pose_to_official(lifter.state_dict())}, path)
    return lifter.eval()


def test_download_verify_and_load(server, zoo, tmp_path):
    from mmmotionbert.apis import init_lifter
    www, url = server
    ref = _tiny_official_checkpoint(www / 'tiny-0123abcd.pth')
    digest = hashlib.sha256((www / 'tiny-0123abcd.pth').read_bytes())
    zoo.register_checkpoint(
        'tiny',
        zoo.ZooEntry(
            f'{url}/tiny-0123abcd.pth', digest.hexdigest()[:8], num_heads=2))
    lifter = init_lifter('tiny')
    x = torch.randn(1, 9, 17, 3)
    with torch.no_grad():
        torch.testing.assert_close(lifter(x), ref(x, mode='tensor'))
    cached = tmp_path / 'torch_home' / 'hub' / 'checkpoints' / \
        'tiny-0123abcd.pth'
    assert cached.is_file()
    (www / 'tiny-0123abcd.pth').unlink()  # the second time: from the cache
    assert zoo.resolve_checkpoint('tiny') == str(cached)


def test_wrong_hash_and_missing_file(server, zoo):
    www, url = server
    _tiny_official_checkpoint(www / 'tiny.pth')
    zoo.register_checkpoint('bad', zoo.ZooEntry(f'{url}/tiny.pth', 'deadbeef'))
    with pytest.raises(UserInputError, match='expected deadbeef'):
        zoo.resolve_checkpoint('bad', progress=False)
    zoo.register_checkpoint('gone', zoo.ZooEntry(f'{url}/nope.pth',
                                                 'deadbeef'))
    folder = zoo.checkpoint_cache_dir()
    with pytest.raises(UserInputError) as err:
        zoo.resolve_checkpoint('gone', progress=False)
    msg = str(err.value)
    assert f'{url}/nope.pth' in msg and folder in msg and '404' in msg


def test_shipped_name_and_unknown_names(zoo):
    path = zoo.resolve_checkpoint('mb-small-pybullet')
    assert path.endswith('mb_pretrain_small_pybullet.pth')
    with pytest.raises(
            UserInputError,
            match='named checkpoints: '
            'mb-small-pybullet, motionbert-ft-h36m'):
        zoo.resolve_checkpoint('motionbert')
    assert zoo.resolve_checkpoint('some/file.pth') == 'some/file.pth'
