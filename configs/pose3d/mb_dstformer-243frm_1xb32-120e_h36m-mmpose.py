# MotionBERT (full DSTformer) trained from scratch on Human3.6M through
# mmpose's own data route: mmpose's `PoseLifter`, `Human36mDataset`
# (annotation_body3d/fps50/h36m_{train,test}.npz from mmpose's
# tools/dataset_converters/preprocess_h36m.py, plus its cameras.pkl),
# `MotionBERTLabel` codec, `MotionRegressionHead` and `MPJPE` metrics, as in
# mmpose's configs/body_3d_keypoint/motionbert/h36m/, but with our
# `MBDSTformer` backbone and the official schedule (AdamW lr 2e-4, wd 0.01,
# x0.99 per epoch, 120 epochs, batch 32, evaluation every epoch).
#
# The backbone is built with dim_rep=0: its `pre_logits` is an identity, so
# it returns (B, T, 17, 512) features and mmpose's head applies the
# representation layer (head.pre_logits = official pre_logits) and the 3D
# output layer (head.fc = official head). PoseLifter hands the backbone the
# stacked codec output, (B, T, 17, 3) = normalized x, y and confidence,
# which is the official input layout. Official checkpoints load after
#   python tools/convert_official_checkpoint.py best_epoch.bin OUT.pth \
#       --layout mmpose-head
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/mb_dstformer.py',
    '../_base_/schedules/h36m_adamw.py'
]
train_cfg = dict(max_epochs={{_base_.max_epochs}}, val_interval=1)

clip_len = 243

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='Pose3dLocalVisualizer', vis_backends=vis_backends, name='visualizer')

# codec settings (mmpose's): the train codec normalizes the 3D target like
# the official reader, the val codec scales it to metres with the factor
train_codec = dict(
    type='MotionBERTLabel', num_keypoints=17, concat_vis=True, mode='train')
val_codec = dict(
    type='MotionBERTLabel', num_keypoints=17, concat_vis=True, rootrel=True)

model = dict(
    type='PoseLifter',
    # the representation layer lives in the head
    backbone=dict(dim_rep=0, maxlen=clip_len),
    head=dict(
        type='MotionRegressionHead',
        in_channels=512,
        out_channels=3,
        embedding_size=512,
        loss=dict(type='MPJPEVelocityJointLoss'),
        decoder=val_codec),
    test_cfg=dict(flip_test=True))

dataset_type = 'Human36mDataset'
data_root = 'data/h36m/'
train_ann_file = 'annotation_body3d/fps50/h36m_train.npz'
test_ann_file = 'annotation_body3d/fps50/h36m_test.npz'
camera_param_file = 'annotation_body3d/cameras.pkl'

train_pipeline = [
    dict(type='GenerateTarget', encoder=train_codec),
    dict(
        type='RandomFlipAroundRoot',
        keypoints_flip_cfg=dict(center_mode='static', center_x=0.),
        target_flip_cfg=dict(center_mode='static', center_x=0.),
        flip_label=True),
    dict(
        type='PackPoseInputs',
        meta_keys=('id', 'category_id', 'target_img_path', 'flip_indices',
                   'factor', 'camera_param'))
]
val_pipeline = [
    dict(type='GenerateTarget', encoder=val_codec),
    dict(
        type='PackPoseInputs',
        meta_keys=('id', 'category_id', 'target_img_path', 'flip_indices',
                   'factor', 'camera_param'))
]

# clips of 243 frames, every 81 frames for training and without overlap
# for testing (the official MotionBERT slicing)
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=train_ann_file,
        seq_len=1,
        multiple_target=clip_len,
        multiple_target_step=clip_len // 3,
        camera_param_file=camera_param_file,
        data_root=data_root,
        data_prefix=dict(img='images/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        ann_file=test_ann_file,
        seq_len=1,
        seq_step=1,
        multiple_target=clip_len,
        camera_param_file=camera_param_file,
        data_root=data_root,
        data_prefix=dict(img='images/'),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = val_dataloader

# the S9 videos the official evaluation leaves out (mmpose's list)
skip_list = [
    'S9_Greet', 'S9_SittingDown', 'S9_Wait_1', 'S9_Greeting', 'S9_Waiting_1'
]
val_evaluator = [
    dict(type='MPJPE', mode='mpjpe', skip_list=skip_list),
    dict(type='MPJPE', mode='p-mpjpe', skip_list=skip_list)
]
test_evaluator = val_evaluator
