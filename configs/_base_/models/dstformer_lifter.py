# The full MotionBERT backbone (mb_dstformer.py) as a 2D-to-3D lifter.
_base_ = ['./mb_dstformer.py']

model = dict(
    type='MBPoseLifter',
    # True: memory-lean training (activation checkpointing per layer),
    # e.g. --cfg-options model.backbone.with_cp=True
    backbone=dict(with_cp=False),
    head=dict(type='MBPoseHead', dim_rep=512, dim_out=3),
    loss=dict(
        type='MBPoseLoss',
        lambda_3d=1.0,
        lambda_scale=0.5,
        lambda_3d_velocity=20.0),
    rootrel=True,
    flip_test=True)
