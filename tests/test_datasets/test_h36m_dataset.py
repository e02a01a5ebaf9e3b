# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBH36MDataset: items, flip augmentation, collation, registry."""

import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate

from mmmotionbert.datasets import MBH36MDataset
from mmmotionbert.registry import DATASETS
from mmmotionbert.utils.keypoints import flip_h36m
from ..conftest import FIXTURES as PARITY_FIXTURES

FIXTURES = PARITY_FIXTURES / 'h36m_eval'
DATA_PKL = FIXTURES / 'h36m_sh_conf_cam_source_final_synthetic.pkl'
pytestmark = pytest.mark.skipif(
    not DATA_PKL.is_file(), reason='official parity fixture not available')


@pytest.fixture(scope='module')
def official():
    return np.load(FIXTURES / 'official_clips.npz')


def test_test_items_match_official_clips(official):
    ds = MBH36MDataset(str(DATA_PKL), split='test', clip_len=27)
    assert len(ds) == 61 and ds.data_stride == 27
    assert ds.metainfo['dataset_name'] and ds.metainfo['num_joints'] == 17
    for i in (0, 17, 60):
        item = ds[i]
        inputs, samples = item['inputs'], item['data_samples']
        assert inputs.dtype == torch.float32 and inputs.shape == (27, 17, 3)
        np.testing.assert_array_equal(inputs.numpy(), official['test_data'][i])
        np.testing.assert_array_equal(samples['target'].numpy(),
                                      official['test_labels'][i])
        np.testing.assert_array_equal(samples['frame_index'].numpy(),
                                      official['split_id_test'][i])
        np.testing.assert_array_equal(samples['camera_wh'].numpy(),
                                      official['test_hw'][i])
        assert samples['target_2_5d'].shape == (27, 17, 3)
        assert samples['target_2_5d'].dtype == torch.float32
        assert samples['factor_2_5d'].shape == (27, )
        assert samples['factor_2_5d'].dtype == torch.float32
        assert samples['camera_wh'].dtype == torch.float32
        assert samples['frame_index'].dtype == torch.int64
        assert samples['clip_index'] == i
        assert isinstance(samples['source'], str)
        assert samples['source'].startswith('s_')
        assert isinstance(samples['action'], str)


def test_train_defaults_and_max_clips(official):
    ds = MBH36MDataset(str(DATA_PKL), split='train', clip_len=27)
    assert len(ds) == 19 and ds.data_stride == 9
    np.testing.assert_array_equal(ds[5]['inputs'].numpy(),
                                  official['train_data'][5])
    assert len(MBH36MDataset(str(DATA_PKL), clip_len=27, max_clips=4)) == 4


def test_flip_applies_to_input_and_target():
    plain = MBH36MDataset(str(DATA_PKL), split='train', clip_len=27)
    flipped = MBH36MDataset(
        str(DATA_PKL), split='train', clip_len=27, flip_prob=1.0)
    a, b = plain[3], flipped[3]
    torch.testing.assert_close(b['inputs'], flip_h36m(a['inputs']))
    torch.testing.assert_close(b['data_samples']['target'],
                               flip_h36m(a['data_samples']['target']))
    # eval-only fields are left alone
    torch.testing.assert_close(b['data_samples']['target_2_5d'],
                               a['data_samples']['target_2_5d'])


def test_flip_randomness_is_seeded():

    def draws(seed):
        torch.manual_seed(123)
        ds = MBH36MDataset(
            str(DATA_PKL),
            split='train',
            clip_len=27,
            flip_prob=0.5,
            seed=seed)
        return [
            bool(ds[0]['inputs'][0, 1, 0] != ds.inputs[0, 1, 0])
            for _ in range(32)
        ]

    first = draws(7)
    assert first == draws(7)
    assert 0 < sum(first) < 32
    assert first != draws(8)


def test_read_confidence_false():
    ds = MBH36MDataset(
        str(DATA_PKL), split='test', clip_len=27, read_confidence=False)
    assert torch.all(ds[0]['inputs'][..., 2] == 1)


def test_default_collate_and_registry():
    ds = DATASETS.build(
        dict(
            type='MBH36MDataset',
            data_file=str(DATA_PKL),
            split='test',
            clip_len=27))
    batch = default_collate([ds[i] for i in range(4)])
    assert batch['inputs'].shape == (4, 27, 17, 3)
    samples = batch['data_samples']
    assert samples['target'].shape == (4, 27, 17, 3)
    assert samples['factor_2_5d'].shape == (4, 27)
    assert samples['camera_wh'].shape == (4, 2)
    assert samples['frame_index'].shape == (4, 27)
    assert samples['clip_index'].tolist() == [0, 1, 2, 3]
    assert isinstance(samples['source'], list) and len(samples['source']) == 4


def test_bad_args():
    with pytest.raises(ValueError, match='split'):
        MBH36MDataset(str(DATA_PKL), split='val')
    with pytest.raises(ValueError, match='flip_prob'):
        MBH36MDataset(str(DATA_PKL), flip_prob=2.0)
    with pytest.raises(FileNotFoundError):
        MBH36MDataset(str(DATA_PKL) + '.missing')
