# NTU-60 cross-view trained from scratch (official MB_train_NTU60_xview:
# backbone and head both at lr 1e-4).
_base_ = ['mb_dstformer-ft-243frm_1xb32-300e_ntu60-xview-2d.py']

model = dict(backbone=dict(init_cfg=None))
optim_wrapper = dict(
    optimizer=dict(lr=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
