# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Which linear-layer kernels to run on this CPU: oneDNN's fused ones or
plain PyTorch (MKL) ones.

oneDNN's fused linear layers (:mod:`.fused_ops`) are faster than PyTorch's
on AVX-512 CPUs, but on AVX2-only CPUs they can be slower than the plain
ops. The choice is made once per process, lazily (on the first linear layer
run, never at import time):

1. an explicit setting: :func:`set_kernels`, else the environment variable
   ``MMMOTIONBERT_KERNELS`` (``plain``, ``onednn`` or ``auto``); the older
   ``MMMOTIONBERT_FUSED_OPS=0`` means ``plain``;
2. ``auto`` decides by the instruction set the kernels may use
   (:func:`cpu_isa`, which honours ``ONEDNN_MAX_CPU_ISA`` and
   ``ATEN_CPU_CAPABILITY``): AVX-512 / AMX -> ``onednn``; not x86 ->
   ``plain``;
3. where that is not enough (AVX2 and other x86 CPUs), a short measurement
   (:func:`measure_kernels`, about a second) decides, and its result is
   cached in ``~/.cache/mmmotionbert/kernels.json`` (``MMMOTIONBERT_CACHE``
   moves the folder) per CPU model, instruction set, thread count and torch
   version, so it runs once per machine, not in every process. A corrupt
   cache file is ignored and rewritten.

The choice is logged once: to the runner's mmengine logger (and so its log
file) during training or testing, else to the ``mmmotionbert`` Python logger
(silent unless configured), never on a tool's stdout.

May import: torch, mmengine's logging, the standard library, and lazily
(for the measurement) :mod:`.concurrent_streams`, :mod:`.dstformer_block`
and :mod:`.fused_ops`.
"""
import functools
import json
import os
import os.path as osp
import platform
import threading
import time
from typing import Dict, Optional

import torch

__all__ = [
    'KERNEL_CHOICES', 'cpu_flags', 'cpu_model', 'cpu_isa', 'capability_choice',
    'kernel_cache_file', 'machine_key', 'measure_kernels', 'resolve_kernels',
    'kernel_choice', 'kernel_choice_info', 'set_kernels'
]

#: Settings of ``MMMOTIONBERT_KERNELS``.
KERNEL_CHOICES = ('plain', 'onednn', 'auto')
_ENV = 'MMMOTIONBERT_KERNELS'
_ISA_ORDER = ('default', 'avx2', 'avx512', 'amx')

#: names what :func:`measure_kernels` times (a new one measures again)
_MEASUREMENT = 'block v3'

_info: Optional[Dict] = None
_info_lock = threading.RLock()  # one decision, also with threads racing
_override: Optional[str] = None


@functools.lru_cache(maxsize=None)
def cpu_flags() -> frozenset:
    """CPU feature flags from ``/proc/cpuinfo`` (empty if unavailable)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    return frozenset(line.split(':', 1)[1].split())
    except OSError:
        pass
    return frozenset()


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), or the platform's."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_isa(flags: Optional[set] = None,
            aten_capability: Optional[str] = None,
            onednn_max_isa: Optional[str] = None,
            machine: Optional[str] = None) -> str:
    """The widest x86 instruction set the kernels may use here.

    Args:
        flags (set, optional): CPU flags; read from ``/proc/cpuinfo`` when
            None.
        aten_capability (str, optional): ATen's vector capability; defaults
            to ``torch.backends.cpu.get_cpu_capability()`` (which follows
            ``ATEN_CPU_CAPABILITY``).
        onednn_max_isa (str, optional): oneDNN's cap; defaults to the
            ``ONEDNN_MAX_CPU_ISA`` environment variable.
        machine (str, optional): ``platform.machine()`` by default.

    Returns:
        str: ``'amx'``, ``'avx512'``, ``'avx2'``, ``'default'`` (other x86)
        or ``'non-x86'``.
    """
    machine = (machine or platform.machine()).lower()
    if machine not in ('x86_64', 'amd64', 'i386', 'i686', 'x86'):
        return 'non-x86'
    flags = set(cpu_flags() if flags is None else flags)
    if {'amx_bf16', 'amx_int8', 'amx_tile'} & flags:
        isa = 'amx'
    elif 'avx512f' in flags:
        isa = 'avx512'
    elif 'avx2' in flags:
        isa = 'avx2'
    else:
        isa = 'default'
    if aten_capability is None:
        aten_capability = torch.backends.cpu.get_cpu_capability()
    if onednn_max_isa is None:
        onednn_max_isa = os.environ.get('ONEDNN_MAX_CPU_ISA', '')
    caps = [onednn_max_isa.lower()]
    # ATen's levels stop at AVX512 (no AMX level): only a lower one caps
    if not str(aten_capability).upper().startswith('AVX512'):
        caps.append(str(aten_capability).lower())
    for cap in caps:
        if not cap or cap == 'all':
            continue
        if 'amx' in cap:
            cap_isa = 'amx'
        elif cap.startswith('avx512') or cap.startswith('avx10'):
            cap_isa = 'avx512'
        elif cap.startswith('avx2'):
            cap_isa = 'avx2'
        else:
            cap_isa = 'default'
        if _ISA_ORDER.index(cap_isa) < _ISA_ORDER.index(isa):
            isa = cap_isa
    return isa


def capability_choice(isa: str) -> Optional[str]:
    """The kernels an instruction set settles on its own, if any.

    Args:
        isa (str): From :func:`cpu_isa`.

    Returns:
        str | None: ``'onednn'`` for AVX-512 and AMX, ``'plain'`` off x86,
        None where a measurement must decide (AVX2, other x86).
    """
    if isa in ('avx512', 'amx'):
        return 'onednn'
    if isa == 'non-x86':
        return 'plain'
    return None


def kernel_cache_file() -> str:
    """Where measured choices are cached (``kernels.json``)."""
    root = os.environ.get('MMMOTIONBERT_CACHE') or osp.join(
        osp.expanduser('~'), '.cache', 'mmmotionbert')
    return osp.join(root, 'kernels.json')


def machine_key(isa: Optional[str] = None) -> str:
    """Cache key: CPU model, usable instruction set, threads, torch and
    what :func:`measure_kernels` measures."""
    isa = isa or cpu_isa()
    return (f'{cpu_model()} | {isa} | {torch.get_num_threads()} threads | '
            f'torch {torch.__version__} | {_MEASUREMENT}')


def _read_cache(path: str) -> Dict[str, str]:
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        k: v['choice']
        for k, v in data.items()
        if isinstance(v, dict) and v.get('choice') in ('plain', 'onednn')
    }


def _write_cache(path: str, key: str, entry: Dict) -> None:
    try:
        with open(path) as f:
            data = json.load(f)
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[key] = entry
    try:
        os.makedirs(osp.dirname(path), exist_ok=True)
        tmp = f'{path}.{os.getpid()}.tmp'
        with open(tmp, 'w') as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, path)
    except OSError:  # a read-only home: choose again next time
        pass


def measure_kernels(frames: int = 121,
                    dim: int = 512,
                    repeats: int = 3) -> Dict[str, float]:
    """Time one DSTformer sub-block's linear layers with both kernels.

    Runs what inference runs, through the model's own code: the attention's
    qkv projection and its output projection with the residual, then the
    MLP branch (LayerNorm, ``dim -> 2 dim`` + GELU, ``2 dim -> dim`` +
    residual, on token chunks with the plain kernels) of a
    :class:`~.dstformer_block.DSTformerBlock` of the full model's width, for
    ``frames`` x 17 tokens, twice: as the two streams of a layer, concurrent
    where inference runs them so (:func:`~.concurrent_streams.run_streams`);
    interleaved, best of ``repeats``, the global RNG untouched.

    Args:
        frames (int): Frames of 17 joints. Defaults to 121.
        dim (int): Feature size. Defaults to 512.
        repeats (int): Timed rounds. Defaults to 3.

    Returns:
        dict[str, float]: Seconds per round for ``'plain'`` and ``'onednn'``
        (``inf`` where oneDNN cannot run).
    """
    from .concurrent_streams import run_streams
    from .dstformer_block import DSTformerBlock
    from .fused_ops import forced_kernels, fused_linear
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        block = DSTformerBlock(dim, num_heads=8, mlp_ratio=2,
                               order='st').eval()
        x = torch.randn(frames, 17, dim)
    attn = block.attn_s

    def sub_block():
        qkv = fused_linear(x, attn.qkv.weight, attn.qkv.bias)
        y = attn.project(qkv[..., :dim].reshape(-1, dim), residual=x)
        return block.mlp_branch(y, 'spatial')

    def run():
        return run_streams(x, sub_block, sub_block)

    times = {'plain': float('inf'), 'onednn': float('inf')}
    kernels = []
    with torch.no_grad():
        for name in times:  # warm-up; drop a kernel that cannot run
            with forced_kernels(name):
                try:
                    run()
                except RuntimeError:
                    continue
            kernels.append(name)
        for _ in range(repeats):
            for name in kernels:
                with forced_kernels(name):
                    start = time.perf_counter()
                    run()
                    times[name] = min(times[name],
                                      time.perf_counter() - start)
    return times


def resolve_kernels(setting: Optional[str] = None,
                    onednn_available: bool = True,
                    isa: Optional[str] = None,
                    cache_file: Optional[str] = None,
                    measure=measure_kernels) -> Dict:
    """Decide the kernels (the logic of :func:`kernel_choice`, testable).

    Args:
        setting (str, optional): ``plain``, ``onednn`` or ``auto``; defaults
            to ``MMMOTIONBERT_KERNELS``, else ``plain`` when
            ``MMMOTIONBERT_FUSED_OPS=0``, else ``auto``.
        onednn_available (bool): Whether the oneDNN op exists in this build.
        isa (str, optional): Defaults to :func:`cpu_isa`.
        cache_file (str, optional): Defaults to :func:`kernel_cache_file`.
        measure (callable): Returns the seconds per kernel (see
            :func:`measure_kernels`).

    Returns:
        dict: ``choice`` (``'plain'`` or ``'onednn'``), ``isa``, ``reason``
        and, when measured, ``seconds``.

    Raises:
        ValueError: An unknown setting.
    """
    if setting is None:
        setting = os.environ.get(_ENV)
        if not setting:
            setting = ('plain' if os.environ.get('MMMOTIONBERT_FUSED_OPS', '1')
                       == '0' else 'auto')
    setting = setting.strip().lower()
    if setting not in KERNEL_CHOICES:
        raise ValueError(f'{_ENV} must be one of {KERNEL_CHOICES}, got '
                         f'{setting!r}')
    isa = isa or cpu_isa()
    if not onednn_available:
        return dict(
            choice='plain',
            isa=isa,
            reason='no oneDNN linear op in this PyTorch build')
    if setting != 'auto':
        return dict(choice=setting, isa=isa, reason=f'{_ENV}={setting}')
    by_isa = capability_choice(isa)
    if by_isa is not None:
        return dict(choice=by_isa, isa=isa, reason=f'{isa} CPU')
    cache_file = cache_file or kernel_cache_file()
    key = machine_key(isa)
    cached = _read_cache(cache_file).get(key)
    if cached is not None:
        return dict(
            choice=cached,
            isa=isa,
            reason=f'measured before (cached in {cache_file})')
    seconds = measure()
    choice = 'onednn' if seconds['onednn'] < seconds['plain'] else 'plain'
    _write_cache(cache_file, key, dict(choice=choice, seconds=seconds))
    return dict(
        choice=choice,
        isa=isa,
        seconds=seconds,
        reason=f'measured on this {isa} CPU: plain '
        f'{seconds["plain"] * 1e3:.2f} ms, oneDNN '
        f'{seconds["onednn"] * 1e3:.2f} ms (cached in {cache_file})')


def set_kernels(setting: Optional[str]) -> None:
    """Override the choice for this process (None: back to the default).

    Args:
        setting (str, optional): ``plain``, ``onednn`` or ``auto``.
    """
    global _info, _override
    if setting is not None and setting not in KERNEL_CHOICES:
        raise ValueError(f'kernels must be one of {KERNEL_CHOICES}, got '
                         f'{setting!r}')
    _override = setting
    _info = None


def kernel_choice_info(onednn_available: bool = True) -> Dict:
    """The decision of this process, made on first use and logged once.

    Args:
        onednn_available (bool): Whether the oneDNN op exists.

    Returns:
        dict: :func:`resolve_kernels`' ``choice``, ``isa``, ``reason``.
    """
    global _info
    if _info is None:  # the lock only until decided: every linear asks
        with _info_lock:
            if _info is None:
                _info = _decide(onednn_available)
    return _info


def _decide(onednn_available: bool) -> Dict:
    """:func:`resolve_kernels` for this process, logged once."""
    info = resolve_kernels(_override, onednn_available)
    msg = f'mmmotionbert linear kernels: {info["choice"]} ({info["reason"]})'
    import logging

    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance() if MMLogger._instance_dict \
        else None
    if logger is not None and any(
            isinstance(h, logging.FileHandler) for h in logger.handlers):
        logger.info(msg)  # a runner's logger: into its log file too
    else:  # never on stdout, which tools use for their JSON
        logging.getLogger('mmmotionbert').info(msg)
    return info


def kernel_choice(onednn_available: bool = True) -> str:
    """The kernels of this process: ``'plain'`` or ``'onednn'``
    (:func:`kernel_choice_info`)."""
    return kernel_choice_info(onednn_available)['choice']
