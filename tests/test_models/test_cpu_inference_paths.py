# Copyright (c) mmmotionbert contributors. All rights reserved.
"""CPU inference paths give the batched, autograd-path results.

* a batch of clips runs clip by clip without gradients (``per_clip``), with
  the batched result, in the backbone and in the fast-inference copy;
* the MLP sub-block runs on token chunks on the plain kernels, with the
  whole-tensor result;
* the plain no-gradient linear (in-place GELU, residual + bias summed before
  the GEMM, ``out=``) equals ``F.linear`` + ``F.gelu`` + add.
"""
import pytest
import torch
import torch.nn.functional as F

from mmmotionbert.apis import optimize_for_inference
from mmmotionbert.models.layers import dstformer_block, fused_ops
from mmmotionbert.models.layers.per_clip import splits_per_clip
from tests.test_models.test_dstformer_fast_paths import \
    _model as perturbed_model


def _model():
    """The fast-path tests' small perturbed backbone, in eval mode."""
    return perturbed_model().eval()


def _spy_batches(monkeypatch, obj):
    """Record the batch size of every ``obj._forward_clips`` call."""
    seen = []
    inner = obj._forward_clips

    def spy(x):
        seen.append(x.shape[0])
        return inner(x)

    monkeypatch.setattr(obj, '_forward_clips', spy)
    return seen


def test_splits_per_clip_only_for_cpu_inference_of_several_clips():
    x = torch.zeros(3, 5, 17, 3)
    with torch.no_grad():
        assert splits_per_clip(x)
        assert not splits_per_clip(x[:1])
    with torch.enable_grad():
        assert not splits_per_clip(x)
    if torch.cuda.is_available():  # pragma: no cover - no GPU in CI
        with torch.no_grad():
            assert not splits_per_clip(x.cuda())


def test_backbone_runs_clip_by_clip_with_the_batched_result(monkeypatch):
    model = _model()
    x = torch.randn(3, 11, 17, 3)
    batched = model(x).detach()  # gradients enabled: one batched call
    seen = _spy_batches(monkeypatch, model)
    with torch.no_grad():
        out = model(x)
    assert seen == [1, 1, 1]
    assert out.shape == (3, 11, 17, 24)
    torch.testing.assert_close(out, batched, atol=1e-6, rtol=0)


def test_fast_inference_runs_clip_by_clip_with_the_batched_result(
        monkeypatch):
    fast = optimize_for_inference(_model(), precision='fp32')
    x = torch.randn(2, 11, 17, 3)
    whole = fast._forward_clips(x)
    seen = _spy_batches(monkeypatch, fast)
    out = fast(x)
    assert seen == [1, 1]
    torch.testing.assert_close(out, whole, atol=1e-6, rtol=0)


@pytest.mark.parametrize('mode', ['spatial', 'temporal'])
def test_mlp_chunks_equal_the_whole_tensor(mode, monkeypatch):
    block = _model().blocks_st[0]
    x = torch.randn(5 * 17, 32).view(5, 17, 32)  # 85 tokens
    calls = []
    mlp = block.mlp_s if mode == 'spatial' else block.mlp_t
    inner = mlp.forward

    def spy(h, residual=None, out=None):
        calls.append(h.shape[0])
        return inner(h, residual=residual, out=out)

    monkeypatch.setattr(mlp, 'forward', spy)
    with torch.no_grad(), fused_ops.fused_ops_disabled():
        monkeypatch.setattr(dstformer_block, 'MLP_CHUNK_ROWS', 0)
        whole = block.mlp_branch(x, mode)
        assert calls == [5]  # (B*T, J, C) in one call
        calls.clear()
        monkeypatch.setattr(dstformer_block, 'MLP_CHUNK_ROWS', 20)
        chunked = block.mlp_branch(x, mode)
    assert calls == [17, 17, 17, 17, 17]  # ceil(85 / 20) balanced chunks
    torch.testing.assert_close(chunked, whole, atol=1e-6, rtol=0)
    ref = x + mlp.fc2(F.gelu(mlp.fc1(
        (block.norm2_s if mode == 'spatial' else block.norm2_t)(x))))
    torch.testing.assert_close(chunked, ref.detach(), atol=1e-5, rtol=0)


def test_mlp_is_not_chunked_with_gradients_or_in_training(monkeypatch):
    block = _model().blocks_st[0]
    x = torch.randn(5, 17, 32)
    monkeypatch.setattr(dstformer_block, 'MLP_CHUNK_ROWS', 20)
    with fused_ops.fused_ops_disabled():
        assert not block._chunk_mlp(x)  # gradients on
        with torch.no_grad():
            assert block._chunk_mlp(x)
            block.train()
            assert not block._chunk_mlp(x)


def test_mlp_out_is_refused_while_training_with_dropout():
    from mmmotionbert.models.layers.mlp import MotionMlp
    mlp = MotionMlp(8, 16, drop=0.1).train()
    with torch.no_grad(), pytest.raises(ValueError, match='out= is for'):
        mlp(torch.randn(3, 8), out=torch.empty(3, 8))


@pytest.mark.parametrize('act, with_residual, with_bias',
                         [(None, False, True), ('gelu', False, True),
                          (None, True, True), (None, True, False),
                          (None, False, False)])
def test_plain_linear_without_gradients_equals_reference(
        act, with_residual, with_bias):
    torch.manual_seed(0)
    x = torch.randn(2, 7, 16)
    w, b = torch.randn(24, 16), torch.randn(24) if with_bias else None
    r = torch.randn(2, 7, 24) if with_residual else None
    ref = F.linear(x, w, b)
    ref = F.gelu(ref) if act else ref
    ref = ref + r if with_residual else ref
    buf = torch.full((14, 24), float('nan'))
    with torch.no_grad(), fused_ops.fused_ops_disabled():
        got = fused_ops.fused_linear(x, w, b, act=act, residual=r)
        into = fused_ops.fused_linear(x, w, b, act=act, residual=r, out=buf)
    torch.testing.assert_close(got, ref, atol=2e-6, rtol=0)
    torch.testing.assert_close(into, ref, atol=2e-6, rtol=0)
    assert into.data_ptr() == buf.data_ptr() and into.shape == (2, 7, 24)
    if r is not None:  # the residual itself is not overwritten
        assert not torch.isnan(r).any()


def test_plain_linear_out_is_refused_with_gradients_and_autocast_works():
    x = torch.randn(3, 8, requires_grad=True)
    w = torch.randn(4, 8)
    with pytest.raises(ValueError, match='out= is only supported'):
        fused_ops.fused_linear(x, w, out=torch.empty(3, 4))
    with torch.no_grad(), fused_ops.fused_ops_disabled(), torch.autocast(
            'cpu', dtype=torch.bfloat16):
        y = fused_ops.fused_linear(x, w, act='gelu')
    assert y.dtype == torch.bfloat16
    torch.testing.assert_close(
        y.float(), F.gelu(x @ w.t()).detach(), atol=0.1, rtol=0.05)
