# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The clip datasets' ``pipeline=`` route equals their argument route.

An explicit ``pipeline`` written out as configs (what a config file would
list) gives the same items, bit for bit, as the default pipeline the
constructor writes from ``flip_prob`` / ``augment``.
"""

import numpy as np
import pytest
import torch
from mmengine.dataset import BaseDataset

from mmmotionbert.datasets import (MBH36MDataset, MBMotion2DDataset,
                                   MBMotionClipDataset)
from mmmotionbert.datasets.default_pipelines import (
    H36M_SAMPLE_KEYS, default_h36m_pipeline, default_motion2d_pipeline,
    default_motion_clip_pipeline)
from ..conftest import FIXTURES, write_motion_clips

DATA_PKL = (FIXTURES / 'h36m_eval' /
            'h36m_sh_conf_cam_source_final_synthetic.pkl')
AUG = dict(type='MBAugmenter2D', noise=True, mask=True,
           joint_mask_prob=0.05, frame_mask_prob=0.1)


def assert_items_equal(a, b, strides=True):
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_items_equal(a[k], b[k], strides)
    elif isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and torch.equal(a, b)
        assert not strides or a.stride() == b.stride()
    else:
        assert a == b


def compare(make_default, make_explicit, indices, seeds=(0, 5),
            strides=True):
    a, b = make_default(), make_explicit()
    for s in seeds:
        for i in indices:
            torch.manual_seed(s * 100 + i)
            item_a = a[i]
            torch.manual_seed(s * 100 + i)
            assert_items_equal(item_a, b[i], strides)


@pytest.mark.skipif(not DATA_PKL.is_file(), reason='no parity fixture')
@pytest.mark.parametrize('split', ['train', 'test'])
def test_h36m_pipeline_route(split):
    kw = dict(data_file=str(DATA_PKL), split=split, clip_len=27, seed=3)
    explicit = [
        dict(type='MBFlipH36M', prob=0.5, keys=('motion_2d', 'target')),
        dict(type='MBPackClipInputs', sample_keys=H36M_SAMPLE_KEYS,
             contiguous=False)
    ]
    assert default_h36m_pipeline(0.5) == explicit
    # with an explicit pipeline flip_prob > 0 only keeps the mirrored arrays
    compare(lambda: MBH36MDataset(flip_prob=0.5, **kw),
            lambda: MBH36MDataset(flip_prob=0.3, pipeline=explicit, **kw),
            range(6))
    ds = MBH36MDataset(pipeline=explicit, **kw)
    assert isinstance(ds, BaseDataset) and ds.test_mode == (split == 'test')
    # without the precomputed mirrors (flip_prob=0 with an explicit flip):
    # the same flips computed per item (same values; the tensors' strides
    # differ from those of the rows of a mirrored array)
    compare(lambda: MBH36MDataset(flip_prob=0.5, **kw),
            lambda: MBH36MDataset(flip_prob=0.0, pipeline=explicit, **kw),
            range(6), strides=False)


def test_motion_clip_pipeline_route(tmp_path):
    write_motion_clips(tmp_path, 'AMASS', 4, with_input=False, t=16)
    write_motion_clips(tmp_path, 'H36M-SH', 3, with_input=True, t=16)
    kw = dict(data_root=str(tmp_path), subsets=['AMASS', 'H36M-SH'],
              synthetic=True, seed=2)
    explicit = [
        dict(type='MBFlipH36M', prob=0.5, keys=('motion_2d', 'target')),
        dict(type='MBIsolatedTransform', transform=AUG),
        dict(type='MBPackClipInputs', sample_keys=('target', 'has_3d'))
    ]
    assert default_motion_clip_pipeline(0.5, AUG) == explicit
    compare(lambda: MBMotionClipDataset(flip_prob=0.5, augment=AUG, **kw),
            lambda: MBMotionClipDataset(pipeline=explicit, **kw), range(7))


def test_motion2d_pipeline_route(tmp_path):
    clips = np.random.default_rng(0).uniform(
        0.1, 0.9, size=(6, 12, 17, 3)).astype(np.float32)
    np.savez(tmp_path / 'c2d.npz', clips=clips)
    kw = dict(source='npz', data_root=str(tmp_path / 'c2d.npz'), seed=4)
    wild = dict(AUG, noise=False)
    explicit = [
        dict(type='MBFlipH36M', prob=0.5, keys=('motion_2d', 'target')),
        dict(type='MBIsolatedTransform', transform=wild),
        dict(type='MBPackMotion2DInputs',
             sample_keys=('target', 'conf', 'has_3d'))
    ]
    assert default_motion2d_pipeline(0.5, wild) == explicit
    compare(lambda: MBMotion2DDataset(augment=wild, **kw),
            lambda: MBMotion2DDataset(pipeline=explicit, **kw), range(6))
    # the clip storage is never written by an item
    ds = MBMotion2DDataset(flip_prob=0.0, augment=wild, **kw)
    for i in range(6):
        ds[i]
    np.testing.assert_array_equal(ds.clips, clips)
