# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Offline 2D-to-3D lifting of whole clips with blended sliding windows.

May import: numpy, torch, :mod:`mmmotionbert.structures`,
:mod:`mmmotionbert.utils` and the other inferencer modules.
"""
from functools import partial
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from mmmotionbert.structures import KeypointSequence, LiftResult
from mmmotionbert.models.lifters.test_time import (apply_root_convention,
                                                   flip_average)
from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES
from .base import BaseMotionInferencer, model_forward
from .model_files import init_lifter
from .windows import Box, blend_weights, normalize_clip

__all__ = ['MotionLifterInferencer']


class MotionLifterInferencer(BaseMotionInferencer):
    """Lift 2D keypoint sequences of any length to 3D.

    Args:
        checkpoint (str, optional): Lifter checkpoint (official or ours);
            defaults to the shipped small model. Ignored when ``model``
            is given.
        config (str, optional): mmengine config for the checkpoint.
        model (nn.Module, optional): A ready lifter (``MBPoseLifter`` or any
            module mapping (B, T, 17, C) to (B, T, 17, 3)).
        device (str): Torch device. Defaults to ``'cpu'``.
        clip_len (int, optional): Window length; defaults to the model's
            ``maxlen`` (243 for official models).
        overlap (int, optional): Frames shared by neighbouring windows;
            defaults to ``clip_len // 2``.
        flip_test (bool): Average with the mirrored input's prediction
            (official test-time flip). Defaults to True.
        rootrel (bool, optional): Whether the model is root-relative;
            defaults to the model's ``rootrel`` (True for official pose
            checkpoints: pass False for the official global models).
        normalization (str): ``'window'`` (``crop_scale`` box of each
            window, the default) or ``'sequence'`` (one box per track, the
            official ``infer_wild.py``).
        batch_size (int): Windows per forward pass. Defaults to 16.
        progress (bool): Show a progress bar. Defaults to True.
        **official_kwargs: Architecture arguments of official checkpoints.
    """

    progress_desc = 'lifting 2D->3D'
    none_left = 'no track left to lift'

    def __init__(self,
                 checkpoint: Optional[str] = None,
                 config: Optional[str] = None,
                 model: Optional[nn.Module] = None,
                 device: str = 'cpu',
                 clip_len: Optional[int] = None,
                 overlap: Optional[int] = None,
                 flip_test: bool = True,
                 rootrel: Optional[bool] = None,
                 normalization: str = 'window',
                 batch_size: int = 16,
                 progress: bool = True,
                 **official_kwargs) -> None:
        if model is None:
            model = init_lifter(checkpoint, config, device, **official_kwargs)
        super().__init__(model, device, clip_len, overlap, flip_test,
                         normalization, progress, checkpoint)
        backbone = getattr(model, 'backbone', model)
        self.dim_in = int(getattr(backbone, 'dim_in', 3))
        self.rootrel = bool(
            getattr(model, 'rootrel', True) if rootrel is None else rootrel)
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        self.batch_size = int(batch_size)

    # ------------------------------------------------------------------
    @torch.no_grad()
    def forward_clips(self, clips: np.ndarray) -> np.ndarray:
        """Predict normalized clips with the official test-time processing.

        Args:
            clips (np.ndarray): (N, T, 17, 3) ``crop_scale``-normalized
                ``[x, y, score]``, T <= maxlen.

        Returns:
            np.ndarray: (N, T, 17, 3) normalized 3D: flip-averaged when
            ``flip_test``; root zeroed for root-relative models, the first
            frame's root depth zeroed for global ones.
        """
        x = torch.as_tensor(np.asarray(clips, np.float32), device=self.device)
        if self.dim_in == 2:
            x = x[..., :2]
        if hasattr(self.model, 'test_time_forward'):  # MBPoseLifter
            pred = self.model.test_time_forward(x, self.flip_test,
                                                self.rootrel)
        else:  # any module: the same processing around its forward
            forward = partial(model_forward, self.model)
            pred = flip_average(forward, x) if self.flip_test else forward(x)
            apply_root_convention(pred, self.rootrel)
        return pred.float().cpu().numpy()

    def to_pixels(self, pred: np.ndarray, box: Box) -> np.ndarray:
        """Normalized prediction -> pixel units (see the package doc).

        Args:
            pred (np.ndarray): (..., 17, 3) normalized 3D of one window.
            box (tuple): The window's ``crop_scale`` box.

        Returns:
            np.ndarray: float64 pixels; x, y placed in the image for global
            models.
        """
        center, scale = box
        out = pred.astype(np.float64) * (scale / 2.0)
        if not self.rootrel:
            out[..., :2] += np.asarray(center)
        return out

    @staticmethod
    def normalize(motion: np.ndarray) -> Tuple[np.ndarray, Optional[Box]]:
        """``crop_scale`` with zeroed missing joints (:func:`normalize_clip`).

        Args:
            motion (np.ndarray): (T, 17, 3) pixel ``[x, y, score]``.

        Returns:
            tuple: Normalized clip and its box (None: too few joints).
        """
        return normalize_clip(motion)

    # names used before the inferencers package
    _to_pixels = to_pixels
    _normalize = normalize

    def _meta(self) -> Dict[str, Any]:
        """Units, axes, root handling and window settings of a result."""
        return dict(
            layout='h36m',
            joint_names=list(H36M_JOINT_NAMES),
            units='pixels of the input frames (x, y and depth z)',
            axes='camera-aligned: x right, y down, z away from the camera',
            root=('root-relative: pelvis at (0, 0, 0); add root_2d to x, y '
                  'to place it in the image') if self.rootrel else
            ('global: x, y in image pixels, z relative to the pelvis depth '
             "of the track's first frame"),
            rootrel=self.rootrel,
            clip_len=self.clip_len,
            overlap=self.overlap,
            flip_test=self.flip_test,
            normalization=self.normalization,
            checkpoint=self.checkpoint)

    # ------------------------------------------------------------------
    def __call__(self,
                 inputs: Union[str, KeypointSequence, np.ndarray],
                 layout: str = 'auto',
                 scores: Optional[np.ndarray] = None,
                 min_frames: int = 1,
                 max_persons: Optional[int] = None,
                 track_ids: Optional[Sequence[int]] = None) -> LiftResult:
        """Read (if needed), convert and lift an input.

        Args:
            inputs (str | KeypointSequence | np.ndarray): A keypoint file or
                folder (see :func:`read_keypoints`), a sequence, or an array
                (T, J, 2|3) / (P, T, J, 2|3) in pixels.
            layout (str): Joint layout of ``inputs`` or ``'auto'``.
            scores (np.ndarray, optional): Scores of an array input.
            min_frames (int): Drop tracks seen in fewer frames.
            max_persons (int, optional): Lift at most this many tracks.
            track_ids (Sequence[int], optional): Lift only these tracks.

        Returns:
            LiftResult: The 3D poses.
        """
        seq = self.preprocess(inputs, layout, scores, min_frames, max_persons,
                              track_ids)
        return self.lift(seq)

    def lift(self, seq: KeypointSequence) -> LiftResult:
        """Lift every track of a sequence with blended sliding windows.

        Args:
            seq (KeypointSequence): 2D keypoints in any layout.

        Returns:
            LiftResult: The 3D poses.
        """
        h36m = seq.to_h36m()
        jobs = self.windows(h36m.keypoints, h36m.scores)
        return self.postprocess(seq, h36m, jobs, self.forward(jobs))

    def postprocess(self, seq: KeypointSequence, h36m: KeypointSequence,
                    jobs: Sequence, preds: Sequence[np.ndarray]) -> LiftResult:
        """Blend the windows' predictions into pixel-unit 3D poses.

        Args:
            seq (KeypointSequence): The input (for fps and frame size).
            h36m (KeypointSequence): It in H36M-17.
            jobs (Sequence): The windows (:meth:`windows`).
            preds (Sequence[np.ndarray]): Their normalized predictions
                (:meth:`forward`).

        Returns:
            LiftResult: The 3D poses (triangular cross-fade of the windows;
            global models' depth aligned window to window).
        """
        kp2d, sc = h36m.keypoints, h36m.scores
        num_p, num_t = kp2d.shape[:2]
        acc = np.zeros((num_p, num_t, 17, 3))
        wsum = np.zeros((num_p, num_t))
        for (p, a, b, box, _), pred in zip(jobs, preds):
            pix = self.to_pixels(pred, box)
            w = blend_weights(b - a)
            if not self.rootrel:
                # Align this window's depth with what is already blended.
                have = wsum[p, a:b] > 0
                if have.any():
                    blended = acc[p, a:b, 0, 2][have] / wsum[p, a:b][have]
                    pix[..., 2] += np.mean(blended - pix[have, 0, 2])
            acc[p, a:b] += pix * w[:, None, None]
            wsum[p, a:b] += w
        with np.errstate(invalid='ignore', divide='ignore'):
            kp3d = acc / wsum[..., None, None]
        kp3d[wsum == 0] = np.nan
        root = kp2d[..., 0, :].astype(np.float32).copy()
        root[sc[..., 0] <= 0] = np.nan
        scores_out = np.where(wsum[..., None] > 0, sc, 0)
        return LiftResult(
            kp3d.astype(np.float32), scores_out.astype(np.float32),
            h36m.track_ids.copy(), kp2d.copy(), root, h36m.frame_ids.copy(),
            seq.fps, seq.frame_size, self._meta())
