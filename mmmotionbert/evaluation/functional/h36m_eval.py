# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The official MotionBERT Human3.6M evaluation (``train.py::evaluate``).

Given predictions for the test clips in normalised screen space,
:func:`evaluate_h36m` reproduces the official arithmetic step by step, in
the same dtypes (float32 poses, float64 accumulators), vectorised over all
clips:

1. with ``rootrel`` only the root joint of the prediction is set to 0 (the
   model must therefore predict root-relative poses; an absolute prediction
   gets a huge error, as in the official code);
2. denormalise with the resolution of each clip's **first** frame:
   ``x = (x_n + 1) * w / 2``, ``y = (y_n + h / w) * w / 2``, ``z = z_n * w /
   2``;
3. skip clips whose first-frame source (minus its ``_ca_XX`` suffix) is in
   ``block_list``; scale the others by each frame's ``2.5d_factor`` (mm per
   pixel) and compare with ``joints_2.5d_image``, both made root-relative:
   per-frame MPJPE and P-MPJPE;
4. add the per-frame errors of every clip into per-frame accumulators
   (frames covered by several clips are averaged; a frame repeated inside one
   clip counts once, with the error of its last occurrence, like numpy's
   buffered ``a[idx] += v``);
5. every frame whose accumulated MPJPE is > 0 contributes its mean error to
   its action; the result is the unweighted mean of the per-action means
   over ``sorted(set(actions))``. Frames never evaluated (blocked sources,
   clip tails) are skipped; an action without evaluated frames gets NaN, and
   so does the overall mean, as in the official code.

May import: numpy and :mod:`.errors`; never ``apis`` or ``datasets``.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from mmmotionbert.evaluation.functional.errors import mpjpe, p_mpjpe

#: Sources (without ``_ca_XX``) the official evaluation skips.
OFFICIAL_BLOCK_LIST = ('s_09_act_05_subact_02', 's_09_act_10_subact_02',
                       's_09_act_13_subact_01')

StrSeq = Union[Sequence[str], np.ndarray]


def zero_root(predictions: np.ndarray) -> np.ndarray:
    """Official ``rootrel``: set the root joint (index 0) of a copy to 0.

    Args:
        predictions (np.ndarray): (N, T, 17, 3) poses.

    Returns:
        np.ndarray: float32 copy with ``[:, :, 0, :] = 0``.
    """
    out = np.array(predictions, dtype=np.float32, copy=True)
    out[:, :, 0, :] = 0
    return out


def denormalize_h36m(predictions: np.ndarray,
                     camera_wh: np.ndarray) -> np.ndarray:
    """Map normalised clips back to pixels (official ``denormalize``).

    Uses the official dtype promotion: x, y in float64 (offset ``[1, h /
    w]``), z in float32, results rounded to float32.

    Args:
        predictions (np.ndarray): (N, T, 17, 3) normalised poses.
        camera_wh (np.ndarray): (N, 2) ``(res_w, res_h)`` of each clip's
            first frame.

    Returns:
        np.ndarray: float32 (N, T, 17, 3) poses in pixels (z in pixel
        units).
    """
    pred = np.asarray(predictions, dtype=np.float32)
    wh = np.asarray(camera_wh, dtype=np.float64)
    res_w = wh[:, 0][:, None, None, None]
    offset = np.stack([np.ones(len(wh)), wh[:, 1] / wh[:, 0]], axis=-1)
    xy = (pred[..., :2].astype(np.float64) + offset[:, None, None, :]) \
        * res_w / 2
    z = pred[..., 2:] * res_w.astype(np.float32) / np.float32(2)
    return np.concatenate([xy.astype(np.float32), z], axis=-1)


def blocked_clips(
        sources: StrSeq,
        block_list: Sequence[str] = OFFICIAL_BLOCK_LIST) -> np.ndarray:
    """Which clips the official evaluation skips.

    Args:
        sources (Sequence[str]): (N,) first-frame source of every clip, e.g.
            ``s_09_act_05_subact_02_ca_01``.
        block_list (Sequence[str]): Sources without the 6-character camera
            suffix ``_ca_XX``.

    Returns:
        np.ndarray: bool (N,).
    """
    blocked = set(block_list)
    return np.array([str(s)[:-6] in blocked for s in sources], dtype=bool)


def _last_occurrence_mask(frame_index: np.ndarray) -> np.ndarray:
    """True at the last occurrence of each frame inside its clip.

    Args:
        frame_index (np.ndarray): (N, T) row indices.

    Returns:
        np.ndarray: bool (N, T); all True for clips without repeated frames.
    """
    mask = np.ones(frame_index.shape, dtype=bool)
    ordered = np.sort(frame_index, axis=1)
    for row in np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(1)):
        reversed_row = frame_index[row, ::-1]
        _, first_in_reversed = np.unique(reversed_row, return_index=True)
        mask[row] = False
        mask[row, frame_index.shape[1] - 1 - first_in_reversed] = True
    return mask


def accumulate_frame_errors(errors: np.ndarray, frame_index: np.ndarray,
                            num_frames: int) -> Tuple[np.ndarray, np.ndarray]:
    """Sum per-frame errors of all clips into per-row accumulators.

    Clips are added in order (float64), exactly like the official
    ``e_all[frame_list] += err; oc[frame_list] += 1``.

    Args:
        errors (np.ndarray): (N, T) per-frame errors of N clips.
        frame_index (np.ndarray): (N, T) row index of every clip frame.
        num_frames (int): Rows of the split.

    Returns:
        tuple: ``total`` and ``count``, float64 (num_frames,).
    """
    keep = _last_occurrence_mask(frame_index)
    total = np.zeros(num_frames, dtype=np.float64)
    count = np.zeros(num_frames, dtype=np.float64)
    np.add.at(total, frame_index[keep], errors[keep].astype(np.float64))
    np.add.at(count, frame_index[keep], 1.0)
    return total, count


def clip_errors(pred_mm: np.ndarray,
                gt_mm: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Root-relative per-frame MPJPE and P-MPJPE of clips.

    Args:
        pred_mm (np.ndarray): (N, T, 17, 3) predictions in mm.
        gt_mm (np.ndarray): (N, T, 17, 3) ground truth in mm.

    Returns:
        tuple: ``e1``, ``e2`` (N, T) in the inputs' dtype.
    """
    n, t = pred_mm.shape[:2]
    pred = (pred_mm - pred_mm[:, :, 0:1, :]).reshape(n * t, *pred_mm.shape[2:])
    gt = (gt_mm - gt_mm[:, :, 0:1, :]).reshape(n * t, *gt_mm.shape[2:])
    if n * t == 0:
        empty = np.zeros((n, t), dtype=pred.dtype)
        return empty, empty.copy()
    return (np.asarray(mpjpe(pred, gt)).reshape(n, t),
            np.asarray(p_mpjpe(pred, gt)).reshape(n, t))


def _action_means(e1_all: np.ndarray, e2_all: np.ndarray, oc: np.ndarray,
                  actions: StrSeq) -> Dict[str, Dict[str, float]]:
    """Per-action mean of the per-frame errors (frames with e1 > 0 only).

    Args:
        e1_all (np.ndarray): (F,) accumulated MPJPE per row.
        e2_all (np.ndarray): (F,) accumulated P-MPJPE per row.
        oc (np.ndarray): (F,) number of clips per row.
        actions (Sequence[str]): (F,) action of every row.

    Returns:
        dict: ``{action: {'mpjpe': float, 'p_mpjpe': float}}`` over sorted
        actions; NaN for an action with no evaluated frame.
    """
    actions = np.asarray([str(a) for a in actions], dtype=object)
    valid = e1_all > 0
    safe_oc = np.where(valid, oc, 1.0)
    frame_e1, frame_e2 = e1_all / safe_oc, e2_all / safe_oc
    result = {}
    for action in sorted(set(actions.tolist())):
        sel = valid & (actions == action)
        result[action] = {
            'mpjpe': float(np.mean(frame_e1[sel])) if sel.any() else np.nan,
            'p_mpjpe': float(np.mean(frame_e2[sel])) if sel.any() else np.nan,
        }
    return result


def _check_inputs(predictions: np.ndarray, frame_index: np.ndarray,
                  camera_wh: np.ndarray, sources: StrSeq,
                  factor_2_5d: np.ndarray, joints_2_5d: np.ndarray,
                  actions: StrSeq) -> None:
    """Raise ValueError on inconsistent shapes (see :func:`evaluate_h36m`)."""
    if predictions.ndim != 4 or predictions.shape[2:] != (17, 3):
        raise ValueError(f'predictions must be (N_clips, T, 17, 3), got '
                         f'{predictions.shape}')
    n, t = predictions.shape[:2]
    if frame_index.shape != (n, t):
        raise ValueError(f'frame_index must be ({n}, {t}) like the '
                         f'predictions, got {frame_index.shape}')
    if camera_wh.shape != (n, 2):
        raise ValueError(f'camera_wh must be ({n}, 2), got {camera_wh.shape}')
    if len(sources) != n:
        raise ValueError(f'sources must have one entry per clip ({n}), got '
                         f'{len(sources)}')
    num_frames = len(factor_2_5d)
    if factor_2_5d.shape != (num_frames, ):
        raise ValueError(f'factor_2_5d must be (F,), got {factor_2_5d.shape}')
    if joints_2_5d.shape != (num_frames, 17, 3):
        raise ValueError(f'joints_2_5d must be ({num_frames}, 17, 3) like '
                         f'factor_2_5d, got {joints_2_5d.shape}')
    if len(actions) != num_frames:
        raise ValueError(f'actions must have one entry per row '
                         f'({num_frames}), got {len(actions)}')
    if frame_index.size and (frame_index.min() < 0
                             or frame_index.max() >= num_frames):
        raise ValueError(f'frame_index must lie in [0, {num_frames}), got '
                         f'[{frame_index.min()}, {frame_index.max()}]')


def evaluate_h36m(
        predictions: np.ndarray,
        frame_index: np.ndarray,
        camera_wh: np.ndarray,
        sources: StrSeq,
        factor_2_5d: np.ndarray,
        joints_2_5d: np.ndarray,
        actions: StrSeq,
        rootrel: bool = True,
        block_list: Optional[Sequence[str]] = OFFICIAL_BLOCK_LIST) -> dict:
    """Official H36M MPJPE / P-MPJPE of clip predictions (mm).

    Args:
        predictions (np.ndarray): (N_clips, T, 17, 3) predictions in
            normalised screen space.
        frame_index (np.ndarray): (N_clips, T) row index (into the split) of
            every predicted frame.
        camera_wh (np.ndarray): (N_clips, 2) ``(res_w, res_h)`` of each
            clip's first frame.
        sources (Sequence[str]): (N_clips,) first-frame source of each clip.
        factor_2_5d (np.ndarray): (F,) ``2.5d_factor`` of every split row.
        joints_2_5d (np.ndarray): (F, 17, 3) ``joints_2.5d_image`` of every
            split row (mm).
        actions (Sequence[str]): (F,) action of every split row.
        rootrel (bool): Zero the root joint of the predictions first, as
            official ``rootrel: True``. Defaults to True.
        block_list (Sequence[str], optional): Sources (without ``_ca_XX``)
            to skip. Defaults to :data:`OFFICIAL_BLOCK_LIST`.

    Returns:
        dict: ``mpjpe`` and ``p_mpjpe`` (float, mm); ``per_action``
        (``{action: {'mpjpe', 'p_mpjpe'}}``); ``action_names`` (sorted);
        the accumulators ``e1_all``, ``e2_all``, ``oc`` (float64 (F,));
        ``n_frames_evaluated`` and ``n_clips_evaluated``.
    """
    predictions = np.asarray(predictions, dtype=np.float32)
    frame_index = np.asarray(frame_index, dtype=np.int64)
    camera_wh = np.asarray(camera_wh, dtype=np.float64)
    factor_2_5d = np.asarray(factor_2_5d, dtype=np.float32)
    joints_2_5d = np.asarray(joints_2_5d, dtype=np.float32)
    _check_inputs(predictions, frame_index, camera_wh, sources, factor_2_5d,
                  joints_2_5d, actions)
    if rootrel:
        predictions = zero_root(predictions)
    keep = ~blocked_clips(sources, block_list or ())
    frames = frame_index[keep]
    pred_px = denormalize_h36m(predictions[keep], camera_wh[keep])
    pred_mm = pred_px * factor_2_5d[frames][:, :, None, None]
    e1, e2 = clip_errors(pred_mm, joints_2_5d[frames])
    num_frames = len(factor_2_5d)
    e1_all, oc = accumulate_frame_errors(e1, frames, num_frames)
    e2_all, _ = accumulate_frame_errors(e2, frames, num_frames)
    per_action = _action_means(e1_all, e2_all, oc, actions)
    names: List[str] = list(per_action)
    return dict(
        mpjpe=float(np.mean([per_action[a]['mpjpe'] for a in names])),
        p_mpjpe=float(np.mean([per_action[a]['p_mpjpe'] for a in names])),
        per_action=per_action,
        action_names=names,
        e1_all=e1_all,
        e2_all=e2_all,
        oc=oc,
        n_frames_evaluated=int((e1_all > 0).sum()),
        n_clips_evaluated=int(keep.sum()))
