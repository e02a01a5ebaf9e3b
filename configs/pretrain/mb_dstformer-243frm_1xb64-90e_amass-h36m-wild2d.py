# MotionBERT pretraining (official configs/pretrain/MB_pretrain.yaml): recover
# 3D motion from noisy, masked 2D. 3D sources: the official pre-sliced clips of
# AMASS and H36M (2D made from the 3D label, `synthetic`), with detection-like
# noise + confidence and masking (joints 5%, frames 10%). From epoch 30 the
# in-the-wild 2D-only clips (InstaVariety, PoseTrack) are added and trained with
# the confidence-weighted 2D loss. Full model, AdamW lr 5e-4, x0.99 per epoch,
# batch 64, 90 epochs; validated on H36M (SH detections) like the official run.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/dstformer_lifter.py',
    '../_base_/datasets/h36m_sh.py'
]

motion3d_root = 'data/motion3d/MB3D_f243s81/'
motion2d_root = 'data/motion2d/'
batch_size = 64
max_epochs = 90

train_dataloader = dict(
    batch_size=batch_size,
    dataset=dict(
        _delete_=True,
        type='MBMotionClipDataset',
        data_root=motion3d_root,
        subsets=['AMASS', 'H36M-SH'],
        synthetic=True,
        flip_prob=0.5,
        augment=dict(type='MBAugmenter2D', noise=True, mask=True,
                     joint_mask_prob=0.05, frame_mask_prob=0.1)))
wild_loader = dict(
    batch_size=batch_size,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'))
# 2D-only clips get masking but no synthetic noise (they are detections).
wild_augment = dict(type='MBAugmenter2D', noise=False, mask=True,
                    joint_mask_prob=0.05, frame_mask_prob=0.1)
train_cfg = dict(
    _delete_=True,
    type='MBCurriculumTrainLoop',
    max_epochs=max_epochs,
    val_interval=1,
    extra_start_epoch=30,
    extra_dataloaders=[
        dict(wild_loader, dataset=dict(
            type='MBMotion2DDataset', source='instavariety',
            data_root=motion2d_root + 'InstaVariety', clip_len=81,
            augment=wild_augment)),
        dict(wild_loader, dataset=dict(
            type='MBMotion2DDataset', source='posetrack',
            data_root=motion2d_root + 'posetrack18_annotations/train',
            clip_len=30, augment=wild_augment)),
    ])
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.01))
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, by_epoch=True, end=max_epochs)
]
default_hooks = dict(checkpoint=dict(interval=30, max_keep_ckpts=-1))
