# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The lifted 3D poses of every tracked person, and their npz/json files.

May import: numpy and :mod:`mmmotionbert.utils`.
"""
import json
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import numpy as np

__all__ = ['LiftResult']


@dataclass
class LiftResult:
    """3D poses of every tracked person.

    Units, axes and root handling: see :mod:`mmmotionbert.apis.inferencers`.

    Attributes:
        keypoints_3d (np.ndarray): (P, T, 17, 3) float32, H36M-17.
        scores (np.ndarray): (P, T, 17) float32 2D scores of the joints.
        track_ids (np.ndarray): (P,) int64.
        keypoints_2d (np.ndarray): (P, T, 17, 2) float32 H36M-17 input in
            pixels (0 where missing).
        root_2d (np.ndarray): (P, T, 2) float32 pelvis pixel position
            (NaN where the pelvis was not detected).
        frame_ids (np.ndarray): (T,) source frame indices.
        fps (float, optional): Frame rate.
        frame_size (tuple, optional): ``(width, height)``.
        meta (dict): Units, root handling, model and window settings.
        mesh (MeshResult, optional): SMPL meshes of the same tracks (see
            :class:`MeshResult`); saved and rendered
            with the poses when set.
        metric (MetricMotion, optional): The same poses in metres with
            their trajectory, in the camera and a floor-aligned world frame
            (see :class:`MetricMotion`); saved with the poses when set.
    """

    keypoints_3d: np.ndarray
    scores: np.ndarray
    track_ids: np.ndarray
    keypoints_2d: np.ndarray
    root_2d: np.ndarray
    frame_ids: np.ndarray
    fps: Optional[float] = None
    frame_size: Optional[Tuple[int, int]] = None
    meta: Dict[str, Any] = field(default_factory=dict)
    mesh: Optional[Any] = None
    metric: Optional[Any] = None

    @property
    def num_persons(self) -> int:
        """Number of tracks P."""
        return self.keypoints_3d.shape[0]

    @property
    def num_frames(self) -> int:
        """Number of frames T."""
        return self.keypoints_3d.shape[1]

    def placed_3d(self) -> np.ndarray:
        """3D poses placed in the image plane (for drawing).

        Root-relative results get their 2D pelvis position added to x, y
        (depth stays relative); global results are returned as they are.

        Returns:
            np.ndarray: (P, T, 17, 3) float32.
        """
        if not self.meta.get('rootrel', True):
            return self.keypoints_3d.copy()
        out = self.keypoints_3d.copy()
        root = self.root_2d.copy()
        # Fill undetected pelvis positions from the nearest detected frame.
        for p in range(len(root)):
            ok = np.isfinite(root[p]).all(-1)
            if ok.any() and not ok.all():
                idx = np.arange(len(ok))
                for c in range(2):
                    root[p, :, c] = np.interp(idx, idx[ok], root[p, ok, c])
        out[..., :2] += root[:, :, None, :]
        return out

    def save(self, out_dir: str, name: str) -> Tuple[str, str]:
        """Write ``out_dir/name.npz`` and its json twin ``out_dir/name.json``.

        With a :attr:`mesh`, the npz also holds its arrays (``vertices``
        (P, T, 6890, 3) float32, ``faces``, SMPL parameters; see
        :meth:`MeshResult.npz_arrays`) and the json a ``mesh`` entry that
        describes them (shapes, units, which npz keys) without the arrays.

        Args:
            out_dir (str): Output folder (created).
            name (str): File name without extension.

        Returns:
            tuple[str, str]: Paths of the npz and the json file.
        """
        os.makedirs(out_dir, exist_ok=True)
        npz_path = osp.join(out_dir, f'{name}.npz')
        json_path = osp.join(out_dir, f'{name}.json')
        extra = {} if self.mesh is None else self.mesh.npz_arrays()
        meta = dict(self.meta)
        if self.metric is not None:
            extra.update(self.metric.npz_arrays())
            meta['metric'] = self.metric.meta
        np.savez(
            npz_path,
            keypoints_3d=self.keypoints_3d.astype(np.float32),
            scores=self.scores.astype(np.float32),
            track_ids=self.track_ids.astype(np.int64),
            keypoints_2d=self.keypoints_2d.astype(np.float32),
            root_2d=self.root_2d.astype(np.float32),
            frame_ids=self.frame_ids.astype(np.int64),
            fps=np.float64(self.fps if self.fps else np.nan),
            frame_size=np.asarray(self.frame_size or (0, 0), np.int64),
            meta=json.dumps(meta),
            **extra)

        def _list(a: np.ndarray) -> Any:
            a = np.round(np.asarray(a, dtype=np.float64), 3)
            return np.where(np.isfinite(a), a, None).tolist()

        data = dict(
            meta=meta,
            fps=self.fps,
            frame_size=list(self.frame_size) if self.frame_size else None,
            frame_ids=self.frame_ids.tolist(),
            persons=[
                dict(
                    track_id=int(tid),
                    keypoints_3d=_list(self.keypoints_3d[p]),
                    scores=_list(self.scores[p]),
                    root_2d=_list(self.root_2d[p]))
                for p, tid in enumerate(self.track_ids)
            ])
        if self.mesh is not None:
            data['mesh'] = self.mesh.json_note(osp.basename(npz_path))
        if self.metric is not None:
            for p, person in enumerate(data['persons']):
                person.update(
                    keypoints_3d_metric=_list(
                        self.metric.keypoints_3d_metric[p]),
                    keypoints_3d_world=_list(
                        self.metric.keypoints_3d_world[p]),
                    foot_contacts=self.metric.foot_contacts[p].astype(
                        int).tolist(),
                    subject_height=float(self.metric.subject_heights[p]))
            data['camera_to_world'] = np.asarray(
                self.metric.camera_to_world).tolist()
        with open(json_path, 'w') as f:
            json.dump(data, f)
        return npz_path, json_path
