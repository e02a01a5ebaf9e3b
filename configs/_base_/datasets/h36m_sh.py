# Human3.6M with the official MotionBERT preprocessed 2D detections (SH) and
# clip slicing (243 frames; train stride 81, test stride 243), read from
# the official `h36m_sh_conf_cam_source_final.pkl`.
data_root = 'data/motion3d/'
data_file = data_root + 'h36m_sh_conf_cam_source_final.pkl'
clip_len = 243

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MBH36MDataset',
        data_file=data_file,
        split='train',
        clip_len=clip_len,
        flip_prob=0.5))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MBH36MDataset',
        data_file=data_file,
        split='test',
        clip_len=clip_len))
test_dataloader = val_dataloader
val_evaluator = dict(type='MBH36MMetric', rootrel=True)
test_evaluator = val_evaluator
