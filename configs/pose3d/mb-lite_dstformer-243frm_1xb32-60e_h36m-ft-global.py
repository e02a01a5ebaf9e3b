# MotionBERT-Lite global model (official MB_ft_h36m_global_lite.yaml; the
# model the official in-the-wild inference uses): dim 256, mlp 4, lr 5e-4.
_base_ = ['./mb_dstformer-243frm_1xb32-60e_h36m-ft-global.py']

pretrained = 'checkpoint/pretrain/MB_lite/latest_epoch.bin'
model = dict(
    backbone=dict(
        dim_feat=256,
        mlp_ratio=4,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)))
optim_wrapper = dict(optimizer=dict(lr=5e-4))
