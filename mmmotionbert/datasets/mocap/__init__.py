# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Motion-capture sources converted to H36M-17 3D clips."""
from .pybullet_fk import (FACE_NAMES, HumanoidModel,  # noqa: F401
                          convert_deepmimic_clips, default_mocap_cache,
                          list_deepmimic_clips, load_mocap_cache,
                          write_mocap_cache)
