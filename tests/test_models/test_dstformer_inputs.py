# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Bad input gives clear errors; any T <= maxlen works."""
import pytest
import torch

from mmmotionbert.models import MBDSTformer


@pytest.fixture(scope='module')
def model():
    net = MBDSTformer(dim_feat=16, dim_rep=32, depth=1, num_heads=2,
                      mlp_ratio=2, maxlen=9)
    net.eval()
    return net


@pytest.mark.parametrize('t', [1, 4, 9])
def test_any_length_up_to_maxlen(model, t):
    assert model(torch.zeros(2, t, 17, 3)).shape == (2, t, 17, 32)


@pytest.mark.parametrize('shape, pattern', [
    ((2, 5, 16, 3), 'built for 17 joints, got input with 16'),
    ((2, 10, 17, 3), r'1 <= T <= maxlen=9 frames, got T=10'),
    ((5, 17, 3), r'\(B, T, J, C\).*3-D tensor'),
    ((1, 5, 17, 2), 'expects 3 channels per joint, got 2'),
])
def test_bad_shapes(model, shape, pattern):
    with pytest.raises(ValueError, match=pattern):
        model(torch.zeros(shape))


def test_nan_input(model):
    x = torch.zeros(1, 3, 17, 3)
    x[0, 2, 5, 1] = float('nan')
    with pytest.raises(ValueError, match=r'NaN or Inf \(first at index '
                       r'\[0, 2, 5, 1\]\)'):
        model(x)


def test_not_a_tensor(model):
    with pytest.raises(TypeError, match='torch.Tensor'):
        model([[0.0]])


def test_temporal_attention_is_causal_free_but_frame_local_in_space(model):
    """Changing one frame changes other frames' outputs (temporal mixing)."""
    x = torch.randn(1, 6, 17, 3)
    y = x.clone()
    y[0, 5] += 1.0
    with torch.no_grad():
        diff = (model(x) - model(y)).abs().amax(dim=(2, 3))[0]
    assert diff[0] > 1e-4 and diff[5] > 1e-4


def test_weight_init_options():
    """'xavier' re-draws every linear weight with the Xavier-uniform spread
    and pos_embed_std sets the joint embedding's spread; the default keeps
    the official std 0.02."""
    torch.manual_seed(0)
    official = MBDSTformer(dim_feat=64, dim_rep=128, depth=2, num_heads=4,
                           maxlen=9)
    torch.manual_seed(0)
    xavier = MBDSTformer(dim_feat=64, dim_rep=128, depth=2, num_heads=4,
                         maxlen=9, weight_init='xavier', pos_embed_std=1.0)
    qkv_o = official.blocks_st[0].attn_s.qkv.weight
    qkv_x = xavier.blocks_st[0].attn_s.qkv.weight  # (192, 64)
    assert abs(qkv_o.std().item() - 0.02) < 0.002
    # Xavier uniform: std = sqrt(2 / (fan_in + fan_out)) = sqrt(2 / 256)
    assert abs(qkv_x.std().item() - (2 / 256)**0.5) < 0.005
    assert abs(official.pos_embed.std().item() - 0.02) < 0.004
    # truncated at +-2 std: the spread is ~0.88 of the std
    assert 0.8 < xavier.pos_embed.std().item() < 0.95
    assert xavier.pos_embed.abs().max().item() <= 2.0
    # the temporal embedding and the LayerNorms keep the official init
    assert abs(xavier.temp_embed.std().item() - 0.02) < 0.004
    assert torch.equal(xavier.norm.weight, torch.ones(64))


@pytest.mark.parametrize('kwargs, pattern', [
    (dict(weight_init='kaiming'), 'weight_init'),
    (dict(pos_embed_std=0.0), 'pos_embed_std'),
])
def test_bad_init_options(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        MBDSTformer(dim_feat=32, dim_rep=32, depth=1, num_heads=4, maxlen=9,
                    **kwargs)
