# MotionBERT action recognition on pyskl's NTU RGB+D HRNet 2D skeletons
# (official configs/action/MB_ft_NTU60_*.yaml): full DSTformer (dim_feat 512,
# mlp_ratio 2, depth 5, dim_rep 512) finetuned from the pretrained
# representation, classification head (hidden 2048, dropout 0.5), AdamW
# (head lr 1e-3, backbone lr 1e-4, weight decay 0.01), lr x0.99 per epoch,
# batch 32, 243-frame clips, random move + crop-scale [1, 3] for training and
# crop-scale 2 for testing.
#
# Scores: by default keypoint scores follow their joints through the COCO ->
# H36M conversion and the two-person tracking (the official code does
# neither; MotionBERT issue #132). To feed official checkpoints exactly what
# they were trained on, set convert_scores=False in MBJointConvert and
# track_scores=False in MBHumanTracking.
_base_ = [
    '../../_base_/action_runtime.py', '../../_base_/models/mb_dstformer.py'
]

data_root = 'data/action/'
ann_file = data_root + 'ntu60_hrnet.pkl'
split = 'xsub'
num_classes = 60
clip_len = 243
# the official pretrained representation (checkpoint/pretrain/MB_release)
pretrained = 'checkpoint/pretrain/MB_release/latest_epoch.bin'

model = dict(
    type='MBRecognizer',
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    head=dict(
        type='MBActionHead',
        num_classes=num_classes,
        dim_rep=512,
        num_joints=17,
        hidden_dim=2048,
        dropout_ratio=0.5,
        loss_cls=dict(type='CrossEntropyLoss'),
        average_clips='prob'))

train_pipeline = [
    dict(type='MBSkeletonNormalize'),
    dict(type='MBHumanTracking', track_scores=True),
    dict(type='MBJointConvert', src='coco', convert_scores=True),
    dict(type='MBResampleFrames', clip_len=clip_len, randomness=True),
    dict(type='MBPadPersons', num_person=2),
    dict(type='MBRandomMove'),
    dict(type='MBCropScale', scale_range=(1, 3)),
    dict(type='MBFormatActionInput'),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]
test_pipeline = [
    dict(type='MBSkeletonNormalize'),
    dict(type='MBHumanTracking', track_scores=True),
    dict(type='MBJointConvert', src='coco', convert_scores=True),
    dict(type='MBResampleFrames', clip_len=clip_len, randomness=False),
    dict(type='MBPadPersons', num_person=2),
    dict(type='MBCropScale', scale_range=(2, 2)),
    dict(type='MBFormatActionInput'),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]

train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='PoseDataset',
        ann_file=ann_file,
        split=f'{split}_train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PoseDataset',
        ann_file=ann_file,
        split=f'{split}_val',
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator

max_epochs = 300
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# AdamW, head lr 1e-3, backbone lr 1e-4 (lr_mult 0.1), weight decay 0.01
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, by_epoch=True, end=max_epochs)
]
auto_scale_lr = dict(enable=False, base_batch_size=32)
