# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Errors of 3D predictions on the Pose2Sim demo (judges outputs only).

Per camera, predictions (T, 17, 3) in any units and camera frame are
compared with the triangulated markers (H36M-17, metres) by P-MPJPE
(similarity Procrustes: scale, rotation, translation), next to a constant
baseline pose aligned the same way. Lifting the demo with a model is
:func:`mmmotionbert.apis.pose2sim_eval.evaluate_pose2sim`.

May import: numpy and :mod:`.errors`; never ``apis`` or ``datasets``.
"""
from typing import Dict, Mapping, Optional

import numpy as np

from .errors import p_mpjpe

__all__ = ['pose2sim_errors', 'metric_errors']


def pose2sim_errors(joints_3d: np.ndarray,
                    keypoints_2d: Mapping[str, np.ndarray],
                    predictions: Optional[Mapping[str, np.ndarray]] = None,
                    mean_pose: Optional[np.ndarray] = None) -> Dict:
    """P-MPJPE per camera of predictions and of a constant baseline pose.

    Args:
        joints_3d (np.ndarray): (T, 17, 3) ground-truth joints, metres.
        keypoints_2d (Mapping[str, np.ndarray]): Camera -> (T, 17, 3) 2D
            input ``[x, y, score]`` (its missing joints are counted).
        predictions (Mapping[str, np.ndarray], optional): Camera ->
            (T, 17, 3) prediction, any units.
        mean_pose (np.ndarray, optional): (17, 3) baseline pose, metres.

    Returns:
        dict: ``cameras`` (per camera ``num_frames``,
        ``missing_keypoints`` and, when computed, ``p_mpjpe_mm`` and
        ``baseline_p_mpjpe_mm``) and the camera means ``p_mpjpe_mm`` and
        ``baseline_p_mpjpe_mm`` (None when not computed).
    """
    gt_mm = np.asarray(joints_3d, dtype=np.float64) * 1000.0
    cameras = {}
    for cam, kpts in keypoints_2d.items():
        entry = dict(
            num_frames=int(len(kpts)),
            missing_keypoints=int((kpts[..., 2] == 0).sum()))
        if predictions is not None:
            pred = np.asarray(predictions[cam])
            entry['p_mpjpe_mm'] = float(
                np.mean(p_mpjpe(pred.astype(np.float64), gt_mm)))
        if mean_pose is not None:
            const = np.repeat(
                np.asarray(mean_pose, np.float64)[None] * 1000.0,
                len(gt_mm),
                axis=0)
            entry['baseline_p_mpjpe_mm'] = float(
                np.mean(p_mpjpe(const, gt_mm)))
        cameras[cam] = entry

    def average(key):
        vals = [c[key] for c in cameras.values() if key in c]
        return float(np.mean(vals)) if vals else None

    return dict(
        cameras=cameras,
        p_mpjpe_mm=average('p_mpjpe_mm'),
        baseline_p_mpjpe_mm=average('baseline_p_mpjpe_mm'))


def metric_errors(pred: np.ndarray, gt: np.ndarray) -> Dict:
    """Errors of metric camera-space joints, with no alignment of any kind.

    Args:
        pred (np.ndarray): (T, 17, 3) predicted joints, metres, camera
            frame (NaN frames are left out).
        gt (np.ndarray): (T, 17, 3) true joints, metres, the same frame.

    Returns:
        dict: ``abs_mpjpe_mm`` (joint position error),
        ``root_error_mm`` (pelvis position error), ``rootrel_mpjpe_mm``
        (joint error after subtracting each pelvis, no rotation or scale)
        and ``frames`` (frames compared).

    Raises:
        ValueError: When the shapes differ or no frame is finite.
    """
    pred = np.asarray(pred, np.float64)
    gt = np.asarray(gt, np.float64)
    if pred.shape != gt.shape:
        raise ValueError(f'prediction {pred.shape} and truth {gt.shape} '
                         'differ in shape')
    ok = np.isfinite(pred).all((-1, -2)) & np.isfinite(gt).all((-1, -2))
    if not ok.any():
        raise ValueError('no frame has finite predicted and true joints')
    p, g = pred[ok], gt[ok]
    rel = (p - p[:, :1]) - (g - g[:, :1])
    return dict(
        abs_mpjpe_mm=float(np.linalg.norm(p - g, axis=-1).mean() * 1000),
        root_error_mm=float(
            np.linalg.norm(p[:, 0] - g[:, 0], axis=-1).mean() * 1000),
        rootrel_mpjpe_mm=float(np.linalg.norm(rel, axis=-1).mean() * 1000),
        frames=int(ok.sum()))
