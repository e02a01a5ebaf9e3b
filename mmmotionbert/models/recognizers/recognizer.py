# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Skeleton action recognizer: DSTformer per person + an action head.

May import: torch, mmengine, mmaction2 (``ActionDataPreprocessor``,
``ActionDataSample``) and :mod:`mmmotionbert.registry`; never ``apis`` or
``datasets``.
"""
from typing import Dict, List, Optional, Union

import torch
from mmaction.models import ActionDataPreprocessor
from mmaction.structures import ActionDataSample
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope
from torch import Tensor

from mmmotionbert.registry import ACTION_MODELS

SampleList = List[ActionDataSample]


@ACTION_MODELS.register_module()
class MBRecognizer(BaseModel):
    """MotionBERT's action network (official ``ActionNet``) for mmaction2.

    Every person's skeleton sequence goes through the backbone separately
    (``get_representation``); the head pools over frames and persons. The
    head is a :class:`MBActionHead` (classification: cross entropy, scores)
    or a :class:`MBActionEmbedHead` (one-shot: supervised contrastive loss,
    embeddings). Module names (``backbone``, ``head``) are the official ones,
    so official checkpoints map 1:1 (:mod:`mmmotionbert.utils.official`).

    Inputs are (N, M, T, J, C) -- samples, persons, frames, joints,
    (x, y, score) -- or (N, V, M, T, J, C) with V clips / views per sample
    (``num_clips`` in mmaction2 terms); ``mode='tensor'`` returns the head
    output per clip, (N * V, K).

    Args:
        backbone (dict): Backbone config, e.g. ``dict(type='MBDSTformer')``.
        head (dict): ``MBActionHead`` or ``MBActionEmbedHead`` config.
        data_preprocessor (dict, optional): Defaults to mmaction2's
            ``ActionDataPreprocessor`` (stacks the batch).
        train_cfg (dict, optional): Unused, for mmaction2 compatibility.
        test_cfg (dict, optional): Unused, for mmaction2 compatibility.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 backbone: Dict,
                 head: Dict,
                 data_preprocessor: Optional[Dict] = None,
                 train_cfg: Optional[Dict] = None,
                 test_cfg: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = ActionDataPreprocessor()
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        with DefaultScope.overwrite_default_scope('mmaction'):
            self.backbone = ACTION_MODELS.build(backbone)
            self.head = ACTION_MODELS.build(head)
        self.train_cfg = train_cfg
        self.test_cfg = test_cfg

    def _check_inputs(self, inputs: Tensor) -> Tensor:
        """Validate and flatten inputs to (N * V, M, T, J, C)."""
        if not isinstance(inputs, torch.Tensor):
            raise TypeError(f'MBRecognizer expects a tensor of shape (N, M, '
                            f'T, J, C), got {type(inputs).__name__}')
        if inputs.dim() == 6:
            inputs = inputs.reshape((-1, ) + inputs.shape[2:])
        if inputs.dim() != 5:
            raise ValueError(
                f'MBRecognizer expects inputs of shape (N, M, T, J, C) '
                f'(samples, persons, frames, joints, channels) or (N, V, M, '
                f'T, J, C), got {tuple(inputs.shape)}')
        if 0 in inputs.shape:
            raise ValueError(f'MBRecognizer got an empty input of shape '
                             f'{tuple(inputs.shape)} (no samples, persons, '
                             f'frames or joints)')
        return inputs

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """Per-person representation.

        Args:
            inputs (Tensor): (N, M, T, J, C) or (N, V, M, T, J, C).

        Returns:
            Tensor: (N * V, M, T, J, dim_rep).
        """
        inputs = self._check_inputs(inputs)
        n, m, t, j, c = inputs.shape
        rep = self.backbone(inputs.reshape(n * m, t, j, c))
        return rep.reshape(n, m, t, j, -1)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[SampleList] = None,
                mode: str = 'tensor') -> Union[Tensor, Dict, SampleList]:
        """Dispatch on ``mode`` as every mmengine model does.

        Args:
            inputs (Tensor): (N, M, T, J, C) or (N, V, M, T, J, C).
            data_samples (list[ActionDataSample], optional): Labels / meta.
            mode (str): ``'tensor'`` (head output, e.g. the official
                ``ActionNet`` logits), ``'loss'`` or ``'predict'``.

        Returns:
            Tensor | dict | list[ActionDataSample]: Head output, losses or
            predictions.
        """
        if mode == 'tensor':
            return self.head(self.extract_feat(inputs))
        if mode == 'loss':
            self._check_samples(inputs, data_samples, mode)
            return self.head.loss(self.extract_feat(inputs), data_samples)
        if mode == 'predict':
            self._check_samples(inputs, data_samples, mode)
            return self.head.predict(self.extract_feat(inputs), data_samples)
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', got "
                         f'{mode!r}')

    @staticmethod
    def _check_samples(inputs: Tensor, data_samples: Optional[SampleList],
                       mode: str) -> None:
        """Require one data sample per input sample."""
        if data_samples is None or len(data_samples) != len(inputs):
            got = None if data_samples is None else len(data_samples)
            raise ValueError(f"mode='{mode}' needs one ActionDataSample per "
                             f'input sample ({len(inputs)}), got {got}')
