# Copyright (c) mmmotionbert contributors. All rights reserved.
from .action_transforms import *  # noqa: F401,F403
from .masking import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
