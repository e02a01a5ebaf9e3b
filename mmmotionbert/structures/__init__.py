# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Data containers passed between the layers.

* :class:`KeypointSequence`: 2D keypoints of every tracked person of a clip
  (what readers and detectors return, what inferencers take);
* :class:`LiftResult`: lifted 3D poses (what the lifter inferencers return,
  what the exporters and the renderer take);
* :class:`MeshResult`: SMPL meshes of the same tracks;
* :class:`MetricMotion`: the same poses in metres, in the camera and a
  floor-aligned world frame (what the exporters and the viewer take).

May import: numpy and :mod:`mmmotionbert.utils`; nothing from ``apis``,
``models`` or ``datasets``.
"""
from .keypoint_sequence import Instance, KeypointFormatError, KeypointSequence
from .lift_result import LiftResult
from .mesh_result import MeshResult
from .metric_motion import MetricMotion

__all__ = [
    'Instance', 'KeypointFormatError', 'KeypointSequence', 'LiftResult',
    'MeshResult', 'MetricMotion'
]
