# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Motion-capture sources converted to H36M-17 3D clips.

May import: its submodules (re-exports); never ``apis``.
"""
from .deepmimic import list_deepmimic_clips  # noqa: F401
from .humanoid_fk import FACE_NAMES, HumanoidModel  # noqa: F401
from .mocap_cache import (convert_deepmimic_clips,  # noqa: F401
                          default_mocap_cache, load_mocap_cache,
                          write_mocap_cache)
