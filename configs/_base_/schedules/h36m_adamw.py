# Official MotionBERT 3D pose schedule: AdamW (wd 0.01), lr x0.99 per epoch.
# (train_cfg, val_cfg and test_cfg come from mmpose's default runtime; each
# config sets train_cfg's max_epochs: a base may not repeat another's keys)
max_epochs = 120
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-4, weight_decay=0.01))
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, by_epoch=True, end=max_epochs)
]
# official batch size 32 (one DataParallel process)
auto_scale_lr = dict(base_batch_size=32)
