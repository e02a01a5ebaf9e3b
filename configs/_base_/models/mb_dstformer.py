# The MotionBERT backbone at the size of the paper's full model: DSTformer
# with dim_feat 512, dim_rep 512, depth 5, 8 heads, mlp_ratio 2, LayerNorm
# eps 1e-6 and attention fusion, on clips of up to 243 frames of 17 joints
# given as (x, y, confidence). Every task (3D pose, mesh, action, pretraining)
# inherits it and adds its model type and head; a config changes the backbone
# by merging into it, e.g. model = dict(backbone=dict(dim_feat=256)).
model = dict(
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
        norm_eps=1e-6))
