# Copyright (c) mmmotionbert contributors. All rights reserved.
from .h36m_metric import MBH36MMetric  # noqa: F401
