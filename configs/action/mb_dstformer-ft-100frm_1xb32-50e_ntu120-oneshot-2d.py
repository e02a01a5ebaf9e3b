# One-shot NTU-120 (official MB_ft_NTU120_oneshot.yaml): the pretrained
# MotionBERT with an embedding head (2048-d, L2-normalized, dropout 0.1) is
# finetuned with the supervised contrastive loss (temperature 0.1) on the 100
# auxiliary classes of ntu120_hrnet.pkl (all its samples; the 20 evaluation
# classes 0, 6, ..., 114 removed and the rest relabelled 0..99), 2 samples
# per class in a row (n_views 2), 100-frame clips. Evaluation: every query of
# ntu120_hrnet_oneshot.pkl's `oneshot_val` takes the label of the most
# cosine-similar of the 20 exemplars of `oneshot_train`.
_base_ = ['_base_/mb_ntu_2d.py']

# the 20 evaluation classes (0-based), excluded from training
oneshot_classes = tuple(range(0, 120, 6))
clip_len = 100
model = dict(
    head=dict(
        _delete_=True,
        type='MBActionEmbedHead',
        dim_rep=512,
        num_joints=17,
        hidden_dim=2048,
        dropout_ratio=0.1,
        loss=dict(type='MBSupConLoss', temperature=0.1)))

# the recipe's pipelines on 100-frame clips; the queries keep their split
train_pipeline = [
    dict(t, clip_len=clip_len) if t.type == 'MBResampleFrames' else t
    for t in _base_.train_pipeline
]
test_pipeline = [
    dict(t, clip_len=clip_len) if t.type == 'MBResampleFrames' else
    dict(t, meta_keys=('frame_dir', 'split_name'))
    if t.type == 'PackActionInputs' else t for t in _base_.test_pipeline
]
train_dataloader = dict(
    batch_size=32,  # a multiple of num_per_class
    sampler=dict(
        _delete_=True, type='MBClassBalancedSampler', num_per_class=2),
    dataset=dict(
        _delete_=True,
        type='MBPoseDataset',
        ann_file='data/action/ntu120_hrnet.pkl',
        split=None,
        exclude_labels=oneshot_classes,
        relabel=True,
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='MBPoseDataset',
        ann_file='data/action/ntu120_hrnet_oneshot.pkl',
        split=['oneshot_train', 'oneshot_val'],
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
# set eval_classes=oneshot_classes to check that every evaluation
# class has an exemplar (needs the original NTU-120 labels in the pkl)
val_evaluator = [dict(type='MBOneShotMetric', exemplar_split='oneshot_train')]
test_evaluator = val_evaluator

max_epochs = 50
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, by_epoch=True, end=max_epochs)
]
