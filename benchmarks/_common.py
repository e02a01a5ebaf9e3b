# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Helpers shared by the benchmark scripts: environment, interleaved timing.

Timings on shared machines are noisy, so every comparison runs all its
candidates in the same process, interleaved round by round, and reports
the median over rounds of the per-round ratio (each round's candidates see
about the same machine load) besides the median times. Both wall-clock
(``time.perf_counter``) and process CPU time (``time.process_time``, all
threads) are recorded: with one thread, CPU time measures the work done and
barely depends on other processes' load.
"""
import os
import os.path as osp
import platform
import statistics
import sys
import time
from typing import Callable, Dict, List, Sequence

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), or the platform's."""
    from mmmotionbert.models.layers.kernel_choice import cpu_model as model
    return model()


def environment() -> Dict:
    """Facts that decide how to read the numbers."""
    from mmmotionbert.apis.fast_inference import (bf16_fast_on_cpu,
                                                  cpu_has_vnni)
    from mmmotionbert.models.layers.kernel_choice import (cpu_isa,
                                                          kernel_choice_info)
    from mmmotionbert.models.layers.concurrent_streams import streams_mode
    from mmmotionbert.models.layers.fused_ops import _HAS_ONEDNN
    load = os.getloadavg() if hasattr(os, 'getloadavg') else (None, ) * 3
    kernels = kernel_choice_info(_HAS_ONEDNN)
    caps = {
        k: os.environ[k]
        for k in ('ONEDNN_MAX_CPU_ISA', 'MKL_ENABLE_INSTRUCTIONS',
                  'ATEN_CPU_CAPABILITY', 'MMMOTIONBERT_KERNELS',
                  'MMMOTIONBERT_STREAMS')
        if os.environ.get(k)
    }
    return dict(
        python=platform.python_version(),
        torch=torch.__version__,
        cpu=cpu_model(),
        isa=cpu_isa(),
        isa_caps=caps,
        kernels=kernels['choice'],
        kernels_reason=kernels['reason'],
        streams=(streams_mode() if torch.get_num_threads() > 1 else
                 'serial (one intra-op thread)'),
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        avx512_bf16=bf16_fast_on_cpu(),
        vnni=cpu_has_vnni(),
        cuda=torch.cuda.is_available(),
        loadavg=[round(v, 2) for v in load if v is not None])


def print_environment(env: Dict) -> None:
    """Print :func:`environment`'s dict on one line per fact."""
    print('== environment')
    for key, value in env.items():
        print(f'  {key}: {value}')


def interleaved(candidates: Dict[str, Callable[[], object]],
                repeats: int,
                warmup: int = 1,
                sync: Callable[[], None] = None
                ) -> Dict[str, Dict[str, List[float]]]:
    """Time candidates round-robin.

    Args:
        candidates (dict): name -> zero-argument callable.
        repeats (int): Timed rounds.
        warmup (int): Untimed rounds first.
        sync (Callable, optional): Called before reading the clocks, e.g.
            ``torch.cuda.synchronize`` for GPU work.

    Returns:
        dict: name -> ``{'wall': [...], 'cpu': [...]}`` seconds per round.
    """
    sync = sync or (lambda: None)
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
    out = {name: dict(wall=[], cpu=[]) for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            sync()
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            sync()
            out[name]['wall'].append(time.perf_counter() - w0)
            out[name]['cpu'].append(time.process_time() - c0)
    return out


def median(values: Sequence[float]) -> float:
    """Median of a non-empty sequence."""
    return float(statistics.median(values))


def ratio(times: Dict[str, Dict[str, List[float]]], baseline: str,
          name: str, clock: str = 'wall') -> float:
    """Median over rounds of ``baseline_time / name_time`` (speed-up)."""
    base, cand = times[baseline][clock], times[name][clock]
    return median([b / c for b, c in zip(base, cand)])


def gemm_gflops(m: int, k: int, n: int, repeats: int = 5,
                fn: Callable = None) -> float:
    """fp32 GEMM throughput (GFLOP/s, CPU time if one thread else wall).

    Args:
        m, k, n (int): ``(m, k) @ (k, n)``.
        repeats (int): Timed calls; the best is kept.
        fn (Callable, optional): ``fn(a, b_t)`` computing ``a @ b_t.T``;
            defaults to ``torch.mm`` (MKL).

    Returns:
        float: GFLOP/s of the best call.
    """
    a = torch.randn(m, k)
    b_t = torch.randn(n, k)
    fn = fn or (lambda x, w: torch.mm(x, w.t()))
    # one thread: CPU time, insensitive to other processes' load
    clock = (time.process_time
             if torch.get_num_threads() == 1 else time.perf_counter)
    fn(a, b_t)
    best = float('inf')
    for _ in range(repeats):
        t0 = clock()
        fn(a, b_t)
        best = min(best, clock() - t0)
    return 2.0 * m * k * n / best / 1e9


def fmt_ratio(value: float) -> str:
    """'1.23x'."""
    return f'{value:.2f}x'
