# Copyright (c) mmmotionbert contributors. All rights reserved.
"""A random virtual camera for a 3D mocap window, and its 2D projection.

Two steps of :class:`~mmmotionbert.datasets.MBMocapDataset`'s pipeline:

* :class:`MBVirtualCamera` draws a perspective camera aimed near the
  window's mean pelvis and moves ``joints``/``face`` into its frame
  (``joints_cam``/``face_cam``, metres, x right, y down, z forward),
  pushing it back so every point is at least ``min_depth`` in front;
* :class:`MBProjectMocap2D` makes the 2D input ``motion_2d`` (T, 17, 3)
  ``[x, y, 1]`` in pixels -- as a COCO detector + ``coco2h36m`` would give
  it when ``wild_2d`` (head = mid-eyes, thorax = mid-shoulders), else the
  plain projection -- the pixel target ``target`` ``[x, y, (Z - Z_root) *
  f / Z_root]`` and ``face_hidden`` (T,) bool (face turned away).

May import numpy, mmcv, mmmotionbert.registry / utils, :mod:`..mocap` and
:mod:`.base`.
"""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmmotionbert.registry import TRANSFORMS
from mmmotionbert.utils.keypoints import coco_to_h36m
from ..mocap.camera import (project_points, sample_virtual_camera,
                            world_to_camera)
from ..mocap.skeleton import coco_points_from_h36m
from .base import MBRandomTransform

__all__ = ['MBVirtualCamera', 'MBProjectMocap2D']


@TRANSFORMS.register_module()
class MBVirtualCamera(MBRandomTransform):
    """Draw a camera looking at the subject; joints into camera space.

    Draws (in order) the aim-point jitter ``rng.normal(0, look_at_jitter,
    3)`` (when ``look_at_jitter > 0``) and the camera of
    :func:`~..mocap.camera.sample_virtual_camera`.

    Args:
        camera (dict, optional): Overrides of ``sample_virtual_camera``'s
            ranges (``yaw_range``, ``pitch_range``, ``distance_range``,
            ``fov_range``, ``resolutions``).
        look_at_jitter (float): Std (m) of the aim point's offset from the
            window's mean pelvis. Defaults to 0.15.
        min_depth (float): Least depth (m) of every point; the camera is
            moved back along its axis otherwise. Defaults to 1.0.
        seed (int): Own generator seed (without ``results['rng']``).
    """

    def __init__(self,
                 camera: Optional[dict] = None,
                 look_at_jitter: float = 0.15,
                 min_depth: float = 1.0,
                 seed: int = 0) -> None:
        super().__init__(seed)
        self.camera_cfg = dict(camera or {})
        self.look_at_jitter = float(look_at_jitter)
        self.min_depth = float(min_depth)

    def transform(self, results: dict) -> dict:
        """Add ``camera``, ``joints_cam`` and ``face_cam``.

        Args:
            results (dict): Needs ``joints`` (T, 17, 3) and ``face``
                (T, 5, 3), world metres.

        Returns:
            dict: ``results`` with the camera (see
            ``sample_virtual_camera``) and camera-space points.
        """
        rng = self.rng(results)
        joints, face = results['joints'], results['face']
        look_at = joints[:, 0].mean(0)
        if self.look_at_jitter > 0:
            look_at = look_at + rng.normal(0.0, self.look_at_jitter, 3)
        camera = sample_virtual_camera(rng, look_at, **self.camera_cfg)
        cam = world_to_camera(joints, camera)
        cam_face = world_to_camera(face, camera)
        nearest = min(cam[..., 2].min(), cam_face[..., 2].min())
        if nearest < self.min_depth:  # move the camera back along its axis
            shift = self.min_depth - nearest
            cam[..., 2] += shift
            cam_face[..., 2] += shift
            camera['position'] = camera['position'] - shift * camera[
                'rotation'][2]
            camera['distance'] += shift
        results.update(camera=camera, joints_cam=cam, face_cam=cam_face)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(camera={self.camera_cfg}, '
                f'look_at_jitter={self.look_at_jitter}, '
                f'min_depth={self.min_depth})')


@TRANSFORMS.register_module()
class MBProjectMocap2D(BaseTransform):
    """Project camera-space joints: 2D input, pixel target, hidden face.

    Draws nothing.

    Args:
        wild_2d (bool): Build the input from projected COCO-17 points
            converted to H36M-17 (a detector's view); False projects the
            3D joints as they are. Defaults to True.
    """

    def __init__(self, wild_2d: bool = True) -> None:
        self.wild_2d = bool(wild_2d)

    def transform(self, results: dict) -> dict:
        """Add ``motion_2d``, ``target``, ``face_hidden`` and ``wild_2d``.

        Args:
            results (dict): Needs ``camera``, ``joints_cam``, ``face_cam``.

        Returns:
            dict: ``results`` with ``motion_2d`` (T, 17, 3) ``[x, y, 1]``
            pixels, ``target`` (T, 17, 3) pixels and pixel depth,
            ``face_hidden`` (T,) bool and ``wild_2d``.
        """
        camera = results['camera']
        cam, cam_face = results['joints_cam'], results['face_cam']
        focal, center = camera['focal'], camera['center']
        if self.wild_2d:
            coco = project_points(
                coco_points_from_h36m(cam, cam_face), focal, center)
            kpts = coco_to_h36m(coco)
        else:
            kpts = project_points(cam, focal, center)
        root_z = cam[:, :1, 2]
        target_px = np.concatenate([
            project_points(cam, focal, center),
            ((cam[..., 2] - root_z) * focal / root_z)[..., None]
        ], -1)
        # seen from behind: the face (mid-ears -> nose) looks away from the
        # camera centre (the origin of camera space)
        facing = cam_face[:, 0] - cam_face[:, 3:5].mean(1)
        results.update(
            motion_2d=np.concatenate(
                [kpts, np.ones_like(kpts[..., :1])], -1),
            target=target_px,
            face_hidden=np.sum(facing * -cam_face[:, 0], -1) < 0,
            wild_2d=self.wild_2d)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(wild_2d={self.wild_2d})'
