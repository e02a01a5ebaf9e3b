# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The H36M-17 meta information shared by every dataset's ``metainfo``.

One place for the keypoint names, count and flip permutation of the
H36M-17 skeleton that the lifting, mesh and pretraining datasets report;
:func:`h36m_metainfo` adds a dataset's own fields after them (same key order
as the datasets always returned).

May import ``mmmotionbert.utils`` only.
"""
import copy
from typing import Any, Dict

from mmmotionbert.utils.keypoints import (H36M_JOINT_NAMES,
                                          h36m_flip_permutation)

__all__ = ['H36M_METAINFO', 'h36m_metainfo']

#: Skeleton fields of the H36M-17 ``metainfo`` (after ``dataset_name``).
H36M_METAINFO: Dict[str, Any] = dict(
    num_joints=len(H36M_JOINT_NAMES),
    keypoint_names=list(H36M_JOINT_NAMES),
    flip_indices=h36m_flip_permutation())


def h36m_metainfo(dataset_name: str, **extra: Any) -> Dict[str, Any]:
    """A dataset's ``metainfo``: name, H36M-17 skeleton fields, extras.

    Args:
        dataset_name (str): The ``dataset_name`` field.
        **extra: Dataset-specific fields, appended in the given order.

    Returns:
        dict: ``dict(dataset_name=..., num_joints=17, keypoint_names=[...],
        flip_indices=[...], **extra)`` (a fresh copy).
    """
    info = dict(dataset_name=dataset_name)
    info.update(copy.deepcopy(H36M_METAINFO))
    info.update(extra)
    return info
