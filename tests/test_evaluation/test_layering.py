# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The layers import only downwards (docs/architecture.md): metrics judge
outputs, containers depend on nothing above them."""
import ast
import os.path as osp
from pathlib import Path

import numpy as np
import pytest

PKG = Path(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__))))) / 'mmmotionbert'


def _imports(path: Path):
    """Absolute module names a file imports (relative ones resolved)."""
    pkg = '.'.join(path.relative_to(PKG.parent).with_suffix('').parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = pkg.split('.')[:len(pkg.split('.')) - node.level + 1]
                base = '.'.join(parts + ([base] if base else []))
            out.append(base)
    return out


@pytest.mark.parametrize(
    'layer, forbidden',
    [('evaluation', ('mmmotionbert.apis', 'mmmotionbert.datasets')),
     ('structures', ('mmmotionbert.apis', 'mmmotionbert.models',
                     'mmmotionbert.datasets', 'mmmotionbert.evaluation')),
     ('models', ('mmmotionbert.apis', 'mmmotionbert.datasets')),
     ('datasets', ('mmmotionbert.apis', )),
     ('visualization', ('mmmotionbert.apis', )),
     ('exports', ('mmmotionbert.apis', 'mmmotionbert.models',
                  'mmmotionbert.datasets', 'mmmotionbert.evaluation')),
     ('apis/metric', ('mmmotionbert.apis.inferencers', 'mmmotionbert.models',
                      'mmmotionbert.datasets', 'mmmotionbert.visualization')),
     ('utils', ('mmmotionbert.apis', 'mmmotionbert.models',
                'mmmotionbert.datasets', 'mmmotionbert.evaluation',
                'mmmotionbert.structures'))])
def test_layer_does_not_import_upwards(layer, forbidden):
    files = sorted((PKG / layer).rglob('*.py'))
    assert files
    bad = [(f.name, m) for f in files for m in _imports(f)
           if m.startswith(forbidden)]
    assert not bad, bad


def test_every_module_says_what_it_may_import():
    """Every module opens with a docstring that names what it is for and
    what it may import (a ``May import`` line, docs/architecture.md)."""
    files = sorted(PKG.rglob('*.py'))
    assert len(files) > 100
    bad = []
    for f in files:
        doc = ast.get_docstring(ast.parse(f.read_text()))
        if not doc or 'May import' not in doc:
            bad.append(str(f.relative_to(PKG.parent)))
    assert not bad, bad


def test_import_scan_sees_relative_imports():
    """The scan itself resolves ``from ..x import y`` (else the test above
    could pass by not seeing anything)."""
    mods = _imports(PKG / 'apis' / 'inferencers' / 'lifter.py')
    assert 'mmmotionbert.apis.inferencers.base' in mods
    assert 'mmmotionbert.structures' in mods


def test_pose2sim_errors_are_procrustes_invariant():
    from mmmotionbert.evaluation.functional import pose2sim_errors
    rng = np.random.default_rng(0)
    gt = rng.normal(size=(5, 17, 3)) * 0.3  # metres
    kpts = {'cam1': np.ones((5, 17, 3)), 'cam2': np.ones((5, 17, 3))}
    kpts['cam2'][0, :4, 2] = 0
    c, s = np.cos(0.7), np.sin(0.7)
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    # cam1: the truth in pixels, rotated and moved: P-MPJPE 0
    preds = {
        'cam1': gt @ rot.T * 250 + 40,
        'cam2': gt * 1000 + 0.01 * rng.normal(size=gt.shape) * 1000
    }
    res = pose2sim_errors(gt, kpts, preds, mean_pose=gt.mean(0))
    assert res['cameras']['cam1']['p_mpjpe_mm'] < 1e-6
    assert 0 < res['cameras']['cam2']['p_mpjpe_mm'] < 20
    assert res['cameras']['cam2']['missing_keypoints'] == 4
    assert res['p_mpjpe_mm'] == pytest.approx(
        res['cameras']['cam2']['p_mpjpe_mm'] / 2)
    assert res['baseline_p_mpjpe_mm'] > 100
    none = pose2sim_errors(gt, kpts)
    assert none['p_mpjpe_mm'] is None and none['baseline_p_mpjpe_mm'] is None
