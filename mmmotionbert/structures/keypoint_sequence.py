# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The 2D input container: every tracked person's keypoints of one clip.

:class:`KeypointSequence` is what every reader (:mod:`mmmotionbert.apis.
readers`) and detector returns and what every inferencer takes. It holds
pixels in the source layout and converts itself to H36M-17 with
:func:`~mmmotionbert.utils.keypoints.convert_keypoints`.

May import: numpy and :mod:`mmmotionbert.utils` only.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np

from mmmotionbert.utils.keypoints import (KEYPOINT_LAYOUTS, canonical_layout,
                                          convert_keypoints)

__all__ = ['Instance', 'KeypointFormatError', 'KeypointSequence']

#: An instance in one frame: ``(keypoints (J, 2), scores (J,), track_id)``.
Instance = Tuple[np.ndarray, np.ndarray, Optional[int]]


class KeypointFormatError(ValueError):
    """A keypoint file cannot be read or its layout cannot be determined."""


@dataclass
class KeypointSequence:
    """2D keypoints of every tracked person of a clip.

    Attributes:
        keypoints (np.ndarray): (P, T, J, 2) float32 pixel coordinates;
            0 where a joint or a person is missing.
        scores (np.ndarray): (P, T, J) float32 confidences; 0 = missing.
        track_ids (np.ndarray): (P,) int64 track id of each person.
        layout (str): Joint layout of ``keypoints`` (canonical name).
        frame_ids (np.ndarray): (T,) int64 source frame index of each frame.
        fps (float, optional): Frame rate when known.
        frame_size (tuple, optional): ``(width, height)`` in pixels when
            known.
        source (str): Where the keypoints came from.
    """

    keypoints: np.ndarray
    scores: np.ndarray
    track_ids: np.ndarray
    layout: str
    frame_ids: np.ndarray = None
    fps: Optional[float] = None
    frame_size: Optional[Tuple[int, int]] = None
    source: str = ''
    meta: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keypoints = np.asarray(self.keypoints, dtype=np.float32)
        self.scores = np.asarray(self.scores, dtype=np.float32)
        if self.keypoints.ndim != 4 or self.keypoints.shape[-1] != 2:
            raise KeypointFormatError(
                f'keypoints must be (P, T, J, 2), got {self.keypoints.shape}')
        if self.scores.shape != self.keypoints.shape[:3]:
            raise KeypointFormatError(
                f'scores {self.scores.shape} do not match keypoints '
                f'{self.keypoints.shape}')
        self.layout = canonical_layout(self.layout)
        if self.keypoints.shape[2] != KEYPOINT_LAYOUTS[self.layout]:
            raise KeypointFormatError(
                f'layout {self.layout!r} has '
                f'{KEYPOINT_LAYOUTS[self.layout]} joints but the keypoints '
                f'have {self.keypoints.shape[2]}')
        if self.track_ids is None:
            self.track_ids = np.arange(self.num_persons)
        self.track_ids = np.asarray(self.track_ids, dtype=np.int64)
        if self.track_ids.shape != (self.num_persons, ):
            raise KeypointFormatError(
                f'track_ids must be ({self.num_persons},), got '
                f'{self.track_ids.shape}')
        if self.frame_ids is None:
            self.frame_ids = np.arange(self.num_frames)
        self.frame_ids = np.asarray(self.frame_ids, dtype=np.int64)

    @property
    def num_persons(self) -> int:
        """Number of tracks P."""
        return self.keypoints.shape[0]

    @property
    def num_frames(self) -> int:
        """Number of frames T."""
        return self.keypoints.shape[1]

    def to_h36m(self) -> 'KeypointSequence':
        """This sequence converted to the H36M-17 layout.

        Returns:
            KeypointSequence: Same tracks and frames, ``layout='h36m'``.
        """
        kpts, scores = convert_keypoints(self.keypoints, self.scores,
                                         self.layout)
        return KeypointSequence(kpts, scores, self.track_ids.copy(), 'h36m',
                                self.frame_ids.copy(), self.fps,
                                self.frame_size, self.source, dict(self.meta))

    def select(self, index: Sequence[int]) -> 'KeypointSequence':
        """A sequence with only the tracks at positions ``index``."""
        index = list(index)
        return KeypointSequence(self.keypoints[index], self.scores[index],
                                self.track_ids[index], self.layout,
                                self.frame_ids.copy(), self.fps,
                                self.frame_size, self.source, dict(self.meta))

    def filter_tracks(
            self,
            min_frames: int = 1,
            max_persons: Optional[int] = None,
            track_ids: Optional[Sequence[int]] = None) -> 'KeypointSequence':
        """Keep the tracks worth lifting.

        Args:
            min_frames (int): Drop tracks seen (any joint scored > 0) in
                fewer frames. Defaults to 1.
            max_persons (int, optional): Keep at most this many tracks, the
                ones with the largest total score.
            track_ids (Sequence[int], optional): Keep only these track ids.

        Returns:
            KeypointSequence: The kept tracks, in their original order.
        """
        seen = (self.scores > 0).any(-1).sum(-1)
        keep = [i for i in range(self.num_persons) if seen[i] >= min_frames]
        if track_ids is not None:
            wanted = set(int(t) for t in track_ids)
            missing = wanted - set(int(t) for t in self.track_ids)
            if missing:
                raise ValueError(
                    f'track ids {sorted(missing)} not in the input; it has '
                    f'{self.track_ids.tolist()}')
            keep = [i for i in keep if int(self.track_ids[i]) in wanted]
        if max_persons is not None and len(keep) > max_persons:
            total = self.scores.sum((1, 2))
            best = sorted(keep, key=lambda i: -total[i])[:max_persons]
            keep = sorted(best)
        return self.select(keep)
