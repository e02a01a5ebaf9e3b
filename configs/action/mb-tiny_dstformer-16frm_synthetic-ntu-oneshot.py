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

# the parent's pipelines on 16-frame clips, scores handled by the
# transforms' defaults
__steps = dict(
    MBHumanTracking=dict(type='MBHumanTracking'),
    MBJointConvert=dict(type='MBJointConvert', src='coco'))
train_pipeline = [
    dict(t, clip_len=clip_len) if t.type == 'MBResampleFrames' else
    __steps.get(t.type, t) for t in _base_.train_pipeline
]
test_pipeline = [
    dict(t, clip_len=clip_len) if t.type == 'MBResampleFrames' else
    __steps.get(t.type, t) for t in _base_.test_pipeline
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
