# Official MotionBERT 3D pose schedule: AdamW (wd 0.01), lr x0.99 per epoch.
max_epochs = 120
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-4, weight_decay=0.01))
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.99, by_epoch=True, end=max_epochs)
]
# official batch size 32 (one DataParallel process)
auto_scale_lr = dict(base_batch_size=32)
