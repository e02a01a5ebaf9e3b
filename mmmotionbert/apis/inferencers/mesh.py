# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Recover SMPL meshes from in-the-wild 2D keypoints (any length).

Example::

    from mmmotionbert.apis import MeshInferencer, MotionLifterInferencer
    lifter = MotionLifterInferencer()
    mesher = MeshInferencer('FT_MB_release_MB_ft_pw3d/best_epoch.bin',
                            smpl_dir='data/mesh')
    result = lifter('alphapose-results.json')
    result.mesh = mesher('alphapose-results.json', lift_result=result)
    result.save('out', 'clip')     # npz with `vertices` (P, T, 6890, 3)

The mesh model sees the windows the lifter sees (:func:`window_jobs`:
``crop_scale``-normalized H36M-17 ``[x, y, score]``, as the official
``infer_wild_mesh.py``), by default 16 frames long (the official mesh
models' training clips) with half a window of overlap. Per frame, the SMPL
joint rotations of the overlapping windows (and of the flip test, mirrored
back) are averaged on SO(3) and the betas linearly, with the lifter's
triangular weights; one SMPL pass then poses the mesh, so every output
mesh is exactly ``SMPL(pose, betas)`` of the returned parameters.

Output convention (:class:`MeshResult`), the one of
``LiftResult.keypoints_3d``:

* **axes**: camera-aligned: x right, y down, z away from the camera (the
  SMPL output of MotionBERT's mesh models is in camera orientation);
* **units**: pixels of the input frames, depth in the same scale. The
  metric SMPL mesh (mm) is scaled per frame by ``px_per_mm``: the ratio of
  the RMS spread (about their mean) of the valid 2D input joints to that
  of the mesh's H36M joints' (x, y), i.e. a weak-perspective fit. Divide
  by ``px_per_mm`` for millimetres (:meth:`MeshResult.vertices_mm`);
* **root**: the mesh's pelvis (the H36M regressor's joint 0) is put where
  the lifted pelvis is when a ``lift_result`` is given (the origin for
  root-relative lifters, the global pelvis for global ones), else at the
  origin;
* frames outside a track (or without a window) are NaN.

May import: numpy, torch, :mod:`mmmotionbert.structures`,
:mod:`mmmotionbert.utils` and the other inferencer modules.
"""
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from mmmotionbert.structures import KeypointSequence, LiftResult, MeshResult
from mmmotionbert.utils.keypoints import flip_h36m
from mmmotionbert.utils.rotation import rotmat_to_axis_angle
from mmmotionbert.utils.smpl import SMPL_NUM_BETAS, SMPL_NUM_JOINTS
from .base import BaseMotionInferencer, model_forward
from .mesh_model import (_MESH_HINT, _POSE_DIM, DEFAULT_MESH_CLIP_LEN,
                         DEFAULT_SMPL_DIR, _prepare_smpl, flip_rotmat,
                         init_mesh_model, project_to_so3)
from .windows import blend_weights

__all__ = ['MeshInferencer']


class MeshInferencer(BaseMotionInferencer):
    """Recover SMPL meshes from 2D keypoint sequences of any length.

    Args:
        checkpoint (str, optional): Mesh checkpoint (official or ours, see
            :func:`init_mesh_model`). Ignored when ``model`` is given.
        config (str, optional): mmengine config of the checkpoint.
        model (nn.Module, optional): A ready :class:`MBMeshRegressor` whose
            head's SMPL files can be read.
        smpl_dir (str, optional): SMPL asset folder. Defaults to
            ``'data/mesh'``.
        smpl_files (Mapping[str, str], optional): Per-file overrides.
        smpl_source (str): Official checkpoints: ``'auto'``, ``'files'``
            or ``'checkpoint'``. Defaults to ``'auto'``.
        device (str): Torch device. Defaults to ``'cpu'``.
        clip_len (int, optional): Window length; defaults to the config's
            ``clip_len``, else 16 (the official mesh models' clips), at most
            the backbone's ``maxlen``.
        overlap (int, optional): Frames shared by neighbouring windows;
            defaults to ``clip_len // 2``.
        flip_test (bool): Average with the mirrored input's prediction,
            mirrored back in SMPL space. Defaults to True.
        normalization (str): ``'window'`` (each window's ``crop_scale``
            box, default) or ``'sequence'`` (one box per track).
        batch_size (int): Windows per forward pass. Defaults to 16.
        smpl_batch_size (int): Frames per SMPL pass. Defaults to 256.
        progress (bool): Show a progress bar. Defaults to True.
        **official_kwargs: Architecture arguments of official checkpoints.
    """

    progress_desc = 'mesh recovery'
    path_types = (str, )

    def __init__(self,
                 checkpoint: Optional[str] = None,
                 config: Optional[str] = None,
                 model: Optional[nn.Module] = None,
                 smpl_dir: Optional[str] = DEFAULT_SMPL_DIR,
                 smpl_files: Optional[Mapping[str, str]] = None,
                 smpl_source: str = 'auto',
                 device: str = 'cpu',
                 clip_len: Optional[int] = None,
                 overlap: Optional[int] = None,
                 flip_test: bool = True,
                 normalization: str = 'window',
                 batch_size: int = 16,
                 smpl_batch_size: int = 256,
                 progress: bool = True,
                 **official_kwargs) -> None:
        if model is None:
            if checkpoint is None:
                raise ValueError('MeshInferencer needs a mesh checkpoint or '
                                 f'model; {_MESH_HINT}')
            model = init_mesh_model(checkpoint, config, smpl_dir, smpl_files,
                                    smpl_source, device, **official_kwargs)
        elif not hasattr(getattr(model, 'head', None), 'smpl_on'):
            raise ValueError(f'{type(model).__name__} is not a mesh model '
                             '(an MBMeshRegressor with an MBMeshHead)')
        else:
            model.smpl_source = getattr(model, 'smpl_source',
                                        None) or _prepare_smpl(model)
        self._cfg_clip_len = None
        cfg = getattr(model, 'cfg', None)
        cfg_len = cfg.get('clip_len') if cfg is not None else None
        if isinstance(cfg_len, int) and cfg_len > 0:
            self._cfg_clip_len = cfg_len
        super().__init__(model, device, clip_len, overlap, flip_test,
                         normalization, progress, checkpoint)
        if batch_size < 1 or smpl_batch_size < 1:
            raise ValueError('batch sizes must be >= 1, got '
                             f'{batch_size}, {smpl_batch_size}')
        self.batch_size = int(batch_size)
        self.smpl_batch_size = int(smpl_batch_size)

    def default_clip_len(self) -> int:
        """The config's ``clip_len``, else 16, at most ``maxlen``."""
        return min(self._cfg_clip_len or DEFAULT_MESH_CLIP_LEN, self.maxlen)

    @property
    def faces(self) -> np.ndarray:
        """int64 (F, 3) triangles of the SMPL body model."""
        return self.model.head.smpl.faces

    # ------------------------------------------------------------------
    def _head_out(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Rotations (N, T, 24, 3, 3) and betas (N, T, 10) of a batch."""
        out = model_forward(self.model, x)
        return out['rotmat'], out['theta'][..., _POSE_DIM:]

    @torch.no_grad()
    def forward_clips(self,
                      clips: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """SMPL parameters of normalized clips.

        Args:
            clips (np.ndarray): (N, T, 17, 3) ``crop_scale``-normalized
                ``[x, y, score]``, T <= maxlen.

        Returns:
            tuple[np.ndarray, np.ndarray]: float64 joint rotations
            (N, T, 24, 3, 3) and betas (N, T, 10); with the flip test the
            rotations are the SO(3) mean of the direct and the mirrored-back
            prediction, the betas their mean.
        """
        x = torch.as_tensor(np.asarray(clips, np.float32), device=self.device)
        rot, betas = self._head_out(x)
        rot, betas = rot.double(), betas.double()
        if self.flip_test:
            rot_f, betas_f = self._head_out(flip_h36m(x))
            rot = project_to_so3(rot + flip_rotmat(rot_f.double()))
            betas = (betas + betas_f.double()) / 2
        return rot.cpu().numpy(), betas.cpu().numpy()

    @torch.no_grad()
    def pose_mesh(self, rotmat: np.ndarray,
                  betas: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Metric SMPL meshes of per-frame parameters (batched).

        Args:
            rotmat (np.ndarray): (N, 24, 3, 3) joint rotations.
            betas (np.ndarray): (N, 10) shape.

        Returns:
            tuple[np.ndarray, np.ndarray]: float32 vertices (N, 6890, 3) and
            H36M-17 joints (N, 17, 3), mm, not root-centred.
        """
        ref = self.model.head.head_pose.weight
        body = self.model.head.smpl_on(ref)
        verts, joints = [], []
        for i in range(0, len(rotmat), self.smpl_batch_size):
            r = torch.as_tensor(rotmat[i:i + self.smpl_batch_size]).to(ref)
            b = torch.as_tensor(betas[i:i + self.smpl_batch_size]).to(ref)
            v, j = body(b, rotmat=r)
            verts.append(v.float().cpu().numpy())
            joints.append(j.float().cpu().numpy())
        if not verts:
            return (np.zeros((0, 6890, 3),
                             np.float32), np.zeros((0, 17, 3), np.float32))
        return np.concatenate(verts), np.concatenate(joints)

    @staticmethod
    def fit_px_per_mm(keypoints_2d: np.ndarray, scores: np.ndarray,
                      joints_mm: np.ndarray) -> np.ndarray:
        """Per-frame weak-perspective scale from mesh joints to 2D pixels.

        The ratio of the RMS distance of the valid 2D joints (score > 0)
        from their mean to that of the same mesh joints' (x, y); frames
        with fewer than 4 valid joints are interpolated from their
        neighbours (NaN when no frame of the track has 4).

        Args:
            keypoints_2d (np.ndarray): (T, 17, 2) pixels.
            scores (np.ndarray): (T, 17).
            joints_mm (np.ndarray): (T, 17, 3) mesh joints, mm (NaN where
                there is no mesh).

        Returns:
            np.ndarray: (T,) float64 pixels per mm.
        """
        kp = np.asarray(keypoints_2d, np.float64)
        mesh = np.asarray(joints_mm, np.float64)[..., :2]
        valid = (np.asarray(scores) > 0) & np.isfinite(mesh).all(-1)
        cnt = valid.sum(-1)
        w = valid[..., None].astype(np.float64)
        num_t = len(kp)
        out = np.full(num_t, np.nan)
        ok = cnt >= 4
        if not ok.any():
            return out
        kp_c = kp[ok] - (kp[ok] * w[ok]).sum(
            1, keepdims=True) / cnt[ok, None, None]
        mesh_ok = np.nan_to_num(mesh[ok])
        mesh_c = mesh_ok - (mesh_ok * w[ok]).sum(
            1, keepdims=True) / cnt[ok, None, None]
        spread_2d = ((kp_c**2) * w[ok]).sum((1, 2))
        spread_mesh = ((mesh_c**2) * w[ok]).sum((1, 2))
        with np.errstate(invalid='ignore', divide='ignore'):
            out[ok] = np.sqrt(spread_2d / spread_mesh)
        good = np.isfinite(out) & (out > 0)
        if not good.any():
            return np.full(num_t, np.nan)
        idx = np.arange(num_t)
        return np.interp(idx, idx[good], out[good])

    def _meta(self) -> Dict[str, Any]:
        """Units, axes and window settings of a result."""
        return dict(
            units=('pixels of the input frames (x, y and depth z): the '
                   'metric SMPL mesh (mm) times px_per_mm, a per-frame '
                   'weak-perspective fit of its H36M joints to the 2D '
                   'input; vertices_mm() / npz vertices / mesh_px_per_mm '
                   'give mm'),
            axes='camera-aligned: x right, y down, z away from the camera',
            root=None,
            num_vertices=6890,
            clip_len=self.clip_len,
            overlap=self.overlap,
            flip_test=self.flip_test,
            normalization=self.normalization,
            blending=('per frame: SO(3) mean of the windows\' joint '
                      'rotations and mean betas (triangular weights), '
                      'then one SMPL pass'),
            checkpoint=self.checkpoint,
            smpl=getattr(self.model, 'smpl_source', None))

    # ------------------------------------------------------------------
    def __call__(self,
                 inputs: Union[str, KeypointSequence, np.ndarray],
                 layout: str = 'auto',
                 scores: Optional[np.ndarray] = None,
                 min_frames: int = 1,
                 max_persons: Optional[int] = None,
                 track_ids: Optional[Sequence[int]] = None,
                 lift_result: Optional[LiftResult] = None) -> MeshResult:
        """Read (if needed), convert and recover meshes of an input.

        Args:
            inputs (str | KeypointSequence | np.ndarray): A keypoint file or
                folder, a sequence, or an array (T, J, 2|3) /
                (P, T, J, 2|3) in pixels.
            layout (str): Joint layout of ``inputs`` or ``'auto'``.
            scores (np.ndarray, optional): Scores of an array input.
            min_frames (int): Drop tracks seen in fewer frames.
            max_persons (int, optional): At most this many tracks.
            track_ids (Sequence[int], optional): Only these tracks.
            lift_result (LiftResult, optional): Lifted poses of the same
                input: the meshes follow its track order and root.

        Returns:
            MeshResult: The meshes.
        """
        seq = self.preprocess(inputs, layout, scores, min_frames, max_persons,
                              track_ids)
        return self.infer(seq, lift_result)

    def infer(self,
              seq: KeypointSequence,
              lift_result: Optional[LiftResult] = None) -> MeshResult:
        """Recover the mesh of every track with blended sliding windows.

        Args:
            seq (KeypointSequence): 2D keypoints in any layout.
            lift_result (LiftResult, optional): Lifted poses of ``seq``
                (same frames; every lifted track must be in ``seq``). The
                result then has its tracks in the same order and the mesh
                pelvis at its pelvis (``keypoints_3d[:, :, 0]``: the origin
                for root-relative lifters, image position and depth for
                global ones). Without it the pelvis is at the origin.

        Returns:
            MeshResult: The meshes (see the module doc for units).
        """
        h36m = seq.to_h36m()
        kp2d, sc = h36m.keypoints, h36m.scores
        order = np.arange(len(kp2d))
        if lift_result is not None:
            if lift_result.num_frames != kp2d.shape[1]:
                raise ValueError(
                    f'lift_result has {lift_result.num_frames} frames, the '
                    f'keypoints {kp2d.shape[1]}')
            index = {int(t): p for p, t in enumerate(h36m.track_ids)}
            missing = [
                int(t) for t in lift_result.track_ids if int(t) not in index
            ]
            if missing:
                raise ValueError(f'tracks {missing} of lift_result are not '
                                 'in the keypoints')
            order = np.array([index[int(t)] for t in lift_result.track_ids],
                             dtype=np.int64)
        kp2d, sc = kp2d[order], sc[order]
        jobs = self.windows(kp2d, sc)
        return self.postprocess(kp2d, sc, h36m.track_ids[order], jobs,
                                self.forward(jobs), lift_result)

    def postprocess(self,
                    kp2d: np.ndarray,
                    sc: np.ndarray,
                    track_ids: np.ndarray,
                    jobs: Sequence,
                    outputs: Sequence,
                    lift_result: Optional[LiftResult] = None) -> MeshResult:
        """Blend the windows' SMPL parameters and pose the meshes.

        Args:
            kp2d (np.ndarray): (P, T, 17, 2) H36M-17 pixels, in result order.
            sc (np.ndarray): (P, T, 17) their scores.
            track_ids (np.ndarray): (P,) track ids, in result order.
            jobs (Sequence): The windows (:meth:`windows`).
            outputs (Sequence): Per window ``(rotmat, betas)``
                (:meth:`forward`).
            lift_result (LiftResult, optional): Lifted poses whose pelvis
                the meshes follow.

        Returns:
            MeshResult: Per frame, the SO(3) mean of the windows' joint
            rotations and the mean betas (triangular weights), one SMPL pass.
        """
        num_p, num_t = kp2d.shape[:2]
        acc_rot = np.zeros((num_p, num_t, SMPL_NUM_JOINTS, 3, 3))
        acc_betas = np.zeros((num_p, num_t, SMPL_NUM_BETAS))
        wsum = np.zeros((num_p, num_t))
        for (p, start, stop, _, _), (r, b) in zip(jobs, outputs):
            w = blend_weights(stop - start)
            acc_rot[p, start:stop] += r * w[:, None, None, None]
            acc_betas[p, start:stop] += b * w[:, None]
            wsum[p, start:stop] += w
        have = wsum > 0
        rotmat = np.zeros_like(acc_rot)
        rotmat[..., :, :] = np.eye(3)
        betas_all = np.zeros_like(acc_betas)
        if have.any():
            rotmat[have] = project_to_so3(torch.from_numpy(
                acc_rot[have])).numpy()
            betas_all[have] = acc_betas[have] / wsum[have][:, None]
        verts = np.full((num_p, num_t, 6890, 3), np.nan, np.float32)
        joints = np.full((num_p, num_t, 17, 3), np.nan, np.float32)
        v, j = self.pose_mesh(rotmat[have], betas_all[have])
        verts[have], joints[have] = v, j
        pose = np.full((num_p, num_t, _POSE_DIM), np.nan, np.float32)
        if have.any():
            pose[have] = rotmat_to_axis_angle(torch.from_numpy(
                rotmat[have])).reshape(-1, _POSE_DIM).float().numpy()
        betas_out = np.where(have[..., None], betas_all,
                             np.nan).astype(np.float32)
        scale = np.stack([
            self.fit_px_per_mm(kp2d[p], sc[p], joints[p]) for p in range(num_p)
        ]) if num_p else np.zeros((0, num_t))
        scale = np.where(have, scale, np.nan)
        if lift_result is not None:
            root = np.asarray(lift_result.keypoints_3d[:, :, 0], np.float64)
        else:
            root = np.zeros((num_p, num_t, 3))
        pelvis = joints[:, :, :1].astype(np.float64)
        s = scale[..., None, None]
        verts_px = (verts - pelvis) * s + root[:, :, None]
        joints_px = (joints - pelvis) * s + root[:, :, None]
        meta = self._meta()
        meta['root'] = (
            "pelvis (mesh H36M joint 0) at the lifted pelvis "
            "(keypoints_3d[:, :, 0]: the origin for root-relative "
            "lifters)" if lift_result is not None else
            'root-relative: pelvis (mesh H36M joint 0) at (0, 0, 0)')
        return MeshResult(
            vertices=verts_px.astype(np.float32),
            faces=self.faces,
            joints_3d=joints_px.astype(np.float32),
            pose=pose,
            betas=betas_out,
            px_per_mm=scale.astype(np.float32),
            track_ids=np.asarray(track_ids, np.int64),
            meta=meta)
