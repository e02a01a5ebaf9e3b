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

__all__ = ['pose2sim_errors']


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
