# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Small, documented work-arounds for packaging bugs of the hosts.

mmaction2 1.2.0 as published on PyPI (wheel and sdist) lacks the package
``mmaction/models/localizers/drn`` although ``mmaction.models.localizers``
imports ``from .drn.drn import DRN``; ``import mmaction.models`` therefore
fails with ``No module named 'mmaction.models.localizers.drn'``
(open-mmlab/mmaction2#2714). :func:`patch_mmaction_drn` puts a stand-in module
for that name into ``sys.modules`` *only when the real one is missing*. Its
``DRN`` raises a clear error when someone tries to build the DRN localizer;
nothing else in mmaction2 changes. It runs on ``import mmmotionbert``, so it
also covers mmaction2's own tools loading us through ``custom_imports``.

mmpose 1.3.2's ``mmpose.visualization`` (imported by every mmpose-scoped
Runner for its visualizer registry) imports ``simcc_vis``, which needs
torchvision only for ``ToPILImage``. torchvision is not part of our stack:
PyPI's torchvision builds do not load beside the CPU build of torch
(``operator torchvision::nms does not exist``). When torchvision cannot be
imported, :func:`patch_mmpose_simcc_vis` provides a stand-in
``mmpose.visualization.simcc_vis`` whose ``SimCCVisualizer`` (a debugging aid
for SimCC heads, unused by MotionBERT) raises a clear error if used.

May import: mmaction2 and torchvision (both lazily: what it patches); no other
layer of ours.
"""
import importlib.util
import os.path as osp
import sys
import types

DRN_MODULE = 'mmaction.models.localizers.drn'


class _MissingDRN:
    """Stand-in for mmaction2's DRN localizer, missing from its release."""

    def __init__(self, *args, **kwargs) -> None:
        raise ImportError(
            'mmaction2 1.2.0 from PyPI does not ship '
            "'mmaction/models/localizers/drn', so the DRN localizer cannot "
            'be built. Install mmaction2 from its git source to use DRN.')


def patch_mmaction_drn() -> bool:
    """Provide ``mmaction.models.localizers.drn`` when the release lacks it.

    Returns:
        bool: True when the stand-in was installed, False when mmaction2 is
        not installed or already has the real module.
    """
    if DRN_MODULE in sys.modules:
        return False
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    pkg_dir = list(spec.submodule_search_locations)[0]
    if osp.isdir(osp.join(pkg_dir, 'models', 'localizers', 'drn')):
        return False
    package = types.ModuleType(DRN_MODULE)
    package.__path__ = []  # a package with nothing else in it
    package.__doc__ = __doc__
    module = types.ModuleType(DRN_MODULE + '.drn')
    module.DRN = _MissingDRN
    package.drn = module
    sys.modules[DRN_MODULE] = package
    sys.modules[DRN_MODULE + '.drn'] = module
    from mmaction.registry import MODELS
    if 'DRN' not in MODELS.module_dict:
        MODELS.register_module(name='DRN', module=_MissingDRN)
    return True


SIMCC_MODULE = 'mmpose.visualization.simcc_vis'


class _MissingSimCCVisualizer:
    """Stand-in for mmpose's SimCCVisualizer when torchvision is missing."""

    def __init__(self, *args, **kwargs) -> None:
        raise ImportError('mmpose SimCCVisualizer needs torchvision, which '
                          'is not installed (or does not load beside this '
                          'torch build)')


def _torchvision_works() -> bool:
    """Whether ``torchvision.transforms`` imports."""
    try:
        import torchvision.transforms  # noqa: F401
    except Exception:  # ImportError, or RuntimeError from a mismatched build
        return False
    return True


def patch_mmpose_simcc_vis() -> bool:
    """Let ``mmpose.visualization`` import without torchvision.

    Returns:
        bool: True when the stand-in was installed.
    """
    if SIMCC_MODULE in sys.modules or _torchvision_works():
        return False
    module = types.ModuleType(SIMCC_MODULE)
    module.__doc__ = __doc__
    module.SimCCVisualizer = _MissingSimCCVisualizer
    sys.modules[SIMCC_MODULE] = module
    return True
