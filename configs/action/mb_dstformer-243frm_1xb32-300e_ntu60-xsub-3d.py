# NTU-60 cross-subject on the Kinect 3D skeletons (mmaction2 / pyskl
# ntu60_3danno.pkl: keypoint (M, T, 25, 3) in metres, no scores), trained
# from scratch: the NTU-25 joints are mapped to H36M-17 and the model input
# is (x, y, z) instead of (x, y, confidence), so the 2D-pretrained
# representation does not apply. No official counterpart or paper number.
_base_ = ['_base_/mb_ntu_2d.py']

ann_file = 'data/action/ntu60_3danno.pkl'
split = 'xsub'
clip_len = 243
model = dict(backbone=dict(init_cfg=None))
train_pipeline = [
    dict(type='MBHumanTracking'),
    dict(type='MBJointConvert', src='ntu'),
    dict(type='MBResampleFrames', clip_len=clip_len, randomness=True),
    dict(type='MBPadPersons', num_person=2),
    dict(type='MBRandomMove'),
    dict(type='MBCropScale', scale_range=(1, 3)),
    dict(type='MBFormatActionInput'),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]
test_pipeline = [
    dict(type='MBHumanTracking'),
    dict(type='MBJointConvert', src='ntu'),
    dict(type='MBResampleFrames', clip_len=clip_len, randomness=False),
    dict(type='MBPadPersons', num_person=2),
    dict(type='MBCropScale', scale_range=(2, 2)),
    dict(type='MBFormatActionInput'),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]
train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, split=f'{split}_train', pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, split=f'{split}_val', pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(
    optimizer=dict(lr=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
