# Copyright (c) mmmotionbert contributors. All rights reserved.
from .h36m_metric import MBH36MMetric  # noqa: F401
from .procrustes_metric import MBProcrustesMetric  # noqa: F401
from .oneshot_metric import MBOneShotMetric  # noqa: F401
from .mesh_metric import MBMeshMetric  # noqa: F401
