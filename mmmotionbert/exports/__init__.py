# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Files of the metric 3D motion for other tools: BVH, TRC, joint angles.

Every writer takes one person's H36M-17 joints as a (T, 17, 3) array in
metres in a world frame with Y up and the floor at ``y = 0`` (what
:attr:`MetricMotion.keypoints_3d_world
<mmmotionbert.structures.MetricMotion.keypoints_3d_world>` holds per
person), NaN rows where the person was not detected, and a frame rate:

* :func:`write_bvh` (:mod:`.bvh`): a constant-bone-length skeleton and its
  joint rotations, for Blender and other animation tools;
* :func:`write_trc` (:mod:`.trc`): markers for OpenSim and Pose2Sim;
* :func:`joint_angles` and :func:`write_joint_angles_csv`
  (:mod:`.joint_angles`): flexion angles and trunk tilt in degrees.

:func:`export_motion` writes them all for every person of a
:class:`~mmmotionbert.structures.LiftResult` with a metric motion. See
``docs/exports.md``.

May import: numpy, scipy and :mod:`mmmotionbert.utils`; it reads a
:class:`~mmmotionbert.structures.LiftResult` or
:class:`~mmmotionbert.structures.MetricMotion` by its attributes without
importing them; never ``apis``.
"""
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from .bvh import write_bvh
from .joint_angles import ANGLE_NAMES, joint_angles, write_joint_angles_csv
from .trc import POSE2SIM_MARKER_NAMES, write_trc

__all__ = [
    'write_bvh', 'write_trc', 'joint_angles', 'write_joint_angles_csv',
    'export_motion', 'EXPORT_FORMATS', 'ANGLE_NAMES', 'POSE2SIM_MARKER_NAMES'
]

#: Format name -> (file extension, writer(path, joints, fps)).
EXPORT_FORMATS = {
    'bvh': ('bvh', write_bvh),
    'trc': ('trc', write_trc),
    'csv': ('csv', write_joint_angles_csv),
}


def export_motion(result_or_metric: Any,
                  out_dir: str,
                  name: str,
                  formats: Sequence[str] = ('bvh', 'trc', 'csv'),
                  fps: Optional[float] = None,
                  track_ids: Optional[Sequence[int]] = None
                  ) -> Dict[str, List[str]]:
    """Write one file per person and format of a metric motion.

    Files are ``out_dir/<name>_id<track>.<ext>`` (``.bvh``, ``.trc`` and,
    for ``'csv'``, the joint angles' ``.csv``), from each person's
    ``keypoints_3d_world``.

    Args:
        result_or_metric: A ``LiftResult`` whose ``metric`` is a
            ``MetricMotion`` (``fps`` and ``track_ids`` come from the
            result), or a ``MetricMotion`` itself (then ``fps`` is needed;
            tracks are numbered 0, 1, ... unless ``track_ids`` is given).
        out_dir (str): Output folder (created).
        name (str): File name stem.
        formats (Sequence[str]): Any of ``'bvh'``, ``'trc'``, ``'csv'``.
        fps (float, optional): Frame rate; overrides the result's (which
            falls back to the rate the metric reconstruction assumed,
            ``meta['fps']``).
        track_ids (Sequence[int], optional): One id per person; overrides
            the result's.

    Returns:
        dict[str, list[str]]: Format -> written paths, one per person in
        the order of the persons.

    Raises:
        ValueError: On an unknown format (the message lists the valid
            ones), an input without a metric motion, no frame rate, or a
            ``track_ids`` of the wrong length.
    """
    formats = list(formats)
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise ValueError(f'unknown export format(s) {unknown}; valid: '
                         f'{sorted(EXPORT_FORMATS)}')
    if hasattr(result_or_metric, 'keypoints_3d_world'):
        metric, result = result_or_metric, None
    else:
        metric = getattr(result_or_metric, 'metric', None)
        result = result_or_metric
        if metric is None or not hasattr(metric, 'keypoints_3d_world'):
            raise ValueError(
                'export_motion needs metric 3D motion: a LiftResult whose '
                '.metric is a MetricMotion (run the metric reconstruction '
                'first), or a MetricMotion')
    if fps is None and result is not None:
        fps = result.fps
    if not fps or not np.isfinite(fps) or fps <= 0:
        fps = metric.meta.get('fps')  # the rate the reconstruction assumed
    if not fps or not np.isfinite(fps) or fps <= 0:
        raise ValueError(f'export_motion needs a positive frame rate (the '
                         f"result's fps or fps=), got {fps!r}")
    world = np.asarray(metric.keypoints_3d_world)
    if track_ids is None:
        track_ids = (result.track_ids if result is not None else
                     np.arange(len(world)))
    track_ids = [int(t) for t in track_ids]
    if len(track_ids) != len(world):
        raise ValueError(f'{len(track_ids)} track ids for {len(world)} '
                         f'persons')
    written: Dict[str, List[str]] = {f: [] for f in formats}
    for fmt in formats:
        ext, writer = EXPORT_FORMATS[fmt]
        for person, tid in zip(world, track_ids):
            path = osp.join(out_dir, f'{name}_id{tid}.{ext}')
            written[fmt].append(writer(path, person, fps))
    return written
