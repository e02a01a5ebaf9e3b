# NTU-120 cross-subject with the NTU-60 finetuning recipe (the official repo
# has no NTU-120 classification config; no paper number).
_base_ = ['_base_/mb_ntu_2d.py']

ann_file = 'data/action/ntu120_hrnet.pkl'
split = 'xsub'
model = dict(head=dict(num_classes=120))
train_dataloader = dict(
    dataset=dict(ann_file=ann_file, split=f'{split}_train'))
val_dataloader = dict(dataset=dict(ann_file=ann_file, split=f'{split}_val'))
test_dataloader = val_dataloader
