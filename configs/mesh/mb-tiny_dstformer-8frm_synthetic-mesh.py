# A tiny mesh model trained for a few epochs on generated stand-ins for the
# licensed files (a random SMPL-format body model and mesh_det_{pw3d,coco}.pkl
# with made-up motions, mmmotionbert.datasets.synthetic_mesh). It exercises the
# whole 3DPW recipe -- clip + COCO image mixing, SMPL losses, flip test, MPVE /
# MPJPE / PA-MPJPE -- on CPU in a minute. Generate the files first:
#   python -m mmmotionbert.datasets.synthetic_mesh data/synthetic_mesh
_base_ = ['./mb_dstformer-16frm_1xb128-60e_pw3d-ft.py']

data_root = 'data/synthetic_mesh/'
smpl_dir = 'data/synthetic_mesh'
clip_len = 8
max_epochs = 4

model = dict(
    backbone=dict(
        dim_feat=32,
        dim_rep=32,
        depth=1,
        num_heads=4,
        mlp_ratio=2,
        maxlen=clip_len,
        init_cfg=None),
    head=dict(dim_rep=32, hidden_dim=64, smpl_dir=smpl_dir))

pw3d_train = dict(
    _base_.pw3d_train,
    data_file=data_root + 'mesh_det_pw3d.pkl',
    clip_len=clip_len,
    data_stride=4)
coco_train = dict(
    type='MBMeshDataset',
    data_file=data_root + 'mesh_det_coco.pkl',
    split='train',
    clip_len=1,
    flip_prob=0.5)
train_sources = [(pw3d_train, 4, None), (coco_train, 16, None)]

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    batch_sampler=dict(
        batch_sizes=[s[1] for s in train_sources],
        max_epochs=[s[2] for s in train_sources]),
    dataset=dict(datasets=[s[0] for s in train_sources]))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_file=data_root + 'mesh_det_pw3d.pkl', clip_len=clip_len))
test_dataloader = val_dataloader

train_cfg = dict(max_epochs=max_epochs, val_interval=2)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='ExponentialLR', gamma=0.98, by_epoch=True, end=max_epochs)
]
default_hooks = dict(logger=dict(interval=5))
