# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The demo tests share the inference tests' generated inputs and lifter."""
from ..test_apis.conftest import (
    _one_torch_thread,
    coco_motion,  # noqa: F401
    tiny_lifter,
    to_layout)
