# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Default pipelines of the clip datasets, written from their arguments.

:class:`~mmmotionbert.datasets.MBH36MDataset`,
:class:`~mmmotionbert.datasets.MBMeshDataset`,
:class:`~mmmotionbert.datasets.MBMotionClipDataset` and
:class:`~mmmotionbert.datasets.MBMotion2DDataset` run a ``pipeline`` of
registered transforms (``mmmotionbert/datasets/transforms/``) on the fields
their ``get_data_info`` gathers. With ``pipeline=None`` they build the one
written here from their augmentation arguments (``flip_prob``,
``augment``); it reproduces, draw for draw, what the datasets did before
their steps were transforms. A config may list these steps itself to
reorder, drop or extend them.

May import nothing but the standard library (it only writes configs).
"""
from typing import Any, List, Optional, Sequence

__all__ = [
    'build_transforms', 'H36M_SAMPLE_KEYS', 'MESH_SAMPLE_KEYS',
    'default_h36m_pipeline', 'default_mesh_pipeline',
    'default_motion_clip_pipeline', 'default_motion2d_pipeline'
]

#: ``data_samples`` fields of an :class:`MBH36MDataset` item, in order.
H36M_SAMPLE_KEYS = ('target', 'target_2_5d', 'factor_2_5d', 'camera_wh',
                    'frame_index', 'clip_index', 'source', 'action')
#: ``data_samples`` fields of an :class:`MBMeshDataset` item, in order.
MESH_SAMPLE_KEYS = ('pose', 'shape', 'frame_index', 'clip_index', 'source')


def build_transforms(pipeline: Sequence[Any]) -> List[Any]:
    """Build a pipeline's transform configs from mmpose's registry.

    mmengine's ``Compose`` would look them up in mmengine's root registry
    unless a default scope is set; our datasets build them here instead.

    Args:
        pipeline (Sequence): Transform configs (dicts) or built transforms.

    Returns:
        list: The built transforms, in order.
    """
    from mmmotionbert.registry import TRANSFORMS
    return [
        TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
    ]


def _flip_augment_pack(flip_prob: float, augment: Optional[Any],
                       pack: dict) -> List[dict]:
    """Flip input and target, ``augment`` the input alone, then ``pack``."""
    steps: List[dict] = []
    if flip_prob > 0:
        steps.append(
            dict(
                type='MBFlipH36M',
                prob=flip_prob,
                keys=('motion_2d', 'target')))
    return steps + _isolated(augment) + [pack]


def _isolated(augment: Optional[Any]) -> List[dict]:
    """The ``augment`` step (2D input only, its own generator), if any."""
    if augment is None:
        return []
    return [dict(type='MBIsolatedTransform', transform=augment)]


def default_h36m_pipeline(flip_prob: float = 0.0) -> List[dict]:
    """Steps of :class:`MBH36MDataset`: flip (input and target), pack.

    The evaluation-only fields (``target_2_5d``, ``factor_2_5d``, ...) are
    never flipped.

    Args:
        flip_prob (float): Flip probability; 0 leaves the step out.

    Returns:
        list[dict]: ``MBFlipH36M`` (when ``flip_prob > 0``),
        ``MBPackClipInputs``.
    """
    # arrays as they are (rows of the mirrored arrays are strided views)
    return _flip_augment_pack(
        flip_prob, None,
        dict(
            type='MBPackClipInputs',
            sample_keys=H36M_SAMPLE_KEYS,
            contiguous=False))


def default_mesh_pipeline(flip_prob: float = 0.0) -> List[dict]:
    """Steps of :class:`MBMeshDataset`: flip (keypoints and pose), pack.

    Args:
        flip_prob (float): Flip probability; 0 leaves the step out.

    Returns:
        list[dict]: ``MBFlipMesh`` (when ``flip_prob > 0``),
        ``MBPackClipInputs``.
    """
    steps: List[dict] = []
    if flip_prob > 0:
        steps.append(
            dict(
                type='MBFlipMesh',
                prob=flip_prob,
                keys=('motion_2d', ),
                pose_keys=('pose', )))
    steps.append(dict(type='MBPackClipInputs', sample_keys=MESH_SAMPLE_KEYS))
    return steps


def default_motion_clip_pipeline(flip_prob: float = 0.5,
                                 augment: Optional[Any] = None) -> List[dict]:
    """Steps of :class:`MBMotionClipDataset`: flip, ``augment``, pack.

    Args:
        flip_prob (float): Flip probability of input and target; 0 leaves
            the step out.
        augment (dict | callable, optional): 2D transform applied to the
            input alone (``MBIsolatedTransform``).

    Returns:
        list[dict]: ``MBFlipH36M``, ``MBIsolatedTransform``,
        ``MBPackClipInputs``.
    """
    return _flip_augment_pack(
        flip_prob, augment,
        dict(type='MBPackClipInputs', sample_keys=('target', 'has_3d')))


def default_motion2d_pipeline(flip_prob: float = 0.5,
                              augment: Optional[Any] = None) -> List[dict]:
    """Steps of :class:`MBMotion2DDataset`: flip, ``augment``, pack.

    Args:
        flip_prob (float): Flip probability of input and target; 0 leaves
            the step out.
        augment (dict | callable, optional): 2D transform applied to the
            input alone (``MBIsolatedTransform``).

    Returns:
        list[dict]: ``MBFlipH36M``, ``MBIsolatedTransform``,
        ``MBPackMotion2DInputs`` (``conf`` is the target's score channel).
    """
    return _flip_augment_pack(
        flip_prob, augment,
        dict(
            type='MBPackMotion2DInputs',
            sample_keys=('target', 'conf', 'has_3d')))
