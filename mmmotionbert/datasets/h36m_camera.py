# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Human3.6M camera resolutions and the official screen normalisation.

:func:`normalize_xy` and :func:`normalize_depth` map pixels to MotionBERT's
screen space (``x / w * 2 - 1``, ``y / w * 2 - h / w``, ``z / w * 2``) with
the official reader's dtype promotion; :func:`camera_resolution` looks up the
``(res_w, res_h)`` of every row from its camera name
(:data:`H36M_CAMERA_RESOLUTIONS`).

May import: numpy and :mod:`.h36m_clips` (for :func:`factorize`).
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .h36m_clips import factorize

#: Camera name -> (res_w, res_h) in pixels, as in the official reader.
H36M_CAMERA_RESOLUTIONS: Dict[str, Tuple[int, int]] = {
    '54138969': (1000, 1002),
    '55011271': (1000, 1000),
    '58860488': (1000, 1000),
    '60457274': (1000, 1002),
}


def camera_resolution(camera_names: Sequence[str],
                      where: str = 'data',
                      codes: Optional[np.ndarray] = None) -> np.ndarray:
    """Look up (res_w, res_h) of every frame from its camera name.

    Args:
        camera_names (Sequence[str]): N camera names, or, with ``codes``,
            the unique names that ``codes`` index.
        where (str): Names the data in error messages.
        codes (np.ndarray, optional): (N,) per-frame index into
            ``camera_names`` (see :func:`factorize`).

    Returns:
        np.ndarray: float64 (N, 2) ``(res_w, res_h)`` per frame.

    Raises:
        ValueError: A camera name is not one of
            :data:`H36M_CAMERA_RESOLUTIONS` (the message names it and its
            first row).
    """
    if codes is None:
        codes, names = factorize(camera_names)
    else:
        names = list(camera_names)
    table = np.zeros((len(names), 2), dtype=np.float64)
    for k, name in enumerate(names):
        if name not in H36M_CAMERA_RESOLUTIONS:
            row = int(np.flatnonzero(codes == k)[0])
            raise ValueError(
                f'{where}: unknown camera name {name!r} at row {row}; '
                f'known cameras: {sorted(H36M_CAMERA_RESOLUTIONS)}')
        table[k] = H36M_CAMERA_RESOLUTIONS[name]
    return table[codes]


def normalize_xy(xy: np.ndarray, camera_wh: np.ndarray) -> np.ndarray:
    """Map pixel x, y to MotionBERT's screen space like the official reader.

    ``x / w * 2 - 1`` and ``y / w * 2 - h / w`` with the official dtype
    promotion: float32 division and scaling, then the offset subtracted in
    float64 and the result rounded to float32. Where the offset is a float32
    value (1, or h / w == 1) that equals a float32 subtraction (float64 is
    wide enough for double rounding to be exact), so only the y of non-square
    cameras is computed in float64.

    Args:
        xy (np.ndarray): (N, J, 2) pixel coordinates.
        camera_wh (np.ndarray): (N, 2) ``(res_w, res_h)`` per frame.

    Returns:
        np.ndarray: float32 (N, J, 2).
    """
    res_w = camera_wh[:, 0].astype(np.float32)[:, None, None]
    out = xy.astype(np.float32) / res_w
    out *= np.float32(2)
    out[..., 0] -= np.float32(1)
    ratio = camera_wh[:, 1] / camera_wh[:, 0]
    square = ratio == 1.0
    out[square, :, 1] -= np.float32(1)
    if not square.all():
        rows = np.flatnonzero(~square)
        out[rows, :, 1] = (out[rows, :, 1].astype(np.float64) -
                           ratio[rows, None]).astype(np.float32)
    return out


def normalize_depth(z: np.ndarray, camera_wh: np.ndarray) -> np.ndarray:
    """Scale depth like the official reader: ``z / w * 2`` in float32.

    Args:
        z (np.ndarray): (N, J, C) depth channel(s).
        camera_wh (np.ndarray): (N, 2) ``(res_w, res_h)`` per frame.

    Returns:
        np.ndarray: float32 (N, J, C).
    """
    res_w = camera_wh[:, 0].astype(np.float32)[:, None, None]
    return z.astype(np.float32) / res_w * np.float32(2)
