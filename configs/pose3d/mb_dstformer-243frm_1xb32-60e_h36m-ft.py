# MotionBERT finetuned on H36M from the pretrained model (official
# configs/pose3d/MB_ft_h36m.yaml): 60 epochs, lr 2e-4. The backbone starts from
# the pretrained checkpoint: the official `latest_epoch.bin` or one of ours.
_base_ = ['./mb_dstformer-243frm_1xb32-120e_h36m.py']

pretrained = 'checkpoint/pretrain/MB_release/latest_epoch.bin'
model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained)))
max_epochs = 60
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, by_epoch=True, end=max_epochs)
]
