# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Real-data evaluation of a 2D -> 3D lifter on the Pose2Sim demo.

Each camera's 100-frame sequence of real OpenPose detections is lifted in
overlapping windows of the model's ``maxlen`` frames with flip test, exactly
as the in-the-wild inferencer does: each window is normalised by its own
``crop_scale`` box (missing keypoints all zeros, as training masks them) and
its prediction scaled back to pixels before the windows are blended
(``normalization='sequence'``: one box for the whole sequence, the official
``infer_wild.py``). The result is compared per frame with
the triangulated markers (H36M-17, mm) by P-MPJPE (similarity Procrustes:
scale, rotation, translation, so the prediction's units and camera frame do
not matter). A constant baseline -- the mean training pose of the mocap
cache, Procrustes-aligned the same way -- tells how much the model adds
(about 130 mm on this demo with the DeepMimic cache).

The windows are those of :mod:`mmmotionbert.apis.inferencers.windows`; the
errors are computed by
:func:`mmmotionbert.evaluation.functional.pose2sim_errors`, which judges
outputs only.

May import: numpy, torch, the datasets (the demo, the mocap cache), the
evaluation functions, :mod:`.inferencers` and :mod:`.metric`.
"""
from typing import Dict, Optional, Sequence

import numpy as np
import torch
from torch import nn

from mmmotionbert.evaluation.functional.pose2sim_eval import pose2sim_errors
from mmmotionbert.utils.keypoints import flip_h36m
from .inferencers.windows import blend_weights, normalize_clip, sliding_windows

__all__ = [
    'model_clip_len', 'lift_sequence', 'mean_training_pose',
    'evaluate_pose2sim', 'evaluate_pose2sim_metric', 'pose2sim_camera_truth'
]


def model_clip_len(model: nn.Module, default: int = 243) -> int:
    """Longest clip a model takes: the first ``maxlen`` attribute found.

    Args:
        model (nn.Module): Model (e.g. ``MBPoseLifter`` or ``MBDSTformer``).
        default (int): Used when no module has ``maxlen``.

    Returns:
        int: Frames per window.
    """
    for module in model.modules():
        maxlen = getattr(module, 'maxlen', None)
        if isinstance(maxlen, int) and maxlen > 0:
            return maxlen
    return default


def _forward(model: nn.Module, x: np.ndarray, device) -> np.ndarray:
    """Model output (T, 17, 3) for one (T, 17, 3) window."""
    inp = torch.as_tensor(x, dtype=torch.float32, device=device)[None]
    out = model(inp)
    if isinstance(out, (list, tuple)):
        out = out[0]
    if not isinstance(out, torch.Tensor) or out.shape[-2:] != (17, 3):
        raise ValueError('the model must map (1, T, 17, 3) to (1, T, 17, 3), '
                         f'got {type(out).__name__} '
                         f'{tuple(getattr(out, "shape", ()))}')
    return out.reshape(x.shape[0], 17, 3).detach().float().cpu().numpy()


@torch.no_grad()
def lift_sequence(model: nn.Module,
                  keypoints: np.ndarray,
                  clip_len: Optional[int] = None,
                  flip: bool = True,
                  device: Optional[torch.device] = None,
                  overlap: Optional[int] = None,
                  per_window: bool = False) -> np.ndarray:
    """Lift a 2D sequence of any length, window by window.

    Overlapping windows of ``clip_len`` frames cover the sequence (the last
    one ends at the sequence's end) and are cross-faded with the triangular
    weights of the in-the-wild inferencer
    (:func:`~mmmotionbert.apis.inferencers.sliding_windows`,
    :func:`~mmmotionbert.apis.inferencers.blend_weights`); ``overlap=0``
    tiles the sequence instead, the last remainder being predicted from the
    final full window. With ``flip`` the prediction is averaged with the
    flipped-back prediction of the mirrored input. With ``per_window`` the
    input is in pixels and each window is ``crop_scale``-normalised by its
    own box (:func:`~mmmotionbert.apis.inferencers.normalize_clip`) and its
    prediction multiplied by half the box side, as the in-the-wild
    inferencer's default ``normalization='window'`` does.

    Args:
        model (nn.Module): Maps (1, T, 17, 3) to (1, T, 17, 3); called in
            eval mode.
        keypoints (np.ndarray): (T, 17, 3) normalised ``[x, y, conf]``, or
            pixel ``[x, y, score]`` with ``per_window``.
        clip_len (int, optional): Window length. Defaults to
            :func:`model_clip_len`.
        flip (bool): Flip test. Defaults to True.
        device (torch.device, optional): Defaults to the model's.
        overlap (int, optional): Frames shared by neighbouring windows.
            Defaults to ``clip_len // 2`` (as the in-the-wild inferencer).
        per_window (bool): Normalise every window by its own box (input in
            pixels, output in pixel units). Defaults to False.

    Returns:
        np.ndarray: (T, 17, 3) float32 predictions.

    Raises:
        ValueError: On a bad shape, or (``per_window``) a window with fewer
            than 4 detected joints.
    """
    keypoints = np.asarray(keypoints, dtype=np.float32)
    if keypoints.ndim != 3 or keypoints.shape[1:] != (17, 3):
        raise ValueError(f'keypoints must be (T, 17, 3), got '
                         f'{keypoints.shape}')
    clip_len = int(clip_len or model_clip_len(model))
    if device is None:
        param = next(model.parameters(), None)
        device = param.device if param is not None else torch.device('cpu')
    was_training = model.training
    model.eval()
    overlap = clip_len // 2 if overlap is None else int(overlap)
    total = len(keypoints)

    def predict(window: np.ndarray) -> np.ndarray:
        to_pixels = 1.0
        if per_window:
            window, box = normalize_clip(window)
            if box is None:
                raise ValueError('a window has fewer than 4 detected joints; '
                                 'cannot normalise it')
            to_pixels = box[1] / 2.0  # half the box side, as the inferencer
        pred = _forward(model, window, device)
        if flip:
            pred_f = _forward(model, flip_h36m(window), device)
            pred = (pred + flip_h36m(pred_f)) / 2
        return pred * to_pixels

    try:
        if overlap == 0:
            out = np.zeros(keypoints.shape, dtype=np.float32)
            for start in range(0, total, clip_len):
                end = min(start + clip_len, total)
                first = max(0, end - clip_len)  # full window when possible
                out[start:end] = predict(keypoints[first:end])[start - first:]
            return out
        acc = np.zeros(keypoints.shape, dtype=np.float64)
        weight = np.zeros((total, 1, 1), dtype=np.float64)
        for start, stop in sliding_windows(total, clip_len, overlap):
            w = blend_weights(stop - start)[:, None, None]
            acc[start:stop] += w * predict(keypoints[start:stop])
            weight[start:stop] += w
        return (acc / weight).astype(np.float32)
    finally:
        model.train(was_training)


def mean_training_pose(data_file: Optional[str] = None) -> np.ndarray:
    """Mean root-relative pose (metres) of a mocap cache, heading-aligned.

    Args:
        data_file (str, optional): Cache ``.npz``. Defaults to the pybullet
            DeepMimic cache.

    Returns:
        np.ndarray: (17, 3) pose.
    """
    from mmmotionbert.datasets.mocap.pybullet_fk import load_mocap_cache
    from mmmotionbert.datasets.mocap_dataset import canonical_mean_pose
    return canonical_mean_pose(
        list(load_mocap_cache(data_file)['joints'].values()))


def evaluate_pose2sim(model: Optional[nn.Module],
                      demo: Optional[Dict] = None,
                      mean_pose: Optional[np.ndarray] = None,
                      clip_len: Optional[int] = None,
                      flip: bool = True,
                      scale_range: Sequence[float] = (1.0, 1.0),
                      device: Optional[torch.device] = None,
                      baseline: bool = True,
                      overlap: Optional[int] = None,
                      normalization: str = 'window') -> Dict:
    """P-MPJPE of a lifter (and the mean-pose baseline) on the Pose2Sim demo.

    Args:
        model (nn.Module, optional): Lifter mapping (1, T, 17, 3) normalised
            input to (1, T, 17, 3); None evaluates only the baseline.
        demo (dict, optional): :func:`~mmmotionbert.datasets.pose2sim_demo.
            load_pose2sim_demo` output. Defaults to loading it.
        mean_pose (np.ndarray, optional): (17, 3) baseline pose (metres).
            Defaults to :func:`mean_training_pose` of the DeepMimic cache;
            the baseline is skipped when that cache is missing.
        clip_len (int, optional): Window length. Defaults to the model's.
        flip (bool): Flip test. Defaults to True.
        scale_range (Sequence[float]): ``crop_scale`` ratio with
            ``normalization='sequence'``. Defaults to ``(1, 1)``.
        device (torch.device, optional): Inference device.
        baseline (bool): Compute the mean-pose baseline. Defaults to True.
        overlap (int, optional): Frames shared by neighbouring windows
            (see :func:`lift_sequence`); 0 tiles. Defaults to
            ``clip_len // 2``.
        normalization (str): ``'window'`` (each window by its own
            ``crop_scale`` box, the in-the-wild inferencer's default) or
            ``'sequence'`` (one box per sequence, the official
            ``infer_wild.py``). Defaults to ``'window'``.

    Returns:
        dict: ``cameras`` (per camera ``p_mpjpe_mm``,
        ``baseline_p_mpjpe_mm``, ``num_frames``, ``missing_keypoints``),
        the camera means ``p_mpjpe_mm`` and ``baseline_p_mpjpe_mm`` (None
        when not computed), ``clip_len``, ``overlap``, ``normalization``
        and ``flip``.
    """
    from mmmotionbert.datasets.crop_scale import crop_scale
    if normalization not in ('window', 'sequence'):
        raise ValueError("normalization must be 'window' or 'sequence', "
                         f'got {normalization!r}')
    if demo is None:
        from mmmotionbert.datasets.pose2sim_demo import load_pose2sim_demo
        demo = load_pose2sim_demo()
    if not baseline:
        mean_pose = None
    elif mean_pose is None:
        try:
            mean_pose = mean_training_pose()
        except FileNotFoundError:
            mean_pose = None
    predictions = None
    if model is not None:
        clip_len = int(clip_len or model_clip_len(model))
        predictions = {}
        for cam, kpts in demo['keypoints_2d'].items():
            if normalization == 'window':
                pred = lift_sequence(
                    model,
                    kpts,
                    clip_len,
                    flip,
                    device,
                    overlap,
                    per_window=True)
            else:
                norm = crop_scale(
                    kpts, scale_range, clip=True, zero_invalid=True)
                pred = lift_sequence(model, norm, clip_len, flip, device,
                                     overlap)
            predictions[cam] = pred
    result = pose2sim_errors(demo['joints_3d'], demo['keypoints_2d'],
                             predictions, mean_pose)
    result.update(
        clip_len=clip_len,
        overlap=None if model is None else
        (clip_len // 2 if overlap is None else int(overlap)),
        normalization=normalization,
        flip=bool(flip))
    return result


def pose2sim_camera_truth(demo: Dict, camera) -> np.ndarray:
    """The demo's markers (H36M-17) in one calibrated camera's frame.

    Args:
        demo (dict): :func:`~mmmotionbert.datasets.pose2sim_demo.
            load_pose2sim_demo` output (``joints_3d`` in TRC axes).
        camera (Camera): A calibrated camera (with extrinsics).

    Returns:
        np.ndarray: (T, 17, 3) metres, camera frame.
    """
    from mmmotionbert.datasets.pose2sim_demo import trc_to_calibration_world
    world = trc_to_calibration_world(np.asarray(demo['joints_3d'],
                                                np.float64))
    return world @ camera.R.T + camera.t


def evaluate_pose2sim_metric(model: nn.Module,
                             demo: Optional[Dict] = None,
                             calibration: Optional[str] = None,
                             subject_height: Optional[float] = None,
                             calibrated: bool = True,
                             clip_len: Optional[int] = None,
                             flip: bool = True,
                             device: Optional[torch.device] = None) -> Dict:
    """Metric camera-space errors on the Pose2Sim demo, one camera at a time.

    Each camera's sequence is lifted as by :func:`evaluate_pose2sim`
    (windows normalised by their own box), placed in metres by
    :func:`~mmmotionbert.apis.metric.fit_person` and compared, with no
    alignment, with the markers transformed into that camera by the
    calibration (:func:`pose2sim_camera_truth`).

    Args:
        model (nn.Module): Root-relative lifter.
        demo (dict, optional): The demo. Defaults to loading it.
        calibration (str, optional): Calibration toml. Defaults to the
            demo's.
        subject_height (float, optional): Height in metres. Defaults to the
            static trial's (:func:`~mmmotionbert.datasets.pose2sim_demo.
            static_trial_height`) when ``calibrated``, else the adult prior.
        calibrated (bool): Use the calibration's intrinsics (True) or the
            default field of view on the demo's image size (False).
        clip_len (int, optional): Window length. Defaults to the model's.
        flip (bool): Flip test.
        device (torch.device, optional): Inference device.

    Returns:
        dict: ``cameras`` (per camera ``abs_mpjpe_mm``, ``root_error_mm``,
        ``rootrel_mpjpe_mm``, ``floor_angle_deg``, ``frames``,
        ``mean_depth_m``) and their means, plus the settings used
        (``intrinsics``, ``subject_height``, ``height_source``).
    """
    from mmmotionbert.datasets.pose2sim_demo import (load_pose2sim_demo,
                                                     pose2sim_calibration,
                                                     static_trial_height)
    from mmmotionbert.evaluation.functional.pose2sim_eval import \
        metric_errors
    from .metric import (ADULT_HEIGHT_M, default_camera, estimate_floor,
                         fit_person, floor_angle_deg, load_calibration)
    demo = demo or load_pose2sim_demo()
    calibration = calibration or pose2sim_calibration()
    if subject_height is not None:
        height, source = float(subject_height), 'given'
    elif calibrated:
        height, source = static_trial_height(), 'static trial'
    else:
        height, source = ADULT_HEIGHT_M, 'default adult height'
    fps = float(demo.get('fps') or 60.0)
    cameras, intrinsics = {}, None
    for cam, kpts in demo['keypoints_2d'].items():
        calib = load_calibration(calibration, f'cam_{int(cam[3:]):02d}')
        camera = calib if calibrated else default_camera(calib.image_size)
        intrinsics = camera.source  # the last camera's (the same file)
        rel = lift_sequence(model, kpts, clip_len, flip, device,
                            per_window=True)
        fit = fit_person(rel, kpts[..., :2], kpts[..., 2], camera, height,
                         fps)
        truth = pose2sim_camera_truth(demo, calib)
        entry = metric_errors(fit['joints'], truth)
        floor = estimate_floor(fit['joints'][None], np.array([height]), fps)
        up_true = calib.R @ np.array([0.0, 0.0, 1.0])
        entry['floor_angle_deg'] = floor_angle_deg(floor['normal'], up_true)
        entry['mean_depth_m'] = float(np.nanmean(fit['joints'][:, 0, 2]))
        cameras[cam] = entry
    keys = ('abs_mpjpe_mm', 'root_error_mm', 'rootrel_mpjpe_mm',
            'floor_angle_deg')
    out = dict(cameras=cameras)
    for key in keys:
        out[key] = float(np.mean([c[key] for c in cameras.values()]))
    out.update(
        intrinsics='calibration' if calibrated else 'default field of view',
        intrinsics_source=intrinsics,
        subject_height=height,
        height_source=source)
    return out
