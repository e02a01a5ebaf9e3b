# A tiny DSTformer recognizer on a small generated skeleton pickle in the
# pyskl/NTU format (COCO-17 pixels, scores, img_shape, xsub split): the
# whole train -> checkpoint -> test path of the NTU configs in seconds on a
# CPU. tests/test_action generates such a file; point ann_file at yours.
_base_ = ['mb_dstformer-243frm_1xb32-300e_ntu60-xsub-2d.py']

ann_file = 'data/synthetic_ntu.pkl'
clip_len = 16
model = dict(
    backbone=dict(
        dim_feat=16,
        dim_rep=16,
        depth=1,
        num_heads=2,
        mlp_ratio=2,
        maxlen=clip_len),
    head=dict(
        num_classes=5, dim_rep=16, hidden_dim=32, dropout_ratio=0.,
        topk=(1, )))

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
    dataset=dict(ann_file=ann_file, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(ann_file=ann_file, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(
        type='AccMetric',
        metric_options=dict(top_k_accuracy=dict(topk=(1, 2))))
]
test_evaluator = val_evaluator

max_epochs = 12
train_cfg = dict(max_epochs=max_epochs, val_interval=4)
optim_wrapper = dict(
    optimizer=dict(lr=1e-3),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.5)}))
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, by_epoch=True, end=max_epochs)
]
default_hooks = dict(logger=dict(interval=1))
