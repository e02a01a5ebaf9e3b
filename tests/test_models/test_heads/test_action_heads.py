# Copyright (c) mmmotionbert contributors. All rights reserved.
"""MBActionHead and MBActionEmbedHead: pooling, scores, embeddings, loss."""
import pytest
import torch
from mmaction.structures import ActionDataSample

from mmmotionbert.models.heads.action_head import (MBActionEmbedHead,
                                                   MBActionHead,
                                                   pool_action_feature)


def test_pooling_is_the_official_one():
    feat = torch.randn(3, 2, 4, 5, 6)  # N, M, T, J, C
    pooled = pool_action_feature(feat, 5, 6)
    expected = feat.mean(2).reshape(3, 2, 30).mean(1)
    torch.testing.assert_close(pooled, expected)
    with pytest.raises(ValueError, match='built for 5 joints x 7'):
        pool_action_feature(feat, 5, 7)
    with pytest.raises(ValueError, match=r'\(N, M, T, J, C\)'):
        pool_action_feature(feat[0], 5, 6)


def test_action_head_scores_and_loss():
    torch.manual_seed(0)
    head = MBActionHead(
        num_classes=4, dim_rep=6, num_joints=5, hidden_dim=8).eval()
    feat = torch.randn(3, 2, 4, 5, 6)
    logits = head(feat)
    assert logits.shape == (3, 4)
    h = head.fc1(pool_action_feature(feat, 5, 6))
    torch.testing.assert_close(logits, head.fc2(torch.relu(head.bn(h))))
    head.train()
    samples = [ActionDataSample().set_gt_label(i % 4) for i in range(3)]
    losses = head.loss(feat, samples)
    ce = torch.nn.functional.cross_entropy(head(feat), torch.tensor([0, 1, 2]))
    assert losses['loss_cls'].item() == pytest.approx(ce.item(), rel=1e-4)
    with pytest.raises(ValueError, match='hidden_dim must be >= 1'):
        MBActionHead(hidden_dim=0)


def test_embed_head_gives_unit_embeddings_and_supcon_loss():
    torch.manual_seed(0)
    head = MBActionEmbedHead(dim_rep=6, num_joints=5, hidden_dim=8)
    feat = torch.randn(4, 1, 3, 5, 6)
    emb = head(feat)
    assert emb.shape == (4, 8)
    torch.testing.assert_close(emb.norm(dim=-1), torch.ones(4))
    samples = [ActionDataSample().set_gt_label(c) for c in (0, 0, 1, 1)]
    loss = head.loss(feat, samples)['loss_supcon']
    assert torch.isfinite(loss) and loss > 0
    # a class with a single sample and a single view has no positive
    lonely = [ActionDataSample().set_gt_label(c) for c in (0, 0, 1, 2)]
    with pytest.raises(ValueError, match='has no positive'):
        head.loss(feat, lonely)
    # two views per sample: prediction averages them, re-normalized
    out = head.predict(feat, samples[:2])
    views = emb.reshape(2, 2, 8)
    expected = torch.nn.functional.normalize(views.mean(1), dim=-1)
    for s, e in zip(out, expected):
        torch.testing.assert_close(s.pred_embedding, e)
