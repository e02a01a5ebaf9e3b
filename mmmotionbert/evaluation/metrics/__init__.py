# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Registered mmengine metrics (H36M, P-MPJPE, one-shot action, mesh).

May import: its submodules (importing them registers the metrics); never
``apis`` or ``datasets``.
"""
from .h36m_metric import MBH36MMetric  # noqa: F401
from .procrustes_metric import MBProcrustesMetric  # noqa: F401
from .oneshot_metric import MBOneShotMetric  # noqa: F401
from .mesh_metric import MBMeshMetric  # noqa: F401
