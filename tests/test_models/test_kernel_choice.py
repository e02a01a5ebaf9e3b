# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Kernel choice per machine: capabilities -> choice, override, cache."""
import json
import os
import subprocess
import sys

import pytest
import torch

from mmmotionbert.models.layers import fused_ops
from mmmotionbert.models.layers import kernel_choice as kc

AVX512 = {'avx2', 'avx512f', 'avx512bw'}


@pytest.mark.parametrize(
    'flags, aten, onednn, machine, isa',
    [
        (AVX512, 'AVX512', '', 'x86_64', 'avx512'),
        (AVX512 | {'amx_tile', 'amx_bf16'}, 'AVX512', '', 'x86_64', 'amx'),
        (AVX512, 'AVX2', '', 'x86_64', 'avx2'),  # ATEN_CPU_CAPABILITY=avx2
        (AVX512, 'AVX512', 'AVX2', 'x86_64', 'avx2'),  # ONEDNN_MAX_CPU_ISA
        (AVX512, 'AVX512', 'AVX512_CORE_AMX', 'x86_64', 'avx512'),
        ({'avx2', 'fma'}, 'AVX2', '', 'x86_64', 'avx2'),
        ({'sse4_2'}, 'DEFAULT', '', 'x86_64', 'default'),
        (set(), 'DEFAULT', '', 'aarch64', 'non-x86'),
    ])
def test_cpu_isa(flags, aten, onednn, machine, isa):
    assert kc.cpu_isa(flags, aten, onednn, machine) == isa


def test_capability_choice():
    assert kc.capability_choice('avx512') == 'onednn'
    assert kc.capability_choice('amx') == 'onednn'
    assert kc.capability_choice('non-x86') == 'plain'
    assert kc.capability_choice('avx2') is None
    assert kc.capability_choice('default') is None


def _never():
    raise AssertionError('must not measure')


def test_overrides_and_errors(tmp_path, monkeypatch):
    cache = str(tmp_path / 'k.json')
    monkeypatch.delenv('MMMOTIONBERT_KERNELS', raising=False)
    for setting in ('plain', 'onednn'):
        info = kc.resolve_kernels(
            setting, isa='avx2', cache_file=cache, measure=_never)
        assert info['choice'] == setting
    monkeypatch.setenv('MMMOTIONBERT_KERNELS', 'Plain')
    assert kc.resolve_kernels(isa='avx512', measure=_never)['choice'] == \
        'plain'
    monkeypatch.setenv('MMMOTIONBERT_KERNELS', 'fast')
    with pytest.raises(ValueError, match="one of .*'plain', 'onednn', 'auto'"):
        kc.resolve_kernels(isa='avx2', measure=_never)
    monkeypatch.delenv('MMMOTIONBERT_KERNELS')
    monkeypatch.setenv('MMMOTIONBERT_FUSED_OPS', '0')  # the older switch
    assert kc.resolve_kernels(isa='avx512', measure=_never)['choice'] == \
        'plain'
    monkeypatch.delenv('MMMOTIONBERT_FUSED_OPS')
    info = kc.resolve_kernels('onednn', onednn_available=False, measure=_never)
    assert info['choice'] == 'plain' and 'no oneDNN' in info['reason']
    assert kc.resolve_kernels(
        'auto', isa='avx512', measure=_never)['choice'] == 'onednn'
    assert kc.resolve_kernels(
        'auto', isa='non-x86', measure=_never)['choice'] == 'plain'
    assert not os.path.exists(cache)  # nothing measured, nothing cached


def test_measured_once_then_cached(tmp_path):
    cache = str(tmp_path / 'sub' / 'kernels.json')
    calls = []

    def measure():
        calls.append(1)
        return {'plain': 1.0, 'onednn': 2.0}

    first = kc.resolve_kernels(
        'auto', isa='avx2', cache_file=cache, measure=measure)
    assert first['choice'] == 'plain' and first['seconds']['onednn'] == 2.0
    data = json.load(open(cache))
    assert list(data) == [kc.machine_key('avx2')]
    again = kc.resolve_kernels(
        'auto', isa='avx2', cache_file=cache, measure=_never)
    assert again['choice'] == 'plain' and 'cached' in again['reason']
    assert calls == [1]
    # another instruction set is another key: measured on its own
    other = kc.resolve_kernels(
        'auto',
        isa='default',
        cache_file=cache,
        measure=lambda: {
            'plain': 2.0,
            'onednn': 1.0
        })
    assert other['choice'] == 'onednn' and len(json.load(open(cache))) == 2


@pytest.mark.parametrize('content',
                         ['{not json', '[1, 2]', '{"x": {"choice": "turbo"}}'])
def test_corrupt_cache_is_ignored_and_rewritten(tmp_path, content):
    cache = tmp_path / 'kernels.json'
    cache.write_text(content)
    info = kc.resolve_kernels(
        'auto',
        isa='avx2',
        cache_file=str(cache),
        measure=lambda: {
            'plain': 3.0,
            'onednn': 1.0
        })
    assert info['choice'] == 'onednn'
    assert json.load(open(cache))[kc.machine_key('avx2')]['choice'] == \
        'onednn'


def test_measurement_times_both_kernels():
    state = torch.random.get_rng_state()
    seconds = kc.measure_kernels(frames=7, dim=32, repeats=2)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert 0 < seconds['plain'] < 1
    if fused_ops._HAS_ONEDNN:
        assert 0 < seconds['onednn'] < 1


def test_forced_kernels_bypass_the_choice():
    with fused_ops.forced_kernels('plain'):
        assert not fused_ops.fused_ops_enabled()
    with fused_ops.forced_kernels('onednn'):
        assert fused_ops.fused_ops_enabled() == fused_ops._HAS_ONEDNN
    with pytest.raises(ValueError, match="'plain' or 'onednn'"):
        with fused_ops.forced_kernels('auto'):
            pass


def test_set_kernels_switches_the_fused_path():
    try:
        kc.set_kernels('plain')
        assert not fused_ops.fused_ops_enabled()
        kc.set_kernels('onednn')
        assert fused_ops.fused_ops_enabled() == fused_ops._HAS_ONEDNN
        with pytest.raises(ValueError, match='kernels must be one of'):
            kc.set_kernels('fast')
    finally:
        kc.set_kernels(None)


@pytest.mark.skipif(
    __import__('platform').machine().lower() not in ('x86_64', 'amd64'),
    reason='the ISA caps are x86 settings')
def test_avx2_cpu_measures_once_and_caches(tmp_path):
    """Under the AVX2 caps the choice is measured, cached and reused by the
    next process."""
    env = dict(
        os.environ,
        ONEDNN_MAX_CPU_ISA='AVX2',
        MKL_ENABLE_INSTRUCTIONS='AVX2',
        ATEN_CPU_CAPABILITY='avx2',
        MMMOTIONBERT_CACHE=str(tmp_path))
    env.pop('MMMOTIONBERT_KERNELS', None)
    code = ('from mmmotionbert.models.layers import kernel_choice as kc\n'
            'info = kc.resolve_kernels()\n'
            'print(info["isa"], info["choice"], "|", info["reason"])\n')
    outs = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, '-c', code],
                              env=env,
                              capture_output=True,
                              text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.append(proc.stdout.strip())
    assert outs[0].startswith('avx2 ') and 'measured on this avx2' in outs[0]
    assert outs[1].split('|')[0] == outs[0].split('|')[0]
    assert 'measured before' in outs[1]
    assert (tmp_path / 'kernels.json').is_file()


def test_choice_is_never_printed_on_stdout(capsys, caplog):
    """Tools print JSON on stdout; the one-time log line must not land
    there, even when an mmengine logger exists (it writes to stdout)."""
    import logging

    from mmengine.logging import MMLogger
    MMLogger.get_instance('kernel_choice_test')
    try:
        kc.set_kernels('plain')
        with caplog.at_level(logging.INFO, logger='mmmotionbert'):
            assert kc.kernel_choice() == 'plain'
        assert capsys.readouterr().out == ''
        assert 'linear kernels: plain' in caplog.text
    finally:
        kc.set_kernels(None)
