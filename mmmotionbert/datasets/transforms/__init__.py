# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Registered data transforms (action, pose, pretraining and mocap pipelines).

May import: its submodules (re-exports; importing them registers the
transforms); never ``apis``.
"""
from .action_transforms import *  # noqa: F401,F403
from .base import *  # noqa: F401,F403
from .clip_packing import *  # noqa: F401,F403
from .crop_scale_norm import *  # noqa: F401,F403
from .face_occlusion import *  # noqa: F401,F403
from .flip import *  # noqa: F401,F403
from .masking import *  # noqa: F401,F403
from .mesh_flip import *  # noqa: F401,F403
from .mocap_camera import *  # noqa: F401,F403
from .mocap_packing import *  # noqa: F401,F403
from .mocap_skeleton import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
