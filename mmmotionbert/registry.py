# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Where mmmotionbert registers its modules.

mmmotionbert is a plug-in: it has no scope of its own. Its modules are
registered straight into the registries of the hosts that drive each task,
so configs keep ``default_scope='mmpose'`` (3D pose, mesh, pretraining) or
``default_scope='mmaction'`` (action recognition) and name our modules without
a prefix:

* task modules go into their host's registry (``MODELS``, ``DATASETS``,
  ``TRANSFORMS``, ``METRICS`` below are mmpose's; ``ACTION_*`` mmaction2's);
* modules every task shares (the backbone, losses) go into both through
  :func:`register_shared_model`.

Every name carries an ``MB`` prefix or a MotionBERT-specific name so that
nothing collides with the hosts' own modules (mmpose 1.3 registers its own
``DSTFormer``; ours is ``MBDSTformer``).

Two registries are our own, standalone (scope ``mmmotionbert``, no parent)
because configs never name their entries: :data:`POSE2D_DETECTORS`, the 2D
pose detectors of video inference (``mmmotionbert.apis.detectors``), and
:data:`OFFICIAL_TASKS`, the builders of ``load_official_model(...,
task=...)``. Look names up in their ``module_dict``: ``Registry.get`` and
``in`` fall back to importing unknown names as Python objects.

May import: mmengine, mmpose and mmaction2 (their registries); no module of
ours.
"""
from typing import Type

from mmengine.registry import Registry

from mmaction.registry import DATASETS as ACTION_DATASETS
from mmaction.registry import METRICS as ACTION_METRICS
from mmaction.registry import MODELS as ACTION_MODELS
from mmaction.registry import TRANSFORMS as ACTION_TRANSFORMS
from mmpose.registry import DATASETS, HOOKS, METRICS, MODELS, TRANSFORMS

__all__ = [
    'MODELS', 'DATASETS', 'TRANSFORMS', 'METRICS', 'HOOKS', 'ACTION_MODELS',
    'ACTION_DATASETS', 'ACTION_TRANSFORMS', 'ACTION_METRICS',
    'POSE2D_DETECTORS', 'OFFICIAL_TASKS', 'register_shared_model',
    'register_shared_transform'
]

#: 2D pose detectors for video input: name -> class whose instances map a
#: BGR frame to its persons (see :mod:`mmmotionbert.apis.detectors`).
POSE2D_DETECTORS = Registry(
    '2d pose detector',
    scope='mmmotionbert',
    locations=['mmmotionbert.apis.detectors'])
#: Official checkpoint tasks: name -> ``builder(ckpt, backbone_cfg,
#: **task_kwargs)`` returning the model (see :mod:`mmmotionbert.apis.official`).
OFFICIAL_TASKS = Registry(
    'official task',
    scope='mmmotionbert',
    locations=[
        'mmmotionbert.apis.official', 'mmmotionbert.apis.official_action',
        'mmmotionbert.apis.official_mesh'
    ])


def register_shared_model(cls: Type) -> Type:
    """Register a model class in both mmpose's and mmaction2's ``MODELS``.

    Args:
        cls (type): The class to register under its own name.

    Returns:
        type: ``cls`` unchanged, so this works as a decorator.
    """
    MODELS.register_module(module=cls)
    ACTION_MODELS.register_module(module=cls)
    return cls


def register_shared_transform(cls: Type) -> Type:
    """Register a transform class in both mmpose's and mmaction2's registry.

    Args:
        cls (type): The class to register under its own name.

    Returns:
        type: ``cls`` unchanged.
    """
    TRANSFORMS.register_module(module=cls)
    ACTION_TRANSFORMS.register_module(module=cls)
    return cls
