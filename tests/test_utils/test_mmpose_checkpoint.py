# Copyright (c) mmmotionbert contributors. All rights reserved.
"""mmpose's MotionBERT checkpoints load into our models, and ours into
mmpose's ``PoseLifter``, with equal outputs (checked against mmpose's own
classes)."""
import pytest
import torch

from mmmotionbert.utils.mmpose_checkpoint import (is_mmpose_motionbert,
                                                  mmpose_to_official,
                                                  official_to_mmpose)

DIMS = dict(feat=32, rep=24, depth=2, heads=4, ratio=2, seq=27)


def _mmpose_lifter_cfg(feat, rep, depth, heads, ratio, seq):
    """mmpose's MotionBERT ``PoseLifter`` (``DSTFormer`` +
    ``MotionRegressionHead``) of these sizes."""
    return dict(
        type='PoseLifter',
        backbone=dict(
            type='DSTFormer',
            in_channels=3,
            feat_size=feat,
            depth=depth,
            num_heads=heads,
            mlp_ratio=ratio,
            seq_len=seq,
            att_fuse=True),
        head=dict(
            type='MotionRegressionHead',
            in_channels=feat,
            out_channels=3,
            embedding_size=rep,
            loss=dict(type='MPJPEVelocityJointLoss')))


def _mmpose_lifter(seed=0):
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = _mmpose_lifter_cfg(**DIMS)
    torch.manual_seed(seed)
    model = MODELS.build(cfg).eval()
    with torch.no_grad():  # every weight matters (fusion init is 0)
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return model


def test_mmpose_checkpoint_loads_with_equal_outputs(tmp_path):
    from mmmotionbert.apis import init_lifter, load_official_model
    mm = _mmpose_lifter()
    x = torch.randn(2, DIMS['seq'], 17, 3)
    with torch.no_grad():
        ref = mm(x, None, mode='tensor')
    sd = mm.state_dict()
    assert is_mmpose_motionbert(sd)
    ckpt = dict(state_dict=sd, meta=dict(mmpose_version='1.3.2'))
    ours = load_official_model(ckpt, num_heads=DIMS['heads'])
    with torch.no_grad():
        torch.testing.assert_close(ours(x), ref, atol=1e-5, rtol=0)
    # through a file and init_lifter (the demo's --checkpoint)
    path = tmp_path / 'mmpose_motionbert.pth'
    torch.save(ckpt, path)
    lifter = init_lifter(str(path), num_heads=DIMS['heads'])
    with torch.no_grad():
        torch.testing.assert_close(lifter(x), ref, atol=1e-5, rtol=0)


def test_our_weights_load_strictly_into_mmpose():
    from mmmotionbert.apis import load_official_model
    mm = _mmpose_lifter(seed=1)
    official = mmpose_to_official(mm.state_dict())
    assert 'pos_embed' in official and 'head.weight' in official
    back = official_to_mmpose(official)
    assert list(back) == list(mm.state_dict())
    fresh = _mmpose_lifter(seed=2)
    fresh.load_state_dict(back, strict=True)
    ours = load_official_model({'model_pos': official},
                               num_heads=DIMS['heads'])
    x = torch.randn(1, DIMS['seq'], 17, 3)
    with torch.no_grad():
        torch.testing.assert_close(
            fresh(x, None, mode='tensor'), ours(x), atol=1e-5, rtol=0)


def test_unexpected_keys_are_named():
    sd = {'backbone.spat_embed': torch.zeros(1), 'neck.x': torch.zeros(1)}
    with pytest.raises(KeyError, match="unexpected key 'neck.x'"):
        mmpose_to_official(sd)
    assert not is_mmpose_motionbert({'pos_embed': torch.zeros(1)})


def test_shipped_model_runs_in_plain_mmpose(tmp_path):
    """tools/convert_official_checkpoint.py --to mmpose: the shipped small
    lifter loads strictly into mmpose's own PoseLifter and gives our raw
    output."""
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules

    from mmmotionbert.apis import init_lifter
    from ..conftest import REPO_ROOT, run_tool
    dst = tmp_path / 'small_mmpose.pth'
    log = run_tool([
        'tools/convert_official_checkpoint.py',
        'checkpoints/mb_pretrain_small_pybullet.pth',
        str(dst), '--to', 'mmpose'
    ])
    assert 'feat_size=64, depth=3, num_heads=4' in log
    register_all_modules(init_default_scope=False)
    mm = MODELS.build(
        _mmpose_lifter_cfg(feat=64, rep=128, depth=3, heads=4, ratio=2,
                           seq=27)).eval()
    ckpt = torch.load(dst, weights_only=True)
    mm.load_state_dict(ckpt['state_dict'], strict=True)
    ours = init_lifter(
        str(REPO_ROOT / 'checkpoints' / 'mb_pretrain_small_pybullet.pth'))
    x = torch.randn(2, 27, 17, 3)
    with torch.no_grad():
        torch.testing.assert_close(
            mm(x, None, mode='tensor'),
            ours(x, mode='tensor'),
            atol=1e-5,
            rtol=0)


def test_pretrained_init_from_an_mmpose_checkpoint(tmp_path):
    """init_cfg=dict(type='Pretrained') takes mmpose's layout too."""
    from mmmotionbert.registry import MODELS
    mm = _mmpose_lifter(seed=3)
    path = tmp_path / 'mm.pth'
    torch.save(dict(state_dict=mm.state_dict(), meta={}), path)
    backbone = MODELS.build(
        dict(
            type='MBDSTformer',
            dim_feat=DIMS['feat'],
            dim_rep=DIMS['rep'],
            depth=DIMS['depth'],
            num_heads=DIMS['heads'],
            mlp_ratio=DIMS['ratio'],
            maxlen=DIMS['seq'],
            init_cfg=dict(type='Pretrained', checkpoint=str(path))))
    backbone.init_weights()
    official = mmpose_to_official(mm.state_dict())
    for key, value in backbone.state_dict().items():
        torch.testing.assert_close(value, official[key], msg=key)


def test_ours_to_official_inverts_official_to_ours():
    from mmmotionbert.utils.official import (official_pose_to_ours,
                                             ours_pose_to_official)
    from ..conftest import build_tiny_lifter
    lifter = build_tiny_lifter(maxlen=9, mlp_ratio=1)
    sd = lifter.state_dict()
    official = ours_pose_to_official(sd)
    assert 'pos_embed' in official and 'head.weight' in official
    assert not any(k.startswith(('backbone.', 'head.fc.')) for k in official)
    back = official_pose_to_ours({'model_pos': official})
    assert list(back) == [
        k for k in sd if k.startswith(('backbone.', 'head.fc.'))
    ]
    for k, v in back.items():
        assert v is sd[k]


def test_converted_checkpoint_runs_in_mmpose_pose3d_inferencer(tmp_path):
    """mmpose's own Pose3DInferencer, built from a config that inherits
    mmpose's MotionBERT config (the shipped model's sizes), loads the
    ``--to mmpose`` checkpoint with every key and value and lifts an image
    end to end (2D: an untrained mmpose top-down model on the whole image;
    no download)."""
    import numpy as np
    from mmpose.apis.inferencers import Pose3DInferencer

    import mmmotionbert  # noqa: F401  (mmpose.visualization without torchvision)
    from ..conftest import run_tool
    dst = tmp_path / 'small_mmpose.pth'
    run_tool(['tools/convert_official_checkpoint.py',
              'checkpoints/mb_pretrain_small_pybullet.pth', str(dst), '--to',
              'mmpose'])
    cfg = tmp_path / 'small_motionbert.py'
    cfg.write_text(
        "_base_ = ['mmpose::body_3d_keypoint/motionbert/h36m/"
        "motionbert_dstformer-243frm_8xb32-240e_h36m.py']\n"
        'model = dict(\n'
        '    backbone=dict(feat_size=64, depth=3, num_heads=4, mlp_ratio=2,\n'
        '                  seq_len=27),\n'
        '    head=dict(in_channels=64, embedding_size=128))\n')
    import os.path as osp

    import mmpose
    pose2d = osp.join(osp.dirname(mmpose.__file__), '.mim', 'configs',
                      'body_2d_keypoint', 'topdown_heatmap', 'coco',
                      'td-hm_mobilenetv2_8xb64-210e_coco-256x192.py')
    inferencer = Pose3DInferencer(model=str(cfg), weights=str(dst),
                                  pose2d_model=pose2d,
                                  det_model='whole_image', device='cpu')
    ckpt = torch.load(dst, weights_only=True)['state_dict']
    state = inferencer.model.state_dict()
    assert set(state) == set(ckpt)
    for key, value in ckpt.items():
        assert torch.equal(state[key].cpu(), value), key
    inferencer.model.load_state_dict(ckpt, strict=True)
    image = (np.random.default_rng(0).random((256, 192, 3)) * 255).astype(
        np.uint8)
    result = next(iter(inferencer(image, return_vis=False)))
    keypoints = np.asarray(result['predictions'][0][0]['keypoints'])
    assert keypoints.shape == (17, 3) and np.isfinite(keypoints).all()
