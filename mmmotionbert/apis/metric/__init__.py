# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Metric 3D output: cameras, scale, root trajectory, floor and world frame.

:func:`metric_motion` is the entry point: a lifted
:class:`~mmmotionbert.structures.LiftResult` and a :class:`Camera` (from
:func:`load_calibration`, :func:`default_camera` or the default field of
view) give a :class:`~mmmotionbert.structures.MetricMotion` in metres, in
the camera frame and a floor-aligned world frame. Layout: :mod:`.camera`,
:mod:`.skeleton` (height and bone lengths), :mod:`.trajectory` (root
translation), :mod:`.floor` (contacts, ground plane, world frame),
:mod:`.reconstruct`. The method and its measured errors: docs/metric_output.md.

May import: its submodules (re-exports).
"""
from .camera import (DEFAULT_FOV_DEG, CalibrationError, Camera,
                     default_camera, load_calibration, resolve_camera)
from .floor import CALIBRATION_TO_WORLD, estimate_floor, floor_angle_deg
from .reconstruct import fit_person, metric_motion, subject_heights
from .skeleton import ADULT_HEIGHT_M

__all__ = [
    'ADULT_HEIGHT_M', 'CALIBRATION_TO_WORLD', 'DEFAULT_FOV_DEG',
    'CalibrationError', 'Camera', 'default_camera', 'estimate_floor',
    'fit_person', 'floor_angle_deg', 'load_calibration', 'metric_motion',
    'resolve_camera', 'subject_heights'
]
