# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Export a 2D-to-3D lifter to ONNX and check it with ONNX Runtime.

The exported graph is the lifter's raw output, like the official
``model_pos(x)``: input ``keypoints`` (B, T, 17, 3) normalised ``[x, y,
conf]`` with dynamic batch B and dynamic clip length 1 <= T <= maxlen,
output ``pose3d`` (B, T, 17, 3). Flip test and the root-relative zeroing
of ``predict`` are left to the caller (they are cheap array operations).

Unless ``--no-check``, ONNX Runtime runs the file on clips of T = maxlen and
a shorter T, batch 1 and 2, and the script exits with status 1 if any
output differs from PyTorch's by more than ``--atol`` (default 1e-4).
``--quantize int8`` also writes ONNX Runtime's dynamic int8 quantization of
the model (``*.int8.onnx``) and reports its deviation (not checked against
the tolerance).

Needs ``pip install -r requirements/deploy.txt`` (onnx, onnxscript for
PyTorch's exporter, onnxruntime).

Examples::

    python tools/deployment/export_onnx.py --config CFG.py \\
        --checkpoint best.pth --out lifter.onnx
    python tools/deployment/export_onnx.py --checkpoint best_epoch.bin \\
        --official --out lifter.onnx --quantize int8
    python tools/deployment/export_onnx.py --arch lite --out lite.onnx
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
import warnings
from typing import Dict, Optional, Sequence

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

#: Random-weight architectures (for testing the export itself).
ARCHS = dict(
    tiny=dict(dim_feat=32, dim_rep=64, depth=2, num_heads=4, mlp_ratio=2,
              maxlen=27),
    lite=dict(dim_feat=256, dim_rep=512, depth=5, num_heads=8, mlp_ratio=4,
              maxlen=243),
    full=dict(dim_feat=512, dim_rep=512, depth=5, num_heads=8, mlp_ratio=2,
              maxlen=243))


class LifterGraph(nn.Module):
    """The raw ``(B, T, 17, 3) -> (B, T, 17, 3)`` forward of a lifter.

    Args:
        lifter (nn.Module): ``MBPoseLifter`` (anything with ``backbone`` and
            ``head``), or a module mapping keypoints to 3D directly.
    """

    def __init__(self, lifter: nn.Module) -> None:
        super().__init__()
        self.lifter = lifter

    def forward(self, keypoints: torch.Tensor) -> torch.Tensor:
        """Raw 3D output."""
        lifter = self.lifter
        if hasattr(lifter, 'backbone') and hasattr(lifter, 'head'):
            return lifter.head(lifter.backbone(keypoints))
        return lifter(keypoints)


def model_maxlen(model: nn.Module) -> int:
    """The ``maxlen`` of the model's DSTformer."""
    for module in model.modules():
        maxlen = getattr(module, 'maxlen', None)
        if isinstance(maxlen, int) and maxlen > 0:
            return maxlen
    raise ValueError('the model has no module with a maxlen attribute')


def build_random_lifter(arch: str, seed: int = 0) -> nn.Module:
    """An ``MBPoseLifter`` with random (perturbed) weights of an arch."""
    import mmmotionbert  # noqa: F401
    from mmmotionbert.registry import MODELS
    torch.manual_seed(seed)
    cfg = ARCHS[arch]
    model = MODELS.build(
        dict(
            type='MBPoseLifter',
            backbone=dict(type='MBDSTformer', **cfg),
            head=dict(type='MBPoseHead', dim_rep=cfg['dim_rep'])))
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    return model.eval()


def load_lifter(config: Optional[str], checkpoint: Optional[str],
                official: bool, arch: Optional[str]) -> nn.Module:
    """Build the lifter to export from the command-line choices."""
    if arch:
        return build_random_lifter(arch)
    if checkpoint is None:
        raise ValueError('give --checkpoint (with --config or --official) '
                         'or --arch')
    if official:
        from mmmotionbert.apis import load_official_model
        return load_official_model(checkpoint).eval()
    import mmmotionbert  # noqa: F401
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint

    from mmmotionbert.registry import MODELS
    if config is None:
        from mmmotionbert.utils.official import load_checkpoint_dict
        meta_cfg = (load_checkpoint_dict(checkpoint).get('meta')
                    or {}).get('cfg')
        if not meta_cfg:
            raise ValueError(f'{checkpoint} does not embed its config; pass '
                             '--config')
        cfg = Config.fromstring(meta_cfg, '.py')
    else:
        cfg = Config.fromfile(config)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.eval()


def export_onnx(model: nn.Module,
                out_file: str,
                maxlen: Optional[int] = None,
                opset: Optional[int] = None) -> str:
    """Export ``LifterGraph(model)`` with dynamic batch and clip length.

    Args:
        model (nn.Module): The lifter (eval mode is set).
        out_file (str): Output ``.onnx`` path.
        maxlen (int, optional): Largest T. Defaults to the model's.
        opset (int, optional): ONNX opset. Defaults to the exporter's.

    Returns:
        str: ``out_file``.
    """
    from mmmotionbert.models.layers.fused_ops import fused_ops_disabled
    maxlen = int(maxlen or model_maxlen(model))
    graph = LifterGraph(model.eval()).eval()
    example = torch.randn(2, maxlen, 17, 3)
    batch = torch.export.Dim('batch', min=1, max=1024)
    frames = torch.export.Dim('frames', min=1, max=maxlen)
    kwargs = dict(
        input_names=['keypoints'],
        output_names=['pose3d'],
        dynamo=True,
        dynamic_shapes={'keypoints': {
            0: batch,
            1: frames
        }},
        external_data=False)
    if opset:
        kwargs['opset_version'] = opset
    os.makedirs(osp.dirname(osp.abspath(out_file)) or '.', exist_ok=True)
    with fused_ops_disabled(), torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.onnx.export(graph, (example, ), out_file, **kwargs)
    return out_file


def quantize_int8(onnx_file: str, out_file: Optional[str] = None) -> str:
    """ONNX Runtime dynamic int8 quantization (weights int8, per tensor).

    Args:
        onnx_file (str): float32 model.
        out_file (str, optional): Defaults to ``*.int8.onnx``.

    Returns:
        str: Path of the quantized model.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic
    out_file = out_file or osp.splitext(onnx_file)[0] + '.int8.onnx'
    quantize_dynamic(onnx_file, out_file, weight_type=QuantType.QInt8)
    return out_file


def ort_session(onnx_file: str, threads: Optional[int] = None):
    """An ONNX Runtime CPU session with all graph optimizations."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
    return ort.InferenceSession(
        onnx_file, opts, providers=['CPUExecutionProvider'])


def check_onnx(model: nn.Module,
               onnx_file: str,
               lengths: Sequence[int],
               batches: Sequence[int] = (1, 2),
               seed: int = 0) -> Dict[str, float]:
    """Max abs difference between ONNX Runtime and PyTorch outputs.

    Args:
        model (nn.Module): The lifter.
        onnx_file (str): Exported file.
        lengths (Sequence[int]): Clip lengths T to try.
        batches (Sequence[int]): Batch sizes to try.
        seed (int): Input seed.

    Returns:
        dict: ``'B=b,T=t'`` -> max abs difference.
    """
    session = ort_session(onnx_file)
    graph = LifterGraph(model.eval()).eval()
    gen = torch.Generator().manual_seed(seed)
    diffs = {}
    for b in batches:
        for t in lengths:
            x = torch.randn(b, t, 17, 3, generator=gen) * 0.4
            x[..., 2] = torch.rand(b, t, 17, generator=gen)
            with torch.no_grad():
                ref = graph(x).numpy()
            out = session.run(None, {'keypoints': x.numpy()})[0]
            diffs[f'B={b},T={t}'] = float(np.abs(out - ref).max())
    return diffs


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--config', help='mmengine config of the lifter')
    p.add_argument('--checkpoint', help='mmengine or official checkpoint')
    p.add_argument('--official', action='store_true',
                   help='--checkpoint is an official MotionBERT *.bin')
    p.add_argument('--arch', choices=sorted(ARCHS),
                   help='random weights of this architecture instead')
    p.add_argument('--out', required=True, help='output .onnx file')
    p.add_argument('--maxlen', type=int,
                   help='largest clip length (default: the model\'s)')
    p.add_argument('--opset', type=int)
    p.add_argument('--quantize', choices=['int8'],
                   help='also write an ONNX Runtime int8 model')
    p.add_argument('--atol', type=float, default=1e-4)
    p.add_argument('--no-check', action='store_true')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    model = load_lifter(args.config, args.checkpoint, args.official,
                        args.arch)
    maxlen = int(args.maxlen or model_maxlen(model))
    t0 = time.time()
    export_onnx(model, args.out, maxlen, args.opset)
    report = dict(onnx=args.out, maxlen=maxlen,
                  export_s=round(time.time() - t0, 1))
    status = 0
    lengths = sorted({maxlen, max(1, maxlen // 3)})
    if not args.no_check:
        diffs = check_onnx(model, args.out, lengths)
        report['max_abs_diff'] = diffs
        report['atol'] = args.atol
        report['ok'] = max(diffs.values()) <= args.atol
        status = 0 if report['ok'] else 1
    if args.quantize == 'int8':
        qfile = quantize_int8(args.out)
        report['int8_onnx'] = qfile
        report['int8_max_abs_diff'] = check_onnx(model, qfile, lengths)
    print(json.dumps(report, indent=1))
    return status


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    sys.exit(run_cli(main))
