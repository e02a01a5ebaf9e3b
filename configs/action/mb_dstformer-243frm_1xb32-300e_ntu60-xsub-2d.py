# NTU-60 cross-subject trained from scratch (official MB_train_NTU60_xsub:
# backbone and head both at lr 1e-4).
_base_ = ['_base_/mb_ntu_2d.py']

model = dict(backbone=dict(init_cfg=None))
optim_wrapper = dict(
    optimizer=dict(lr=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
