# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBMeshDataset's ``pipeline=`` route equals its ``flip_prob`` route."""
import torch
from mmengine.dataset import BaseDataset

from mmmotionbert.datasets import MBMeshDataset, MBMeshMixDataset
from mmmotionbert.datasets.default_pipelines import (MESH_SAMPLE_KEYS,
                                                     default_mesh_pipeline)
from ..test_datasets.test_dataset_pipelines import compare


def test_mesh_pipeline_route(mesh_data):
    explicit = [
        dict(type='MBFlipMesh', prob=0.5, keys=('motion_2d', ),
             pose_keys=('pose', )),
        dict(type='MBPackClipInputs', sample_keys=MESH_SAMPLE_KEYS)
    ]
    assert default_mesh_pipeline(0.5) == explicit
    for name, clip_len in (('pw3d', 8), ('coco', 1), ('h36m', 8)):
        kw = dict(data_file=mesh_data[name], clip_len=clip_len, seed=1)
        compare(lambda: MBMeshDataset(flip_prob=0.5, **kw),
                lambda: MBMeshDataset(pipeline=explicit, **kw), range(3))
    ds = MBMeshDataset(mesh_data['pw3d'], split='test', pipeline=explicit)
    assert isinstance(ds, BaseDataset) and ds.test_mode


def test_mix_wraps_pipeline_datasets(mesh_data):
    video = MBMeshDataset(mesh_data['pw3d'], clip_len=8, flip_prob=0.5)
    images = MBMeshDataset(mesh_data['coco'], flip_prob=0.5)
    mix = MBMeshMixDataset([video, images])
    torch.manual_seed(0)
    a = mix[len(video) + 2]
    torch.manual_seed(0)  # a fresh source: the same first draw
    b = MBMeshDataset(mesh_data['coco'], flip_prob=0.5)[2]
    assert torch.equal(a['inputs'], b['inputs'])
    assert torch.equal(a['data_samples']['pose'], b['data_samples']['pose'])
