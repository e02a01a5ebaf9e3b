# NTU-60 cross-view, finetuned from the pretrained MotionBERT
# (official MB_ft_NTU60_xview.yaml; paper top-1 97.2).
_base_ = ['_base_/mb_ntu_2d.py']

split = 'xview'
train_dataloader = dict(dataset=dict(split=f'{split}_train'))
val_dataloader = dict(dataset=dict(split=f'{split}_val'))
test_dataloader = val_dataloader
