# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Metric, camera-space 3D motion from a lifted result and a camera.

:func:`metric_motion` turns a :class:`~mmmotionbert.structures.LiftResult`
(root-relative poses in pixel units) into a
:class:`~mmmotionbert.structures.MetricMotion`, person by person
(:func:`fit_person`):

1. **Scale.** Bone lengths constant over the track: the model's
   proportions (median over the frames) scaled to the subject's height
   (:mod:`.skeleton`), then refined from the 2D keypoints; each frame's pose
   keeps its bone directions and takes those lengths.
2. **Trajectory.** The root translation reprojecting the 2D keypoints,
   robust and smooth over the track (:mod:`.trajectory`); each pose is
   turned towards its ray. Steps 1-2 alternate ``rounds`` times.
3. **World.** The floor from the foot contacts (:mod:`.floor`) gives a
   Y-up world with the floor at ``y = 0``; a calibration with extrinsics
   gives its own world instead.

The scale never comes from the network's normalised depth: only the height
and the 2D reprojection fix it. Frames where a person has no detected
keypoint are NaN.

May import: numpy, :mod:`mmmotionbert.structures`,
:mod:`mmmotionbert.utils.keypoints` and its sibling modules.
"""
from typing import Any, Dict, Mapping, Optional, Sequence, Union

import numpy as np

from mmmotionbert.structures import LiftResult, MetricMotion
from mmmotionbert.utils.keypoints import H36M_BONES
from .camera import Camera, CalibrationError, resolve_camera
from .floor import (apply_transform, estimate_floor, world_from_extrinsics,
                    world_from_floor)
from .skeleton import (ADULT_HEIGHT_M, initial_bone_lengths,
                       refine_bone_lengths, retarget)
from .trajectory import rotate_to_rays, solve_root_trajectory

__all__ = ['fit_person', 'metric_motion', 'subject_heights']

_CHILD = [c for c, _ in H36M_BONES]
_PARENT = [p for _, p in H36M_BONES]

HeightSpec = Union[None, float, Sequence[float], Mapping[int, float]]


def subject_heights(spec: HeightSpec, track_ids: Sequence[int]) -> tuple:
    """One height per track from a number, a list or a mapping.

    Args:
        spec: None (the adult prior :data:`ADULT_HEIGHT_M`), one height for
            every track, one per track (in track order), or track id ->
            height.
        track_ids (Sequence[int]): The result's track ids.

    Returns:
        tuple: ``(heights (P,) float64, source str)``.

    Raises:
        CalibrationError: On a non-positive or non-finite height, a list
            whose length is not the number of tracks, or a mapping missing a
            track.
    """
    ids = [int(t) for t in track_ids]
    if spec is None:
        return np.full(len(ids), ADULT_HEIGHT_M), (
            f'default adult height {ADULT_HEIGHT_M} m')
    if isinstance(spec, Mapping):
        missing = [t for t in ids if t not in spec]
        if missing:
            raise CalibrationError(f'no subject height for track(s) '
                                   f'{missing} (heights given for '
                                   f'{sorted(spec)})')
        values, source = [spec[t] for t in ids], 'per track id'
    elif np.ndim(spec) == 0:
        values, source = [spec] * len(ids), 'given'
    else:
        values = list(spec)
        if len(values) == 1:
            values = values * len(ids)
        elif len(values) != len(ids):
            raise CalibrationError(f'{len(values)} subject heights for '
                                   f'{len(ids)} tracks {ids}: give one '
                                   'height, or one per track')
        source = 'given per track'
    heights = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(heights) | (heights <= 0)
    if bad.any():
        raise CalibrationError(f'subject height must be positive metres, '
                               f'got {heights[bad].tolist()}')
    return heights, source


def fit_person(rel: np.ndarray,
               keypoints_2d: np.ndarray,
               scores: np.ndarray,
               camera: Camera,
               height: float,
               fps: float,
               rounds: int = 4,
               across: float = 0.6) -> Dict[str, np.ndarray]:
    """Metric camera-space joints of one track (see the module doc).

    Args:
        rel (np.ndarray): (T, 17, 3) lifted poses in any units (NaN outside
            the track); made root-relative here.
        keypoints_2d (np.ndarray): (T, 17, 2) pixels.
        scores (np.ndarray): (T, 17) 2D scores (0 = missing).
        camera (Camera): The camera.
        height (float): Subject height (metres).
        fps (float): Frame rate.
        rounds (int): Scale / trajectory alternations.
        across (float): A bone's projection must be this fraction of its
            full length for its 2D ratio to count.

    Returns:
        dict: ``joints`` (T, 17, 3) metres (NaN where undetected),
        ``bone_lengths`` (16,) and ``detected`` (T,) bool.
    """
    T = len(rel)
    span = np.isfinite(rel).all((-1, -2))
    detected = span & (np.asarray(scores) > 0).any(-1)
    out = np.full((T, 17, 3), np.nan)
    if detected.sum() < 1:
        return dict(joints=out, bone_lengths=np.full(16, np.nan),
                    detected=detected)
    idx = np.nonzero(span)[0]
    rel = np.asarray(rel[idx], np.float64)
    rel = rel - rel[:, :1]
    uv = camera.undistort(keypoints_2d[idx])
    w = np.where(scores[idx] > 0, scores[idx], 0.0).astype(np.float64)
    K = camera.K
    lengths = initial_bone_lengths(rel, height)
    pose = retarget(rel, lengths)
    root = solve_root_trajectory(pose, uv, w, K, fps)
    for r in range(rounds + 1):
        pose = rotate_to_rays(retarget(rel, lengths), root)
        root = solve_root_trajectory(pose, uv, w, K, fps, init=root)
        if r == rounds:
            break
        joints = pose + root[:, None]
        z = np.maximum(joints[..., 2], 1e-6)
        proj = np.stack([K[0, 0] * joints[..., 0] / z + K[0, 2],
                         K[1, 1] * joints[..., 1] / z + K[1, 2]], -1)
        seen_len = np.linalg.norm(proj[:, _CHILD] - proj[:, _PARENT], axis=-1)
        full = lengths[None] * K[0, 0] / z[:, _PARENT]
        lengths = refine_bone_lengths(lengths, proj, uv, w,
                                      seen_len > across * full, height)
    out[idx] = pose + root[:, None]
    out[~detected] = np.nan
    return dict(joints=out, bone_lengths=lengths, detected=detected)


def metric_motion(result: LiftResult,
                  camera: Optional[Camera] = None,
                  subject_height: HeightSpec = None,
                  rounds: int = 4) -> MetricMotion:
    """Metric camera-space and world-space motion of every track.

    Args:
        result (LiftResult): Lifted poses (pixel units, see
            :mod:`mmmotionbert.apis.inferencers`).
        camera (Camera, optional): Intrinsics (and extrinsics). Defaults to
            :func:`~.camera.default_camera` on the result's frame size (else
            the keypoints' extent, see :func:`~.camera.resolve_camera`).
        subject_height: Height(s) in metres, see :func:`subject_heights`.
        rounds (int): Scale / trajectory alternations.

    Returns:
        MetricMotion: The motion; its ``meta`` records units, axes, camera,
        heights, world frame and assumptions.

    Raises:
        CalibrationError: On a bad height, or no camera to be had.
        ValueError: When no person has a detected keypoint.
    """
    camera = camera or resolve_camera(result.frame_size,
                                      keypoints=result.keypoints_2d,
                                      scores=result.scores)
    heights, height_source = subject_heights(subject_height,
                                             result.track_ids)
    fps = float(result.fps) if result.fps and np.isfinite(
        result.fps) and result.fps > 0 else 25.0
    P, T = result.num_persons, result.num_frames
    joints = np.full((P, T, 17, 3), np.nan)
    lengths = np.full((P, 16), np.nan)
    for p in range(P):
        fit = fit_person(result.keypoints_3d[p], result.keypoints_2d[p],
                         result.scores[p], camera, heights[p], fps, rounds)
        joints[p], lengths[p] = fit['joints'], fit['bone_lengths']
    if not np.isfinite(joints).any():
        raise ValueError('no person has a detected keypoint: nothing to '
                         'place in metres')
    floor = estimate_floor(joints, heights, fps)
    if camera.has_extrinsics:
        to_world = world_from_extrinsics(camera.R, camera.t)
        world_source = f'calibration extrinsics ({camera.source})'
    else:
        first = joints[:, :, 0][np.isfinite(joints[:, :, 0]).all(-1)][0]
        to_world = world_from_floor(floor['normal'], floor['point'], first)
        world_source = f'floor from {floor["source"]}'
    world = apply_transform(to_world, joints)
    meta: Dict[str, Any] = dict(
        units='m',
        camera_axes='x right, y down, z forward (camera frame), root '
        'included',
        world_axes='Y up, floor at y = 0, x and z horizontal',
        world_source=world_source,
        camera=camera.describe(),
        subject_heights=heights.tolist(),
        height_source=height_source,
        bone_lengths=np.round(lengths, 4).tolist(),
        scale='constant bone lengths per track: the model\'s proportions '
        'refined by the 2D reprojection, scaled to the subject height '
        '(leg + spine = 0.779 height, Winter)',
        trajectory='root translation by robust, temporally smooth '
        'reprojection of the 2D keypoints',
        floor=dict(
            normal_camera=np.round(floor['normal'], 6).tolist(),
            point_camera=np.round(floor['point'], 6).tolist(),
            source=floor['source'],
            num_contacts=floor['num_contacts']),
        fps=fps,
        assumptions=[
            'static camera', 'one rigid floor plane',
            'undetected frames are NaN'
        ])
    return MetricMotion(
        keypoints_3d_metric=joints.astype(np.float32),
        keypoints_3d_world=world.astype(np.float32),
        camera_to_world=to_world,
        foot_contacts=floor['contacts'],
        subject_heights=heights,
        meta=meta)
