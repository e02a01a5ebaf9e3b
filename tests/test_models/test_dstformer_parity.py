# Copyright (c) mmmotionbert contributors. All rights reserved.
"""DSTformer equals the official model on the official-parity fixtures."""
import torch

from mmmotionbert.apis import load_official_model
from mmmotionbert.utils.keypoints import flip_h36m
from mmmotionbert.utils.official import convert_official_checkpoint
from tests.conftest import official_fixture

ATOL = 1e-5


def _fixture():
    return torch.load(official_fixture('dstformer.pt'), weights_only=True)


def _official_kwargs(config):
    kwargs = {k: v for k, v in config.items() if k != 'norm_layer_eps'}
    kwargs['norm_eps'] = config['norm_layer_eps']
    return kwargs


def test_pose3d_outputs_match_official():
    fx = _fixture()
    model = load_official_model(fx['checkpoint'], task='pose3d',
                                **_official_kwargs(fx['config']))
    assert not model.training
    with torch.no_grad():
        for key in ('full', 'short'):
            out = model(fx['inputs'][key])
            assert out.shape == fx['outputs'][key].shape
            torch.testing.assert_close(out, fx['outputs'][key], atol=ATOL,
                                       rtol=0)


def test_architecture_is_read_from_the_checkpoint():
    fx = _fixture()
    model = load_official_model(fx['checkpoint'], num_heads=4)
    bb = model.backbone
    assert (bb.dim_feat, bb.dim_rep, len(bb.blocks_st), bb.maxlen) == \
        (64, 128, 2, 27)
    with torch.no_grad():
        torch.testing.assert_close(model(fx['inputs']['short']),
                                   fx['outputs']['short'], atol=ATOL, rtol=0)


def test_representation_matches_official():
    fx = _fixture()
    model = load_official_model(fx['checkpoint'], task='rep',
                                **_official_kwargs(fx['config']))
    with torch.no_grad():
        for key in ('full', 'short'):
            torch.testing.assert_close(model(fx['inputs'][key]),
                                       fx['reps'][key], atol=ATOL, rtol=0)


def test_flip_test_matches_official():
    fx = _fixture()
    model = load_official_model(fx['checkpoint'],
                                **_official_kwargs(fx['config']))
    model.flip_test = True
    model.rootrel = False
    with torch.no_grad():
        for key in ('full', 'short'):
            out = model.predict_tensor(fx['inputs'][key])
            torch.testing.assert_close(out, fx['outputs_flip'][key],
                                       atol=ATOL, rtol=0)


def test_flip_is_an_involution_that_negates_x():
    x = torch.randn(2, 5, 17, 3)
    flipped = flip_h36m(x)
    torch.testing.assert_close(flip_h36m(flipped), x)
    torch.testing.assert_close(flipped[..., 1, 0], -x[..., 4, 0])
    torch.testing.assert_close(flipped[..., 0, 1:], x[..., 0, 1:])


def test_layernorm_eps_matters():
    """The fixtures detect the PyTorch default eps (1e-5) instead of 1e-6."""
    fx = _fixture()
    kwargs = _official_kwargs(fx['config'])
    kwargs['norm_eps'] = 1e-5
    model = load_official_model(fx['checkpoint'], **kwargs)
    with torch.no_grad():
        diff = (model(fx['inputs']['full']) - fx['outputs']['full']).abs()
    assert diff.max() > ATOL


def test_converted_checkpoint_gives_the_same_outputs(tmp_path):
    from mmengine.runner import load_checkpoint
    fx = _fixture()
    path = tmp_path / 'converted.pth'
    torch.save(convert_official_checkpoint(fx['checkpoint']), path)
    reference = load_official_model(fx['checkpoint'],
                                    **_official_kwargs(fx['config']))
    model = type(reference)(
        backbone=dict(type='MBDSTformer', dim_feat=64, dim_rep=128, depth=2,
                      num_heads=4, mlp_ratio=2, maxlen=27),
        head=dict(type='MBPoseHead', dim_rep=128),
        flip_test=False)
    load_checkpoint(model, str(path), strict=True)
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(fx['inputs']['full']),
                                   fx['outputs']['full'], atol=ATOL, rtol=0)
