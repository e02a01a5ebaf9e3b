# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Action heads on the DSTformer representation (classification, embedding).

Both pool the representation (N, M, T, J, C) the official way: dropout,
mean over frames, flatten joints x channels, mean over persons; then

* :class:`MBActionHead`: fc1 -> BatchNorm1d -> ReLU -> fc2 (class scores),
* :class:`MBActionEmbedHead`: fc1 -> L2 normalization (one-shot embedding).

Parameter names (``fc1``, ``bn``, ``fc2``) are the official ones, so official
``module.head.*`` weights load 1:1. Unlike the official ``ActionNet``, which
never passes ``hidden_dim`` to the classification head (it is always 2048),
``hidden_dim`` is honoured here.

May import: torch, mmengine, mmaction2 (``BaseHead``, ``ActionDataSample``) and
:mod:`mmmotionbert.registry`; never ``apis`` or ``datasets``.
"""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmaction.models.heads.base import BaseHead
from mmaction.structures import ActionDataSample
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmmotionbert.registry import ACTION_MODELS

SampleList = List[ActionDataSample]

__all__ = ['MBActionHead', 'MBActionEmbedHead', 'pool_action_feature']


def pool_action_feature(feat: Tensor, num_joints: int, dim_rep: int) -> Tensor:
    """Official pooling: mean over frames, flatten J x C, mean over persons.

    Args:
        feat (Tensor): (N, M, T, J, C) representation.
        num_joints (int): Expected J.
        dim_rep (int): Expected C.

    Returns:
        Tensor: (N, J * C) pooled feature.
    """
    if feat.dim() != 5:
        raise ValueError(f'action heads expect features of shape (N, M, T, '
                         f'J, C), got {tuple(feat.shape)}')
    n, m, _, j, c = feat.shape
    if (j, c) != (num_joints, dim_rep):
        raise ValueError(f'action head built for {num_joints} joints x '
                         f'{dim_rep} channels, got features '
                         f'{tuple(feat.shape)}')
    return feat.mean(dim=2).reshape(n, m, j * c).mean(dim=1)


@ACTION_MODELS.register_module()
class MBActionHead(BaseHead):
    """MotionBERT's classification head (``ActionHeadClassification``).

    Training computes ``loss_cls`` (cross entropy by default) plus top-k
    training accuracy; prediction gives ``pred_score`` / ``pred_label``
    (scores of several clips of a sample averaged as ``average_clips``
    says), as every mmaction2 head.

    Args:
        num_classes (int): Number of classes. Defaults to 60.
        dim_rep (int): Representation channels. Defaults to 512.
        num_joints (int): Joints. Defaults to 17.
        hidden_dim (int): Width of fc1 / BatchNorm. Defaults to 2048.
        dropout_ratio (float): Dropout on the representation before
            pooling (official 0.5 for NTU). Defaults to 0.
        loss_cls (dict): Loss config. Defaults to
            ``dict(type='CrossEntropyLoss')``.
        topk (int | tuple[int]): Training accuracies to log. Defaults to
            (1, 5).
        average_clips (str, optional): How ``pred_score`` is made from the
            clip logits: ``'prob'`` (mean softmax), ``'score'`` (mean logits)
            or None. Defaults to ``'prob'``, as mmaction2's ``GCNHead``.
        init_cfg (dict, optional): mmengine init config; the default (None)
            keeps PyTorch's initialization, as the official head.
        **kwargs: Other ``BaseHead`` arguments (``label_smooth_eps``...).
    """

    def __init__(self,
                 num_classes: int = 60,
                 dim_rep: int = 512,
                 num_joints: int = 17,
                 hidden_dim: int = 2048,
                 dropout_ratio: float = 0.,
                 loss_cls: Dict = dict(type='CrossEntropyLoss'),
                 topk: Union[int, Tuple[int]] = (1, 5),
                 average_clips: Optional[str] = 'prob',
                 init_cfg: Optional[Dict] = None,
                 **kwargs) -> None:
        for name, value in (('num_classes', num_classes), ('dim_rep', dim_rep),
                            ('num_joints', num_joints), ('hidden_dim',
                                                         hidden_dim)):
            if int(value) < 1:
                raise ValueError(f'MBActionHead: {name} must be >= 1, got '
                                 f'{value}')
        super().__init__(
            num_classes,
            dim_rep * num_joints,
            loss_cls=loss_cls,
            topk=topk,
            average_clips=average_clips,
            init_cfg=init_cfg,
            **kwargs)
        self.dim_rep = dim_rep
        self.num_joints = num_joints
        self.hidden_dim = hidden_dim
        self.dropout_ratio = dropout_ratio
        self.dropout = nn.Dropout(p=dropout_ratio)
        self.fc1 = nn.Linear(dim_rep * num_joints, hidden_dim)
        self.bn = nn.BatchNorm1d(hidden_dim, momentum=0.1)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Linear(hidden_dim, num_classes)

    def forward(self, feat: Tensor, **kwargs) -> Tensor:
        """Class scores.

        Args:
            feat (Tensor): (N, M, T, J, dim_rep) representation.

        Returns:
            Tensor: (N, num_classes) logits.
        """
        feat = pool_action_feature(
            self.dropout(feat), self.num_joints, self.dim_rep)
        return self.fc2(self.relu(self.bn(self.fc1(feat))))


@ACTION_MODELS.register_module()
class MBActionEmbedHead(BaseModule):
    """MotionBERT's one-shot embedding head (official ``ActionHeadEmbed``).

    Training uses the supervised contrastive loss over the batch: samples
    sharing a label (and the views of one sample, when the input holds
    several clips per sample) are positives. Prediction stores the unit
    embedding (views averaged and re-normalized) as ``pred_embedding``.

    Args:
        dim_rep (int): Representation channels. Defaults to 512.
        num_joints (int): Joints. Defaults to 17.
        hidden_dim (int): Embedding size. Defaults to 2048.
        dropout_ratio (float): Dropout on the representation (official 0.1).
            Defaults to 0.
        loss (dict): Loss config. Defaults to
            ``dict(type='MBSupConLoss', temperature=0.1)`` (official).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 dim_rep: int = 512,
                 num_joints: int = 17,
                 hidden_dim: int = 2048,
                 dropout_ratio: float = 0.,
                 loss: Dict = dict(type='MBSupConLoss', temperature=0.1),
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value in (('dim_rep', dim_rep), ('num_joints', num_joints),
                            ('hidden_dim', hidden_dim)):
            if int(value) < 1:
                raise ValueError(f'MBActionEmbedHead: {name} must be >= 1, '
                                 f'got {value}')
        self.dim_rep = dim_rep
        self.num_joints = num_joints
        self.hidden_dim = hidden_dim
        self.dropout_ratio = dropout_ratio
        self.dropout = nn.Dropout(p=dropout_ratio)
        self.fc1 = nn.Linear(dim_rep * num_joints, hidden_dim)
        self.loss_module = ACTION_MODELS.build(loss)

    def forward(self, feat: Tensor, **kwargs) -> Tensor:
        """Unit-norm embeddings.

        Args:
            feat (Tensor): (N, M, T, J, dim_rep) representation.

        Returns:
            Tensor: (N, hidden_dim) L2-normalized embeddings.
        """
        feat = pool_action_feature(
            self.dropout(feat), self.num_joints, self.dim_rep)
        return F.normalize(self.fc1(feat), dim=-1)

    @staticmethod
    def _views(embeds: Tensor, data_samples: SampleList) -> Tensor:
        """Reshape (B * V, D) embeddings to (B, V, D)."""
        batch = len(data_samples)
        if batch == 0 or embeds.shape[0] % batch:
            raise ValueError(f'{embeds.shape[0]} embeddings do not split '
                             f'into views of {batch} samples')
        return embeds.reshape(batch, embeds.shape[0] // batch, -1)

    def loss(self, feat: Tensor, data_samples: SampleList,
             **kwargs) -> Dict[str, Tensor]:
        """Supervised contrastive loss of a batch.

        Args:
            feat (Tensor): (B * V, M, T, J, C) representation, V views
                (clips) per sample, sample-major.
            data_samples (list[ActionDataSample]): With ``gt_label``.

        Returns:
            dict[str, Tensor]: ``loss_supcon``.
        """
        embeds = self._views(self(feat), data_samples)
        labels = torch.cat([s.gt_label.reshape(-1)[:1]
                            for s in data_samples]).to(embeds.device)
        if embeds.shape[1] == 1:
            counts = torch.bincount(labels - labels.min())
            if (counts[labels - labels.min()] < 2).any():
                raise ValueError(
                    'MBActionEmbedHead: a sample in the batch has no '
                    'positive (no other sample of its class and a single '
                    'view), which makes the contrastive loss NaN; sample '
                    'batches with MBClassBalancedSampler (num_per_class >= '
                    '2, batch size a multiple of it) or give several views')
        return dict(loss_supcon=self.loss_module(embeds, labels))

    def predict(self, feat: Tensor, data_samples: SampleList,
                **kwargs) -> SampleList:
        """Store each sample's embedding as ``pred_embedding``.

        Args:
            feat (Tensor): (B * V, M, T, J, C) representation.
            data_samples (list[ActionDataSample]): The samples.

        Returns:
            list[ActionDataSample]: ``data_samples`` with ``pred_embedding``
            (hidden_dim, ).
        """
        embeds = self._views(self(feat), data_samples)
        embeds = F.normalize(embeds.mean(dim=1), dim=-1)
        for sample, embed in zip(data_samples, embeds):
            sample.set_field(embed.detach(), 'pred_embedding')
        return data_samples
