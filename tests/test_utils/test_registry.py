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


def test_detectors_and_official_tasks_are_mmengine_registries():
    from mmengine.registry import Registry

    from mmmotionbert.apis.detectors import (DETECTORS, build_detector,
                                             register_detector)
    from mmmotionbert.apis.official import (OFFICIAL_TASKS,
                                            register_official_task)
    from mmmotionbert.registry import POSE2D_DETECTORS
    from mmmotionbert.registry import OFFICIAL_TASKS as TASKS
    assert isinstance(DETECTORS, Registry) and DETECTORS is POSE2D_DETECTORS
    assert isinstance(OFFICIAL_TASKS, Registry) and OFFICIAL_TASKS is TASKS
    assert {'mediapipe', 'mmpose'} <= set(DETECTORS.module_dict)
    assert {'rep', 'pose3d', 'action',
            'mesh'} <= set(OFFICIAL_TASKS.module_dict)
    assert 'mediapipe' in DETECTORS and 'pose3d' in OFFICIAL_TASKS

    @register_detector('_test_fake')
    class Fake:
        layout = 'h36m'

        def __init__(self, scale=1):
            self.scale = scale

    @register_official_task('_test_task')
    def _fake_task(ckpt, backbone_cfg):
        return None

    try:
        assert build_detector('_test_fake', scale=2).scale == 2
        assert OFFICIAL_TASKS.get('_test_task') is _fake_task
        # re-registering replaces, as the dicts before the Registry did
        register_detector('_test_fake')(Fake)
        with pytest.raises(KeyError):
            register_detector('_test_fake', force=False)(Fake)
    finally:
        DETECTORS.module_dict.pop('_test_fake', None)
        OFFICIAL_TASKS.module_dict.pop('_test_task', None)
    # a name that imports as a Python object is still not a detector
    with pytest.raises(ValueError, match="unknown 2D detector 'os'"):
        build_detector('os')
    from mmmotionbert.apis import load_official_model
    with pytest.raises(ValueError,
                       match=r"task must be one of \[.*'pose3d'.*got 'nope'"):
        load_official_model({}, task='nope')
