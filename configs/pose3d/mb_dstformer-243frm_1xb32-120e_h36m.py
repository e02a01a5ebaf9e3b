# MotionBERT trained from scratch on H36M (official configs/pose3d/MB_train_h36m.yaml):
# full DSTformer (dim 512, mlp 2, depth 5), 243 frames, root-relative, flip
# augmentation and flip test, AdamW lr 2e-4 wd 0.01, x0.99 per epoch, 120 epochs.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/dstformer_lifter.py',
    '../_base_/datasets/h36m_sh.py', '../_base_/schedules/h36m_adamw.py'
]
train_cfg = dict(max_epochs={{_base_.max_epochs}}, val_interval=1)
