# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Speed and memory paths of DSTformer give the reference results.

* the fused (oneDNN) ops equal plain PyTorch ops, forward and backward;
* ``with_cp=True`` (activation checkpointing) gives equal outputs and
  gradients, dropout and stochastic depth included;
* our fused attention equals the traceable (export) formulation;
* mmpose's ``DSTFormer`` with our weights equals ours (the benchmarks'
  baseline);
* the opt-in fast inference path: fp32 within 1e-4, int8 / bf16 close.
"""
import copy

import pytest
import torch

from mmmotionbert.models import MBDSTformer
from mmmotionbert.models.layers import fused_ops
from mmmotionbert.models.layers.attention import (_traceable_attention,
                                                  motion_attention)

SMALL = dict(dim_feat=32, dim_rep=24, depth=2, num_heads=4, mlp_ratio=2,
             maxlen=11)


def _model(seed=0, **kwargs):
    torch.manual_seed(seed)
    cfg = dict(SMALL)
    cfg.update(kwargs)
    model = MBDSTformer(**cfg)
    with torch.no_grad():  # make every parameter matter (fusion weights
        for p in model.parameters():  # are zero-initialised officially)
            p.add_(torch.randn_like(p) * 0.05)
    return model


def _grads(model, x, seed=1):
    model.zero_grad()
    torch.manual_seed(seed)
    out = model(x)
    out.square().mean().backward()
    return out.detach(), {
        n: p.grad.clone()
        for n, p in model.named_parameters()
    }


@pytest.fixture
def onednn_kernels():
    """Run the oneDNN kernels whatever this machine would choose, so the
    comparison with the plain ops compares two different paths."""
    from mmmotionbert.models.layers import kernel_choice
    if not fused_ops._HAS_ONEDNN:
        pytest.skip('no oneDNN linear op in this PyTorch build')
    kernel_choice.set_kernels('onednn')
    assert fused_ops.fused_ops_enabled()
    yield
    kernel_choice.set_kernels(None)


@pytest.mark.parametrize('batch', [1, 3])
def test_fused_ops_equal_plain_ops(batch, onednn_kernels):
    model = _model().train()
    x = torch.randn(batch, 11, 17, 3)
    out, grads = _grads(model, x)
    with fused_ops.fused_ops_disabled():
        out_ref, grads_ref = _grads(model, x)
    torch.testing.assert_close(out, out_ref, atol=1e-5, rtol=0)
    for name, g in grads.items():
        torch.testing.assert_close(g, grads_ref[name], atol=1e-5, rtol=1e-4,
                                   msg=name)


@pytest.mark.parametrize('drop', [0.0, 0.2])
def test_with_cp_gives_equal_outputs_and_gradients(drop):
    kwargs = dict(drop_rate=drop, drop_path_rate=drop)
    model = _model(**kwargs).train()
    model_cp = _model(with_cp=True, **kwargs).train()
    model_cp.load_state_dict(model.state_dict())
    x = torch.randn(2, 11, 17, 3, requires_grad=True)
    out, grads = _grads(model, x)
    out_cp, grads_cp = _grads(model_cp, x)
    torch.testing.assert_close(out_cp, out, atol=1e-6, rtol=0)
    assert grads.keys() == grads_cp.keys()
    for name, g in grads.items():
        torch.testing.assert_close(grads_cp[name], g, atol=1e-6, rtol=1e-5,
                                   msg=name)


def test_with_cp_is_a_config_switch_and_inactive_in_eval():
    from mmmotionbert.registry import MODELS
    model = MODELS.build(dict(type='MBDSTformer', with_cp=True, **SMALL))
    assert model.with_cp
    model.eval()
    x = torch.randn(1, 5, 17, 3)
    ref = _model().eval()
    model.load_state_dict(ref.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(model(x), ref(x))


@pytest.mark.parametrize('mode', ['spatial', 'temporal'])
@pytest.mark.parametrize('batch', [1, 2])
def test_fused_attention_equals_traceable_attention(mode, batch):
    torch.manual_seed(0)
    t, heads, c = 7, 4, 32
    wide = torch.randn(batch * t, 17, 6 * c)
    qkv = wide[..., 3 * c:]  # a strided column slice, as the model passes
    out = motion_attention(qkv, mode, heads, t, 0.3)
    ref = _traceable_attention(
        qkv.unflatten(-1, (3, heads, c // heads)), mode, t, 0.3, 0.)
    torch.testing.assert_close(out, ref, atol=1e-6, rtol=0)


def test_mmpose_twin_equals_ours():
    pytest.importorskip('mmpose')
    from benchmarks.mmpose_reference import build_mmpose_twin
    model = _model().eval()
    twin = build_mmpose_twin(model)
    x = torch.randn(2, 11, 17, 3)
    with torch.no_grad():
        torch.testing.assert_close(twin(x), model(x), atol=1e-5, rtol=0)


def _fast(model, precision):
    from mmmotionbert.apis.fast_inference import (int8_available,
                                                  optimize_for_inference)
    if precision == 'int8' and not int8_available():
        pytest.skip('no fbgemm int8 kernels in this PyTorch build')
    return optimize_for_inference(model, precision=precision)


@pytest.mark.parametrize('precision, atol, rel', [('fp32', 1e-4, 1e-5),
                                                  ('bf16', None, 0.05),
                                                  ('int8', None, 0.1)])
def test_fast_inference_accuracy(precision, atol, rel):
    model = _model(dim_feat=64, dim_rep=64, depth=2).eval()
    fast = _fast(model, precision)
    x = torch.randn(2, 11, 17, 3)
    x[..., 2] = torch.rand(2, 11, 17)
    with torch.no_grad():
        ref = model(x)
        out = fast(x)
    assert out.shape == ref.shape and out.dtype == torch.float32
    err = ((out - ref).norm() / ref.norm()).item()
    assert err < rel, f'{precision}: relative error {err:.3g}'
    if atol is not None:
        torch.testing.assert_close(out, ref, atol=atol, rtol=0)
    assert not any(p.requires_grad for p in fast.parameters())


def test_fast_inference_wraps_a_lifter_without_touching_it():
    import mmmotionbert  # noqa: F401
    from mmmotionbert.apis.fast_inference import FastDSTformer
    from mmmotionbert.registry import MODELS
    torch.manual_seed(0)
    lifter = MODELS.build(
        dict(type='MBPoseLifter', backbone=dict(type='MBDSTformer', **SMALL),
             head=dict(type='MBPoseHead', dim_rep=SMALL['dim_rep'])))
    lifter.eval()
    before = copy.deepcopy(lifter.state_dict())
    fast = _fast(lifter, 'fp32')
    assert isinstance(fast.backbone, FastDSTformer)
    assert isinstance(lifter.backbone, MBDSTformer)
    for k, v in lifter.state_dict().items():
        assert torch.equal(v, before[k])
    x = torch.randn(2, 11, 17, 3)
    with torch.no_grad():
        torch.testing.assert_close(
            fast.predict_tensor(x), lifter.predict_tensor(x), atol=1e-4,
            rtol=0)
    with pytest.raises(ValueError, match='maxlen=11'):
        fast(torch.randn(1, 12, 17, 3))


def test_fast_inference_rejects_unknown_precision():
    from mmmotionbert.apis.fast_inference import optimize_for_inference
    with pytest.raises(ValueError, match='precision'):
        optimize_for_inference(_model(), precision='fp8')
    with pytest.raises(TypeError, match='MBDSTformer'):
        optimize_for_inference(torch.nn.Linear(2, 2))


def test_bf16_autocast_runs_forward_and_backward():
    """bf16 autocast (the mixed-precision training/inference mode of CPUs
    and GPUs) keeps the fused stream mix working and close to fp32."""
    model = _model().eval()
    x = torch.randn(2, 9, 17, 3)
    with torch.no_grad():
        ref = model(x)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            out = model(x)
    assert out.shape == ref.shape
    # bf16 keeps 8 mantissa bits: the tanh representation stays within
    # a few 1e-2 of fp32, but it is not bit-equal
    err = (out.float() - ref).abs().max().item()
    assert 0 < err < 0.05
    model.train()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        model(x).float().square().mean().backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


AVX2_CAPS = dict(ONEDNN_MAX_CPU_ISA='AVX2', MKL_ENABLE_INSTRUCTIONS='AVX2',
                 ATEN_CPU_CAPABILITY='avx2')


def test_bf16_plain_fallback_equals_onednn_path(monkeypatch):
    """Where oneDNN has no bf16 kernels, the bf16 path runs plain PyTorch
    bf16 ops: same maths, so the two agree to bf16 rounding."""
    from mmmotionbert.apis import fast_inference
    model = _model(dim_feat=64, dim_rep=64, depth=2).eval()
    x = torch.randn(2, 11, 17, 3)
    with torch.no_grad():
        ref = model(x)
        out_native = _fast(model, 'bf16')(x)
        monkeypatch.setattr(fast_inference, 'onednn_bf16_supported',
                            lambda: False)
        assert not fast_inference.bf16_fast_on_cpu()
        out_plain = _fast(model, 'bf16')(x)
    for out in (out_native, out_plain):
        assert ((out - ref).norm() / ref.norm()).item() < 0.05
    assert ((out_plain - out_native).norm() / ref.norm()).item() < 0.02


@pytest.mark.skipif(
    __import__('platform').machine().lower() not in ('x86_64', 'amd64'),
    reason='the ISA caps are x86 settings')
def test_bf16_never_crashes_on_an_avx2_cpu():
    """Under the AVX2 caps (what an AVX2-only CPU allows), oneDNN refuses a
    bf16 inner product; the probe says so and bf16 inference still runs."""
    import os
    import subprocess
    import sys
    code = (
        'import torch\n'
        'from mmmotionbert.apis import fast_inference as fi\n'
        'from tests.test_models.test_dstformer_fast_paths import _model\n'
        'assert torch.backends.cpu.get_cpu_capability() == "AVX2"\n'
        'assert not fi.onednn_bf16_supported()\n'
        'assert not fi.bf16_fast_on_cpu()\n'
        'm = _model(dim_feat=64, dim_rep=64, depth=2).eval()\n'
        'x = torch.randn(2, 11, 17, 3)\n'
        'with torch.no_grad():\n'
        '    ref = m(x)\n'
        '    out = fi.optimize_for_inference(m, precision="bf16")(x)\n'
        'err = ((out - ref).norm() / ref.norm()).item()\n'
        'assert out.dtype == torch.float32 and err < 0.05, err\n'
        'print("ERR", err)\n')
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    env = dict(os.environ, **AVX2_CAPS)
    proc = subprocess.run([sys.executable, '-c', code], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'ERR' in proc.stdout
