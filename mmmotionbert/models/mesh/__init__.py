# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Human mesh recovery task model."""
from .mesh_regressor import MBMeshRegressor

__all__ = ['MBMeshRegressor']
