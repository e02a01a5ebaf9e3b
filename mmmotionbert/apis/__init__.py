# Copyright (c) mmmotionbert contributors. All rights reserved.
"""High-level APIs: official checkpoints, in-the-wild inference (3D pose,
mesh), action."""
from . import official_action  # noqa: F401  (registers task='action')
from . import official_mesh  # noqa: F401  (registers task='mesh')
from .action_inference import inference_action, init_action_model
from .fast_inference import optimize_for_inference
from .inferencer import (LiftResult, MotionLifterInferencer, StreamingLifter,
                         init_lifter)
from .keypoint_io import KeypointSequence, read_keypoints
from .mesh_inference import MeshInferencer, MeshResult, init_mesh_model
from .official import load_official_model

__all__ = [
    'load_official_model', 'init_action_model', 'inference_action',
    'MotionLifterInferencer', 'StreamingLifter', 'LiftResult', 'init_lifter',
    'KeypointSequence', 'read_keypoints', 'optimize_for_inference',
    'MeshInferencer', 'MeshResult', 'init_mesh_model'
]
