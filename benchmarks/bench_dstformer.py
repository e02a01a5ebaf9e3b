# Copyright (c) mmmotionbert contributors. All rights reserved.
"""DSTformer speed and memory: ours against mmpose's ``DSTFormer``.

Everything is measured in one run, candidates interleaved round by round
(see :mod:`benchmarks._common`), with the same weights loaded into both
models (their outputs are checked to be equal before timing):

* forward throughput (frames/s) at T=243 for the full (dim 512, MLP ratio 2)
  and lite (dim 256, MLP ratio 4) configs, B=1 and B=8, float32, plus our
  opt-in fast inference paths (``int8``; ``bf16`` where the CPU has bf16
  dot products), with their deviation from float32;
* the machine's matmul ceiling: the model's linear-layer GEMMs alone
  (``torch.mm``, i.e. MKL, and oneDNN) timed in the same rounds, and the
  fp32 GEMM throughput in GFLOP/s;
* a training step (forward + backward + AdamW, MPJPE loss on a linear 3D
  head) for mmpose, ours, and ours with ``with_cp=True``;
* peak memory (RSS; on CUDA the allocator's peak) of such training steps,
  each variant in a fresh child process of this run.

With ``--device cuda`` the same comparisons run on the GPU, plus bf16
autocast of both models (the int8 path is CPU-only). The code is
device-agnostic but has only been run on CPU so far.

With ``--official-repo DIR`` (a clone of the official MotionBERT repository;
never vendored or downloaded by us) the official ``DSTformer`` runs in the
same rounds with the same weights, and "vs official" is measured. Without
it, that column is derived from mmpose's port being about 1.1x the official
code (issue #8) and marked ``*``.

Examples::

    python benchmarks/bench_dstformer.py                  # everything
    python benchmarks/bench_dstformer.py --quick          # smaller, faster
    python benchmarks/bench_dstformer.py --threads 1 --skip-train
    python benchmarks/bench_dstformer.py --official-repo ~/MotionBERT
    MMMOTIONBERT_KERNELS=plain python benchmarks/bench_dstformer.py
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
import time
import warnings
from typing import Dict, List

import torch
from torch import nn

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import (ROOT, environment, fmt_ratio, gemm_gflops,  # noqa: E402
                     interleaved, median, print_environment, ratio)
from mmpose_reference import build_mmpose_twin  # noqa: E402
from official_reference import build_official_twin  # noqa: E402

CONFIGS = dict(
    full=dict(dim_feat=512, dim_rep=512, depth=5, num_heads=8, mlp_ratio=2),
    lite=dict(dim_feat=256, dim_rep=512, depth=5, num_heads=8, mlp_ratio=4))
#: mmpose's port vs the official code, forward (issue #8, measured there)
MMPOSE_VS_OFFICIAL = 1.1
#: the official lite model, batch 4, T=243, per training step (issue #8)
OFFICIAL_LITE_B4 = dict(step_s=15.9, peak_rss_gb=11.7)
NUM_JOINTS = 17
#: where models and data live (``--device``)
DEVICE = torch.device('cpu')


def _sync() -> None:
    """Wait for the device (no-op on CPU)."""
    if DEVICE.type == 'cuda':
        torch.cuda.synchronize(DEVICE)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--configs', nargs='+', default=['full', 'lite'],
                   choices=sorted(CONFIGS))
    p.add_argument('--batch-sizes', nargs='+', type=int, default=[1, 8])
    p.add_argument('--seqlen', type=int, default=243)
    p.add_argument('--repeats', type=int, default=3,
                   help='timed rounds per comparison')
    p.add_argument('--threads', type=int,
                   help='torch threads (default: torch\'s default)')
    p.add_argument('--device', default='cpu', help='cpu or cuda[:N]')
    p.add_argument('--fast', nargs='*', default=None,
                   help='fast precisions to time (default: int8, and bf16 '
                   'when the CPU has bf16 dot products)')
    p.add_argument('--onnx', action='store_true',
                   help='also time ONNX Runtime (float32 and its dynamic '
                   'int8 quantization) on the exported backbone')
    p.add_argument('--train-config', default='lite', choices=sorted(CONFIGS))
    p.add_argument('--train-batch', type=int, default=4)
    p.add_argument('--skip-forward', action='store_true')
    p.add_argument('--skip-train', action='store_true')
    p.add_argument('--skip-memory', action='store_true')
    p.add_argument('--quick', action='store_true',
                   help='B=1 only, 2 rounds, train batch 1')
    p.add_argument('--candidates', nargs='+',
                   help='forward: time only these candidates (mmpose and '
                   'ours always), for more rounds of a few, e.g. official '
                   'ours_serial_streams')
    p.add_argument('--json', help='also write the results to this file')
    p.add_argument('--official-repo',
                   help='a clone of the official MotionBERT repository: '
                   'time its DSTformer with the same weights')
    p.add_argument('--memory-child', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.batch_sizes, args.repeats, args.train_batch = [1], 2, 1
    if args.official_repo and not osp.isfile(
            osp.join(osp.expanduser(args.official_repo), 'lib', 'model',
                     'DSTformer.py')):
        p.error(f'--official-repo {args.official_repo}: no '
                'lib/model/DSTformer.py; give the root of a clone of '
                'https://github.com/Walter0807/MotionBERT')
    return args


def build_models(cfg: Dict, seqlen: int, seed: int = 0):
    """Our backbone with perturbed random weights and its mmpose twin."""
    from mmmotionbert.models.backbones.dstformer import MBDSTformer
    torch.manual_seed(seed)
    ours = MBDSTformer(maxlen=seqlen, **cfg)
    with torch.no_grad():
        # the official init zeroes the stream-fusion weights; perturb every
        # parameter so that no part of the computation is trivial
        for p in ours.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    twin = build_mmpose_twin(ours)
    return ours.to(DEVICE), twin.to(DEVICE)


def model_flops(cfg: Dict, batch: int, seqlen: int) -> Dict[str, float]:
    """FLOPs of one forward pass (linear layers and attention)."""
    c, depth = cfg['dim_feat'], cfg['depth']
    hid = int(c * cfg['mlp_ratio'])
    tokens = batch * seqlen * NUM_JOINTS
    per_sub = 2 * (c * 3 * c + c * c + 2 * c * hid)
    linear = tokens * (4 * depth * per_sub + 2 * c * cfg['dim_rep'] +
                       2 * 3 * c + depth * 2 * 2 * c)
    attn = tokens * 2 * depth * 4 * c * (NUM_JOINTS + seqlen)
    return dict(linear=float(linear), attention=float(attn))


def gemm_workload(cfg: Dict, batch: int, seqlen: int, backend: str):
    """Callable running the model's linear-layer GEMMs alone (no bias)."""
    c, depth = cfg['dim_feat'], cfg['depth']
    hid = int(c * cfg['mlp_ratio'])
    tokens = batch * seqlen * NUM_JOINTS
    def rand(*shape):
        return torch.randn(*shape, device=DEVICE)

    x_c, x_h = rand(tokens, c), rand(tokens, hid)
    weights = [(x_c, rand(3 * c, c)), (x_c, rand(c, c)), (x_c, rand(hid, c)),
               (x_h, rand(c, hid))]
    pre = (x_c, rand(cfg['dim_rep'], c))
    if backend == 'onednn':

        def mm(x, w):
            return torch.ops.mkldnn._linear_pointwise(x, w, None, 'none', [],
                                                      '')
    else:

        def mm(x, w):
            return torch.mm(x, w.t())

    def run():
        for _ in range(4 * depth):
            for x, w in weights:
                mm(x, w)
        mm(*pre)

    return run


def onnx_models(model: nn.Module, seqlen: int) -> Dict:
    """ONNX Runtime sessions (fp32, int8) of ``model`` as callables."""
    import tempfile
    sys.path.insert(0, osp.join(ROOT, 'tools', 'deployment'))
    from export_onnx import export_onnx, ort_session, quantize_int8
    folder = tempfile.mkdtemp(prefix='mb_bench_onnx_')
    path = export_onnx(model, osp.join(folder, 'dstformer.onnx'), seqlen)
    paths = dict(onnxruntime_fp32=path, onnxruntime_int8=quantize_int8(path))
    out = {}
    for name, p in paths.items():
        session = ort_session(p, threads=torch.get_num_threads())

        def run(x, session=session):
            return torch.from_numpy(
                session.run(None, {'keypoints': x.numpy()})[0])

        out[name] = run
    return out


def _autocast_bf16(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Forward under bf16 autocast on the input's device."""
    with torch.autocast(x.device.type, dtype=torch.bfloat16):
        return model(x)


def _serial(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``model(x)`` with the two streams of each layer run one after the
    other instead of concurrently."""
    from mmmotionbert.models.layers.concurrent_streams import serial_streams
    with serial_streams():
        return model(x)


def check_equal(ours: nn.Module, twin: nn.Module, x: torch.Tensor) -> float:
    """Max abs difference of the two models' outputs (must be < 1e-4)."""
    with torch.no_grad():
        diff = (ours(x) - twin(x)).abs().max().item()
    if diff > 1e-4:
        raise RuntimeError(f'ours and mmpose disagree by {diff:.3g}; the '
                           'weight mapping is wrong')
    return diff


def bench_forward(args, fast: List[str]) -> List[Dict]:
    """Forward throughput of each config and batch size."""
    from mmmotionbert.apis.fast_inference import optimize_for_inference
    results = []
    for name in args.configs:
        cfg = CONFIGS[name]
        ours, twin = build_models(cfg, args.seqlen)
        ours.eval()
        twin.eval()
        fast_models = {
            p: optimize_for_inference(ours, precision=p)
            for p in fast if DEVICE.type == 'cpu' or p != 'int8'
        }
        if args.onnx and DEVICE.type == 'cpu':
            fast_models.update(onnx_models(ours, args.seqlen))
        official = None
        if args.official_repo:
            official = build_official_twin(ours, cfg, args.seqlen,
                                           args.official_repo).to(DEVICE)
        for batch in args.batch_sizes:
            torch.manual_seed(1)
            x = torch.randn(batch, args.seqlen, NUM_JOINTS, 3).to(DEVICE)
            diff = check_equal(ours, twin, x)
            diff_official = (None if official is None else
                             check_equal(ours, official, x))
            with torch.no_grad():
                ref_out = ours(x)
                devs = {}
                for p, m in fast_models.items():
                    d = (m(x) - ref_out).abs()
                    devs[p] = dict(max=d.max().item(), mean=d.mean().item())
            cands = {
                'mmpose': lambda: twin(x),
                'ours': lambda: ours(x),
            }
            if official is not None:
                cands['official'] = lambda: official(x)
            if DEVICE.type == 'cpu' and torch.get_num_threads() > 1:
                # this run's baseline for the concurrent streams
                cands['ours_serial_streams'] = lambda: _serial(ours, x)
            for p, m in fast_models.items():
                cands[f'ours_{p}'] = (lambda m=m: m(x))
            # ONNX Runtime candidates are named ours_onnxruntime_*
            if DEVICE.type == 'cuda':
                for cname, m in (('mmpose', twin), ('ours', ours)):
                    cands[f'{cname}_autocast_bf16'] = (
                        lambda m=m: _autocast_bf16(m, x))
                cands['matmul_only_mkl'] = gemm_workload(
                    cfg, batch, args.seqlen, 'mkl')
            else:
                cands['matmul_only_mkl'] = gemm_workload(
                    cfg, batch, args.seqlen, 'mkl')
                cands['matmul_only_onednn'] = gemm_workload(
                    cfg, batch, args.seqlen, 'onednn')
            if args.candidates:
                unknown = set(args.candidates) - set(cands)
                if unknown:
                    raise SystemExit(
                        f'--candidates: no {sorted(unknown)} in this run; '
                        f'it has {sorted(cands)}')
                keep = {'mmpose', 'ours', *args.candidates}
                cands = {k: f for k, f in cands.items() if k in keep}
            same = f'outputs equal to mmpose within {diff:.1e}'
            if diff_official is not None:
                same += f', to the official code within {diff_official:.1e}'
            print(f'\n== forward {name} B={batch} T={args.seqlen} ({same})')
            with torch.no_grad():
                times = interleaved(cands, args.repeats, sync=_sync)
            flops = model_flops(cfg, batch, args.seqlen)
            frames = batch * args.seqlen
            measured = 'official' in times
            entry = dict(
                config=name, batch=batch, seqlen=args.seqlen,
                max_diff_vs_mmpose=diff, max_diff_vs_official=diff_official,
                official_measured=measured,
                gflop_linear=flops['linear'] / 1e9,
                gflop_attention=flops['attention'] / 1e9, candidates={})
            print(f'  {"candidate":20s} {"wall s":>8s} {"frames/s":>9s} '
                  f'{"vs mmpose":>10s} {"(cpu)":>7s} {"vs official":>13s} '
                  f'{"linear GFLOP/s":>15s}')
            for cname, t in times.items():
                wall = median(t['wall'])
                r_wall = ratio(times, 'mmpose', cname, 'wall')
                r_cpu = ratio(times, 'mmpose', cname, 'cpu')
                if measured:
                    r_off, off_mark = ratio(times, 'official', cname,
                                            'wall'), ''
                else:
                    r_off, off_mark = r_wall * MMPOSE_VS_OFFICIAL, '*'
                rec = dict(
                    wall_s=wall, cpu_s=median(t['cpu']),
                    frames_per_s=frames / wall, speedup_vs_mmpose=r_wall,
                    speedup_vs_mmpose_cpu=r_cpu,
                    speedup_vs_official=r_off,
                    speedup_vs_official_measured=measured,
                    linear_gflops=flops['linear'] / wall / 1e9,
                    wall_rounds=t['wall'], cpu_rounds=t['cpu'])
                if cname.startswith('ours_') and cname[5:] in devs:
                    rec['deviation_vs_fp32'] = devs[cname[5:]]
                entry['candidates'][cname] = rec
                print(f'  {cname:20s} {wall:8.2f} {frames / wall:9.1f} '
                      f'{fmt_ratio(r_wall):>10s} {fmt_ratio(r_cpu):>7s} '
                      f'{fmt_ratio(r_off) + off_mark:>13s} '
                      f'{flops["linear"] / wall / 1e9:15.1f}')
            # one thread: CPU time (robust to load); else wall-clock
            clock = 'cpu' if torch.get_num_threads() == 1 else 'wall'
            for ceil in ('mkl', 'onednn'):
                key = f'matmul_only_{ceil}'
                if key not in times:
                    continue
                # ratio(a, b) = median of t_a / t_b
                frac = ratio(times, 'ours', key, clock)
                frac_ref = ratio(times, 'mmpose', key, clock)
                entry[f'ours_time_over_{key}'] = frac
                entry[f'mmpose_time_over_{key}'] = frac_ref
                line = (f'  {clock} time / time of the linear GEMMs alone '
                        f'({ceil}): ours {frac:.2f}x, mmpose {frac_ref:.2f}x')
                if measured:
                    # the most that any code running these GEMMs with this
                    # library can gain over the official code
                    frac_off = ratio(times, 'official', key, clock)
                    entry[f'official_time_over_{key}'] = frac_off
                    line += (f', official {frac_off:.2f}x (so at most '
                             f'{frac_off:.2f}x faster than the official code '
                             'with these GEMMs)')
                print(line)
            for p, d in devs.items():
                print(f'  ours_{p}: representation deviation from fp32 max '
                      f'{d["max"]:.2e}, mean {d["mean"]:.2e}')
            results.append(entry)
    return results


def make_step(model: nn.Module, head: nn.Module, x, target):
    """One training step closure (AdamW, MPJPE loss)."""
    params = list(model.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=1e-5)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = (head(model(x)) - target).norm(dim=-1).mean()
        loss.backward()
        opt.step()

    return step


def build_train_variant(variant: str, cfg: Dict, seqlen: int):
    """(model, head) for ``mmpose``, ``ours`` or ``ours_cp``."""
    ours, twin = build_models(cfg, seqlen)
    ours.with_cp = variant == 'ours_cp'
    model = twin if variant == 'mmpose' else ours
    torch.manual_seed(2)
    head = nn.Linear(cfg['dim_rep'], 3).to(DEVICE)
    return model.train(), head


def bench_train(args) -> Dict:
    """Training step time of mmpose, ours and ours with checkpointing."""
    cfg = CONFIGS[args.train_config]
    torch.manual_seed(3)
    x = torch.randn(args.train_batch, args.seqlen, NUM_JOINTS, 3).to(DEVICE)
    target = torch.randn(args.train_batch, args.seqlen, NUM_JOINTS,
                         3).to(DEVICE)
    steps = {}
    grads = {}
    for variant in ('mmpose', 'ours', 'ours_cp'):
        model, head = build_train_variant(variant, cfg, args.seqlen)
        # gradient check on a short clip before timing
        xs = x[:1, :27]
        head.zero_grad()
        model.zero_grad()
        (head(model(xs)) - target[:1, :27]).norm(dim=-1).mean().backward()
        grads[variant] = head.weight.grad.clone()
        steps[variant] = make_step(model, head, x, target)
    gdiff = max((grads[v] - grads['mmpose']).abs().max().item()
                for v in ('ours', 'ours_cp'))
    print(f'\n== training step {args.train_config} B={args.train_batch} '
          f'T={args.seqlen} (head gradients equal to mmpose within '
          f'{gdiff:.1e})')
    times = interleaved(steps, args.repeats, sync=_sync)
    out = dict(config=args.train_config, batch=args.train_batch,
               seqlen=args.seqlen, head_grad_max_diff=gdiff, candidates={})
    for name, t in times.items():
        r_wall = ratio(times, 'mmpose', name, 'wall')
        r_cpu = ratio(times, 'mmpose', name, 'cpu')
        out['candidates'][name] = dict(
            wall_s=median(t['wall']), cpu_s=median(t['cpu']),
            speedup_vs_mmpose=r_wall, speedup_vs_mmpose_cpu=r_cpu,
            wall_rounds=t['wall'], cpu_rounds=t['cpu'])
        print(f'  {name:10s} {median(t["wall"]):7.2f} s/step  vs mmpose '
              f'{fmt_ratio(r_wall)} (cpu {fmt_ratio(r_cpu)})')
    return out


def _status_kb(field: str) -> int:
    """A ``/proc/self/status`` field in bytes (0 if unavailable)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _reset_peak_rss() -> int:
    """Reset the peak RSS to the current RSS (Linux); return the current.

    Writing 5 to ``/proc/self/clear_refs`` resets ``VmHWM``, so the peak
    measured afterwards excludes transient peaks of imports and model
    building.
    """
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass
    return _status_kb('VmRSS') or resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss * 1024


def _peak_rss() -> int:
    """Peak RSS since :func:`_reset_peak_rss` (``VmHWM``), in bytes."""
    return _status_kb('VmHWM') or resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss * 1024


def memory_child(variant: str, args) -> None:
    """Peak RSS of two training steps of one variant (run in a child)."""
    cfg = CONFIGS[args.train_config]
    model, head = build_train_variant(variant, cfg, args.seqlen)
    torch.manual_seed(3)
    x = torch.randn(args.train_batch, args.seqlen, NUM_JOINTS, 3).to(DEVICE)
    target = torch.randn(args.train_batch, args.seqlen, NUM_JOINTS,
                         3).to(DEVICE)
    step = make_step(model, head, x, target)
    if DEVICE.type == 'cuda':
        _sync()
        torch.cuda.reset_peak_memory_stats(DEVICE)
        base = torch.cuda.memory_allocated(DEVICE)
    else:
        base = _reset_peak_rss()
    t0 = time.perf_counter()
    step()
    step()
    _sync()
    if DEVICE.type == 'cuda':
        peak = torch.cuda.max_memory_allocated(DEVICE)
    else:
        peak = _peak_rss()
    print(json.dumps(dict(variant=variant, base_rss=base, peak_rss=peak,
                          step_s=(time.perf_counter() - t0) / 2)))


def bench_memory(args) -> Dict:
    """Peak RSS per variant, each in a fresh process."""
    print(f'\n== peak memory, training {args.train_config} '
          f'B={args.train_batch} T={args.seqlen} (fresh process each)')
    out = dict(config=args.train_config, batch=args.train_batch,
               seqlen=args.seqlen, candidates={})
    for variant in ('mmpose', 'ours', 'ours_cp'):
        cmd = [
            sys.executable,
            osp.abspath(__file__), '--memory-child', variant,
            '--train-config', args.train_config, '--train-batch',
            str(args.train_batch), '--seqlen',
            str(args.seqlen)
        ]
        if args.threads:
            cmd += ['--threads', str(args.threads)]
        cmd += ['--device', str(DEVICE)]
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if res.returncode != 0:
            raise RuntimeError(f'memory child {variant} failed:\n'
                               f'{res.stderr[-2000:]}')
        rec = json.loads(res.stdout.strip().splitlines()[-1])
        out['candidates'][variant] = rec
    ref = out['candidates']['mmpose']
    for name, rec in out['candidates'].items():
        delta = rec['peak_rss'] - rec['base_rss']
        ref_delta = ref['peak_rss'] - ref['base_rss']
        rec['peak_over_mmpose'] = rec['peak_rss'] / ref['peak_rss']
        rec['delta_over_mmpose'] = delta / ref_delta
        print(f'  {name:10s} peak {"RSS" if DEVICE.type == "cpu" else "CUDA"}'
              f' {rec["peak_rss"] / 1e9:6.2f} GB '
              f'({rec["peak_over_mmpose"]:.0%} of mmpose); above the '
              f'built model {delta / 1e9:6.2f} GB '
              f'({rec["delta_over_mmpose"]:.0%})')
    return out


def bench_ceiling() -> Dict:
    """Square fp32 GEMM throughput of this machine (best of 5)."""
    mkl = gemm_gflops(4096, 4096, 4096)
    onednn = gemm_gflops(
        4096, 4096, 4096,
        fn=lambda x, w: torch.ops.mkldnn._linear_pointwise(
            x, w, None, 'none', [], ''))
    print(f'\n== fp32 matmul throughput (4096^3, best of 5): torch.mm (MKL) '
          f'{mkl:.0f} GFLOP/s, oneDNN {onednn:.0f} GFLOP/s')
    return dict(mkl_gflops=mkl, onednn_gflops=onednn)


def main(argv=None):
    global DEVICE
    args = parse_args(argv)
    DEVICE = torch.device(args.device)
    warnings.filterwarnings('ignore')
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.memory_child:
        memory_child(args.memory_child, args)
        return
    from mmmotionbert.apis.fast_inference import (bf16_fast_on_cpu,
                                                  int8_available)
    fast = args.fast
    if fast is None:
        fast = (['int8'] if int8_available() else []) + (
            ['bf16'] if bf16_fast_on_cpu() else [])
    env = environment()
    print('command: python ' + ' '.join(sys.argv))
    print_environment(env)
    results = dict(command=' '.join(sys.argv), environment=env,
                   mmpose_vs_official=MMPOSE_VS_OFFICIAL,
                   official_lite_b4=OFFICIAL_LITE_B4)
    results['ceiling'] = bench_ceiling()
    if not args.skip_forward:
        results['forward'] = bench_forward(args, fast)
    if not args.skip_train:
        results['train'] = bench_train(args)
    if not args.skip_memory:
        results['memory'] = bench_memory(args)
    results['ceiling_end'] = bench_ceiling()
    results['environment_end'] = environment()
    if not args.official_repo:
        print(f'\n* vs official = vs mmpose x {MMPOSE_VS_OFFICIAL} (derived: '
              "mmpose's port measured at ~1.1x the official code, issue #8; "
              'pass --official-repo DIR to measure it).')
    print(f'load average at the end: {results["environment_end"]["loadavg"]}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
