# Copyright (c) mmmotionbert contributors. All rights reserved.
"""H36M-17 joints from the DeepMimic clips of pybullet (former module).

This module used to hold the whole DeepMimic pipeline; it now only
re-exports it so that every old import path keeps working. The code lives
in one module per concept:

* :mod:`.deepmimic`: the clip files (finding, reading, the 44-value frame
  layout, resampling with slerp),
* :mod:`.humanoid_fk`: the humanoid's joint tree, our forward kinematics
  and pybullet's reference one, and the H36M-17 / face point definitions,
* :mod:`.mocap_cache`: converting all clips, writing and reading the
  ``.npz`` cache (``tools/dataset_converters/pybullet_mocap.py``),
* :mod:`mmmotionbert.utils.rotation`: the quaternion maths.

May import: those modules only (it defines nothing of its own).
"""
# quat_to_matrix: the former name of quaternion_to_rotmat_np (w, x, y, z)
from mmmotionbert.utils.rotation import (  # noqa: F401
    quaternion_to_rotmat_np as quat_to_matrix)
from .deepmimic import (_FRAME_LAYOUT, _FRAME_SIZE,  # noqa: F401
                        _PIP_HINT, DEEPMIMIC_SCALE, list_deepmimic_clips,
                        load_deepmimic_clip, pybullet_data_path,
                        resample_deepmimic_frames)
from .humanoid_fk import (_H36M_FROM_URDF, FACE_NAMES,  # noqa: F401
                          HEAD_LANDMARKS, THORAX_ABOVE_NECK_JOINT,
                          HumanoidModel, humanoid_forward_kinematics,
                          pybullet_forward_kinematics)
from .mocap_cache import (MOCAP_CACHE_VERSION,  # noqa: F401
                          convert_deepmimic_clips, default_mocap_cache,
                          load_mocap_cache, write_mocap_cache)

__all__ = [
    'FACE_NAMES', 'HEAD_LANDMARKS', 'DEEPMIMIC_SCALE',
    'THORAX_ABOVE_NECK_JOINT', 'MOCAP_CACHE_VERSION', 'default_mocap_cache',
    'pybullet_data_path', 'list_deepmimic_clips', 'load_deepmimic_clip',
    'resample_deepmimic_frames', 'HumanoidModel',
    'humanoid_forward_kinematics',
    'pybullet_forward_kinematics', 'convert_deepmimic_clips',
    'write_mocap_cache', 'load_mocap_cache'
]
