# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Distributed launch on machines without CUDA.

mmengine 0.10.7's ``init_dist`` calls ``torch.cuda.set_device``, which a CPU
build of torch lacks, and its default DDP wrapper passes
``device_ids=[LOCAL_RANK]``, which CPU modules reject. On a machine without
CUDA, :func:`setup_cpu_distributed` initialises the process group with the
``gloo`` backend itself (the Runner then skips its own init) and makes the
DDP wrapper use ``device_ids=None``. On CUDA machines it changes nothing.

May import: torch and mmengine (``Config``); no other layer of ours.
"""
import os
import subprocess

import torch
import torch.distributed as dist
from mmengine.config import Config


def _slurm_env() -> None:
    """Translate SLURM variables into torch's env:// variables."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    if 'MASTER_ADDR' not in os.environ:
        nodes = os.environ.get('SLURM_NODELIST', '127.0.0.1')
        try:
            first = subprocess.check_output(
                ['scontrol', 'show', 'hostnames', nodes],
                text=True).split()[0]
        except (OSError, subprocess.CalledProcessError):
            first = nodes
        os.environ['MASTER_ADDR'] = first
    os.environ.setdefault('MASTER_PORT', '29500')


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Prepare a distributed run on CPU (gloo) before the Runner is built.

    Args:
        cfg (Config): The run's config; ``env_cfg.dist_cfg.backend`` and
            ``model_wrapper_cfg`` are adjusted in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.

    Returns:
        bool: True when the gloo process group was set up here.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher == 'slurm':
        _slurm_env()
    elif launcher == 'mpi':
        os.environ.setdefault('RANK',
                              os.environ.get('OMPI_COMM_WORLD_RANK', '0'))
        os.environ.setdefault('WORLD_SIZE',
                              os.environ.get('OMPI_COMM_WORLD_SIZE', '1'))
        os.environ.setdefault(
            'LOCAL_RANK', os.environ.get('OMPI_COMM_WORLD_LOCAL_RANK', '0'))
        os.environ.setdefault('MASTER_ADDR', '127.0.0.1')
        os.environ.setdefault('MASTER_PORT', '29500')
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    env_cfg = cfg.setdefault('env_cfg', {})
    env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True
