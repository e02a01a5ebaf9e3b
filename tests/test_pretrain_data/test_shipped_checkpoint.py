# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The shipped small pretrained checkpoint, re-evaluated on real data.

``checkpoints/mb_pretrain_small_pybullet.pth`` (configs/pretrain/
mb-small_dstformer-27frm_pybullet.py) is recomputed on the Pose2Sim demo (real
OpenPose 2D of 4 cameras against the subject's 3D markers) and must give the
numbers documented in configs/pretrain/README.md and beat the mean-pose
baseline.
"""
import pytest

from tests.conftest import REPO_ROOT

CHECKPOINT = REPO_ROOT / 'checkpoints' / 'mb_pretrain_small_pybullet.pth'
CONFIG = REPO_ROOT / 'configs' / 'pretrain' / 'mb-small_dstformer-27frm_pybullet.py'
#: documented in configs/pretrain/README.md (mm)
DOCUMENTED_MEAN_P_MPJPE = 67.5
#: the constant mean training pose (configs/pretrain/README.md)
BASELINE_MEAN_P_MPJPE = 125.3


def test_shipped_checkpoint_on_pose2sim():
    pytest.importorskip('Pose2Sim', reason='pose2sim==0.4.15 not installed')
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint

    from mmmotionbert.apis.pose2sim_eval import evaluate_pose2sim
    from mmmotionbert.registry import MODELS
    cfg = Config.fromfile(str(CONFIG))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, str(CHECKPOINT), map_location='cpu', strict=True)
    model.eval()
    result = evaluate_pose2sim(model, baseline=False)
    mean = result['p_mpjpe_mm']
    assert mean == pytest.approx(DOCUMENTED_MEAN_P_MPJPE, abs=0.5)
    assert len(result['cameras']) == 4
    # every camera beats the mean-pose baseline by a wide margin
    for cam in result['cameras'].values():
        assert cam['p_mpjpe_mm'] < BASELINE_MEAN_P_MPJPE - 30
