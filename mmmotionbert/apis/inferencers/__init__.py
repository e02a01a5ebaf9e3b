# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Lift in-the-wild 2D keypoints to 3D with a MotionBERT lifter.

:class:`MotionLifterInferencer` lifts whole clips of any length with
overlapping sliding windows blended together; :class:`StreamingLifter`
lifts live input causally, one frame at a time.

Output convention (``LiftResult.keypoints_3d``, (P, T, 17, 3) float32,
H36M-17 joint order):

* **axes**: camera-aligned like the image: x right, y down, z away from
  the camera (depth);
* **units**: pixels of the input frames, depth in the same pixel scale
  (the model's normalized output times half the ``crop_scale`` box side).
  Multiply by ``subject height [m] / subject height [px]`` for metres;
* **root**: root-relative models (``rootrel=True``, e.g. the official
  H36M models and the shipped small model) give the pelvis at
  ``(0, 0, 0)`` in every frame; add ``LiftResult.root_2d`` to x, y to place
  a pose in the image. Global models (``rootrel=False``, e.g. the official
  ``MB_ft_h36m_global_lite``) give x, y in image pixels and a depth relative
  to the pelvis of the track's first frame (the official convention),
  consistent across windows;
* frames before a track's first or after its last detection are NaN with
  score 0. Frames inside a track where the person was not detected are
  filled by the model (score 0).

Layout: :mod:`.base` (the windowed core: preprocess / forward with
batching and a progress bar), :mod:`.windows` (window maths),
:mod:`.model_files` (checkpoints and configs), :mod:`.lifter`,
:mod:`.streaming`, :mod:`.mesh` and :mod:`.mesh_model`.

May import: its submodules (re-exports).
"""
from .base import BaseMotionInferencer, model_forward
from .lifter import MotionLifterInferencer
from .mesh import MeshInferencer
from .mesh_model import (DEFAULT_MESH_CLIP_LEN, DEFAULT_SMPL_DIR, flip_rotmat,
                         init_mesh_model, project_to_so3)
from .model_files import (DEFAULT_CHECKPOINT, DEFAULT_CONFIG_PATTERN,
                          REPO_ROOT, init_lifter)
from .streaming import StreamingLifter
from .windows import (batch_jobs, blend_weights, check_window_settings,
                      normalize_clip, sliding_windows, window_jobs)

__all__ = [
    'BaseMotionInferencer', 'model_forward', 'MotionLifterInferencer',
    'StreamingLifter', 'MeshInferencer', 'init_lifter', 'init_mesh_model',
    'DEFAULT_CHECKPOINT', 'DEFAULT_CONFIG_PATTERN', 'REPO_ROOT',
    'DEFAULT_MESH_CLIP_LEN', 'DEFAULT_SMPL_DIR', 'project_to_so3',
    'flip_rotmat', 'batch_jobs', 'blend_weights', 'check_window_settings',
    'normalize_clip', 'sliding_windows', 'window_jobs'
]
