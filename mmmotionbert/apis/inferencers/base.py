# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The windowed-inference core every motion inferencer is built on.

:class:`BaseMotionInferencer` follows the shape of mmengine's
``BaseInferencer`` (``preprocess`` / ``forward`` / ``postprocess``):

* :meth:`~BaseMotionInferencer.preprocess` reads the input (a keypoint file
  or folder through :mod:`mmmotionbert.apis.readers`, a
  :class:`~mmmotionbert.structures.KeypointSequence` or an array) and keeps
  the tracks worth running;
* :meth:`~BaseMotionInferencer.forward` cuts every track into the
  normalized windows of :mod:`.windows`, batches them by length and runs
  :meth:`~BaseMotionInferencer.forward_clips` (the subclass's model call,
  flip test included) with a progress bar;
* :meth:`~BaseMotionInferencer.postprocess` (the subclass's) blends the
  per-window outputs into its result
  (:class:`~mmmotionbert.structures.LiftResult`,
  :class:`~mmmotionbert.structures.MeshResult`).

May import: numpy, torch, :mod:`mmmotionbert.structures`, the readers and
:mod:`.windows`; never :mod:`mmmotionbert.evaluation`.
"""
import os
from typing import Any, List, Optional, Sequence, Union

import numpy as np
import torch
from torch import nn

from mmmotionbert.structures import KeypointSequence
from ..readers import array_sequence, read_keypoints
from .windows import WindowJob, batch_jobs, check_window_settings, window_jobs

__all__ = ['BaseMotionInferencer', 'model_forward']


def model_forward(model: nn.Module, x: torch.Tensor) -> Any:
    """Raw model output of a (B, T, 17, C) batch (``mode='tensor'``).

    Args:
        model (nn.Module): An mmengine model (called with
            ``mode='tensor'``) or any module.
        x (torch.Tensor): (B, T, 17, C) normalized input.

    Returns:
        (B, T, 17, 3) for a lifter; a dict (``rotmat``, ``theta``, ...) for
        a mesh model.
    """
    from mmengine.model import BaseModel
    if isinstance(model, BaseModel):
        return model(x, mode='tensor')
    return model(x)


class BaseMotionInferencer:
    """Read, window, batch and run a motion model over 2D keypoints.

    Subclasses set :attr:`progress_desc`, implement :meth:`forward_clips`
    and :meth:`default_clip_len`, and blend :meth:`forward`'s per-window
    outputs into their result.

    Args:
        model (nn.Module): The model (in eval mode afterwards).
        device (str): Torch device.
        clip_len (int, optional): Window length; defaults to
            :meth:`default_clip_len`.
        overlap (int, optional): Frames shared by neighbouring windows;
            defaults to ``clip_len // 2``.
        flip_test (bool): Average with the mirrored input's prediction.
        normalization (str): ``'window'`` or ``'sequence'`` (see
            :func:`~.windows.window_jobs`).
        progress (bool): Show a progress bar.
        checkpoint (str, optional): Where the weights came from (for the
            result's meta).
    """

    #: Label of the progress bar.
    progress_desc = 'inference'
    #: Start of the error raised when no track is left to run.
    none_left = 'no track left'
    #: Input types :meth:`preprocess` reads as paths.
    path_types: tuple = (str, os.PathLike)

    def __init__(self,
                 model: nn.Module,
                 device: str = 'cpu',
                 clip_len: Optional[int] = None,
                 overlap: Optional[int] = None,
                 flip_test: bool = True,
                 normalization: str = 'window',
                 progress: bool = True,
                 checkpoint: Optional[str] = None) -> None:
        self.model = model.eval()
        self.device = torch.device(device)
        backbone = getattr(model, 'backbone', model)
        self.maxlen = int(getattr(backbone, 'maxlen', 243))
        self.clip_len, self.overlap = check_window_settings(
            clip_len or self.default_clip_len(), overlap, self.maxlen,
            normalization)
        self.flip_test = bool(flip_test)
        self.normalization = normalization
        self.progress = progress
        self.checkpoint = checkpoint
        self.batch_size = 16

    # -- hooks ---------------------------------------------------------
    def default_clip_len(self) -> int:
        """Window length when none is given: the model's ``maxlen``."""
        return self.maxlen

    def forward_clips(self, clips: np.ndarray) -> Any:
        """Model outputs of a batch of normalized windows.

        Args:
            clips (np.ndarray): (N, T, 17, 3) ``crop_scale``-normalized
                ``[x, y, score]``.

        Returns:
            An array, or a tuple of arrays, with N as first dimension.
        """
        raise NotImplementedError

    # -- the three stages ----------------------------------------------
    def preprocess(
            self,
            inputs: Union[str, KeypointSequence, np.ndarray],
            layout: str = 'auto',
            scores: Optional[np.ndarray] = None,
            min_frames: int = 1,
            max_persons: Optional[int] = None,
            track_ids: Optional[Sequence[int]] = None) -> KeypointSequence:
        """Read (if needed) and filter an input.

        Args:
            inputs (str | KeypointSequence | np.ndarray): A keypoint file or
                folder (an instance of :attr:`path_types`), a sequence, or
                an array (T, J, 2|3) / (P, T, J, 2|3) in pixels.
            layout (str): Joint layout of ``inputs`` or ``'auto'``.
            scores (np.ndarray, optional): Scores of an array input.
            min_frames (int): Drop tracks seen in fewer frames.
            max_persons (int, optional): At most this many tracks.
            track_ids (Sequence[int], optional): Only these tracks.

        Returns:
            KeypointSequence: The tracks left, at least one.

        Raises:
            ValueError: No track is left.
        """
        if isinstance(inputs, self.path_types):
            seq = read_keypoints(str(inputs), layout)
        elif isinstance(inputs, KeypointSequence):
            seq = inputs
        else:
            seq = array_sequence(inputs, scores, layout, 'array')
        seq = seq.filter_tracks(min_frames, max_persons, track_ids)
        if seq.num_persons == 0:
            raise ValueError(f'{self.none_left} (all shorter than '
                             f'min_frames={min_frames})')
        return seq

    def windows(self, keypoints: np.ndarray,
                scores: np.ndarray) -> List[WindowJob]:
        """The normalized model-input windows of every track.

        Args:
            keypoints (np.ndarray): (P, T, 17, 2) H36M-17 pixels.
            scores (np.ndarray): (P, T, 17) scores.

        Returns:
            list[tuple]: ``(person, start, stop, box, clip)`` per window
            (:func:`~.windows.window_jobs`).
        """
        return window_jobs(keypoints, scores, self.clip_len, self.overlap,
                           self.normalization)

    def forward(self, jobs: Sequence[WindowJob]) -> List[Any]:
        """Run :meth:`forward_clips` over windows in equal-length batches.

        Args:
            jobs (Sequence[tuple]): From :meth:`windows`.

        Returns:
            list: The output of each window, in ``jobs`` order (a tuple per
            window when :meth:`forward_clips` returns a tuple).
        """
        from tqdm import tqdm
        outputs: List[Any] = [None] * len(jobs)
        bar = tqdm(
            total=len(jobs),
            desc=self.progress_desc,
            unit='window',
            disable=not self.progress or len(jobs) <= 1)
        for batch in batch_jobs(jobs, self.batch_size):
            out = self.forward_clips(np.stack([jobs[i][4] for i in batch]))
            per_window = zip(*out) if isinstance(out, tuple) else out
            for i, o in zip(batch, per_window):
                outputs[i] = o
            bar.update(len(batch))
        bar.close()
        return outputs

    def postprocess(self, *args, **kwargs) -> Any:
        """Blend :meth:`forward`'s per-window outputs into the result.

        The lifter blends 3D positions into a
        :class:`~mmmotionbert.structures.LiftResult`, the mesh inferencer
        SMPL rotations on SO(3) into a
        :class:`~mmmotionbert.structures.MeshResult`.
        """
        raise NotImplementedError
