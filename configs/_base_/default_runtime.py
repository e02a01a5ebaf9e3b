# Runtime shared by the tasks that mmpose's runner drives (3D pose, mesh,
# pretraining): mmpose's own default runtime (hooks, PoseLocalVisualizer,
# logging, loops) plus the import that registers mmmotionbert's modules
# into mmpose's registries, so configs name them without a scope prefix.
_base_ = 'mmpose::_base_/default_runtime.py'

default_scope = 'mmpose'
custom_imports = dict(imports=['mmmotionbert'], allow_failed_imports=False)

# keep the best checkpoint by MPJPE after every epoch
default_hooks = dict(
    checkpoint=dict(
        interval=1, save_best='MPJPE', rule='less', max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='nccl'))  # gloo is chosen on CPU
randomness = dict(seed=0)
