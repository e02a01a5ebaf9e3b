# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Every config in configs/ parses and builds its model in its own scope."""
import importlib
from pathlib import Path

import pytest
from mmengine.config import Config

from tests.conftest import REPO_ROOT

CONFIGS = sorted(
    str(p.relative_to(REPO_ROOT))
    for p in (REPO_ROOT / 'configs').rglob('*.py') if '_base_' not in p.parts)


def test_there_are_configs():
    assert len(CONFIGS) >= 1


@pytest.mark.parametrize('config', CONFIGS)
def test_config_builds_its_model(config):
    cfg = Config.fromfile(str(REPO_ROOT / config))
    scope = cfg.get('default_scope')
    assert scope in ('mmpose', 'mmaction'), f'{config}: scope {scope}'
    assert 'mmmotionbert' in cfg.custom_imports['imports']
    registry = importlib.import_module(f'{scope}.registry').MODELS
    model_cfg = cfg.model.copy()
    # do not read pretrained weights while checking the architecture
    model_cfg.get('backbone', {}).pop('init_cfg', None)
    model = registry.build(model_cfg)
    assert sum(p.numel() for p in model.parameters()) > 0
    for part in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(part):
            dataset_type = cfg[part]['dataset']['type']
            datasets = importlib.import_module(f'{scope}.registry').DATASETS
            assert datasets.get(dataset_type) is not None, dataset_type
