# Drop-in for mmpose users: mmpose's own MotionBERT config, unchanged but
# for the backbone, which is our MBDSTformer. Train and test it with
# mmpose's own tools (or ours):
#   python $(python -c "import mmpose, os; print(os.path.dirname(mmpose.__file__))")/.mim/tools/train.py THIS_CONFIG
# mmpose's PoseLifter, Human36mDataset, MotionBERTLabel codec,
# MotionRegressionHead (holding the representation layer, hence dim_rep=0
# here), schedule and runtime all come from mmpose's config.
_base_ = [
    'mmpose::body_3d_keypoint/motionbert/h36m/'
    'motionbert_dstformer-243frm_8xb32-240e_h36m-original.py'
]
custom_imports = dict(imports=['mmmotionbert'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='MBDSTformer',
        dim_in=3,
        dim_feat=512,
        dim_rep=0,
        depth=5,
        num_heads=8,
        mlp_ratio=2,
        num_joints=17,
        maxlen=243,
        att_fuse=True,
        norm_eps=1e-6))
