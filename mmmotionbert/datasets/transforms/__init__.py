# Copyright (c) mmmotionbert contributors. All rights reserved.
from .masking import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
