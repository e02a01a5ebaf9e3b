# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBMocapDataset's pipeline path gives the items of its argument path.

The dataset's augmentation arguments build :func:`default_mocap_pipeline`;
an explicit ``pipeline`` of the same steps, or the shipped recipe's listed
pipeline, must give bit-identical items (same draws in the same order).
"""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmmotionbert.datasets import MBMocapDataset
from mmmotionbert.datasets.mocap.pybullet_fk import write_mocap_cache
from mmmotionbert.datasets.mocap_dataset import default_mocap_pipeline
from mmmotionbert.registry import DATASETS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RECIPE = osp.join(REPO, 'configs', 'pretrain',
                  'mb-small_dstformer-27frm_pybullet.py')
# the recipe's datasets as constructor arguments (before it listed them)
RECIPE_TRAIN_ARGS = dict(
    clip_len=27, camera=dict(pitch_range=(-15.0, 30.0)), data_stride=3,
    noise_scale=2.5, rotation_prob=0.8,
    rotation_degrees=dict(trunk=50.0, head=30.0, thigh=60.0, shin=30.0,
                          upper_arm=60.0, forearm=40.0),
    limb_mix_prob=0.25, face_occlusion_prob=0.5)
RECIPE_VAL_ARGS = dict(
    clip_len=27, camera=dict(pitch_range=(-15.0, 30.0)), test_mode=True,
    with_meta=True, noise_scale=2.5)


def _clip(frames, turn, seed):
    rng = np.random.default_rng(seed)
    rest = rng.normal(0, 0.3, (17, 3)) + [0, 1.0, 0]
    t = np.linspace(0, 1, frames)[:, None, None]
    clip = rest[None] + 0.05 * np.sin(turn * 6 * t + rest[None])
    clip[..., 0] += 0.4 * t[..., 0]
    return clip


@pytest.fixture(scope='module')
def cache(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('mocap_pipe') / 'clips.npz')
    joints = dict(a=_clip(70, 1.0, 0), b=_clip(45, -2.0, 1),
                  short=_clip(12, 0.5, 2))
    return write_mocap_cache(dict(joints=joints, fps=60.0), path)


def _items(ds, seeds, count=4):
    out = []
    for seed in seeds:
        if not ds.test_mode:
            torch.manual_seed(seed)
        out += [ds[i] for i in range(count)]
    return out


def _assert_same(items_a, items_b):
    assert len(items_a) == len(items_b)
    for a, b in zip(items_a, items_b):
        assert a['inputs'].dtype == b['inputs'].dtype == torch.float32
        assert torch.equal(a['inputs'], b['inputs'])
        assert a['data_samples'].keys() == b['data_samples'].keys()
        for k, v in a['data_samples'].items():
            w = b['data_samples'][k]
            if torch.is_tensor(v):
                assert torch.equal(v, w), k
            else:
                assert v == w, k


ARG_SETS = [
    dict(),
    dict(test_mode=True, with_meta=True),
    dict(rotation_prob=0.7, limb_mix_prob=0.5, face_occlusion_prob=0.5,
         scale_range=(0.8, 1.2), noise_prob=0.6,
         group_scale_ranges=dict(shoulder=(0.9, 1.0))),
    dict(wild_2d=False, flip_prob=0, noise_prob=0, joint_mask_prob=0,
         frame_mask_prob=0, bone_scale_range=None, with_meta=True,
         augment=dict(type='MBRandomMask2D', joint_mask_prob=0.3)),
]


@pytest.mark.parametrize('kwargs', ARG_SETS)
def test_explicit_pipeline_equals_argument_path(cache, kwargs):
    data = {k: kwargs[k] for k in ('test_mode', ) if k in kwargs}
    aug = {k: v for k, v in kwargs.items() if k not in data}
    by_args = MBMocapDataset(data_file=cache, **kwargs)
    by_pipe = MBMocapDataset(
        data_file=cache, pipeline=default_mocap_pipeline(**aug), **data)
    assert len(by_args) == len(by_pipe)
    assert by_args.metainfo == by_pipe.metainfo
    _assert_same(_items(by_args, [0, 5]), _items(by_pipe, [0, 5]))


def test_seeds_and_stream_differ(cache):
    ds = MBMocapDataset(data_file=cache)
    a, b = _items(ds, [0], 2), _items(ds, [1], 2)
    assert not torch.equal(a[0]['inputs'], b[0]['inputs'])
    assert not torch.equal(a[0]['inputs'], a[1]['inputs'])


def test_dropping_a_step_changes_only_that_step(cache):
    steps = default_mocap_pipeline(flip_prob=0.5)
    no_mask = [s for s in steps if s['type'] != 'MBRandomMask2D']
    masked = MBMocapDataset(data_file=cache, test_mode=True, pipeline=steps)
    clean = MBMocapDataset(data_file=cache, test_mode=True, pipeline=no_mask)
    for i in range(3):
        x, y = masked[i]['inputs'], clean[i]['inputs']
        kept = x.abs().sum(-1) > 0
        assert torch.equal(x[kept], y[kept])  # masking draws come last
        assert torch.equal(masked[i]['data_samples']['target'],
                           clean[i]['data_samples']['target'])


def test_recipe_pipelines_equal_its_old_arguments(cache):
    cfg = Config.fromfile(RECIPE)
    for dl, args, train in ((cfg.train_dataloader, RECIPE_TRAIN_ARGS, True),
                            (cfg.val_dataloader, RECIPE_VAL_ARGS, False)):
        listed = dict(dl.dataset)
        assert 'pipeline' in listed
        listed.update(data_file=cache, num_samples=None)
        listed.pop('clips', None)
        listed.pop('exclude_clips', None)
        by_cfg = DATASETS.build(listed)
        by_args = MBMocapDataset(
            data_file=cache, data_stride=listed.get('data_stride'), **{
                k: v for k, v in args.items() if k != 'data_stride'})
        assert by_cfg.test_mode is not train
        _assert_same(_items(by_args, [3, 4]), _items(by_cfg, [3, 4]))


def test_lazy_init_and_metainfo(cache):
    ds = MBMocapDataset(data_file=cache, lazy_init=True)
    assert not ds._fully_initialized
    info = ds.metainfo
    assert ds._fully_initialized
    assert list(info) == ['dataset_name', 'num_joints', 'keypoint_names',
                          'flip_indices', 'clip_len', 'clips', 'fps',
                          'num_windows']
    assert info['dataset_name'] == 'mocap_virtual_camera'
    assert info['clips'] == ['a', 'b', 'short']
    assert info['num_windows'] == len(ds) == len(ds.windows)
    with pytest.raises(IndexError):
        ds[len(ds)]
    fixed = MBMocapDataset(data_file=cache, test_mode=True)
    assert torch.equal(fixed[-1]['inputs'], fixed[len(fixed) - 1]['inputs'])
