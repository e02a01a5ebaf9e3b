# Copyright (c) mmmotionbert contributors. All rights reserved.
"""High-level APIs: official checkpoints, in-the-wild inference (3D pose,
mesh), action.

:mod:`.readers` (2D input files) -> :mod:`mmmotionbert.structures` ->
:mod:`.inferencers` (windowed core, lifter, streaming, mesh) -> results;
:mod:`.tracking` links persons over frames, :mod:`.detectors` gives 2D
from video. The APIs may import every other layer; no other layer imports
them.

May import: its submodules and :mod:`mmmotionbert.structures` (re-exports).
"""
from . import official_action  # noqa: F401  (registers task='action')
from . import official_mesh  # noqa: F401  (registers task='mesh')
from .action_inference import inference_action, init_action_model
from .fast_inference import optimize_for_inference
from mmmotionbert.structures import KeypointSequence, LiftResult, MeshResult
from .inferencers import (BaseMotionInferencer, MeshInferencer,
                          MotionLifterInferencer, StreamingLifter, init_lifter,
                          init_mesh_model)
from .readers import read_keypoints
from .tracking import PoseTracker
from .model_zoo import resolve_checkpoint
from .official import load_official_model
from .pose2sim_eval import evaluate_pose2sim

__all__ = [
    'load_official_model', 'init_action_model', 'inference_action',
    'MotionLifterInferencer', 'StreamingLifter', 'LiftResult', 'init_lifter',
    'KeypointSequence', 'read_keypoints', 'optimize_for_inference',
    'MeshInferencer', 'MeshResult', 'init_mesh_model', 'BaseMotionInferencer',
    'PoseTracker', 'evaluate_pose2sim', 'resolve_checkpoint'
]
