# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Opt-in faster DSTformer inference: int8 or bf16 GEMMs, prepared weights.

:func:`optimize_for_inference` turns a trained :class:`MBDSTformer` (or a
model holding one as ``.backbone``, e.g. :class:`MBPoseLifter`) into an
inference-only copy whose linear layers run from weights prepared once:

* ``'int8'``: dynamic quantization -- weights int8 per output channel,
  activations quantized per tensor on the fly -- with PyTorch's fbgemm
  kernels (``torch.ops.quantized.linear_dynamic``: quantization, int8 GEMM,
  dequantization and bias in one call). CPU only. Fastest; its deviation
  from float32 is reported in ``docs/benchmarks.md``.
* ``'bf16'``: bfloat16 GEMM inputs with float32 accumulation (oneDNN on
  CPUs where its bf16 kernels exist, plain PyTorch on other CPUs such as
  AVX2-only ones, cuBLAS on CUDA); the residual stream, LayerNorms and
  softmax statistics stay float32. More accurate than int8, and only faster
  where the hardware has bf16 dot products (:func:`bf16_fast_on_cpu`).
* ``'fp32'``: the float32 model with the prepared-weight forward (equal to
  the original within float32 rounding).

The first LayerNorm of both streams of each layer is shared and folded into
the qkv weights, as :meth:`MBDSTformer.first_qkv_weights` does, and on CPU
the two streams of a layer run concurrently (:func:`run_streams`), as in the
backbone. Everything except the linear layers (embeddings, LayerNorms,
attention, stream fusion, head) is computed as in the float32 model.

Example::

    from mmmotionbert.apis.fast_inference import optimize_for_inference
    fast = optimize_for_inference(lifter, precision='int8')
    with torch.no_grad():
        out = fast(x)             # same interface as ``lifter``

ONNX Runtime is the other deployment route: ``tools/deployment/
export_onnx.py`` exports the lifter and can quantize the ONNX model.

May import: torch and :mod:`mmmotionbert.models` (the DSTformer backbone and
its layers); as part of ``apis``, every layer.
"""
import copy
import functools
import os
import warnings
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from mmmotionbert.models.backbones.dstformer import MBDSTformer
from mmmotionbert.models.layers.attention import motion_attention
from mmmotionbert.models.layers.concurrent_streams import run_streams
from mmmotionbert.models.layers.dstformer_block import SUB_BLOCK_MODES
from mmmotionbert.models.layers.fused_ops import (fused_linear,
                                                  fused_ops_enabled)
from mmmotionbert.models.layers.kernel_choice import cpu_flags
from mmmotionbert.models.layers.per_clip import per_clip

PRECISIONS = ('fp32', 'bf16', 'int8')

__all__ = [
    'PRECISIONS', 'FastDSTformer', 'optimize_for_inference',
    'cpu_has_vnni', 'int8_available', 'bf16_fast_on_cpu',
    'onednn_bf16_supported'
]


def cpu_has_vnni() -> bool:
    """Whether the CPU has int8 dot-product instructions (VNNI/AMX)."""
    return bool(cpu_flags() & {'avx512_vnni', 'avx_vnni', 'amx_int8'})


@functools.lru_cache(maxsize=None)
def onednn_bf16_supported() -> bool:
    """Whether oneDNN can run a bfloat16 linear layer on this CPU.

    Probed once with a tiny ``torch.ops.mkldnn._linear_pointwise`` call, so
    it follows what oneDNN itself allows: it is False on AVX2-only CPUs (no
    bf16 inner-product kernels) and under ``ONEDNN_MAX_CPU_ISA=AVX2``, which
    the CPU flags alone do not show.

    Returns:
        bool: True if the bf16 oneDNN linear ran.
    """
    if not (torch.backends.mkldnn.is_available()
            and hasattr(torch.ops.mkldnn, '_linear_pointwise')):
        return False
    x = torch.ones(2, 8, dtype=torch.bfloat16)
    w = torch.ones(4, 8, dtype=torch.bfloat16)
    try:
        y = torch.ops.mkldnn._linear_pointwise(x, w, None, 'none', [], '')
    except RuntimeError:  # "could not create a primitive descriptor ..."
        return False
    return bool(torch.all(y.float() == 8.0))


def bf16_fast_on_cpu() -> bool:
    """Whether bf16 GEMMs run natively here: bf16 dot-product instructions
    (AVX512-BF16/AMX) that oneDNN is allowed to use."""
    return (bool(cpu_flags() & {'avx512_bf16', 'amx_bf16'})
            and onednn_bf16_supported())


def int8_available() -> bool:
    """Whether PyTorch's fbgemm dynamic int8 linear kernels exist here."""
    return (hasattr(torch.ops, 'quantized')
            and hasattr(torch.ops.quantized, 'linear_dynamic')
            and 'fbgemm' in torch.backends.quantized.supported_engines)


class _PreparedLinear:
    """One linear layer with weights prepared for a precision.

    Args:
        weight (Tensor): (out, in) float32.
        bias (Tensor, optional): (out,) float32.
        precision (str): One of :data:`PRECISIONS`.
        reduce_range (bool): int8 only: quantize activations to 7 bits, which
            avoids int16 overflow in fbgemm's kernels on CPUs without VNNI.
    """

    def __init__(self, weight: torch.Tensor, bias: Optional[torch.Tensor],
                 precision: str, reduce_range: bool) -> None:
        weight = weight.detach().float().contiguous()
        bias = None if bias is None else bias.detach().float().contiguous()
        self.precision = precision
        self.out_features = weight.shape[0]
        self.reduce_range = reduce_range
        if precision == 'int8':
            scale = weight.abs().amax(dim=1).clamp_min(1e-12) / 127.0
            with warnings.catch_warnings():
                # quantized tensors are deprecated in favour of torchao;
                # the fbgemm kernels used here still ship with PyTorch
                warnings.simplefilter('ignore', UserWarning)
                qweight = torch.quantize_per_channel(
                    weight, scale.double(),
                    torch.zeros(len(scale), dtype=torch.long), 0,
                    torch.qint8)
                self.packed = torch.ops.quantized.linear_prepack(
                    qweight, bias)
        elif precision == 'bf16':
            self.weight = weight.to(torch.bfloat16)
            self.bias = None if bias is None else bias.to(torch.bfloat16)
        else:
            self.weight, self.bias = weight, bias

    def __call__(self,
                 x: torch.Tensor,
                 act: Optional[str] = None,
                 residual: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``act(x @ W.T + b) + residual`` on the last dimension.

        Args:
            x (Tensor): (..., in) float32 (or bfloat16 for ``'bf16'``).
            act (str, optional): None or ``'gelu'``.
            residual (Tensor, optional): float32, added in float32.

        Returns:
            Tensor: (..., out); float32, except bfloat16 from the ``'bf16'``
            precision when there is no residual.
        """
        if self.precision == 'fp32':
            return fused_linear(x, self.weight, self.bias, act, residual)
        lead = x.shape[:-1]
        x2d = x.reshape(-1, x.shape[-1])
        if self.precision == 'int8':
            y = torch.ops.quantized.linear_dynamic(
                x2d.float().contiguous(), self.packed, self.reduce_range)
            if act == 'gelu':
                y = torch.ops.aten.gelu_(y)
        else:
            y = _bf16_linear(
                x2d.to(torch.bfloat16), self.weight, self.bias, act)
        y = y.view(*lead, self.out_features)
        if residual is not None:
            y = residual + y
        return y


def _bf16_linear(xb: torch.Tensor, weight: torch.Tensor,
                 bias: Optional[torch.Tensor],
                 act: Optional[str]) -> torch.Tensor:
    """bf16 linear (+ GELU): oneDNN on CPUs that have its bf16 kernels,
    plain PyTorch on other CPUs, cuBLAS on CUDA."""
    if (xb.device.type == 'cpu' and fused_ops_enabled()
            and onednn_bf16_supported()):
        return torch.ops.mkldnn._linear_pointwise(
            xb, weight, bias, act or 'none', [], 'none' if act else '')
    y = F.linear(xb, weight, bias)
    return F.gelu(y) if act == 'gelu' else y


class _Norm:
    """LayerNorm parameters (float32) applied with ``F.layer_norm``."""

    def __init__(self, norm: nn.LayerNorm) -> None:
        self.weight = norm.weight.detach().float()
        self.bias = norm.bias.detach().float()
        self.eps = norm.eps

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias,
                            self.eps)


class FastDSTformer(nn.Module):
    """Inference-only DSTformer with prepared linear layers.

    Built by :func:`optimize_for_inference`; maps (B, T, J, 3) to the same
    representation as the source :class:`MBDSTformer` (within the chosen
    precision). Holds no parameters or buffers: its prepared weights stay
    on the device the backbone was on when it was built (build it there);
    ``forward`` runs without autograd.

    Args:
        backbone (MBDSTformer): Trained backbone (weights are copied).
        precision (str): ``'int8'``, ``'bf16'`` or ``'fp32'``.
        reduce_range (bool, optional): int8 activations on 7 bits. Defaults
            to True on CPUs without VNNI (needed there), else False.
    """

    def __init__(self,
                 backbone: MBDSTformer,
                 precision: str = 'int8',
                 reduce_range: Optional[bool] = None) -> None:
        super().__init__()
        if precision not in PRECISIONS:
            raise ValueError(f'precision must be one of {PRECISIONS}, got '
                             f'{precision!r}')
        if not isinstance(backbone, MBDSTformer):
            raise TypeError(f'expected an MBDSTformer, got '
                            f'{type(backbone).__name__}')
        device = backbone.pos_embed.device
        if precision == 'int8' and (device.type != 'cpu'
                                    or not int8_available()):
            raise RuntimeError('int8 inference runs on CPU with PyTorch\'s '
                               'fbgemm kernels (x86 builds); use '
                               "precision='bf16' on GPUs")
        if reduce_range is None:
            reduce_range = not cpu_has_vnni()
        self.precision = precision
        self.reduce_range = bool(reduce_range)
        # attributes read by MBDSTformer.check_input and by callers
        for name in ('dim_in', 'dim_feat', 'dim_rep', 'num_joints', 'maxlen',
                     'att_fuse'):
            setattr(self, name, getattr(backbone, name))
        blk0 = backbone.blocks_st[0]
        self.num_heads = blk0.attn_s.num_heads
        self.scale = blk0.attn_s.scale
        lin = functools.partial(
            _PreparedLinear, precision=precision, reduce_range=reduce_range)
        # plain tensors on the backbone's device (not buffers: the prepared
        # weights cannot follow ``.to()`` either, so build on the target)
        self.embed_weight = backbone.joints_embed.weight.detach().clone()
        self.embed_bias = backbone.joints_embed.bias.detach().clone()
        self.pos_embed = backbone.pos_embed.detach().clone()
        self.temp_embed = backbone.temp_embed.detach().clone()
        self.layers = []
        for idx, (bst, bts) in enumerate(
                zip(backbone.blocks_st, backbone.blocks_ts)):
            with torch.no_grad():
                (w_st, b_st), (w_ts, b_ts) = backbone.first_qkv_weights(idx)
            layer = dict(
                st_first_qkv=lin(w_st, b_st),
                ts_first_qkv=lin(w_ts, b_ts),
                first_eps=bst.norm1_s.eps,
                st=_prepare_block(bst, lin),
                ts=_prepare_block(bts, lin))
            if backbone.att_fuse:
                fuse = backbone.ts_attn[idx]
                dw = (fuse.weight[0] - fuse.weight[1]).detach().float()
                db = (fuse.bias[0] - fuse.bias[1]).detach()
                layer['fuse'] = (dw[:self.dim_feat].clone(),
                                 dw[self.dim_feat:].clone(), float(db))
            self.layers.append(layer)
        self.norm = _Norm(backbone.norm)
        self.pre_logits = copy.deepcopy(backbone.pre_logits)
        if isinstance(self.pre_logits, nn.Sequential):
            fc = self.pre_logits.fc
            self.pre_fc = lin(fc.weight, fc.bias)
        else:
            self.pre_fc = None
        self.requires_grad_(False)

    check_input = MBDSTformer.check_input

    def _attn(self, x: torch.Tensor, qkv: Optional[torch.Tensor], p: dict,
              mode: str, seqlen: int) -> torch.Tensor:
        """``x + proj(attention(qkv(norm1(x))))`` of one sub-block."""
        if qkv is None:
            qkv = p[mode + '_qkv'](p[mode + '_norm1'](x))
        out = motion_attention(qkv, mode, self.num_heads, seqlen, self.scale)
        return p[mode + '_proj'](out, residual=x.view(out.shape[0], -1)).view(
            x.shape)

    def _mlp(self, x: torch.Tensor, p: dict, mode: str) -> torch.Tensor:
        """``x + fc2(gelu(fc1(norm2(x))))`` of one sub-block."""
        hidden = p[mode + '_fc1'](p[mode + '_norm2'](x), act='gelu')
        return p[mode + '_fc2'](hidden, residual=x)

    def _stream(self, x: torch.Tensor, x_hat: torch.Tensor, layer: dict,
                name: str, seqlen: int) -> torch.Tensor:
        """Stream ``name`` (``'st'`` or ``'ts'``) of one layer, from the
        tokens ``x`` and their shared first normalisation ``x_hat``."""
        first, second = SUB_BLOCK_MODES[name]
        p = layer[name]
        qkv = layer[name + '_first_qkv'](x_hat)
        x = self._mlp(self._attn(x, qkv, p, first, seqlen), p, first)
        return self._mlp(self._attn(x, None, p, second, seqlen), p, second)

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, J, 3) -> (B, T, J, dim_rep) representation (float32)."""
        self.check_input(x)
        return per_clip(self._forward_clips, x)

    def _forward_clips(self, x: torch.Tensor) -> torch.Tensor:
        """:meth:`forward` on checked input, all clips of ``x`` together."""
        b, t, j, _ = x.shape
        c = self.dim_feat
        x = F.linear(x.float(), self.embed_weight, self.embed_bias)
        x = (x + self.pos_embed + self.temp_embed[:, :t]).reshape(b * t, j, c)
        for layer in self.layers:
            x_hat = F.layer_norm(x, (c, ), eps=layer['first_eps'])
            x_st, x_ts = run_streams(
                x,
                functools.partial(self._stream, x, x_hat, layer, 'st', t),
                functools.partial(self._stream, x, x_hat, layer, 'ts', t))
            if 'fuse' in layer:
                w_st, w_ts, bias = layer['fuse']
                logit = x_st @ w_st + x_ts @ w_ts + bias
                x = torch.lerp(x_ts, x_st, torch.sigmoid(logit).unsqueeze(-1))
            else:
                x = (x_st + x_ts) * 0.5
        x = self.norm(x).reshape(b, t, j, c)
        if self.pre_fc is None:
            return self.pre_logits(x)
        return torch.tanh(self.pre_fc(x).float())


def _prepare_block(blk, lin) -> dict:
    """Prepared linears and norms of one stream block."""
    out = {}
    for mode, sfx in (('spatial', 's'), ('temporal', 't')):
        attn = getattr(blk, 'attn_' + sfx)
        mlp = getattr(blk, 'mlp_' + sfx)
        out[mode + '_norm1'] = _Norm(getattr(blk, 'norm1_' + sfx))
        out[mode + '_norm2'] = _Norm(getattr(blk, 'norm2_' + sfx))
        out[mode + '_qkv'] = lin(attn.qkv.weight, attn.qkv.bias)
        out[mode + '_proj'] = lin(attn.proj.weight, attn.proj.bias)
        out[mode + '_fc1'] = lin(mlp.fc1.weight, mlp.fc1.bias)
        out[mode + '_fc2'] = lin(mlp.fc2.weight, mlp.fc2.bias)
    return out


def optimize_for_inference(model: nn.Module,
                           precision: str = 'int8',
                           reduce_range: Optional[bool] = None,
                           num_threads: Optional[int] = None) -> nn.Module:
    """Inference-only copy of a DSTformer model with prepared GEMMs.

    Args:
        model (nn.Module): An :class:`MBDSTformer`, or any model whose
            ``backbone`` attribute is one (``MBPoseLifter``, action and mesh
            models); it is not modified.
        precision (str): ``'int8'`` (default; CPU), ``'bf16'`` or
            ``'fp32'``.
        reduce_range (bool, optional): See :class:`FastDSTformer`.
        num_threads (int, optional): Call ``torch.set_num_threads`` with
            it. Defaults to leaving the setting alone (or
            ``$MMMOTIONBERT_NUM_THREADS``).

    Returns:
        nn.Module: The fast model in eval mode: a :class:`FastDSTformer`, or
        a deep copy of ``model`` whose backbone is one.
    """
    if num_threads is None and os.environ.get('MMMOTIONBERT_NUM_THREADS'):
        num_threads = int(os.environ['MMMOTIONBERT_NUM_THREADS'])
    if num_threads:
        torch.set_num_threads(int(num_threads))
    if isinstance(model, MBDSTformer):
        return FastDSTformer(model, precision, reduce_range).eval()
    backbone = getattr(model, 'backbone', None)
    if not isinstance(backbone, MBDSTformer):
        raise TypeError('optimize_for_inference expects an MBDSTformer or a '
                        'model with an MBDSTformer .backbone, got '
                        f'{type(model).__name__}')
    fast = FastDSTformer(backbone, precision, reduce_range)
    model.backbone = None
    try:
        out = copy.deepcopy(model)
    finally:
        model.backbone = backbone
    out.backbone = fast
    return out.eval()
