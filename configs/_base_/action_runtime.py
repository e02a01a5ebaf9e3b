# Runtime of the action recognition tasks, driven by mmaction2's runner:
# mmaction2's own default runtime (hooks, ActionVisualizer, logging) plus
# the import that registers mmmotionbert's modules into mmaction2's
# registries, so configs name them without a scope prefix.
_base_ = 'mmaction::_base_/default_runtime.py'

default_scope = 'mmaction'
custom_imports = dict(imports=['mmmotionbert'], allow_failed_imports=False)

default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(interval=1, save_best='auto', max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='nccl'))  # gloo is chosen on CPU
randomness = dict(seed=0)
