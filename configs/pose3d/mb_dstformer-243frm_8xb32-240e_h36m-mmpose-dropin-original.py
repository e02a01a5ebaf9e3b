# Drop-in for mmpose users: mmpose's own MotionBERT config, unchanged but
# for the backbone, which is our MBDSTformer. Train and test it with
# mmpose's own tools (or ours):
#   python MMPOSE_DIR/.mim/tools/train.py THIS_CONFIG   (MMPOSE_DIR: the
#   folder of the installed mmpose package)
# mmpose's PoseLifter, Human36mDataset, MotionBERTLabel codec,
# MotionRegressionHead (holding the representation layer, hence dim_rep=0
# here), schedule and runtime all come from mmpose's config.
_base_ = [
    'mmpose::body_3d_keypoint/motionbert/h36m/'
    'motionbert_dstformer-243frm_8xb32-240e_h36m-original.py'
]
custom_imports = dict(imports=['mmmotionbert'], allow_failed_imports=False)

# MBDSTformer's defaults are the official ones (5 layers, 8 heads, 243
# frames, att_fuse, LayerNorm eps 1e-6); the full model differs in these:
model = dict(
    backbone=dict(
        _delete_=True, type='MBDSTformer', dim_feat=512, dim_rep=0,
        mlp_ratio=2))
