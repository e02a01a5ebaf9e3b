# MotionBERT mesh recovery finetuned with 3DPW (official
# configs/mesh/MB_ft_pw3d.yaml): pretrained DSTformer (dim 512, mlp 2, depth 5)
# + SMPL head (hidden 1024, dropout 0.1), 16-frame clips (stride 8), flip
# augmentation and flip test, AdamW (wd 0.01) with lr 5e-5 for the backbone and
# 5e-4 for the head, x0.98 per epoch, 60 epochs. Every epoch trains on H36M
# clips (first 20 epochs only), COCO images (batches of 512) and 3DPW clips
# (batches of 128), in that order; the best checkpoint has the lowest 3DPW
# MPJPE. Data and SMPL files: see docs/mesh.md.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/mb_dstformer.py'
]

data_root = 'data/mesh/'
# SMPL_NEUTRAL.pkl, smpl_mean_params.npz, J_regressor_*.npy
smpl_dir = 'data/mesh'
pretrained = 'checkpoint/pretrain/MB_release/latest_epoch.bin'
clip_len = 16
max_epochs = 60
# The official recipe mixes a stream of COCO images into training. Set False
# here to train on video clips only; without editing the file the COCO source
# is switched off by its epoch limit:
#   --cfg-options "train_dataloader.batch_sampler.max_epochs=[20,0,None]"
mix_coco = True

model = dict(
    type='MBMeshRegressor',
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    head=dict(
        type='MBMeshHead',
        dim_rep=512,
        num_joints=17,
        hidden_dim=1024,
        dropout_ratio=0.1,
        smpl_dir=smpl_dir),
    loss=dict(
        type='MBMeshLoss',
        lambda_3d=0.5,
        lambda_scale=0.0,
        lambda_3d_velocity=10.0,
        lambda_pose=1000.0,
        lambda_shape=1.0,
        lambda_norm=20.0,
        loss_type='L1'),
    flip_test=True)

h36m_train = dict(
    type='MBMeshDataset',
    data_file=data_root + 'mesh_det_h36m.pkl',
    split='train',
    clip_len=clip_len,
    data_stride=8,
    flip_prob=0.5)
coco_train = dict(
    type='MBMeshDataset',
    data_file=data_root + 'mesh_det_coco.pkl',
    split='train',
    clip_len=1,
    data_stride=1,
    flip_prob=0.5)
# 3DPW clips, sliced as the H36M ones
pw3d_train = dict(h36m_train, data_file=data_root + 'mesh_det_pw3d.pkl')
# (dataset, batch size, train on it while epoch < this; None: always)
train_sources = [
    (h36m_train, 128, 20)
] + ([(coco_train, 512, None)] if mix_coco else []) + [(pw3d_train, 128, None)]

train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(
        type='MBMeshSourceBatchSampler',
        batch_sizes=[s[1] for s in train_sources],
        max_epochs=[s[2] for s in train_sources]),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MBMeshMixDataset', datasets=[s[0] for s in train_sources]))
val_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MBMeshDataset',
        data_file=data_root + 'mesh_det_pw3d.pkl',
        split='test',
        clip_len=clip_len))
test_dataloader = val_dataloader
val_evaluator = dict(type='MBMeshMetric')
test_evaluator = val_evaluator

train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
# backbone lr 5e-5, head lr 5e-4 (official lr_backbone / lr_head)
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=5e-5, weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'head.': dict(lr_mult=10.0)}))
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.98, by_epoch=True, end=max_epochs)
]
# official batch size 128 clips (one DataParallel process)
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(
    checkpoint=dict(save_best='MPJPE', rule='less'), logger=dict(interval=50))
