# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Run a batched CPU inference clip by clip.

A DSTformer forward over B clips allocates activations B times as large as
one clip's; on CPU those no longer fit in the cache, and buffers above
glibc's mmap threshold (32 MB) are mapped afresh, and page-faulted, on every
allocation. Every clip is independent of the others (LayerNorm, attention
and the MLPs all work within a clip), so the same result comes from one clip
at a time, faster (``docs/benchmarks.md``) and with less peak memory.

May import: torch and :mod:`.fused_ops`; never ``apis`` or ``datasets``.
"""
from typing import Callable

import torch

from .fused_ops import cpu_inference


def splits_per_clip(x: torch.Tensor) -> bool:
    """Whether :func:`per_clip` will split ``x``: several clips, on CPU,
    without gradients, outside tracing and export."""
    return x.shape[0] > 1 and cpu_inference(x)


def per_clip(fn: Callable[[torch.Tensor], torch.Tensor],
             x: torch.Tensor) -> torch.Tensor:
    """``fn(x)``, computed one clip of the batch at a time where that helps.

    Args:
        fn (Callable): Maps (B, ...) to (B, ...), clips independently.
        x (Tensor): (B, ...) input.

    Returns:
        Tensor: ``fn(x)``; on CPU inference with B > 1 the concatenation of
        ``fn`` on each (1, ...) clip, elsewhere (GPU, training, tracing) one
        batched call.
    """
    if not splits_per_clip(x):
        return fn(x)
    return torch.cat([fn(clip) for clip in x.split(1)])
