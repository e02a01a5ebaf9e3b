# NTU-120 cross-setup with the NTU-60 finetuning recipe (the official repo
# has no NTU-120 classification config; no paper number).
_base_ = ['mb_dstformer-ft-243frm_1xb32-300e_ntu120-xsub-2d.py']

split = 'xset'
train_dataloader = dict(dataset=dict(split=f'{split}_train'))
val_dataloader = dict(dataset=dict(split=f'{split}_val'))
test_dataloader = val_dataloader
