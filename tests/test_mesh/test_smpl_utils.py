# Copyright (c) mmmotionbert contributors. All rights reserved.
"""SMPL asset loading (clear errors, chumpy-free unpickling) and rotations."""
import os
import pickle
import sys
import types

import numpy as np
import pytest
import torch

from mmmotionbert.utils.smpl import (SMPL_ASSETS, MissingSMPLAssetError,
                                     axis_angle_to_rotmat, build_smpl_body,
                                     flip_smpl_pose, load_joint_regressor,
                                     load_smpl_mean_params,
                                     load_smpl_model_data, resolve_smpl_assets,
                                     rot6d_to_rotmat, rotmat_to_axis_angle,
                                     rotmat_to_rot6d)


# ------------------------------------------------------------ rotations
def _random_rotmats(n, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return rot6d_to_rotmat(
        torch.randn(n, 6, generator=gen, dtype=torch.float64))


def test_rot6d_is_orthonormal_and_round_trips():
    rot = _random_rotmats(500)
    eye = torch.eye(3, dtype=rot.dtype).expand_as(rot)
    assert torch.allclose(rot.transpose(-1, -2) @ rot, eye, atol=1e-12)
    assert torch.allclose(
        torch.linalg.det(rot), torch.ones(500, dtype=rot.dtype))
    assert torch.allclose(
        rot6d_to_rotmat(rotmat_to_rot6d(rot)), rot, atol=1e-12)
    # official layout: the 6 numbers are the first two columns, row by row
    assert torch.equal(
        rotmat_to_rot6d(torch.eye(3)), torch.tensor([1., 0, 0, 1, 0, 0]))


def test_axis_angle_round_trip_including_identity_and_half_turns():
    aa = torch.randn(300, 3, dtype=torch.float64)
    aa = aa / aa.norm(dim=-1, keepdim=True) * torch.rand(300, 1).double() * 3
    aa[0] = 0  # identity
    aa[1] = torch.tensor([np.pi - 1e-7, 0, 0])  # almost a half turn
    rot = axis_angle_to_rotmat(aa)
    back = rotmat_to_axis_angle(rot)
    assert torch.allclose(axis_angle_to_rotmat(back), rot, atol=1e-6)
    assert torch.allclose(back[2:], aa[2:], atol=1e-6)
    assert back[0].abs().max() < 1e-7


def test_axis_angle_gradient_is_finite_at_identity():
    rot = torch.eye(3).repeat(4, 1, 1).requires_grad_(True)
    rotmat_to_axis_angle(rot).norm(dim=-1).sum().backward()
    assert torch.isfinite(rot.grad).all()
    x = torch.tensor([[1., 0, 0, 1, 0, 0]], requires_grad=True)
    rotmat_to_axis_angle(rot6d_to_rotmat(x)).sum().backward()
    assert torch.isfinite(x.grad).all()


def test_flip_smpl_pose_swaps_sides_and_mirrors():
    pose = np.arange(72, dtype=np.float32).reshape(1, 72)
    flipped = flip_smpl_pose(pose).reshape(24, 3)
    # joint 1 (left hip) takes joint 2's vector with y, z negated
    np.testing.assert_array_equal(flipped[1], [6, -7, -8])
    np.testing.assert_array_equal(flipped[0], [0, -1, -2])
    np.testing.assert_array_equal(flip_smpl_pose(flip_smpl_pose(pose)), pose)
    torch_pose = torch.from_numpy(pose)
    assert torch.equal(
        flip_smpl_pose(torch_pose), torch.from_numpy(flip_smpl_pose(pose)))
    with pytest.raises(ValueError, match='72'):
        flip_smpl_pose(np.zeros((2, 70)))


# --------------------------------------------------------------- assets
def test_missing_assets_name_the_file_and_where_to_get_it(
        tmp_path, smpl_paths):
    paths = resolve_smpl_assets(tmp_path)
    assert paths['model'] == str(tmp_path / 'SMPL_NEUTRAL.pkl')
    with pytest.raises(MissingSMPLAssetError) as err:
        load_smpl_model_data(paths['model'])
    msg = str(err.value)
    assert 'SMPL_NEUTRAL.pkl' in msg and 'smplify.is.tue.mpg.de' in msg
    assert 'docs/mesh.md' in msg
    assert isinstance(err.value, FileNotFoundError)
    with pytest.raises(FileNotFoundError, match='smpl_mean_params.npz.*SPIN'):
        load_smpl_mean_params(paths['mean_params'])
    with pytest.raises(
            FileNotFoundError, match='J_regressor_h36m_correct.npy'):
        build_smpl_body({**paths, 'model': smpl_paths['model']})
    with pytest.raises(ValueError, match='unknown SMPL asset keys'):
        resolve_smpl_assets(tmp_path, {'smpl': 'x.pkl'})
    assert not SMPL_ASSETS['j_regressor_extra'].required


def test_malformed_assets_say_what_is_wrong(tmp_path, smpl_paths):
    bad = tmp_path / 'J_regressor_h36m_correct.npy'
    np.save(bad, np.zeros((14, 6890)))
    with pytest.raises(ValueError, match=r'\(14, 6890\), expected \(17, 6890'):
        load_joint_regressor(bad)
    npz = tmp_path / 'smpl_mean_params.npz'
    np.savez(npz, pose=np.zeros(72), shape=np.zeros(10))
    with pytest.raises(ValueError, match='expected 144'):
        load_smpl_mean_params(npz)
    np.savez(npz, theta=np.zeros(72))
    with pytest.raises(ValueError, match="needs arrays 'pose' and 'shape'"):
        load_smpl_mean_params(npz)
    model = tmp_path / 'SMPL_NEUTRAL.pkl'
    data = load_smpl_model_data(smpl_paths['model'])
    del data['weights']
    with open(model, 'wb') as f:
        pickle.dump(data, f)
    with pytest.raises(ValueError, match=r"missing keys \['weights'\]"):
        load_smpl_model_data(model)
    model.write_bytes(b'not a pickle')
    with pytest.raises(ValueError, match='cannot be unpickled'):
        load_smpl_model_data(model)


def test_synthetic_assets_load(smpl_paths):
    data = load_smpl_model_data(smpl_paths['model'])
    assert data['v_template'].shape == (6890, 3)
    assert data['J_regressor'].shape == (24, 6890)  # sparse -> dense
    np.testing.assert_allclose(data['J_regressor'].sum(1), 1.0, rtol=1e-6)
    pose, shape = load_smpl_mean_params(smpl_paths['mean_params'])
    assert pose.shape == (144, ) and shape.shape == (10, )
    assert pose.dtype == shape.dtype == np.float32


class _FakeCh:
    """Pickles like a chumpy ``Ch``: its state holds ``x`` and internals."""

    def __init__(self, x):
        self.x = x
        self._dirty_vars = {'x'}
        self._depends_on_deps = {}


def _chumpy_pickle(path, data, protocol):
    """Write ``data`` with its arrays wrapped in a fake ``chumpy.ch.Ch``."""
    module = types.ModuleType('chumpy.ch')
    module.Ch = _FakeCh
    _FakeCh.__module__, _FakeCh.__qualname__ = 'chumpy.ch', 'Ch'
    saved = {k: sys.modules.get(k) for k in ('chumpy', 'chumpy.ch')}
    sys.modules['chumpy'] = types.ModuleType('chumpy')
    sys.modules['chumpy.ch'] = module
    try:
        wrapped = {
            k: (_FakeCh(v) if k in ('v_template', 'shapedirs', 'posedirs',
                                    'weights') else v)
            for k, v in data.items()
        }
        with open(path, 'wb') as f:
            pickle.dump(wrapped, f, protocol=protocol)
    finally:
        _FakeCh.__module__, _FakeCh.__qualname__ = __name__, '_FakeCh'
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


@pytest.mark.parametrize('protocol', [0, 2])
def test_chumpy_files_load_without_chumpy(tmp_path, smpl_paths, protocol):
    """Real SMPL pickles hold chumpy arrays; we read them without chumpy."""
    import scipy.sparse
    data = load_smpl_model_data(smpl_paths['model'])
    data['J_regressor'] = scipy.sparse.csc_matrix(data['J_regressor'])
    path = tmp_path / 'SMPL_NEUTRAL.pkl'
    _chumpy_pickle(path, data, protocol)
    assert b'chumpy' in path.read_bytes()
    assert 'chumpy' not in sys.modules
    loaded = load_smpl_model_data(path)
    for key in ('v_template', 'shapedirs', 'posedirs', 'weights',
                'J_regressor'):
        np.testing.assert_array_equal(
            loaded[key],
            np.asarray(data[key].toarray() if key ==
                       'J_regressor' else data[key]))


class _Evil:

    def __reduce__(self):
        return (os.system, ('echo pwned', ))


def test_crafted_pickle_is_refused(tmp_path):
    path = tmp_path / 'SMPL_NEUTRAL.pkl'
    with open(path, 'wb') as f:
        pickle.dump({'v_template': _Evil()}, f)
    with pytest.raises(pickle.UnpicklingError, match='refusing.*system'):
        load_smpl_model_data(path)


def test_body_model_poses_the_mesh(smpl_body):
    betas = torch.zeros(2, 10)
    rot = torch.eye(3).expand(2, 24, 3, 3)
    verts, joints = smpl_body(betas, rotmat=rot)
    assert verts.shape == (2, 6890, 3) and joints.shape == (2, 17, 3)
    template = smpl_body.smpl.v_template * 1000
    assert torch.allclose(verts[0], template, atol=1e-3)
    assert torch.allclose(
        joints[0], smpl_body.j_regressor_h36m @ template, atol=1e-2)
    verts2, _ = smpl_body(betas, pose=torch.zeros(2, 72))
    assert torch.allclose(verts, verts2, atol=1e-4)
    with pytest.raises(ValueError, match='exactly one'):
        smpl_body(betas)
