# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The two streams of a DSTformer layer run concurrently on CPU inference.

* the backbone and the fast-inference copy give the serial result, with the
  streams of each layer in two pool threads;
* serial with gradients, under autocast, with one intra-op thread, with
  ``MMMOTIONBERT_STREAMS=serial``, inside ``serial_streams()`` and while
  another call holds the pool;
* PyTorch's thread count is restored, also when a stream raises; the
  caller's inference mode reaches the streams; a forked child still runs.
"""
import multiprocessing
import threading

import pytest
import torch

from mmmotionbert.apis import optimize_for_inference
from mmmotionbert.models.layers import concurrent_streams as cs
from tests.test_models.test_dstformer_fast_paths import \
    _model as perturbed_model


@pytest.fixture
def two_threads():
    """Two intra-op threads for the test (conftest runs tests on one)."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def _spy_stream_threads(model):
    """Record the thread that runs every stream block of ``model``."""
    seen = []
    for blocks in (model.blocks_st, model.blocks_ts):
        for blk in blocks:
            blk.register_forward_pre_hook(
                lambda *_: seen.append(threading.get_ident()))
    return seen


def _serial_then_concurrent(monkeypatch, run, seen: list) -> None:
    """``run()`` with the streams serial, then concurrent: the serial run
    stays in this thread, the concurrent one leaves it, same result.
    ``seen`` collects the threads of the streams' work; it is left holding
    the concurrent run's."""
    monkeypatch.setenv(cs.STREAMS_ENV, 'serial')
    serial = run()
    assert set(seen) == {threading.get_ident()}
    seen.clear()
    monkeypatch.setenv(cs.STREAMS_ENV, 'concurrent')
    out = run()
    assert seen and threading.get_ident() not in seen
    assert len(set(seen)) <= 2
    assert torch.get_num_threads() == 2
    torch.testing.assert_close(out, serial, rtol=0, atol=1e-6)


def test_backbone_streams_run_in_two_threads_with_the_serial_result(
        two_threads, monkeypatch):
    model = perturbed_model().eval()
    x = torch.randn(2, 11, 17, 3)
    seen = _spy_stream_threads(model)
    with torch.no_grad():
        _serial_then_concurrent(monkeypatch, lambda: model(x), seen)
    assert len(seen) == 2 * len(model.blocks_st) * 2  # streams, depth, clips


def test_fast_copy_streams_run_concurrently_with_the_serial_result(
        two_threads, monkeypatch):
    fast = optimize_for_inference(perturbed_model().eval(), precision='fp32')
    x = torch.randn(1, 11, 17, 3)
    seen = []
    inner = fast._stream

    def spy(*args):
        seen.append(threading.get_ident())
        return inner(*args)

    monkeypatch.setattr(fast, '_stream', spy)
    _serial_then_concurrent(monkeypatch, lambda: fast(x), seen)
    assert len(seen) == 2 * len(fast.layers)


def _where():
    """The threads on which ``run_streams`` ran its two streams."""
    return set(
        cs.run_streams(torch.zeros(2, 3), threading.get_ident,
                       threading.get_ident))


def _concurrent() -> bool:
    """Whether ``run_streams`` ran two streams at the same time: each waits
    for the other at a barrier, which breaks when they run in series."""
    barrier = threading.Barrier(2, timeout=10)

    def meet():
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return False
        return threading.get_ident() != main

    main = threading.get_ident()
    return all(cs.run_streams(torch.zeros(1), meet, meet))


def test_streams_serial_where_concurrency_is_not_safe(two_threads,
                                                      monkeypatch):
    main = {threading.get_ident()}
    with torch.no_grad():
        assert _concurrent()
        with torch.autocast('cpu', dtype=torch.bfloat16):
            assert _where() == main
        with cs.serial_streams():
            assert _where() == main
        monkeypatch.setenv(cs.STREAMS_ENV, 'serial')
        assert _where() == main
        monkeypatch.setenv(cs.STREAMS_ENV, 'Concurrent ')
        assert _concurrent()
        torch.set_num_threads(1)
        assert _where() == main
        torch.set_num_threads(2)
        with cs._lock:  # another call is running its streams
            assert _where() == main
    with torch.enable_grad():
        assert _where() == main


def test_bad_streams_setting_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(cs.STREAMS_ENV, 'parallel')
    with pytest.raises(ValueError, match='MMMOTIONBERT_STREAMS must be one'):
        cs.streams_mode()


def test_thread_count_restored_when_a_stream_raises(monkeypatch):
    torch.set_num_threads(3)
    counts = []

    def boom():
        counts.append(torch.get_num_threads())
        raise RuntimeError('stream failed')

    def ok():
        counts.append(torch.get_num_threads())
        return torch.zeros(1)

    try:
        with torch.no_grad(), pytest.raises(RuntimeError, match='stream f'):
            cs.run_streams(torch.zeros(1), boom, ok)
        assert sorted(counts) == [1, 2]  # 3 threads split as 1 + 2
        assert torch.get_num_threads() == 3
        assert not cs._lock.locked()
    finally:
        torch.set_num_threads(1)


def test_streams_see_the_callers_inference_mode(two_threads):
    def mode():
        return (torch.is_inference_mode_enabled(), torch.is_grad_enabled(),
                threading.get_ident())

    main = threading.get_ident()
    with torch.inference_mode():
        first, second = cs.run_streams(torch.zeros(1), mode, mode)
    assert first[:2] == second[:2] == (True, False)
    assert main not in (first[2], second[2])
    with torch.no_grad():
        first, _ = cs.run_streams(torch.zeros(1), mode, mode)
    assert first[:2] == (False, False)


def _child_runs_streams(queue) -> None:
    torch.set_num_threads(2)
    with torch.no_grad():
        out = cs.run_streams(torch.zeros(1), lambda: torch.ones(1),
                             lambda: torch.full((1, ), 2.))
        queue.put([t.item() for t in out] + [_concurrent()])


def test_forked_child_runs_streams(two_threads):
    with torch.no_grad():  # start the pool's threads in this process
        assert _concurrent()
    ctx = multiprocessing.get_context('fork')
    queue = ctx.Queue()
    child = ctx.Process(target=_child_runs_streams, args=(queue, ))
    child.start()
    child.join(60)
    alive = child.is_alive()
    if alive:  # pragma: no cover - the failure this test is for
        child.kill()
    assert not alive, 'forked child hung in run_streams'
    assert child.exitcode == 0
    assert queue.get(timeout=5) == [1., 2., True]


def test_first_kernel_choice_is_made_once_in_the_callers_thread(
        two_threads, monkeypatch):
    from mmmotionbert.models.layers import fused_ops, kernel_choice
    if not fused_ops._HAS_ONEDNN:
        pytest.skip('no oneDNN linear op in this build')
    calls = []

    def resolve(setting, onednn_available):
        calls.append((threading.get_ident(), torch.get_num_threads()))
        return dict(choice='plain', isa='avx2', reason='test')

    monkeypatch.setattr(fused_ops, '_ENABLED', True)
    monkeypatch.setattr(fused_ops, '_FORCED', None)
    monkeypatch.setattr(kernel_choice, '_info', None)
    monkeypatch.setattr(kernel_choice, 'resolve_kernels', resolve)
    seen = []

    def stream():
        seen.append(threading.get_ident())
        return fused_ops.fused_linear(torch.ones(4, 3), torch.ones(2, 3))

    with torch.no_grad():
        cs.run_streams(torch.zeros(1), stream, stream)
    # once, with the caller's thread count, before the streams started
    assert calls == [(threading.get_ident(), 2)]
    assert threading.get_ident() not in seen


def test_kernel_measurement_times_the_streams_as_inference_runs_them(
        two_threads, monkeypatch):
    from mmmotionbert.models.layers import kernel_choice
    threads = []
    inner = cs._in_stream

    def spy(fn, n, inference):
        threads.append(n)
        return inner(fn, n, inference)

    monkeypatch.setattr(cs, '_in_stream', spy)
    times = kernel_choice.measure_kernels(frames=3, dim=32, repeats=1)
    assert times['plain'] < float('inf')
    # two streams of one thread each, for every warm-up and timed run
    assert threads and set(threads) == {1}
    assert len(threads) % 2 == 0
