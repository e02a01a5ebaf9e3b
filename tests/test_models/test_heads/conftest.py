# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Generated SMPL assets for the mesh head tests (shared with test_mesh)."""
from ...test_mesh.conftest import smpl_dir, smpl_paths  # noqa: F401
