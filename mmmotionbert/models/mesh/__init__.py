# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Human mesh recovery task model.

May import: its submodules; never ``apis`` or ``datasets``.
"""
from .mesh_regressor import MBMeshRegressor

__all__ = ['MBMeshRegressor']
