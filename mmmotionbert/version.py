# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The package version.

May import: nothing.
"""
__version__ = '0.1.0'
