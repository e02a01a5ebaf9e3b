# Copyright (c) mmmotionbert contributors. All rights reserved.
"""tools/deployment/export_onnx.py: ONNX Runtime equals PyTorch (1e-4)."""
import importlib.util

import pytest
import torch

from tests.conftest import REPO_ROOT

pytest.importorskip('onnxruntime')
pytest.importorskip('onnxscript')


def _tool():
    path = REPO_ROOT / 'tools' / 'deployment' / 'export_onnx.py'
    spec = importlib.util.spec_from_file_location('export_onnx', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    import mmmotionbert  # noqa: F401
    from mmmotionbert.registry import MODELS
    tool = _tool()
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='MBPoseLifter',
            backbone=dict(type='MBDSTformer', dim_feat=16, dim_rep=32,
                          depth=1, num_heads=2, mlp_ratio=2, maxlen=9),
            head=dict(type='MBPoseHead', dim_rep=32)))
    with torch.no_grad():  # no trivial (zero / constant) parameters
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    model.eval()
    path = str(tmp_path_factory.mktemp('onnx') / 'lifter.onnx')
    tool.export_onnx(model, path)
    return tool, model, path


def test_onnxruntime_matches_pytorch(exported):
    tool, model, path = exported
    diffs = tool.check_onnx(model, path, lengths=[9, 4, 1], batches=[1, 3])
    assert len(diffs) == 6
    assert max(diffs.values()) <= 1e-4, diffs


def test_exported_graph_matches_the_model_output(exported):
    """The ONNX output is the raw lifter output (backbone + head)."""
    tool, model, path = exported
    x = torch.randn(1, 9, 17, 3)
    session = tool.ort_session(path)
    out = session.run(None, {'keypoints': x.numpy()})[0]
    with torch.no_grad():
        ref = model(x, mode='tensor')
    torch.testing.assert_close(torch.from_numpy(out), ref, atol=1e-4,
                               rtol=0)
