# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Linear layers with fused epilogues, and the switch that turns them off.

On CPU, PyTorch's ``F.linear`` runs MKL's sgemm after copying the broadcast
bias into the output, and a following GELU or residual add is one more pass
over memory each. oneDNN (shipped in every x86 PyTorch build as
``torch.ops.mkldnn``) computes ``act(x @ W.T + b) (+ residual)`` in one
kernel and, on the machines we measured, also runs the GEMM itself faster
(see ``docs/benchmarks.md``). :func:`fused_linear` uses it for float32 CPU
tensors and falls back to plain PyTorch ops everywhere else (CUDA, other
dtypes, tracing, ``torch.compile``, ONNX export, builds without oneDNN), so
model code calling it stays device-agnostic.

The oneDNN op has no autograd formula; :class:`_OneDNNLinear` supplies the
standard one (the backward GEMMs run in plain PyTorch), so training uses the
fused forward as well.

Whether the oneDNN kernels are used at all is decided per machine by
:mod:`.kernel_choice` (they are slower than the plain ones on some AVX2
CPUs); ``MMMOTIONBERT_KERNELS=plain|onednn|auto`` overrides it, and
:func:`fused_ops_disabled` (or the older ``MMMOTIONBERT_FUSED_OPS=0``) forces
the plain PyTorch path.

May import: torch and :mod:`.kernel_choice`; never ``apis`` or ``datasets``.
"""
import contextlib
import os
from typing import Iterator, Optional

import torch
import torch.nn.functional as F

from .kernel_choice import kernel_choice

_ENABLED = os.environ.get('MMMOTIONBERT_FUSED_OPS', '1') != '0'
_ACTIVATIONS = (None, 'gelu')
_FORCED: Optional[str] = None


def _onednn_op_available() -> bool:
    try:
        return (torch.backends.mkldnn.is_available()
                and hasattr(torch.ops.mkldnn, '_linear_pointwise'))
    except (AttributeError, RuntimeError):  # pragma: no cover
        return False


_HAS_ONEDNN = _onednn_op_available()


def fused_ops_enabled() -> bool:
    """Whether :func:`fused_linear` may use the oneDNN kernels: available,
    not disabled, and chosen for this machine (:func:`kernel_choice`)."""
    if _FORCED is not None:
        return _FORCED == 'onednn' and _HAS_ONEDNN
    return (_ENABLED and _HAS_ONEDNN
            and kernel_choice(_HAS_ONEDNN) == 'onednn')


@contextlib.contextmanager
def forced_kernels(choice: str) -> Iterator[None]:
    """Run ``'plain'`` or ``'onednn'`` kernels inside, bypassing the choice
    of :func:`kernel_choice` (for :func:`~.kernel_choice.measure_kernels`,
    which makes that choice)."""
    global _FORCED
    if choice not in ('plain', 'onednn'):
        raise ValueError(f"choice must be 'plain' or 'onednn', got "
                         f'{choice!r}')
    old, _FORCED = _FORCED, choice
    try:
        yield
    finally:
        _FORCED = old


@contextlib.contextmanager
def fused_ops_disabled() -> Iterator[None]:
    """Context manager forcing the plain PyTorch path (e.g. for export)."""
    global _ENABLED
    old, _ENABLED = _ENABLED, False
    try:
        yield
    finally:
        _ENABLED = old


def is_tracing() -> bool:
    """True under torch.jit tracing/scripting, export, ONNX export or compile.

    Model code uses it to pick plain, traceable ops and to skip
    data-dependent input checks.
    """
    if torch.jit.is_scripting() or torch.jit.is_tracing():
        return True
    compiler = getattr(torch, 'compiler', None)
    if compiler is not None:
        if compiler.is_compiling():
            return True
        is_exporting = getattr(compiler, 'is_exporting', None)
        if is_exporting is not None and is_exporting():
            return True
    onnx = getattr(torch, 'onnx', None)
    return bool(onnx is not None and onnx.is_in_onnx_export())


def cpu_inference(x: torch.Tensor) -> bool:
    """Whether ``x`` is in a CPU inference pass: a CPU tensor, gradients
    off, no tracing / compilation / export. The CPU inference paths
    (clip by clip, concurrent streams, chunked MLP) apply only there."""
    return (x.device.type == 'cpu' and not torch.is_grad_enabled()
            and not is_tracing())


def use_onednn(*tensors: Optional[torch.Tensor]) -> bool:
    """Whether the oneDNN path applies to these tensors.

    Args:
        *tensors (Tensor, optional): Operands (``None`` entries ignored).

    Returns:
        bool: True for float32 CPU tensors with the fused ops enabled and no
        tracing / compilation / export in progress.
    """
    if not fused_ops_enabled() or is_tracing():
        return False
    for t in tensors:
        if t is not None and (t.device.type != 'cpu'
                              or t.dtype != torch.float32):
            return False
    return True


def _onednn_linear(x2d: torch.Tensor, weight: torch.Tensor,
                   bias: Optional[torch.Tensor], act: Optional[str],
                   residual: Optional[torch.Tensor]) -> torch.Tensor:
    """``act(x2d @ weight.T + bias) (+ residual)`` in one oneDNN call."""
    if residual is not None:
        # post-op order: bias, then the binary add (act must be None)
        return torch.ops.mkldnn._linear_pointwise.binary(
            x2d, residual, weight, bias, 'add')
    return torch.ops.mkldnn._linear_pointwise(x2d, weight, bias,
                                              act or 'none', [],
                                              'none' if act else '')


class _OneDNNLinear(torch.autograd.Function):
    """``x @ W.T + b (+ residual)`` with a oneDNN forward.

    Saves only ``x`` and ``W`` (like ``F.linear``); the residual is not
    saved (its gradient is the output gradient). The input gradient also
    runs on oneDNN, the weight gradient on ``torch.mm``.
    """

    @staticmethod
    def forward(ctx, x2d, weight, bias, residual):
        ctx.save_for_backward(x2d, weight)
        ctx.has_bias = bias is not None
        ctx.has_residual = residual is not None
        return _onednn_linear(x2d, weight, bias, None, residual)

    @staticmethod
    def backward(ctx, grad):
        x2d, weight = ctx.saved_tensors
        grad_x = grad_w = grad_b = grad_r = None
        if ctx.needs_input_grad[0]:
            # grad @ W as a oneDNN linear with weight W.T (faster than MKL
            # here; the weight copy is small)
            grad_x = torch.ops.mkldnn._linear_pointwise(
                grad.contiguous(), weight.t().contiguous(), None, 'none', [],
                '')
        if ctx.needs_input_grad[1]:
            grad_w = grad.t().mm(x2d)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad.sum(0)
        if ctx.has_residual and ctx.needs_input_grad[3]:
            grad_r = grad
        return grad_x, grad_w, grad_b, grad_r


def plain_inplace_ok(*tensors: Optional[torch.Tensor]) -> bool:
    """Whether the plain path may run in place and write into ``out=``
    (:func:`_plain_linear_nograd`): one dtype, no autocast on the tensors'
    device, and no tracing (whose graphs keep plain ops).

    Args:
        *tensors (Tensor, optional): Operands, the input first (``None``
            entries ignored).

    Returns:
        bool: True when the in-place plain ops apply.
    """
    x = tensors[0]
    if is_tracing() or torch.is_autocast_enabled(x.device.type):
        return False
    return all(t is None or t.dtype == x.dtype for t in tensors)


def _plain_linear_nograd(x: torch.Tensor, weight: torch.Tensor,
                         bias: Optional[torch.Tensor], act: Optional[str],
                         residual: Optional[torch.Tensor],
                         out: Optional[torch.Tensor]) -> torch.Tensor:
    """:func:`fused_linear` in plain PyTorch ops, without autograd.

    Fewer passes over memory than ``F.linear`` + ``F.gelu`` + add: the GELU
    runs in place, and the residual and bias are summed first so that the
    GEMM accumulates onto them (``beta=1``) instead of adding the residual
    afterwards.

    Returns:
        Tensor: 2-D (tokens, out_features).
    """
    x2d = x.reshape(-1, x.shape[-1])
    rows, width = x2d.shape[0], weight.shape[0]
    if out is None:
        out = x2d.new_empty(rows, width)
    else:
        out = out.view(rows, width)
    if residual is not None:
        res2d = residual.reshape(rows, width)
        if bias is None:
            out.copy_(res2d)
        else:
            torch.add(res2d, bias, out=out)
        return out.addmm_(x2d, weight.t())
    if bias is None:
        torch.mm(x2d, weight.t(), out=out)
    else:
        torch.addmm(bias, x2d, weight.t(), out=out)
    if act == 'gelu':
        torch.ops.aten.gelu_(out)
    return out


def fused_linear(x: torch.Tensor,
                 weight: torch.Tensor,
                 bias: Optional[torch.Tensor] = None,
                 act: Optional[str] = None,
                 residual: Optional[torch.Tensor] = None,
                 out: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``act(x @ weight.T + bias) + residual`` on the last dimension.

    Equal to ``F.linear`` followed by ``F.gelu`` (exact erf GELU) and/or an
    addition, up to float32 rounding.

    Args:
        x (Tensor): (..., in_features).
        weight (Tensor): (out_features, in_features).
        bias (Tensor, optional): (out_features,).
        act (str, optional): None or ``'gelu'``.
        residual (Tensor, optional): Added to the output; same shape as the
            output. Cannot be combined with ``act``.
        out (Tensor, optional): Contiguous tensor with the output's number
            of elements to write the result into (only without gradients).

    Returns:
        Tensor: (..., out_features), ``out`` reshaped when given.
    """
    if act not in _ACTIVATIONS:
        raise ValueError(f'act must be one of {_ACTIVATIONS}, got {act!r}')
    if act is not None and residual is not None:
        raise ValueError('fused_linear: act and residual cannot be combined')
    lead = x.shape[:-1]
    grad = torch.is_grad_enabled() and any(
        t is not None and t.requires_grad
        for t in (x, weight, bias, residual))
    if out is not None and grad:
        raise ValueError('fused_linear: out= is only supported without '
                         'gradients')
    if not use_onednn(x, weight, bias, residual):
        if not grad and plain_inplace_ok(x, weight, bias, residual):
            return _plain_linear_nograd(x, weight, bias, act, residual,
                                        out).view(*lead, weight.shape[0])
        y = F.linear(x, weight, bias)
        if act == 'gelu':
            y = F.gelu(y)
        if residual is not None:
            y = y + residual
        return y if out is None else out.view_as(y).copy_(y)
    x2d = x.reshape(-1, x.shape[-1]).contiguous()
    res2d = None if residual is None else residual.reshape(
        -1, weight.shape[0]).contiguous()
    if not grad:
        y = _onednn_linear(x2d, weight, bias, act, res2d)
        if out is None:
            out = y
        else:
            out.view_as(y).copy_(y)
    elif act == 'gelu':
        # keep the pre-activation for GELU's backward
        out = F.gelu(_OneDNNLinear.apply(x2d, weight, bias, None))
    else:
        out = _OneDNNLinear.apply(x2d, weight, bias, res2d)
    return out.view(*lead, weight.shape[0])
