# Copyright (c) mmmotionbert contributors. All rights reserved.
"""AMASS -> H36M-17 converter on a generated SMPL+H model and sequences.

The real SMPL+H model is licensed, so the tests write a random body in its
format (52 joints, 16 shape coefficients, 459 pose blend shapes, the AMASS
``model.npz`` layout and the MANO ``.pkl`` layout) and 5-frame AMASS-style
sequences.
"""
import importlib.util
import os
import os.path as osp
import pickle

import numpy as np
import pytest

from mmmotionbert.utils.cli import UserInputError
import torch

from mmmotionbert.datasets import MBMocapDataset, MBMotionClipDataset
from mmmotionbert.datasets.converters.amass import (
    MissingBodyModelError, SMPLHJoints, convert_amass, find_body_model,
    load_smplh_model_data, resample_plan, resample_sequence,
    read_amass_sequence, yup_to_official_camera, zup_to_yup)
from mmmotionbert.datasets.mocap.pybullet_fk import load_mocap_cache
from mmmotionbert.datasets.synthetic_mesh import (SMPL_PARENTS,
                                                  make_synthetic_smpl_model)

TOOL = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools',
    'dataset_converters', 'amass_to_h36m.py')
SEQ = 'CMU/01/01_01_poses'


def make_smplh_model(seed: int = 0) -> tuple:
    """A random SMPL+H-format model (Y-up standing body) and H36M regressor.

    Joints 0-21 are SMPL's body; 22-36 / 37-51 are five 3-joint fingers on
    the left / right wrist.
    """
    smpl = make_synthetic_smpl_model(seed, sparse_regressor=False)
    rng = np.random.default_rng(seed)
    parents = list(SMPL_PARENTS[:22])
    for wrist in (20, 21):
        for _ in range(5):
            base = len(parents)
            parents += [wrist, base, base + 1]
    weights = np.zeros((6890, 52))
    weights[:, :22] = smpl['weights'][:, :22]
    weights[:, 22] = smpl['weights'][:, 22]  # left hand -> first finger
    weights[:, 37] = smpl['weights'][:, 23]
    smpl_reg = np.asarray(smpl['J_regressor'])
    j_reg = np.concatenate([
        smpl_reg[:22],
        np.repeat(smpl_reg[22:23], 15, 0),
        np.repeat(smpl_reg[23:24], 15, 0)
    ])
    kintree = np.stack([np.asarray(parents), np.arange(52)]).astype(np.int64)
    kintree[0, 0] = 4294967295
    model = dict(
        v_template=smpl['v_template'],
        shapedirs=np.concatenate(
            [smpl['shapedirs'],
             rng.normal(0, 0.01, (6890, 3, 6))], axis=2),
        posedirs=rng.normal(0, 1e-4, (6890, 3, 459)).astype(np.float32),
        J_regressor=j_reg,
        weights=weights,
        kintree_table=kintree,
        f=smpl['f'].astype(np.int64))
    return model, smpl['_h36m']


@pytest.fixture(scope='module')
def smplh(tmp_path_factory):
    """AMASS-layout model folder (male, female), regressor, model arrays."""
    root = tmp_path_factory.mktemp('body_models')
    model, reg = make_smplh_model()
    for gender in ('male', 'female'):
        (root / 'smplh' / gender).mkdir(parents=True)
        np.savez(root / 'smplh' / gender / 'model.npz', **model)
    np.save(root / 'J_regressor_h36m_correct.npy', reg)
    return dict(
        dir=str(root / 'smplh'),
        parent=str(root),
        model=model,
        regressor=str(root / 'J_regressor_h36m_correct.npy'),
        reg=reg)


def write_sequence(folder,
                   name=SEQ,
                   frames=5,
                   fps=120.0,
                   gender='male',
                   root=(np.pi / 2, 0, 0),
                   trans=(0.3, -0.2, 0.9),
                   betas=None,
                   dmpls=None):
    """An AMASS-style sequence .npz: standing (root +90 deg about x, Z up)
    rest pose moving 1 cm per frame along x."""
    poses = np.zeros((frames, 156), np.float32)
    poses[:, :3] = root
    tr = np.tile(np.asarray(trans, np.float32), (frames, 1))
    tr[:, 0] += 0.01 * np.arange(frames)
    path = osp.join(str(folder), name + '.npz')
    os.makedirs(osp.dirname(path), exist_ok=True)
    extra = {} if dmpls is None else dict(dmpls=dmpls)
    np.savez(
        path,
        poses=poses,
        trans=tr,
        betas=np.zeros(16) if betas is None else betas,
        gender=np.array(gender),
        mocap_framerate=np.array(fps),
        **extra)
    return path


def test_convert_npz_and_official_clips(smplh, tmp_path):
    amass = tmp_path / 'amass'
    write_sequence(amass)
    np.savez(
        amass / 'CMU' / '01' / 'shape.npz',
        betas=np.zeros(16),
        gender=np.array('male'))  # AMASS shape files: skipped
    summary = convert_amass(
        str(amass),
        smplh['dir'],
        out_npz=str(tmp_path / 'amass.npz'),
        out_clips=str(tmp_path / 'clips'),
        fps=60,
        h36m_regressor=smplh['regressor'],
        progress=False)
    assert summary['sequences'] == [SEQ]
    assert summary['skipped'] == {'not an SMPL+H motion': ['CMU/01/shape']}
    assert summary['joints_from'] == 'h36m_regressor'
    assert summary['frames'] == 3  # 5 frames at 120 fps -> 0, 2, 4 at 60

    data = load_mocap_cache(str(tmp_path / 'amass.npz'))
    joints = data['joints'][SEQ]
    assert data['fps'] == 60.0
    assert joints.shape == (3, 17, 3) and joints.dtype == np.float32
    assert data['face'][SEQ].shape == (3, 5, 3)
    # Y up: standing rest pose, head top above thorax above pelvis
    assert (joints[:, 10, 1] > joints[:, 8, 1]).all()
    assert (joints[:, 8, 1] > joints[:, 0, 1] + 0.3).all()
    assert (joints[:, 3, 1] < joints[:, 0, 1] - 0.5).all()  # ankle below
    # AMASS (x, y, z) -> (x, z, -y): trans z = 0.9 is the height
    assert joints[0, 0, 1] == pytest.approx(0.9, abs=0.1)
    assert joints[0, 0, 2] == pytest.approx(0.2, abs=0.1)
    np.testing.assert_allclose(np.diff(joints[:, 0, 0]), 0.02, atol=1e-5)

    # the official clip: one 243-frame clip (short piece stretched)
    clip_files = sorted((tmp_path / 'clips' / 'AMASS' / 'train').iterdir())
    assert [p.name for p in clip_files] == ['00000000.pkl']
    with open(clip_files[0], 'rb') as f:
        clip = pickle.load(f)
    assert clip['data_input'] is None
    label = clip['data_label']
    assert label.shape == (243, 17, 3) and label.dtype == np.float32
    np.testing.assert_allclose(
        label[0], yup_to_official_camera(joints[0]), atol=1e-6)
    np.testing.assert_allclose(
        label[-1], yup_to_official_camera(joints[2]), atol=1e-6)
    assert (label[:, 10, 1] < label[:, 0, 1]).all()  # camera y points down
    ds = MBMotionClipDataset(
        str(tmp_path / 'clips'), ['AMASS'], synthetic=True, flip_prob=0.0)
    item = ds[0]
    assert item['inputs'].shape == (243, 17, 3)
    torch.testing.assert_close(item['inputs'][..., :2],
                               torch.from_numpy(label[..., :2]))

    mocap = MBMocapDataset(
        data_file=str(tmp_path / 'amass.npz'),
        clip_len=3,
        test_mode=True,
        noise_prob=0.0)
    sample = mocap[0]
    assert len(mocap) == 1
    assert sample['inputs'].shape == (3, 17, 3)
    assert sample['data_samples']['target'].shape == (3, 17, 3)
    assert torch.isfinite(sample['data_samples']['target']).all()


def test_joints_match_the_body_model(smplh):
    """Regressor joints = regressor @ posed vertices; 16 betas all used;
    without the regressor the pelvis is the SMPL+H root joint."""
    model = smplh['model']
    reg = np.load(smplh['regressor'])
    body = SMPLHJoints(model, 16, h36m_regressor=reg)
    betas = np.zeros(16, np.float32)
    betas[13] = 2.0  # beyond the 10 coefficients smplx would keep
    trans = np.array([[0.1, 0.2, 0.3]], np.float32)
    out = body(np.zeros((1, 156), np.float32), trans, betas)
    verts = (model['v_template'] + model['shapedirs'] @ betas) + trans
    np.testing.assert_allclose(out['joints'][0], reg @ verts, atol=1e-4)
    no_reg = SMPLHJoints(model, 16)(np.zeros((1, 156), np.float32), trans,
                                    betas)
    root = model['J_regressor'][0] @ (verts - trans) + trans[0]
    np.testing.assert_allclose(no_reg['joints'][0, 0], root, atol=1e-4)
    np.testing.assert_allclose(
        no_reg['joints'][0, 7],
        0.5 * (no_reg['joints'][0, 0] + no_reg['joints'][0, 8]),
        atol=1e-6)
    # DMPLs add to the shape
    eig = np.zeros((6890, 3, 8), np.float32)
    eig[..., 0] = 0.01
    dm = SMPLHJoints(model, 16, dmpldirs=eig, h36m_regressor=reg)
    moved = dm(
        np.zeros((1, 156), np.float32), trans, betas,
        np.eye(8, dtype=np.float32)[:1])
    np.testing.assert_allclose(
        moved['joints'] - out['joints'], 0.01, atol=1e-4)


def test_resampling():
    index, weight, rate = resample_plan(5, 120, 60)
    assert index[:, 0].tolist() == [0, 2, 4] and rate == 60
    index, weight, rate = resample_plan(7, 100, 60, 'stride')  # official
    assert index[:, 0].tolist() == [0, 2, 4, 6] and rate == 50
    index, weight, rate = resample_plan(7, 100, 60)  # auto -> slerp
    assert rate == 60 and len(index) == 4  # t = 0, 1/60, 2/60, 3/60 s
    np.testing.assert_allclose(index[:, 0] + weight, np.arange(4) * 100 / 60)
    index, weight, rate = resample_plan(3, 30, 60)  # upsampling
    assert len(index) == 5 and rate == 60

    from mmmotionbert.datasets.converters.amass import AmassSequence
    poses = np.zeros((2, 156), np.float32)
    poses[1, 2] = 0.4  # root about z: 0 -> 0.4 rad
    seq = AmassSequence('s', poses,
                        np.array([[0, 0, 0], [1, 0, 0]], np.float32),
                        np.zeros(16), 'male', 30.0)
    up = resample_sequence(seq, 60.0)
    assert up.fps == 60 and len(up.poses) == 3
    np.testing.assert_allclose(up.poses[1, :3], [0, 0, 0.2], atol=1e-6)
    np.testing.assert_allclose(up.trans[1], [0.5, 0, 0], atol=1e-6)


def test_axes():
    p = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(zup_to_yup(p), [1, 3, -2])
    # official: AMASS (x, y, z) @ [[1,0,0],[0,0,1],[0,-1,0]] * 0.298
    official = p @ np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]]) * 0.298
    np.testing.assert_allclose(
        yup_to_official_camera(zup_to_yup(p)), official, rtol=1e-6)


def test_missing_body_model_is_a_clear_error(smplh, tmp_path):
    amass = tmp_path / 'amass'
    write_sequence(amass)
    empty = tmp_path / 'no_models'
    empty.mkdir()
    with pytest.raises(MissingBodyModelError) as err:
        convert_amass(
            str(amass),
            str(empty),
            out_npz=str(tmp_path / 'x.npz'),
            progress=False)
    msg = str(err.value)
    assert osp.join('male', 'model.npz') in msg
    assert 'SMPLH_MALE' in msg and 'mano.is.tue.mpg.de' in msg
    assert not (tmp_path / 'x.npz').exists()
    # the tool prints it and exits, no traceback
    spec = importlib.util.spec_from_file_location('amass_tool', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with pytest.raises(UserInputError, match='model.npz'):
        tool.main([
            str(amass), '--body-model-dir',
            str(empty), '--out-npz',
            str(tmp_path / 'x.npz'), '--no-progress'
        ])
    # a missing regressor names the file and where it comes from
    missing = str(tmp_path / 'J_regressor_h36m_correct.npy')
    with pytest.raises(
            FileNotFoundError, match='J_regressor_h36m_correct.*SPIN'):
        convert_amass(
            str(amass),
            smplh['dir'],
            out_npz=str(tmp_path / 'x.npz'),
            h36m_regressor=missing,
            progress=False)


def test_model_layouts_and_genders(smplh, tmp_path):
    # the parent folder of smplh/ works too; smplx-style pkl (MANO layout,
    # sparse J_regressor) gives the same model
    assert find_body_model(smplh['parent'], 'female').endswith(
        osp.join('smplh', 'female', 'model.npz'))
    from scipy.sparse import csc_matrix
    model = dict(smplh['model'])
    model['J_regressor'] = csc_matrix(model['J_regressor'])
    pkl_dir = tmp_path / 'smplx_models'
    pkl_dir.mkdir()
    with open(pkl_dir / 'SMPLH_FEMALE.pkl', 'wb') as f:
        pickle.dump(model, f, protocol=2)
    path = find_body_model(str(pkl_dir), 'female')
    loaded = load_smplh_model_data(path)
    np.testing.assert_allclose(loaded['J_regressor'],
                               smplh['model']['J_regressor'])
    # an SMPL (24-joint) model is refused with a reason
    smpl = make_synthetic_smpl_model(0, sparse_regressor=False)
    smpl.pop('_h36m'), smpl.pop('_extra')
    np.savez(tmp_path / 'smpl.npz', **smpl)
    with pytest.raises(ValueError, match='SMPL\\+H'):
        load_smplh_model_data(str(tmp_path / 'smpl.npz'))
    # unknown-gender and male sequences with only a female model folder:
    # unknown -> female (official), male -> clear error naming male files
    amass = tmp_path / 'amass'
    write_sequence(amass, name='A/unknown', gender='other', frames=3, fps=60)
    summary = convert_amass(
        str(amass),
        str(pkl_dir),
        out_npz=str(tmp_path / 'u.npz'),
        progress=False)
    assert list(summary['genders']) == ['female']
    assert read_amass_sequence(str(amass / 'A' /
                                   'unknown.npz')).gender == 'unknown'
    write_sequence(amass, name='A/male', gender='male', frames=3, fps=60)
    with pytest.raises(MissingBodyModelError, match='SMPLH_MALE'):
        convert_amass(
            str(amass),
            str(pkl_dir),
            out_npz=str(tmp_path / 'm.npz'),
            progress=False)


def test_dmpls_through_the_converter(smplh, tmp_path):
    amass = tmp_path / 'amass'
    dmpls = np.zeros((4, 8), np.float32)
    dmpls[:, 0] = 1.0
    write_sequence(amass, frames=4, fps=60, dmpls=dmpls)
    eig = np.zeros((6890, 3, 10), np.float32)  # 10 stored, 8 used
    eig[..., 0] = 0.01
    (tmp_path / 'dmpls' / 'male').mkdir(parents=True)
    np.savez(tmp_path / 'dmpls' / 'male' / 'model.npz', eigvec=eig)
    kwargs = dict(h36m_regressor=smplh['regressor'], progress=False)
    convert_amass(
        str(amass), smplh['dir'], out_npz=str(tmp_path / 'a.npz'), **kwargs)
    convert_amass(
        str(amass),
        smplh['dir'],
        out_npz=str(tmp_path / 'b.npz'),
        dmpl_dir=str(tmp_path / 'dmpls'),
        **kwargs)
    plain = load_mocap_cache(str(tmp_path / 'a.npz'))['joints'][SEQ]
    soft = load_mocap_cache(str(tmp_path / 'b.npz'))['joints'][SEQ]
    # +0.01 m on every AMASS axis -> (x, z, -y) in the Y-up output
    np.testing.assert_allclose(
        soft - plain,
        np.broadcast_to([0.01, 0.01, -0.01], plain.shape),
        atol=1e-4)
    with pytest.raises(MissingBodyModelError, match='DMPL'):
        convert_amass(
            str(amass),
            smplh['dir'],
            out_npz=str(tmp_path / 'c.npz'),
            dmpl_dir=str(tmp_path / 'nope'),
            **kwargs)


def test_unsafe_pickle_is_refused(tmp_path):
    path = tmp_path / 'SMPLH_MALE.pkl'
    with open(path, 'wb') as f:
        pickle.dump({'v_template': osp.join}, f, protocol=2)  # a function
    with pytest.raises(pickle.UnpicklingError, match='not unpickled'):
        load_smplh_model_data(str(path))
