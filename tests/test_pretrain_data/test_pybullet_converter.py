# Copyright (c) mmmotionbert contributors. All rights reserved.
"""DeepMimic clips of pybullet -> H36M-17 (forward kinematics, cache)."""
import importlib.util
import os.path as osp
import sys

import numpy as np
import pytest

from mmmotionbert.datasets.mocap.pybullet_fk import (
    HumanoidModel, convert_deepmimic_clips, list_deepmimic_clips,
    load_deepmimic_clip, load_mocap_cache, pybullet_forward_kinematics,
    resample_deepmimic_frames)
from mmmotionbert.utils.keypoints import H36M_BONES

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec('pybullet') is None,
    reason='pybullet is not installed (pip install --no-deps '
    'pybullet==3.2.7, or -r requirements/optional.txt --no-deps)')
TOOLS = osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'tools', 'dataset_converters')


@pytest.fixture(scope='module')
def walk():
    return convert_deepmimic_clips(['walk', 'backflip'], fps=60,
                                   progress=False)


def test_clip_listing():
    clips = list_deepmimic_clips()
    assert len(clips) == 20
    assert 'walk' in clips and 'walker_turn_left0' in clips


def test_walk_skeleton(walk):
    joints = walk['joints']['walk']
    assert joints.dtype == np.float32 and joints.shape[1:] == (17, 3)
    assert walk['fps'] == 60 and walk['source_fps']['walk'] == pytest.approx(
        30, abs=0.01)
    assert len(joints) == 76  # 38 intervals at 30 fps -> 60 fps
    # every bone but pelvis-spine-thorax (which bends at the chest joint)
    # and thorax-nose (the head turns about the neck joint, below the
    # thorax) is one rigid link or joint offset, kept exactly by slerp + FK
    rigid = [b for b in H36M_BONES if b not in ((7, 0), (8, 7), (9, 8))]
    for clip in walk['joints'].values():
        lengths = np.linalg.norm(
            clip[:, [c for c, _ in rigid]] - clip[:, [p for _, p in rigid]],
            axis=-1)
        assert lengths.std(0).max() < 1e-5
        torso = np.linalg.norm(clip[:, 8] - clip[:, 0], axis=-1)
        assert torso.std() < 5e-3
    # Y up: the head top is the highest joint, ankles near the floor
    assert (joints[:, 10, 1] > joints[:, 8, 1]).all()
    assert (joints[:, [3, 6], 1].min(1) < 0.15).all()
    hips = np.linalg.norm(joints[:, 1] - joints[:, 4], axis=-1)
    assert hips.mean() == pytest.approx(0.17, abs=0.01)


def test_rest_pose_height():
    model = HumanoidModel()
    rest = np.zeros((1, 44))
    rest[0, 2] = 1.0
    for start in (4, 8, 12, 16, 21, 25, 30, 35, 39):
        rest[0, start] = 1.0  # identity quaternions (w first)
    joints, face = model.h36m(rest)
    sole = joints[0, 3, 1] - (0.09 + 0.11) * 0.25  # foot box below ankle
    height = joints[0, 10, 1] - sole
    assert 1.55 < height < 1.8, height
    assert face.shape == (1, 5, 3)
    # facing +x: nose and eyes in front of the head centre, right eye on +z
    assert face[0, 0, 0] > joints[0, 8, 0] + 0.05
    assert face[0, 2, 2] > face[0, 1, 2]


def test_thorax_is_the_base_of_the_neck(walk):
    # Human3.6M's thorax lies 48-79 mm above the shoulder centres with the
    # arms down (S1, S5, S7 frames of mmpose's tests/data/h36m), the
    # humanoid's neck joint 20 mm below them: the thorax must be raised
    for clip in walk['joints'].values():
        up = clip[:, 8] - clip[:, 0]
        up /= np.linalg.norm(up, axis=-1, keepdims=True)
        above = np.sum((clip[:, 8] - clip[:, [11, 14]].mean(1)) * up, -1)
        assert 0.045 < above.min() and above.max() < 0.075
        # ... and between the shoulders, not in front of or behind them
        side = clip[:, 8] - clip[:, [11, 14]].mean(1) - above[:, None] * up
        assert np.linalg.norm(side, axis=-1).max() < 0.04
        # the spine stays the midpoint of pelvis and thorax
        np.testing.assert_allclose(clip[:, 7], (clip[:, 0] + clip[:, 8]) / 2,
                                   atol=1e-6)


def test_forward_kinematics_matches_pybullet():
    frames, _ = load_deepmimic_clip(list_deepmimic_clips()['spinkick'])
    frames = resample_deepmimic_frames(frames, 60)[::25]
    ours = HumanoidModel().forward(frames)
    ref = pybullet_forward_kinematics(frames)
    for name, pos in ref.items():
        np.testing.assert_allclose(ours[name][..., 3], pos, atol=1e-5)


def test_converter_tool_writes_cache(tmp_path):
    sys.path.insert(0, TOOLS)
    try:
        import pybullet_mocap
    finally:
        sys.path.remove(TOOLS)
    out = str(tmp_path / 'mocap.npz')
    pybullet_mocap.main(['--clips', 'walk', 'run', '--fps', '30',
                         '--out', out])
    data = load_mocap_cache(out)
    assert sorted(data['joints']) == ['run', 'walk'] and data['fps'] == 30
    assert data['joints']['walk'].shape == (38, 17, 3)
    assert data['face']['run'].shape[1:] == (5, 3)


def test_old_module_re_exports_the_split_modules():
    from mmmotionbert.datasets import mocap
    from mmmotionbert.datasets.mocap import (deepmimic, humanoid_fk,
                                             mocap_cache, pybullet_fk)
    from mmmotionbert.utils import rotation
    homes = (deepmimic, humanoid_fk, mocap_cache)
    for name in pybullet_fk.__all__:
        home = [m for m in homes if name in m.__all__]
        assert len(home) == 1, name
        assert getattr(pybullet_fk, name) is getattr(home[0], name), name
    assert sorted(pybullet_fk.__all__) == sorted(
        sum((list(m.__all__) for m in homes), []))
    # former private names and the former quaternion helper
    for name in ('_FRAME_LAYOUT', '_FRAME_SIZE', '_PIP_HINT'):
        assert getattr(pybullet_fk, name) is getattr(deepmimic, name)
    assert pybullet_fk._H36M_FROM_URDF is humanoid_fk._H36M_FROM_URDF
    assert pybullet_fk.quat_to_matrix is rotation.quaternion_to_rotmat_np
    for name in ('FACE_NAMES', 'HumanoidModel', 'convert_deepmimic_clips',
                 'default_mocap_cache', 'list_deepmimic_clips',
                 'load_mocap_cache', 'write_mocap_cache'):
        assert getattr(mocap, name) is getattr(pybullet_fk, name)
