# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The default pipeline of :class:`~mmmotionbert.datasets.MBMocapDataset`.

:func:`default_mocap_pipeline` turns the dataset's augmentation arguments
into the list of transform configs (registered under
``mmmotionbert/datasets/transforms/``) that reproduces, draw for draw, what
the dataset did before its steps were transforms. A config may list the
returned steps itself to reorder or drop some.

May import nothing but the standard library (it only writes configs).
"""
from typing import Dict, List, Optional, Sequence

__all__ = ['default_mocap_pipeline']


def default_mocap_pipeline(
        camera: Optional[dict] = None,
        look_at_jitter: float = 0.15,
        min_depth: float = 1.0,
        bone_scale_range: Optional[Sequence[float]] = (0.85, 1.25),
        group_scale_ranges: Optional[Dict[str, Sequence[float]]] = None,
        rotation_prob: float = 0.0,
        rotation_degrees: Optional[Dict[str, float]] = None,
        limb_mix_prob: float = 0.0,
        face_occlusion_prob: float = 0.0,
        wild_2d: bool = True,
        scale_range: Sequence[float] = (1.0, 1.0),
        flip_prob: float = 0.5,
        noise_prob: float = 1.0,
        noise_scale: float = 1.0,
        joint_mask_prob: float = 0.05,
        frame_mask_prob: float = 0.1,
        augment: Optional[dict] = None,
        with_meta: bool = False) -> List[dict]:
    """The transform configs :class:`MBMocapDataset`'s arguments describe.

    Steps whose probability is 0 (or that are disabled) are left out, so
    the list draws exactly what the dataset always drew. Arguments as
    those of :class:`MBMocapDataset`.

    Returns:
        list[dict]: Transform configs, in order: ``MBMixLimbs``,
        ``MBScaleBones``, ``MBRotateJoints``, ``MBVirtualCamera``,
        ``MBProjectMocap2D``, ``MBCropScaleNormalize``, ``MBFlipH36M``,
        ``MBDetectionNoise2D``, ``MBRandomMask2D``, ``MBFaceOcclusion``,
        ``MBIsolatedTransform`` (``augment``), ``MBPackMocapInputs``.
    """
    steps: List[dict] = []
    if limb_mix_prob > 0:
        steps.append(dict(type='MBMixLimbs', prob=limb_mix_prob))
    if bone_scale_range is not None:
        steps.append(
            dict(
                type='MBScaleBones',
                scale_range=tuple(bone_scale_range),
                group_scale_ranges=dict(group_scale_ranges or {})))
    if rotation_prob > 0:
        steps.append(
            dict(
                type='MBRotateJoints',
                prob=rotation_prob,
                max_degrees=rotation_degrees))
    steps += [
        dict(
            type='MBVirtualCamera',
            camera=dict(camera or {}),
            look_at_jitter=look_at_jitter,
            min_depth=min_depth),
        dict(type='MBProjectMocap2D', wild_2d=wild_2d),
        dict(type='MBCropScaleNormalize', scale_range=tuple(scale_range)),
    ]
    if flip_prob > 0:
        steps.append(dict(type='MBFlipH36M', prob=flip_prob))
    if noise_prob > 0:
        steps.append(
            dict(
                type='MBDetectionNoise2D',
                prob=noise_prob,
                noise_scale=noise_scale,
                always_draw_prob=True))
    if joint_mask_prob > 0 or frame_mask_prob > 0:
        steps.append(
            dict(
                type='MBRandomMask2D',
                joint_mask_prob=joint_mask_prob,
                frame_mask_prob=frame_mask_prob))
    if face_occlusion_prob > 0 and wild_2d:
        steps.append(dict(type='MBFaceOcclusion', prob=face_occlusion_prob))
    if augment:
        steps.append(dict(type='MBIsolatedTransform', transform=augment))
    steps.append(dict(type='MBPackMocapInputs', with_meta=with_meta))
    return steps
