# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Metric 3D motion of every tracked person: camera space and world space.

What the metric reconstruction (:mod:`mmmotionbert.apis.metric`) adds to a
:class:`~mmmotionbert.structures.LiftResult`: the joints in metres with
their root trajectory, in the camera frame and in a gravity-aligned world
frame whose floor is ``y = 0``, the camera pose in that world and per-frame
foot contacts. Exporters (BVH, TRC, joint-angle CSV), the HTML viewer and
the renderer read it.

May import: numpy only.
"""
from dataclasses import dataclass, field
from typing import Any, Dict

import numpy as np

__all__ = ['MetricMotion']


@dataclass
class MetricMotion:
    """Metric 3D motion of P persons over T frames (H36M-17 joints).

    Frames where a person has no detection are NaN in both joint arrays
    (and ``False`` in ``foot_contacts``).

    Attributes:
        keypoints_3d_metric (np.ndarray): (P, T, 17, 3) float32 metres in the
            camera frame (x right, y down, z forward), root included.
        keypoints_3d_world (np.ndarray): (P, T, 17, 3) float32 metres in the
            world frame: Y up, the floor at ``y = 0``; x and z horizontal.
        camera_to_world (np.ndarray): (4, 4) float64 rigid transform, a
            camera point ``p`` is the world point ``R @ p + t``.
        foot_contacts (np.ndarray): (P, T, 2) bool, left and right foot on
            the floor.
        subject_heights (np.ndarray): (P,) float64 heights (metres) the
            scale was fitted to.
        meta (dict): Units, axes, camera intrinsics and their source, the
            scale and height sources, the world frame's source and the
            assumptions made (json-serialisable).
    """

    keypoints_3d_metric: np.ndarray
    keypoints_3d_world: np.ndarray
    camera_to_world: np.ndarray
    foot_contacts: np.ndarray
    subject_heights: np.ndarray
    meta: Dict[str, Any] = field(default_factory=dict)

    @property
    def num_persons(self) -> int:
        """Number of persons P."""
        return self.keypoints_3d_metric.shape[0]

    @property
    def num_frames(self) -> int:
        """Number of frames T."""
        return self.keypoints_3d_metric.shape[1]

    def npz_arrays(self) -> Dict[str, np.ndarray]:
        """The arrays this adds to a result's npz file.

        Returns:
            dict[str, np.ndarray]: ``keypoints_3d_metric``,
            ``keypoints_3d_world`` (float32), ``camera_to_world``
            (float64), ``foot_contacts`` (bool) and ``subject_heights``.
        """
        return dict(
            keypoints_3d_metric=self.keypoints_3d_metric.astype(np.float32),
            keypoints_3d_world=self.keypoints_3d_world.astype(np.float32),
            camera_to_world=np.asarray(self.camera_to_world, np.float64),
            foot_contacts=np.asarray(self.foot_contacts, bool),
            subject_heights=np.asarray(self.subject_heights, np.float64))
