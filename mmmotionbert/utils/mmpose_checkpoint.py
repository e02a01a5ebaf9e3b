# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Key mapping between mmpose's MotionBERT port and the official layout.

mmpose 1.3 ships MotionBERT as ``PoseLifter`` = ``DSTFormer`` backbone +
``MotionRegressionHead``; its checkpoints (the MotionBERT weights of
mmpose's model zoo, or a model trained with mmpose's MotionBERT configs)
name the parameters differently from the official code, whose names
:class:`~mmmotionbert.models.MBDSTformer` keeps:

=================================  =====================================
mmpose                             official / ours (backbone)
=================================  =====================================
``backbone.spat_embed``            ``pos_embed``
``backbone.attn_regress.{i}.*``    ``ts_attn.{i}.*``
``backbone.blocks_*.mlp_*.0.*``    ``blocks_*.mlp_*.fc1.*``
``backbone.blocks_*.mlp_*.2.*``    ``blocks_*.mlp_*.fc2.*``
``backbone.<other>``               ``<other>`` (``temp_embed``,
                                   ``joints_embed``, attention, norms)
``head.pre_logits.fc.*``           ``pre_logits.fc.*``
``head.fc.*``                      ``head.*`` (the official 3D head)
=================================  =====================================

May import: the standard library and torch only.
"""
import re
from collections import OrderedDict
from typing import Dict, Mapping

import torch

__all__ = [
    'is_mmpose_motionbert', 'mmpose_to_official', 'official_to_mmpose',
    'official_backbone_to_mmpose'
]

StateDict = Dict[str, torch.Tensor]

#: official backbone key pattern -> mmpose backbone key template
_TO_MMPOSE = (
    (re.compile(r'^pos_embed$'), 'spat_embed'),
    (re.compile(r'^ts_attn\.(\d+)\.(weight|bias)$'), r'attn_regress.\1.\2'),
    (re.compile(r'^(blocks_(?:st|ts)\.\d+\.mlp_[st])\.fc1\.(weight|bias)$'),
     r'\1.0.\2'),
    (re.compile(r'^(blocks_(?:st|ts)\.\d+\.mlp_[st])\.fc2\.(weight|bias)$'),
     r'\1.2.\2'),
)
#: mmpose backbone key pattern -> official key template
_TO_OFFICIAL = (
    (re.compile(r'^spat_embed$'), 'pos_embed'),
    (re.compile(r'^attn_regress\.(\d+)\.(weight|bias)$'), r'ts_attn.\1.\2'),
    (re.compile(r'^(blocks_(?:st|ts)\.\d+\.mlp_[st])\.0\.(weight|bias)$'),
     r'\1.fc1.\2'),
    (re.compile(r'^(blocks_(?:st|ts)\.\d+\.mlp_[st])\.2\.(weight|bias)$'),
     r'\1.fc2.\2'),
)


def _rename(key: str, rules) -> str:
    for pattern, template in rules:
        if pattern.match(key):
            return pattern.sub(template, key)
    return key


def is_mmpose_motionbert(state_dict: Mapping[str, torch.Tensor]) -> bool:
    """Whether a state dict is in mmpose's MotionBERT layout.

    Recognised by mmpose's spatial embedding name, as a whole
    ``PoseLifter`` (``backbone.spat_embed``) or a bare ``DSTFormer``
    (``spat_embed``) state dict.
    """
    return 'backbone.spat_embed' in state_dict or (
        'spat_embed' in state_dict and 'temp_embed' in state_dict)


def mmpose_to_official(state_dict: Mapping[str, torch.Tensor]) -> StateDict:
    """An mmpose MotionBERT state dict in the official ``model_pos`` layout.

    Args:
        state_dict (Mapping): mmpose ``PoseLifter`` (``backbone.*``,
            ``head.pre_logits.*``, ``head.fc.*``) or bare ``DSTFormer``
            state dict.

    Returns:
        dict: Official DSTformer keys (``pos_embed``, ..., ``pre_logits.fc.*``
        and, when the head is there, ``head.*``).

    Raises:
        KeyError: A key that belongs to neither the backbone nor the
            regression head.
    """
    whole = 'backbone.spat_embed' in state_dict
    out = OrderedDict()
    for key, value in state_dict.items():
        if not whole:
            out[_rename(key, _TO_OFFICIAL)] = value
        elif key.startswith('backbone.'):
            out[_rename(key[len('backbone.'):], _TO_OFFICIAL)] = value
        elif key.startswith('head.pre_logits.fc.'):
            out['pre_logits.fc.' + key[len('head.pre_logits.fc.'):]] = value
        elif key.startswith('head.fc.'):
            out['head.' + key[len('head.fc.'):]] = value
        elif key.startswith('data_preprocessor.'):
            continue
        else:
            raise KeyError(f'unexpected key {key!r} in an mmpose MotionBERT '
                           'checkpoint (expected backbone.*, head.pre_logits.*'
                           ' or head.fc.*)')
    return out


def official_backbone_to_mmpose(
        state_dict: Mapping[str, torch.Tensor]) -> StateDict:
    """Official (= our) backbone keys renamed for mmpose's ``DSTFormer``.

    ``pre_logits.*`` and ``head.*`` are not part of mmpose's backbone and
    are left out (see :func:`official_to_mmpose` for a whole model).
    """
    return OrderedDict((_rename(k, _TO_MMPOSE), v)
                       for k, v in state_dict.items()
                       if not k.startswith(('pre_logits.', 'head.')))


def official_to_mmpose(state_dict: Mapping[str, torch.Tensor]) -> StateDict:
    """An official ``model_pos`` state dict as mmpose's ``PoseLifter``'s.

    Args:
        state_dict (Mapping): Official DSTformer keys, 3D head included.

    Returns:
        dict: ``backbone.*``, ``head.pre_logits.fc.*`` and ``head.fc.*``.
    """
    out = OrderedDict(
        ('backbone.' + k, v)
        for k, v in official_backbone_to_mmpose(state_dict).items())
    for key, value in state_dict.items():
        if key.startswith('pre_logits.fc.'):
            out['head.' + key] = value
        elif key.startswith('head.'):
            out['head.fc.' + key[len('head.'):]] = value
    return out
