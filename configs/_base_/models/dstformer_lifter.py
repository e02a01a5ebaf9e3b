# MotionBERT full model (dim_feat 512, mlp_ratio 2) as a 2D-to-3D lifter.
model = dict(
    type='MBPoseLifter',
    backbone=dict(
        type='MBDSTformer',
        dim_in=3,
        dim_feat=512,
        dim_rep=512,
        depth=5,
        num_heads=8,
        mlp_ratio=2,
        num_joints=17,
        maxlen=243,
        att_fuse=True,
        norm_eps=1e-6,
        # True: memory-lean training (activation checkpointing per layer),
        # e.g. --cfg-options model.backbone.with_cp=True
        with_cp=False),
    head=dict(type='MBPoseHead', dim_rep=512, dim_out=3),
    loss=dict(
        type='MBPoseLoss',
        lambda_3d=1.0,
        lambda_scale=0.5,
        lambda_3d_velocity=20.0),
    rootrel=True,
    flip_test=True)
