# Copyright (c) mmmotionbert contributors. All rights reserved.
"""SMPL meshes of every tracked person, as the mesh inferencer returns them.

May import: numpy and :mod:`mmmotionbert.utils`.
"""
from dataclasses import dataclass, field
from typing import Any, Dict

import numpy as np

__all__ = ['MeshResult']


@dataclass
class MeshResult:
    """SMPL meshes of every tracked person.

    Units, axes and root: see :mod:`mmmotionbert.apis.inferencers.mesh`.

    Attributes:
        vertices (np.ndarray): (P, T, 6890, 3) float32, pixels, camera
            axes, pelvis where the lifted pelvis is (or at the origin).
        faces (np.ndarray): (F, 3) int64 triangles (SMPL: 13776).
        joints_3d (np.ndarray): (P, T, 17, 3) float32 H36M-17 joints of
            the mesh (the SMPL H36M regressor), same units and root.
        pose (np.ndarray): (P, T, 72) float32 SMPL axis-angle pose.
        betas (np.ndarray): (P, T, 10) float32 SMPL shape.
        px_per_mm (np.ndarray): (P, T) float32 scale from the metric mesh
            to ``vertices`` (NaN where no mesh).
        track_ids (np.ndarray): (P,) int64.
        meta (dict): Units, root handling, model and window settings.
    """

    vertices: np.ndarray
    faces: np.ndarray
    joints_3d: np.ndarray
    pose: np.ndarray
    betas: np.ndarray
    px_per_mm: np.ndarray
    track_ids: np.ndarray
    meta: Dict[str, Any] = field(default_factory=dict)

    @property
    def num_persons(self) -> int:
        """Number of tracks P."""
        return self.vertices.shape[0]

    @property
    def num_frames(self) -> int:
        """Number of frames T."""
        return self.vertices.shape[1]

    def vertices_mm(self) -> np.ndarray:
        """Metric, root-relative vertices (the SMPL mesh in mm).

        Returns:
            np.ndarray: (P, T, 6890, 3) float32, the mesh's pelvis at the
            origin.
        """
        root = self.joints_3d[:, :, :1]
        with np.errstate(invalid='ignore', divide='ignore'):
            out = (self.vertices - root) / self.px_per_mm[..., None, None]
        return out.astype(np.float32)

    def npz_arrays(self) -> Dict[str, np.ndarray]:
        """The arrays :meth:`LiftResult.save` adds to the npz.

        Returns:
            dict[str, np.ndarray]: ``vertices`` (P, T, 6890, 3) float32,
            ``faces`` (F, 3) int64, ``mesh_joints_3d`` (P, T, 17, 3),
            ``smpl_pose`` (P, T, 72), ``smpl_betas`` (P, T, 10),
            ``mesh_px_per_mm`` (P, T) (float32) and ``mesh_meta`` (json).
        """
        import json
        return dict(
            vertices=self.vertices.astype(np.float32),
            faces=self.faces.astype(np.int64),
            mesh_joints_3d=self.joints_3d.astype(np.float32),
            smpl_pose=self.pose.astype(np.float32),
            smpl_betas=self.betas.astype(np.float32),
            mesh_px_per_mm=self.px_per_mm.astype(np.float32),
            mesh_meta=json.dumps(self.meta))

    def json_note(self, npz_name: str) -> Dict[str, Any]:
        """The ``mesh`` entry of the json twin: where the arrays are.

        Args:
            npz_name (str): File name of the npz holding the arrays.

        Returns:
            dict: ``npz``, ``arrays`` (npz key -> shape and dtype) and
            ``meta``; no array values (they are large).
        """
        arrays = {
            k: dict(shape=list(v.shape), dtype=str(v.dtype))
            for k, v in self.npz_arrays().items() if k != 'mesh_meta'
        }
        return dict(
            npz=npz_name,
            arrays=arrays,
            track_ids=[int(t) for t in self.track_ids],
            meta=self.meta)
