# Copyright (c) mmmotionbert contributors. All rights reserved.
"""In-the-wild mesh recovery: MeshInferencer, the mesh panel and the CLI."""
import json
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmmotionbert.apis import KeypointSequence, MeshInferencer
from mmmotionbert.apis.inferencers import flip_rotmat, init_mesh_model
from mmmotionbert.datasets.crop_scale import crop_scale
from mmmotionbert.registry import MODELS
from mmmotionbert.utils.smpl import (MissingSMPLAssetError,
                                     axis_angle_to_rotmat, flip_smpl_pose,
                                     resolve_smpl_assets, rotmat_to_axis_angle)
from ..conftest import REPO_ROOT
from ..test_apis.conftest import coco_motion
from ..test_demo.test_demo_cli import _frames_of
from ..test_apis.test_readers import _openpose_folder
from .test_official_mesh import _official_checkpoint

sys.path.insert(0, str(REPO_ROOT / 'demo'))
lift_demo = pytest.importorskip('lift_2d_to_3d')

BACKBONE = dict(
    type='MBDSTformer',
    dim_feat=16,
    dim_rep=16,
    depth=1,
    num_heads=2,
    mlp_ratio=2,
    maxlen=16)


@pytest.fixture(scope='module')
def mesh_ckpt(tmp_path_factory, smpl_paths) -> str:
    """A tiny random mesh model saved as an mmengine checkpoint + config.

    Its config points the head at a folder that does not exist: the SMPL
    folder comes from the caller (``smpl_dir`` / ``--smpl-dir``).
    """
    cfg = Config(
        dict(
            clip_len=8,
            model=dict(
                type='MBMeshRegressor',
                backbone=BACKBONE,
                head=dict(
                    type='MBMeshHead',
                    dim_rep=16,
                    hidden_dim=32,
                    smpl_dir='/nonexistent/smpl'))))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.head.smpl_paths = dict(smpl_paths)
    model.head.load_mean_params()
    with torch.no_grad():  # clearly non-mean poses that follow the input
        torch.nn.init.normal_(model.head.head_pose.weight, std=0.3)
        torch.nn.init.normal_(model.head.head_shape.weight, std=0.05)
    path = tmp_path_factory.mktemp('mesh_ckpt') / 'mesh.pth'
    torch.save(
        dict(state_dict=model.state_dict(), meta=dict(cfg=cfg.pretty_text)),
        path)
    return str(path)


@pytest.fixture(scope='module')
def lifter_ckpt(tmp_path_factory) -> str:
    """A tiny random lifter saved with its config (as tools/train.py)."""
    cfg = Config(
        dict(
            model=dict(
                type='MBPoseLifter',
                backbone=BACKBONE,
                head=dict(type='MBPoseHead', dim_rep=16, dim_out=3))))
    torch.manual_seed(1)
    model = MODELS.build(cfg.model)
    path = tmp_path_factory.mktemp('lift_ckpt') / 'lifter.pth'
    torch.save(
        dict(state_dict=model.state_dict(), meta=dict(cfg=cfg.pretty_text)),
        path)
    return str(path)


def _sequence(num_frames: int, late_start: int = 10) -> KeypointSequence:
    """Two moving persons; the second is seen from ``late_start`` on."""
    a_kp, a_sc = coco_motion(num_frames, (200.0, 240.0), 0)
    b_kp, b_sc = coco_motion(num_frames, (480.0, 250.0), 1)
    b_sc[:late_start] = 0
    b_kp[:late_start] = 0
    shift = np.arange(num_frames)[:, None, None] * 4.0
    kp = np.stack([a_kp + shift, b_kp])
    return KeypointSequence(
        kp,
        np.stack([a_sc, b_sc]),
        None,
        'coco',
        fps=10,
        frame_size=(640, 480))


def _rms_ratio(kp2d, scores, joints_mm):
    """Independent px/mm: RMS spread of the valid 2D vs mesh (x, y) joints."""
    ok = scores > 0
    a = kp2d[ok] - kp2d[ok].mean(0)
    b = joints_mm[ok, :2] - joints_mm[ok, :2].mean(0)
    return np.sqrt((a**2).sum() / (b**2).sum())


def test_any_length_shapes_units_and_smpl_consistency(mesh_ckpt, smpl_dir,
                                                      smpl_body):
    seq = _sequence(30)
    inf = MeshInferencer(mesh_ckpt, smpl_dir=smpl_dir, progress=False)
    assert (inf.clip_len, inf.overlap) == (8, 4)  # config's clip_len
    res = inf(seq)
    assert res.vertices.shape == (2, 30, 6890, 3)
    assert res.vertices.dtype == np.float32
    assert res.faces.shape == (13776, 3) and res.faces.dtype == np.int64
    assert res.pose.shape == (2, 30, 72) and res.betas.shape == (2, 30, 10)
    assert res.joints_3d.shape == (2, 30, 17, 3)
    assert res.track_ids.tolist() == [0, 1]
    # inside a track finite, before it NaN; pelvis at the origin
    assert np.isfinite(res.vertices[0]).all()
    assert np.isnan(res.vertices[1, :10]).all()
    assert np.isfinite(res.vertices[1, 10:]).all()
    np.testing.assert_allclose(res.joints_3d[0, :, 0], 0, atol=1e-3)
    # the mesh has the 2D person's pixel size (weak-perspective fit) ...
    h36m = seq.to_h36m()
    mm = res.vertices_mm()
    joints_mm = res.joints_3d[0] / res.px_per_mm[0][:, None, None]
    for t in (0, 17, 29):
        assert res.px_per_mm[0, t] == pytest.approx(
            _rms_ratio(h36m.keypoints[0, t], h36m.scores[0, t], joints_mm[t]),
            rel=1e-4)
    # ... and every frame, blended over windows or not, is exactly the SMPL
    # mesh of the returned parameters (metric, root-relative)
    frames = [0, 6, 13, 29]
    with torch.no_grad():
        verts, joints = smpl_body(
            torch.from_numpy(res.betas[0, frames]),
            rotmat=axis_angle_to_rotmat(
                torch.from_numpy(res.pose[0, frames]).view(-1, 24, 3)))
    expected = (verts - joints[:, :1]).numpy()
    np.testing.assert_allclose(mm[0, frames], expected, atol=5e-3)
    # a body of plausible size, frames differ
    assert 500 < np.ptp(mm[0, 0], axis=0).max() < 5000
    assert np.abs(mm[0, 0] - mm[0, 29]).max() > 1.0


def test_single_window_equals_direct_model_and_smpl_call(
        mesh_ckpt, smpl_dir, smpl_body):
    """One window, no flip: exactly the model's pose/shape through SMPL."""
    seq = _sequence(8)
    inf = MeshInferencer(
        mesh_ckpt, smpl_dir=smpl_dir, flip_test=False, progress=False)
    res = inf.infer(seq)
    h36m = seq.to_h36m()
    motion = np.concatenate([h36m.keypoints[0], h36m.scores[0][..., None]], -1)
    clip = crop_scale(motion, zero_invalid=True)  # the lifter's window
    with torch.no_grad():
        out = inf.model(torch.from_numpy(clip[None]).float(), mode='tensor')
        rotmat, betas = out['rotmat'][0], out['theta'][0, :, 72:]
        verts, joints = smpl_body(betas, rotmat=rotmat)
    expected_mm = (verts - joints[:, :1]).numpy()
    np.testing.assert_allclose(res.betas[0], betas.numpy(), atol=1e-5)
    np.testing.assert_allclose(
        res.pose[0],
        rotmat_to_axis_angle(rotmat).reshape(8, 72).numpy(),
        atol=1e-4)
    np.testing.assert_allclose(res.vertices_mm()[0], expected_mm, atol=1e-3)
    scale = np.array([
        _rms_ratio(h36m.keypoints[0, t], h36m.scores[0, t], joints[t].numpy())
        for t in range(8)
    ])
    np.testing.assert_allclose(res.px_per_mm[0], scale, rtol=1e-5)
    np.testing.assert_allclose(
        res.vertices[0], expected_mm * scale[:, None, None], atol=1e-3)
    # the flip test averages with the mirrored input's prediction
    flip = MeshInferencer(model=inf.model, progress=False).infer(seq)
    assert np.abs(flip.vertices_mm()[0] - expected_mm).max() > 1.0


def test_flip_rotmat_is_the_official_flip_thetas():
    aa = torch.randn(5, 72, generator=torch.Generator().manual_seed(0))
    ours = flip_rotmat(axis_angle_to_rotmat(aa.view(5, 24, 3)))
    official = axis_angle_to_rotmat(flip_smpl_pose(aa).view(5, 24, 3))
    assert torch.allclose(ours, official, atol=1e-5)


def test_lift_result_root_and_track_order(mesh_ckpt, smpl_dir, lifter_ckpt):
    from mmmotionbert.apis import MotionLifterInferencer
    seq = _sequence(12, late_start=0)
    lift = MotionLifterInferencer(lifter_ckpt, progress=False).lift(seq)
    # a global lifter's pelvis: the mesh pelvis follows it
    lift.keypoints_3d[..., 0, :] = [[[300.0, 200.0, 50.0]], [[9.0, 8.0, 7.0]]]
    lift.track_ids = lift.track_ids[::-1].copy()
    lift.keypoints_3d = lift.keypoints_3d[::-1].copy()
    res = MeshInferencer(
        mesh_ckpt, smpl_dir=smpl_dir, progress=False).infer(seq, lift)
    assert res.track_ids.tolist() == [1, 0]
    np.testing.assert_allclose(
        res.joints_3d[:, :, 0], lift.keypoints_3d[:, :, 0], atol=1e-3)
    alone = MeshInferencer(
        mesh_ckpt, smpl_dir=smpl_dir, progress=False).infer(seq)
    np.testing.assert_allclose(
        res.vertices_mm()[0], alone.vertices_mm()[1], atol=1e-3)


def test_official_mesh_checkpoint_without_smpl_files(tmp_path, smpl_body):
    _, ckpt = _official_checkpoint(smpl_body)
    path = tmp_path / 'best_epoch.bin'
    torch.save(ckpt, path)
    inf = MeshInferencer(
        str(path),
        smpl_dir=str(tmp_path / 'none'),
        num_heads=2,
        progress=False)
    assert inf.clip_len == 8  # official 16, at most the backbone's maxlen
    assert 'checkpoint' in inf.model.smpl_source
    res = inf.infer(_sequence(20))
    assert res.vertices.shape == (2, 20, 6890, 3)
    assert np.isfinite(res.vertices[0]).all()


def test_cli_saves_vertices_and_renders_the_mesh(tmp_path, mesh_ckpt,
                                                 lifter_ckpt, smpl_dir):
    folder = _openpose_folder(tmp_path, 'body25', num_frames=12)
    out_dir = tmp_path / 'out'
    numbers = lift_demo.main([
        folder, '--checkpoint', lifter_ckpt, '--out-dir',
        str(out_dir), '--mesh-checkpoint', mesh_ckpt, '--smpl-dir', smpl_dir,
        '--vis', 'gif', '--panel-height', '100', '--no-progress'
    ])
    assert numbers['mesh']['vertices'] == [2, 12, 6890, 3]
    data = np.load(out_dir / 'op_body25.npz')
    verts = data['vertices']
    assert verts.dtype == np.float32 and verts.shape == (2, 12, 6890, 3)
    assert np.isfinite(verts).all()
    assert data['faces'].shape == (13776, 3)
    assert data['smpl_pose'].shape == (2, 12, 72)
    # same root convention as keypoints_3d (root-relative lifter)
    np.testing.assert_allclose(
        data['mesh_joints_3d'][:, :, 0],
        data['keypoints_3d'][:, :, 0],
        atol=1e-3)
    twin_path = out_dir / 'op_body25.json'
    twin = json.loads(twin_path.read_text())
    note = twin['mesh']
    assert note['npz'] == 'op_body25.npz'
    assert note['arrays']['vertices'] == dict(
        shape=[2, 12, 6890, 3], dtype='float32')
    assert 'pixels' in note['meta']['units']
    assert twin_path.stat().st_size < 200_000  # no vertex dump
    frames = _frames_of(str(out_dir / 'op_body25.gif'))
    assert len(frames) == 12
    first, last = (f.astype(int) for f in (frames[0], frames[-1]))
    assert np.abs(first - last).max() > 0
    # a third panel (as wide as the 2D one) with the shaded meshes
    width_2d = (first.shape[1] - 100) // 2
    mesh_panel = first[:, width_2d + 100:]
    tinted = (np.abs(mesh_panel - mesh_panel[..., :1]).max(-1) > 20)
    assert tinted[20:].mean() > 0.02
    assert np.abs(mesh_panel - last[:, width_2d + 100:]).max() > 0


def test_cli_mesh_errors(tmp_path, mesh_ckpt, lifter_ckpt, smpl_dir):
    folder = _openpose_folder(tmp_path, 'body25', num_frames=6)
    out_dir = tmp_path / 'out'
    args = [
        folder, '--checkpoint', lifter_ckpt, '--out-dir',
        str(out_dir), '--vis', 'none', '--no-progress'
    ]
    empty = tmp_path / 'no_smpl'
    empty.mkdir()
    with pytest.raises(
            MissingSMPLAssetError,
            match='SMPL_NEUTRAL.pkl.*smplify.*--smpl-dir'):
        lift_demo.main(
            args + ['--mesh-checkpoint', mesh_ckpt, '--smpl-dir',
                    str(empty)])
    assert not out_dir.exists()  # stopped before lifting
    # a lifter is not a mesh model; neither is an official pose checkpoint
    with pytest.raises(ValueError, match='not a mesh checkpoint.*head_pose'):
        lift_demo.main(
            args + ['--mesh-checkpoint', lifter_ckpt, '--smpl-dir', smpl_dir])
    pose_bin = tmp_path / 'pose.bin'
    torch.save(dict(model_pos=torch.load(lifter_ckpt)['state_dict']), pose_bin)
    with pytest.raises(ValueError, match="not a mesh checkpoint.*model_pos"):
        init_mesh_model(str(pose_bin), smpl_dir=smpl_dir)
    with pytest.raises(ValueError, match='need.*--mesh-checkpoint'):
        lift_demo.main(args + ['--smpl-dir', smpl_dir])
    # a missing regressor is named too
    partial = tmp_path / 'partial'
    partial.mkdir()
    src = resolve_smpl_assets(smpl_dir)
    (partial / 'SMPL_NEUTRAL.pkl').write_bytes(open(src['model'], 'rb').read())
    with pytest.raises(
            MissingSMPLAssetError, match='J_regressor_h36m_correct.npy'):
        MeshInferencer(mesh_ckpt, smpl_dir=str(partial))
