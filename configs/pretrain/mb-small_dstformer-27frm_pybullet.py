# A small MotionBERT pretrained on real motion capture that ships inside a
# package on PyPI: the DeepMimic clips of `pybullet` (retargeted recorded mocap,
# converted to H36M-17 joints by tools/dataset_converters/pybullet_mocap.py).
# The pretext task as the official one: lift 2D made by random virtual
# perspective cameras, with detection-like noise + confidence and masking, to
# 3D. Trains on 2 CPU cores in minutes; the resulting checkpoint is shipped as
# checkpoints/mb_pretrain_small_pybullet.pth (see configs/pretrain/README.md)
# and is the default model of the in-the-wild demo. Validation: held-out clips
# (punch, dance_a, walker_turn_right1), P-MPJPE in mm.
_base_ = ['../_base_/default_runtime.py', '../_base_/models/dstformer_lifter.py']

clip_len = 27
holdout = ['punch', 'dance_a', 'walker_turn_right1']

model = dict(
    # Xavier weights + a large joint embedding: from scratch on ~3k frames
    # the official init predicts zero depth for hundreds of iterations
    # (configs/pretrain/README.md)
    backbone=dict(dim_feat=64, dim_rep=128, depth=3, num_heads=4, mlp_ratio=2,
                  maxlen=clip_len, weight_init='xavier', pos_embed_std=1.0),
    head=dict(dim_rep=128),
    rootrel=True,
    flip_test=True)

# cameras up to 30 deg above the subject (lab and surveillance views)
camera = dict(pitch_range=(-15.0, 30.0))
# MBMocapDataset picks a window per item, then runs its pipeline; every step
# draws from the item's generator in this order (reorder or drop steps here;
# without `pipeline` the dataset builds the same list from its arguments)
render_and_augment_2d = [
    dict(type='MBVirtualCamera', camera=camera, look_at_jitter=0.15,
         min_depth=1.0),
    # 2D input as a COCO detector + coco2h36m gives it (head = mid-eyes)
    dict(type='MBProjectMocap2D', wild_2d=True),
    dict(type='MBCropScaleNormalize', scale_range=(1.0, 1.0)),
    dict(type='MBFlipH36M', prob=0.5),
    dict(type='MBDetectionNoise2D', prob=1.0, noise_scale=2.5,
         always_draw_prob=True),
    dict(type='MBRandomMask2D', joint_mask_prob=0.05, frame_mask_prob=0.1),
]
# new poses: body parts rotated about their parent joints (DeepMimic has
# no leaning trunk, few arm positions; people lean and lift a leg far
# more than 30 deg) and limbs swapped between windows (breaks the
# clips' fixed arm/leg pairings); no face keypoints when seen from
# behind, as detectors
train_pipeline = [
    dict(type='MBMixLimbs', prob=0.25),
    dict(type='MBScaleBones', scale_range=(0.85, 1.25)),
    dict(type='MBRotateJoints', prob=0.8,
         max_degrees=dict(trunk=50.0, head=30.0, thigh=60.0, shin=30.0,
                          upper_arm=60.0, forearm=40.0)),
    *render_and_augment_2d,
    dict(type='MBFaceOcclusion', prob=0.5),
    dict(type='MBPackMocapInputs'),
]
val_pipeline = [
    dict(type='MBScaleBones', scale_range=(0.85, 1.25)),
    *render_and_augment_2d,
    dict(type='MBPackMocapInputs', with_meta=True),
]
mocap = dict(type='MBMocapDataset', clip_len=clip_len)
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(mocap, exclude_clips=holdout, data_stride=3,
                 pipeline=train_pipeline, num_samples=2048))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(mocap, clips=holdout, test_mode=True, pipeline=val_pipeline,
                 num_samples=96))
test_dataloader = val_dataloader
val_evaluator = dict(type='MBProcrustesMetric', gt_key='joints_cam_mm')
test_evaluator = val_evaluator

max_epochs = 48
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=4)
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=64),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5,
         by_epoch=True, begin=0, end=max_epochs)
]
# validate and ship an exponential moving average of the weights (the raw
# weights' held-out error moves by +-5 mm between epochs on this small data)
custom_hooks = [dict(type='EMAHook', momentum=0.003)]
default_hooks = dict(
    checkpoint=dict(save_best='P-MPJPE', rule='less', interval=4,
                    max_keep_ckpts=1),
    logger=dict(interval=32))
