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
# the NTU-60 pipelines from the NTU-25 joints, without the 2D skeleton
# normalization (which leaves 3D skeletons unchanged)
__steps = dict(
    MBHumanTracking=dict(type='MBHumanTracking'),
    MBJointConvert=dict(type='MBJointConvert', src='ntu'))
train_pipeline = [
    __steps.get(t.type, t) for t in _base_.train_pipeline
    if t.type != 'MBSkeletonNormalize'
]
test_pipeline = [
    __steps.get(t.type, t) for t in _base_.test_pipeline
    if t.type != 'MBSkeletonNormalize'
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
