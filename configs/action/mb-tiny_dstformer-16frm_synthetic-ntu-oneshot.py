# The one-shot recipe with a tiny DSTformer on a small generated skeleton
# pickle: training on the auxiliary classes (all samples of the classes not
# in `oneshot_classes`), evaluation by nearest exemplar of the
# `oneshot_train` split among `oneshot_train` + `oneshot_val`. Used by
# tests/test_action; point the ann files at your data.
_base_ = ['mb_dstformer-ft-100frm_1xb32-50e_ntu120-oneshot-2d.py']

ann_file = 'data/synthetic_ntu.pkl'
oneshot_ann_file = 'data/synthetic_ntu_oneshot.pkl'
oneshot_classes = (0, 3)
clip_len = 16
model = dict(
    backbone=dict(
        dim_feat=16,
        dim_rep=16,
        depth=1,
        num_heads=2,
        mlp_ratio=2,
        maxlen=clip_len,
        init_cfg=None),
    head=dict(dim_rep=16, hidden_dim=8, dropout_ratio=0.))

train_pipeline = [
    dict(type='MBSkeletonNormalize'),
    dict(type='MBHumanTracking'),
    dict(type='MBJointConvert', src='coco'),
    dict(type='MBResampleFrames', clip_len=clip_len, randomness=True),
    dict(type='MBPadPersons', num_person=2),
    dict(type='MBRandomMove'),
    dict(type='MBCropScale', scale_range=(1, 3)),
    dict(type='MBFormatActionInput'),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]
test_pipeline = [
    dict(type='MBSkeletonNormalize'),
    dict(type='MBHumanTracking'),
    dict(type='MBJointConvert', src='coco'),
    dict(type='MBResampleFrames', clip_len=clip_len, randomness=False),
    dict(type='MBPadPersons', num_person=2),
    dict(type='MBCropScale', scale_range=(2, 2)),
    dict(type='MBFormatActionInput'),
    dict(type='PackActionInputs', meta_keys=('frame_dir', 'split_name'))
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=ann_file,
        exclude_labels=oneshot_classes,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(ann_file=oneshot_ann_file, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(
        type='MBOneShotMetric',
        exemplar_split='oneshot_train',
        eval_classes=oneshot_classes)
]
test_evaluator = val_evaluator

max_epochs = 2
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, by_epoch=True, end=max_epochs)
]
default_hooks = dict(logger=dict(interval=1))
