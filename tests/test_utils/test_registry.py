# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Modules are reachable from mmpose- and mmaction-scoped configs."""
import importlib

import pytest
from mmengine.config import Config

import mmmotionbert  # noqa: F401

TINY = dict(type='MBDSTformer', dim_feat=16, dim_rep=16, depth=1,
            num_heads=2, mlp_ratio=1, maxlen=5)


@pytest.mark.parametrize('host', ['mmpose', 'mmaction'])
def test_backbone_builds_in_both_hosts(host):
    registry = importlib.import_module(f'{host}.registry').MODELS
    assert registry.get('MBDSTformer') is not None
    model = registry.build(dict(TINY, _scope_=host))
    assert type(model).__name__ == 'MBDSTformer'


def test_no_collision_with_mmpose_dstformer():
    import mmpose.models  # noqa: F401
    from mmpose.registry import MODELS
    assert MODELS.get('DSTFormer') is not MODELS.get('MBDSTformer')
    assert MODELS.get('MBDSTformer').__module__.startswith('mmmotionbert')


def test_mmaction_models_import_and_missing_drn_is_explained():
    import mmaction.models  # noqa: F401  (fails without the drn shim)
    from mmaction.registry import MODELS
    with pytest.raises(ImportError, match='does not ship'):
        MODELS.build(dict(type='DRN', _scope_='mmaction'))


def test_custom_imports_from_a_plain_config(tmp_path):
    cfg_file = tmp_path / 'plain.py'
    cfg_file.write_text(
        "custom_imports = dict(imports=['mmmotionbert'], "
        'allow_failed_imports=False)\n'
        "default_scope = 'mmaction'\n"
        f'model = dict(type="RecognizerGCN", backbone={TINY!r})\n')
    cfg = Config.fromfile(str(cfg_file))  # imports mmmotionbert
    from mmaction.registry import MODELS
    backbone = MODELS.build(dict(cfg.model.backbone, _scope_='mmaction'))
    assert type(backbone).__name__ == 'MBDSTformer'


def test_mmpose_visualization_imports_without_torchvision():
    import mmpose.visualization  # noqa: F401  (needs the simcc stand-in)
    from mmpose.registry import VISUALIZERS
    assert VISUALIZERS.get('Pose3dLocalVisualizer') is not None
