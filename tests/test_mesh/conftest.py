# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Synthetic SMPL assets and mesh data shared by the mesh tests.

The licensed SMPL files cannot ship, so the tests write a random body model
in the SMPL pickle format (plus mean parameters and joint regressors) and
mesh annotations in the official ``mesh_det_*.pkl`` format.
"""
import pytest

from mmmotionbert.datasets.synthetic_mesh import (write_synthetic_mesh_data,
                                                  write_synthetic_smpl_assets)
from mmmotionbert.utils.smpl import build_smpl_body


@pytest.fixture(scope='session')
def smpl_paths(tmp_path_factory) -> dict:
    """Paths of the synthetic SMPL assets (seed 0), in the official layout."""
    return write_synthetic_smpl_assets(
        str(tmp_path_factory.mktemp('smpl')), seed=0)


@pytest.fixture(scope='session')
def smpl_dir(smpl_paths) -> str:
    """Folder of the synthetic SMPL assets."""
    import os.path as osp
    return osp.dirname(smpl_paths['model'])


@pytest.fixture(scope='session')
def smpl_body(smpl_paths):
    """The synthetic body model, built once."""
    return build_smpl_body(smpl_paths)


@pytest.fixture(scope='session')
def mesh_data(smpl_dir, smpl_body, tmp_path_factory) -> dict:
    """Small ``mesh_det_{pw3d,coco,h36m}.pkl`` files posed by the body."""
    return write_synthetic_mesh_data(
        smpl_dir,
        str(tmp_path_factory.mktemp('mesh_data')),
        datasets=('pw3d', 'coco', 'h36m'),
        num_train=2,
        num_test=1,
        frames=(20, 28),
        body=smpl_body)
