# Copyright (c) mmmotionbert contributors. All rights reserved.
"""tools/convert_official_checkpoint.py and pretrained backbone init."""
import subprocess
import sys

import pytest
import torch

from mmmotionbert.models import MBDSTformer
from mmmotionbert.utils.checkpoint import safe_torch_load
from tests.conftest import REPO_ROOT, official_fixture

SMALL = dict(dim_feat=64, dim_rep=128, depth=2, num_heads=4, mlp_ratio=2,
             maxlen=27)


@pytest.fixture(scope='module')
def official(tmp_path_factory):
    fx = torch.load(official_fixture('dstformer.pt'), weights_only=True)
    path = tmp_path_factory.mktemp('official') / 'latest_epoch.bin'
    torch.save(fx['checkpoint'], path)
    return fx, path


def test_convert_tool(official, tmp_path):
    fx, src = official
    dst = tmp_path / 'converted.pth'
    proc = subprocess.run(
        [sys.executable, 'tools/convert_official_checkpoint.py', str(src),
         str(dst)], cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "'dim_feat': 64" in proc.stdout
    out = safe_torch_load(str(dst))
    assert out['meta']['epoch'] == 60
    sd = out['state_dict']
    official_sd = fx['checkpoint']['model_pos']
    assert len(sd) == len(official_sd)
    torch.testing.assert_close(sd['head.fc.weight'],
                               official_sd['module.head.weight'])
    torch.testing.assert_close(sd['backbone.ts_attn.1.bias'],
                               official_sd['module.ts_attn.1.bias'])


@pytest.mark.parametrize('source', ['official', 'ours'])
def test_pretrained_init_cfg_accepts_both_formats(official, tmp_path, source):
    fx, path = official
    if source == 'ours':
        from mmmotionbert.utils.official import convert_official_checkpoint
        path = tmp_path / 'ours.pth'
        torch.save(convert_official_checkpoint(fx['checkpoint']), path)
    backbone = MBDSTformer(
        **SMALL, init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    backbone.init_weights()
    backbone.eval()
    with torch.no_grad():
        rep = backbone(fx['inputs']['short'])
    torch.testing.assert_close(rep, fx['reps']['short'], atol=1e-5, rtol=0)


def test_pretrained_shape_mismatch_is_explained(official):
    _, path = official
    backbone = MBDSTformer(
        **dict(SMALL, maxlen=243),
        init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(ValueError, match=r'temp_embed.*\(1, 27, 1, 64\).*'
                       r'\(1, 243, 1, 64\)'):
        backbone.init_weights()
    lenient = MBDSTformer(
        **dict(SMALL, maxlen=243),
        init_cfg=dict(type='Pretrained', checkpoint=str(path), strict=False))
    lenient.init_weights()  # loads everything but temp_embed
    official_sd = torch.load(path, weights_only=True)['model_pos']
    torch.testing.assert_close(lenient.pos_embed,
                               official_sd['module.pos_embed'])


def test_unknown_checkpoint_layout(tmp_path):
    from mmmotionbert.utils.official import split_checkpoint
    with pytest.raises(KeyError, match="'model_pos'.*found"):
        split_checkpoint({'weights': [1, 2]})


def test_converted_task_checkpoint_leaves_out_smpl_and_unused_head():
    from mmmotionbert.utils.official import convert_official_checkpoint
    backbone = MBDSTformer(dim_feat=8, dim_rep=8, depth=1, num_heads=2,
                           mlp_ratio=1, maxlen=4)
    model = {f'module.backbone.{k}': v
             for k, v in backbone.state_dict().items()}
    model.update({
        'module.backbone.head.weight': torch.zeros(3, 8),
        'module.head.fc1.weight': torch.ones(4, 8),
        'module.head.smpl.v_template': torch.ones(6890, 3),
    })
    out = convert_official_checkpoint({'epoch': 3, 'model': model})
    sd = out['state_dict']
    assert 'head.fc1.weight' in sd and 'backbone.pos_embed' in sd
    assert not any(k.startswith(('head.smpl.', 'backbone.head.')) for k in sd)
    assert len(sd) == len(backbone.state_dict()) + 1
    assert out['meta']['backbone']['dim_feat'] == 8
