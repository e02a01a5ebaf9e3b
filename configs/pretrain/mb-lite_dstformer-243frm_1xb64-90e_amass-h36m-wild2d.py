# MotionBERT-Lite pretraining (official configs/pretrain/MB_lite.yaml):
# dim_feat 256, mlp_ratio 4; otherwise the full recipe.
_base_ = ['./mb_dstformer-243frm_1xb64-90e_amass-h36m-wild2d.py']

model = dict(backbone=dict(dim_feat=256, mlp_ratio=4))
