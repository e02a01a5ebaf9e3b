# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Run the two streams of a DSTformer layer at the same time on CPU.

The spatio-temporal and the temporal-spatial stream of a layer are
independent until their fusion. On CPU inference they run concurrently, each
in a thread of its own with half of PyTorch's intra-op threads, instead of one
after the other with all of them. Every operator then runs on fewer threads:
a GEMM on one core runs closer to that core's peak than a GEMM split over
two (no barriers, no shared cache lines), and the many short operators of a
stream (LayerNorm, softmax, GELU, copies) no longer wait for each other's
threads. Same operators, same order within a stream; the result equals the
serial one within float32 rounding (``docs/benchmarks.md`` has the timings).

Used only where it is safe and pays: CPU tensors, no gradients, not under
autocast or tracing, at least two intra-op threads, and one model call at a
time (a second thread calling a model meanwhile runs its streams serially).
``MMMOTIONBERT_STREAMS=serial`` turns it off, :func:`serial_streams` for a
block of code. While the streams run, ``torch.set_num_threads`` has set the
per-stream count, which MKL keeps process-wide: other threads of the process
doing PyTorch work at that moment get it too, until the layer ends.

May import: torch and :mod:`.fused_ops`; never ``apis`` or ``datasets``.
"""
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Callable, Iterator, Optional, Tuple

import torch

from .fused_ops import cpu_inference, fused_ops_enabled

#: environment variable: ``serial`` runs the streams one after the other
STREAMS_ENV = 'MMMOTIONBERT_STREAMS'
STREAMS_MODES = ('concurrent', 'serial')

_lock = threading.Lock()
_pool: Optional[ThreadPoolExecutor] = None
_serial_depth = 0  # > 0 inside serial_streams()


def _reset_after_fork() -> None:
    """A forked child inherits neither the pool's threads nor a held lock."""
    global _lock, _pool
    _lock = threading.Lock()
    _pool = None


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_reset_after_fork)


def streams_mode() -> str:
    """The mode asked for by ``MMMOTIONBERT_STREAMS`` (default concurrent).

    Raises:
        ValueError: For a value other than ``concurrent`` or ``serial``.
    """
    mode = os.environ.get(STREAMS_ENV, 'concurrent').strip().lower()
    if mode not in STREAMS_MODES:
        raise ValueError(f'{STREAMS_ENV} must be one of {STREAMS_MODES}, '
                         f'got {mode!r}')
    return mode


@contextlib.contextmanager
def serial_streams() -> Iterator[None]:
    """Run the streams one after the other inside this block (e.g. as a
    baseline for ``benchmarks/bench_dstformer.py``), in every thread."""
    global _serial_depth
    _serial_depth += 1
    try:
        yield
    finally:
        _serial_depth -= 1


def streams_concurrent(x: torch.Tensor) -> bool:
    """Whether :func:`run_streams` will run its two streams concurrently
    for the tokens ``x``."""
    return (cpu_inference(x) and not torch.is_autocast_enabled('cpu')
            and torch.get_num_threads() >= 2 and not _serial_depth
            and streams_mode() == 'concurrent')


def _in_stream(fn: Callable[[], torch.Tensor], threads: int,
               inference: bool) -> torch.Tensor:
    """``fn()`` in a pool thread with the caller's grad/inference mode."""
    torch.set_num_threads(threads)
    with torch.inference_mode(inference), torch.no_grad():
        return fn()


def run_streams(
        x: torch.Tensor, first: Callable[[], torch.Tensor],
        second: Callable[[], torch.Tensor]
) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(first(), second())``, concurrently where :func:`streams_concurrent`.

    Args:
        x (Tensor): The layer's input tokens (decides the device and mode).
        first (Callable): The first stream, no arguments.
        second (Callable): The second stream, no arguments.

    Returns:
        tuple[Tensor, Tensor]: The two streams' outputs. PyTorch's intra-op
        thread count is restored afterwards, also when a stream raises.
    """
    global _pool
    if not streams_concurrent(x):
        return first(), second()
    # a first-use kernel choice (maybe a measurement, cached per thread
    # count) is made here, in the caller's thread, not in both streams
    fused_ops_enabled()
    if not _lock.acquire(blocking=False):
        return first(), second()
    threads = torch.get_num_threads()
    try:
        if _pool is None:
            _pool = ThreadPoolExecutor(2, thread_name_prefix='mb-stream')
        inference = torch.is_inference_mode_enabled()
        half = threads // 2
        jobs = [
            _pool.submit(_in_stream, first, half, inference),
            _pool.submit(_in_stream, second, threads - half, inference)
        ]
        wait(jobs)  # both, also when one raises
        return tuple(job.result() for job in jobs)
    finally:
        torch.set_num_threads(threads)
        _lock.release()
