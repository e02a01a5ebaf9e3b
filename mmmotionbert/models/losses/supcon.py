# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Supervised contrastive loss (Khosla et al., 2020) used by MotionBERT's
one-shot action recognition training.

Numerically equivalent to the ``SupConLoss`` MotionBERT ships in
``lib/model/loss_supcon.py``. With ``labels`` and ``mask`` both ``None`` it
reduces to the unsupervised SimCLR loss.

May import: torch and :mod:`mmmotionbert.registry`; never ``apis`` or
``datasets``.
"""
from typing import Optional

import torch
from torch import Tensor, nn

from mmmotionbert.registry import register_shared_model

__all__ = ['supcon_loss', 'MBSupConLoss']

_CONTRAST_MODES = ('all', 'one')


def _check_contrast_mode(contrast_mode: str) -> None:
    """Raise for an unknown ``contrast_mode``.

    Args:
        contrast_mode (str): ``'all'`` or ``'one'``.
    """
    if contrast_mode not in _CONTRAST_MODES:
        raise ValueError(f'`contrast_mode` must be one of {_CONTRAST_MODES}, '
                         f'got {contrast_mode!r}')


def _positive_mask(features: Tensor, labels: Optional[Tensor],
                   mask: Optional[Tensor]) -> Tensor:
    """Build the (B, B) sample-level positive mask.

    Args:
        features (Tensor): (B, V, D) features.
        labels (Tensor, optional): (B, ) class labels.
        mask (Tensor, optional): (B, B) mask, ``mask[i, j] = 1`` if sample
            ``j`` is a positive of sample ``i``.

    Returns:
        Tensor: (B, B) float mask in ``features``' dtype.
    """
    batch_size = features.shape[0]
    if labels is not None and mask is not None:
        raise ValueError('Pass at most one of `labels` and `mask`, not both')
    if labels is not None:
        labels = labels.contiguous().view(-1, 1)
        if labels.shape[0] != batch_size:
            raise ValueError(f'`labels` must hold one label per sample '
                             f'({batch_size}), got {labels.shape[0]}')
        mask = torch.eq(labels, labels.T)
    elif mask is not None:
        if tuple(mask.shape) != (batch_size, batch_size):
            raise ValueError(f'`mask` must have shape ({batch_size}, '
                             f'{batch_size}), got {tuple(mask.shape)}')
    else:
        mask = torch.eye(batch_size, device=features.device)
    return mask.to(device=features.device, dtype=features.dtype)


def supcon_loss(features: Tensor,
                labels: Optional[Tensor] = None,
                mask: Optional[Tensor] = None,
                temperature: float = 0.07,
                contrast_mode: str = 'all',
                base_temperature: float = 0.07) -> Tensor:
    """Supervised contrastive loss.

    Every view of every sample is contrasted against all other views in the
    batch (``'all'``), or only the first view of each sample acts as anchor
    (``'one'``). Positives are the other views of the same sample plus all
    views of samples marked positive by ``labels`` / ``mask``.

    As in the official code, an anchor without any positive (possible only
    with a single view and a sample alone in its class) yields NaN.

    Args:
        features (Tensor): (B, V, ...) features, V views per sample; trailing
            dimensions are flattened. Usually L2-normalized.
        labels (Tensor, optional): (B, ) class labels. Defaults to None.
        mask (Tensor, optional): (B, B) positive mask, ``mask[i, j] = 1`` if
            sample ``j`` is a positive of sample ``i`` (may be asymmetric).
            Defaults to None (only the sample's own views are positives).
        temperature (float): Softmax temperature. Defaults to 0.07.
        contrast_mode (str): ``'all'`` or ``'one'``. Defaults to ``'all'``.
        base_temperature (float): Reference temperature; the loss is scaled
            by ``temperature / base_temperature``. Defaults to 0.07.

    Returns:
        Tensor: 0-dim loss.
    """
    _check_contrast_mode(contrast_mode)
    if features.dim() < 3:
        raise ValueError(f'`features` must have shape (B, V, ...) with at '
                         f'least 3 dimensions, got {tuple(features.shape)}')
    features = features.reshape(features.shape[0], features.shape[1], -1)
    batch_size, n_views = features.shape[:2]
    pos_mask = _positive_mask(features, labels, mask)

    # (V * B, D): all views of sample 0..B-1 for view 0, then view 1, ...
    contrast = torch.cat(torch.unbind(features, dim=1), dim=0)
    if contrast_mode == 'one':
        anchor, n_anchor_views = features[:, 0], 1
    else:
        anchor, n_anchor_views = contrast, n_views

    logits = torch.div(torch.matmul(anchor, contrast.T), temperature)
    logits = logits - logits.max(dim=1, keepdim=True)[0].detach()

    pos_mask = pos_mask.repeat(n_anchor_views, n_views)
    n_anchors = batch_size * n_anchor_views
    not_self = torch.ones_like(pos_mask)
    not_self[torch.arange(n_anchors), torch.arange(n_anchors)] = 0
    pos_mask = pos_mask * not_self

    exp_logits = torch.exp(logits) * not_self
    log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))
    mean_log_prob_pos = (pos_mask * log_prob).sum(1) / pos_mask.sum(1)
    return (-(temperature / base_temperature) * mean_log_prob_pos).mean()


@register_shared_model
class MBSupConLoss(nn.Module):
    """Supervised contrastive loss module (see :func:`supcon_loss`).

    Args:
        temperature (float): Softmax temperature. Defaults to 0.07
            (MotionBERT's one-shot config uses 0.1).
        contrast_mode (str): ``'all'`` or ``'one'``. Defaults to ``'all'``.
        base_temperature (float): Reference temperature. Defaults to 0.07.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 temperature: float = 0.07,
                 contrast_mode: str = 'all',
                 base_temperature: float = 0.07,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        _check_contrast_mode(contrast_mode)
        self.temperature = temperature
        self.contrast_mode = contrast_mode
        self.base_temperature = base_temperature
        self.loss_weight = loss_weight

    def forward(self,
                features: Tensor,
                labels: Optional[Tensor] = None,
                mask: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            features (Tensor): (B, V, ...) features.
            labels (Tensor, optional): (B, ) class labels.
            mask (Tensor, optional): (B, B) positive mask.

        Returns:
            Tensor: 0-dim weighted loss.
        """
        loss = supcon_loss(
            features,
            labels=labels,
            mask=mask,
            temperature=self.temperature,
            contrast_mode=self.contrast_mode,
            base_temperature=self.base_temperature)
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        """Show the settings in ``repr``."""
        return (f'temperature={self.temperature}, '
                f'contrast_mode={self.contrast_mode!r}, '
                f'base_temperature={self.base_temperature}, '
                f'loss_weight={self.loss_weight}')
