# MotionBERT-Lite (dim_feat 256, mlp_ratio 4) as a 2D-to-3D lifter.
_base_ = ['./dstformer_lifter.py']
model = dict(backbone=dict(dim_feat=256, mlp_ratio=4))
