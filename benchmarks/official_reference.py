# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The official MotionBERT ``DSTformer`` from a user's clone, with our weights.

``--official-repo DIR`` of the benchmarks points at a clone of
https://github.com/Walter0807/MotionBERT (never vendored or downloaded by
us). The class is built as the official ``lib/utils/learning.py`` builds it
(``norm_layer=partial(nn.LayerNorm, eps=1e-6)``) and loaded with our
backbone's weights: our backbone keys are the official ones, only the 3D
head is ours and left out (the backbone benchmarks time the representation,
``return_rep=True``).
"""
import os.path as osp
import sys
from functools import partial
from typing import Dict

from torch import nn

OFFICIAL_FILE = osp.join('lib', 'model', 'DSTformer.py')


def build_official_twin(ours: nn.Module, cfg: Dict, seqlen: int,
                        repo: str) -> nn.Module:
    """The official DSTformer with ``ours``' weights, returning the
    representation.

    Args:
        ours (nn.Module): Our ``MBDSTformer``.
        cfg (dict): Its architecture (``dim_feat``, ``dim_rep``, ``depth``,
            ``num_heads``, ``mlp_ratio``).
        seqlen (int): ``maxlen``.
        repo (str): Root of the official repository clone.

    Returns:
        nn.Module: Callable on (B, T, 17, 3), giving (B, T, 17, dim_rep).

    Raises:
        FileNotFoundError: ``repo`` has no ``lib/model/DSTformer.py``.
        ValueError: Our weights do not fit the official class.
    """
    repo = osp.abspath(osp.expanduser(repo))
    if not osp.isfile(osp.join(repo, OFFICIAL_FILE)):
        raise FileNotFoundError(
            f'--official-repo {repo}: no {OFFICIAL_FILE}; give the root of '
            'a clone of https://github.com/Walter0807/MotionBERT')
    if repo not in sys.path:
        sys.path.insert(0, repo)
    from lib.model.DSTformer import DSTformer
    official = DSTformer(
        dim_in=3,
        dim_out=3,
        num_joints=17,
        maxlen=seqlen,
        norm_layer=partial(nn.LayerNorm, eps=1e-6),
        **cfg)
    missing, unexpected = official.load_state_dict(
        ours.state_dict(), strict=False)
    if unexpected or any(not k.startswith('head.') for k in missing):
        raise ValueError(f'our weights do not fit the official DSTformer: '
                         f'missing {missing[:5]}, unexpected '
                         f'{unexpected[:5]}')

    class _Rep(nn.Module):

        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, x):
            return self.model(x, return_rep=True)

    return _Rep(official).eval()
