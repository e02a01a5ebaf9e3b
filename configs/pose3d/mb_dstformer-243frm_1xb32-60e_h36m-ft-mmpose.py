# MotionBERT finetuned on H36M from the pretrained model (official
# configs/pose3d/MB_ft_h36m.yaml: 60 epochs, lr 2e-4) through mmpose's data
# route (see mb_dstformer-243frm_1xb32-120e_h36m-mmpose.py). The official
# finetuning starts the backbone *and* the representation and output layers
# from the pretrained checkpoint; in this layout those live in mmpose's
# head, so the whole model is initialised from a converted checkpoint:
#   python tools/convert_official_checkpoint.py \
#       checkpoint/pretrain/MB_release/latest_epoch.bin \
#       checkpoints/mb_pretrain_mmpose-head.pth --layout mmpose-head
_base_ = ['./mb_dstformer-243frm_1xb32-120e_h36m-mmpose.py']

pretrained = 'checkpoints/mb_pretrain_mmpose-head.pth'
model = dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained))
max_epochs = 60
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, by_epoch=True, end=max_epochs)
]
