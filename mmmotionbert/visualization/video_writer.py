# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Video output of the renderer: :class:`PoseVideoWriter` writes RGB
frames to an MP4/AVI (OpenCV) or a GIF (Pillow).

May import: numpy, OpenCV and Pillow (both imported when writing).
"""
import os
import os.path as osp
import warnings
from typing import List, Optional

import numpy as np

__all__ = ['PoseVideoWriter']


class PoseVideoWriter:
    """Write RGB frames to an MP4 (``cv2.VideoWriter``) or a GIF (Pillow).

    GIF frames are kept in memory until :meth:`close`; clips longer than
    ``max_gif_frames`` are subsampled with a warning (use MP4 for long
    videos).

    Args:
        path (str): Output path ending in ``.mp4``, ``.avi`` or ``.gif``.
        fps (float): Frame rate.
        num_frames (int, optional): Frames that will be written (for GIF
            subsampling).
        max_gif_frames (int): Largest GIF length. Defaults to 400.
    """

    def __init__(self,
                 path: str,
                 fps: float,
                 num_frames: Optional[int] = None,
                 max_gif_frames: int = 400) -> None:
        self.path = path
        self.ext = osp.splitext(path)[1].lower()
        if self.ext not in ('.mp4', '.avi', '.gif'):
            raise ValueError(f'unsupported video extension {self.ext!r} of '
                             f'{path}; use .mp4, .avi or .gif')
        if not fps or fps <= 0:
            raise ValueError(f'fps must be positive, got {fps}')
        self.fps = float(fps)
        self.step = 1
        if self.ext == '.gif' and num_frames and num_frames > max_gif_frames:
            self.step = int(np.ceil(num_frames / max_gif_frames))
            warnings.warn(f'{num_frames} frames are too many for a GIF: '
                          f'keeping every {self.step}th; write .mp4 for all')
        self._gif: List = []
        self._cv = None
        self._count = 0
        dirname = osp.dirname(osp.abspath(path))
        os.makedirs(dirname, exist_ok=True)

    def write(self, frame: np.ndarray) -> None:
        """Add one (H, W, 3) uint8 RGB frame."""
        index, self._count = self._count, self._count + 1
        if index % self.step:
            return
        frame = np.ascontiguousarray(frame[..., :3], dtype=np.uint8)
        if self.ext == '.gif':
            from PIL import Image
            self._gif.append(
                Image.fromarray(frame).convert(
                    'P', palette=Image.Palette.ADAPTIVE, colors=128))
            return
        import cv2
        if self._cv is None:
            fourcc = cv2.VideoWriter_fourcc(
                *('mp4v' if self.ext == '.mp4' else 'MJPG'))
            h, w = frame.shape[:2]
            self._cv = cv2.VideoWriter(self.path, fourcc, self.fps, (w, h))
            if not self._cv.isOpened():
                raise OSError(f'OpenCV cannot write video {self.path}')
        self._cv.write(frame[..., ::-1])

    def close(self) -> str:
        """Finish the file; returns its path."""
        if self.ext == '.gif':
            if not self._gif:
                raise ValueError('no frame was written')
            duration = int(round(1000.0 * self.step / self.fps))
            self._gif[0].save(
                self.path,
                save_all=True,
                append_images=self._gif[1:],
                duration=max(duration, 20),
                loop=0,
                optimize=False)
            self._gif = []
        elif self._cv is not None:
            self._cv.release()
            self._cv = None
        else:
            raise ValueError('no frame was written')
        return self.path

    def __enter__(self) -> 'PoseVideoWriter':
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        elif self._cv is not None:
            self._cv.release()
