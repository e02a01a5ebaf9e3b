# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Former home of the mesh inferencer, kept so old imports work.

It lives in :mod:`mmmotionbert.apis.inferencers.mesh` (model building in
:mod:`~mmmotionbert.apis.inferencers.mesh_model`) and the result in
:mod:`mmmotionbert.structures`.

May import: :mod:`.inferencers` and :mod:`mmmotionbert.structures` (re-exports
only).
"""
from mmmotionbert.structures import MeshResult
from .inferencers.mesh import MeshInferencer
from .inferencers.mesh_model import (_MESH_HINT, _POSE_DIM,
                                     DEFAULT_MESH_CLIP_LEN, DEFAULT_SMPL_DIR,
                                     _not_mesh, _prepare_smpl, _smpl_dir,
                                     flip_rotmat, init_mesh_model,
                                     project_to_so3)

__all__ = [
    'DEFAULT_MESH_CLIP_LEN', 'DEFAULT_SMPL_DIR', 'init_mesh_model',
    'MeshResult', 'MeshInferencer', 'project_to_so3', 'flip_rotmat'
]
