# A tiny DSTformer lifter trained for a few epochs on a generated dataset in
# the official H36M pkl format (mmmotionbert.datasets.synthetic_h36m). It
# runs in about a minute on 2 CPU cores: the quick-start job and a smoke test
# of the whole train -> checkpoint -> test path. Generate the data first:
#   python tools/misc/generate_synthetic_h36m.py data/synthetic_h36m.pkl
_base_ = ['../_base_/default_runtime.py', '../_base_/models/dstformer_lifter.py']

clip_len = 27
data_file = 'data/synthetic_h36m.pkl'

model = dict(
    backbone=dict(dim_feat=32, dim_rep=64, depth=2, num_heads=4, mlp_ratio=2,
                  maxlen=clip_len),
    head=dict(dim_rep=64))

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MBH36MDataset',
        data_file=data_file,
        split='train',
        clip_len=clip_len,
        flip_prob=0.5))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MBH36MDataset',
        data_file=data_file,
        split='test',
        clip_len=clip_len))
test_dataloader = val_dataloader
val_evaluator = dict(type='MBH36MMetric', rootrel=True)
test_evaluator = val_evaluator

train_cfg = dict(by_epoch=True, max_epochs=8, val_interval=4)
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.01))
param_scheduler = [dict(type='ExponentialLR', gamma=0.99, end=8, by_epoch=True)]
default_hooks = dict(logger=dict(interval=10))
