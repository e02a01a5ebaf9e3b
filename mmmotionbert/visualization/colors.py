# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Colours of the rendered persons: one base colour per person
(:data:`PERSON_COLORS`), lighter for left limbs and darker for right limbs
(``_bone_color``), and a light person-tinted tone for meshes
(``_mesh_color``).

May import: numpy and :mod:`mmmotionbert.utils.keypoints` (the H36M left and
right joints).
"""
from typing import Tuple

import numpy as np

from mmmotionbert.utils.keypoints import H36M_LEFT, H36M_RIGHT

__all__ = ['PERSON_COLORS']

#: Per-person base colours (RGB, 0-255).
PERSON_COLORS = ((230, 80, 60), (60, 130, 230), (60, 180, 90),
                 (220, 170, 40), (160, 80, 200), (40, 190, 190),
                 (230, 120, 180), (120, 120, 120))


def _mesh_color(person: int) -> np.ndarray:
    """Light, person-tinted mesh colour (RGB floats 0-255)."""
    base = np.array(PERSON_COLORS[person % len(PERSON_COLORS)], float)
    return 0.45 * base + 0.55 * np.array([215.0, 215.0, 225.0])


def _bone_color(person: int, child: int) -> Tuple[int, int, int]:
    """Person colour, lighter for left limbs and darker for right limbs."""
    base = np.array(PERSON_COLORS[person % len(PERSON_COLORS)], float)
    if child in H36M_LEFT:
        base = base + (255 - base) * 0.45
    elif child in H36M_RIGHT:
        base = base * 0.65
    return tuple(int(c) for c in base)
