# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Action heads and recognizer: official parity, losses, optimizer, errors."""
import pytest
import torch
import torch.nn.functional as F
from mmaction.structures import ActionDataSample
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from mmmotionbert.apis import load_official_model
from mmmotionbert.models.losses.supcon import supcon_loss
from mmmotionbert.registry import ACTION_MODELS
from mmmotionbert.utils.official import convert_official_checkpoint
from tests.conftest import official_fixture

TINY = dict(
    type='MBDSTformer',
    dim_feat=16,
    dim_rep=16,
    depth=1,
    num_heads=2,
    mlp_ratio=2,
    maxlen=16)


def _build(head, backbone=TINY):
    return ACTION_MODELS.build(
        dict(
            type='MBRecognizer',
            backbone=backbone,
            head=head,
            _scope_='mmaction'))


def _samples(labels):
    return [ActionDataSample().set_gt_label(int(lbl)) for lbl in labels]


@pytest.fixture(scope='module')
def official_models(action_fixture):
    return {
        version:
        load_official_model(fx['checkpoint'], task='action', num_heads=4)
        for version, fx in (('class', action_fixture),
                            ('embed', action_fixture['embed']))
    }


@pytest.mark.parametrize('version', ['class', 'embed'])
def test_official_action_net_parity(action_fixture, official_models, version):
    fx = action_fixture if version == 'class' else action_fixture['embed']
    model = official_models[version]
    assert type(model.head).__name__ == dict(**{
        'class': 'MBActionHead',
        'embed': 'MBActionEmbedHead'
    })[version]
    assert model.head.hidden_dim == 64
    for inputs in ('full', 'short'):
        expected = fx['logits' if version == 'class' else 'outputs'][inputs]
        with torch.no_grad():
            out = model(fx['inputs'][inputs])
        assert out.shape == expected.shape
        torch.testing.assert_close(out, expected, atol=1e-5, rtol=0)
    if version == 'embed':
        torch.testing.assert_close(out.norm(dim=-1), torch.ones(len(out)))


def test_official_keys_map_one_to_one(action_fixture, official_models):
    official = action_fixture['checkpoint']['model']
    ours = official_models['class'].state_dict()
    expected = {
        k[len('module.'):]
        for k in official if not k.startswith('module.backbone.head.')
    }
    assert set(ours) == expected
    for name in ('head.fc1.weight', 'head.bn.running_var', 'head.fc2.bias'):
        torch.testing.assert_close(ours[name], official['module.' + name])


def test_version_mismatch_and_hidden_width(action_fixture):
    with pytest.raises(ValueError, match="'class' head"):
        load_official_model(
            action_fixture['checkpoint'],
            task='action',
            num_heads=4,
            task_kwargs=dict(version='embed'))
    # an official ActionNet checkpoint has a 2048-wide head whatever its
    # config said; widths are read off the weights
    head = _build(
        dict(type='MBActionHead', num_classes=7, dim_rep=16,
             hidden_dim=24)).head
    assert (head.fc1.out_features, head.bn.num_features,
            head.fc2.in_features) == (24, 24, 24)


def test_converted_checkpoint_loads_into_a_config_model(action_fixture):
    converted = convert_official_checkpoint(action_fixture['checkpoint'])
    assert converted['meta']['epoch'] == 300
    cfg_backbone = dict(
        TINY, dim_feat=64, dim_rep=128, depth=2, num_heads=4, maxlen=27)
    model = _build(
        dict(
            type='MBActionHead',
            num_classes=60,
            dim_rep=128,
            hidden_dim=64,
            dropout_ratio=0.5), cfg_backbone)
    model.load_state_dict(converted['state_dict'], strict=True)
    model.eval()
    with torch.no_grad():
        out = model(action_fixture['inputs']['full'])
    torch.testing.assert_close(
        out, action_fixture['logits']['full'], atol=1e-5, rtol=0)


def test_supcon_loss_module_matches_official_fixture():
    case = torch.load(
        official_fixture('losses.pt'),
        weights_only=True)['SupConLoss']['default']
    head = _build(dict(type='MBActionEmbedHead', dim_rep=16,
                       hidden_dim=8)).head
    assert head.loss_module.temperature == 0.1
    head.loss_module.base_temperature = case['init_kwargs']['base_temperature']
    loss = head.loss_module(**case['inputs'])
    torch.testing.assert_close(loss, case['output'], atol=1e-5, rtol=1e-5)


def test_class_recognizer_loss_and_predict():
    torch.manual_seed(0)
    model = _build(
        dict(
            type='MBActionHead',
            num_classes=4,
            dim_rep=16,
            hidden_dim=8,
            topk=(1, )))
    x = torch.randn(3, 2, 10, 17, 3)
    labels = torch.tensor([0, 3, 1])
    model.train()
    torch.manual_seed(1)
    losses = model(x, _samples(labels), mode='loss')
    torch.manual_seed(1)
    logits = model(x)
    assert logits.shape == (3, 4)
    expected = F.cross_entropy(logits, labels)
    torch.testing.assert_close(losses['loss_cls'], expected)
    assert 0 <= losses['top1_acc'] <= 1
    model.eval()
    with torch.no_grad():
        preds = model(x, _samples(labels), mode='predict')
        logits = model(x)
    probs = torch.stack([p.pred_score for p in preds])
    torch.testing.assert_close(probs, logits.softmax(-1))
    assert [p.pred_label.item() for p in preds] == logits.argmax(-1).tolist()
    # several clips per sample: scores averaged per sample
    with torch.no_grad():
        multi = model(torch.stack([x, x], 1), _samples(labels), mode='predict')
    torch.testing.assert_close(multi[1].pred_score, probs[1])


def test_embed_recognizer_supcon_loss_and_embeddings():
    torch.manual_seed(0)
    model = _build(dict(type='MBActionEmbedHead', dim_rep=16, hidden_dim=8))
    model.eval()
    x = torch.randn(4, 2, 10, 17, 3)
    labels = torch.tensor([5, 5, 2, 2])
    with torch.no_grad():
        losses = model(x, _samples(labels), mode='loss')
        embeds = model(x)
    expected = supcon_loss(embeds[:, None], labels, temperature=0.1)
    torch.testing.assert_close(losses['loss_supcon'], expected)
    assert losses['loss_supcon'].item() > 0
    with torch.no_grad():
        preds = model(x, _samples(labels), mode='predict')
    torch.testing.assert_close(preds[2].pred_embedding, embeds[2])
    # two views per sample: the other view is a positive
    with torch.no_grad():
        views = torch.stack([x, x.flip(2)], 1)
        two = model(views, _samples([0, 1, 2, 3]), mode='loss')
        feats = model(views).reshape(4, 2, -1)
    torch.testing.assert_close(
        two['loss_supcon'],
        supcon_loss(feats, torch.arange(4), temperature=0.1))
    with pytest.raises(ValueError, match='no positive'):
        model(x, _samples([0, 1, 2, 2]), mode='loss')


def test_backbone_and_head_learning_rates():
    model = _build(
        dict(type='MBActionHead', num_classes=4, dim_rep=16, hidden_dim=8))
    with DefaultScope.overwrite_default_scope('mmaction'):
        wrapper = build_optim_wrapper(
            model,
            dict(
                optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01),
                paramwise_cfg=dict(custom_keys={'backbone': dict(
                    lr_mult=0.1)})))
    lrs = {}
    names = {id(p): n for n, p in model.named_parameters()}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            part = names[id(p)].split('.')[0]
            lrs.setdefault(part, set()).add(round(group['lr'], 12))
    assert lrs == {'backbone': {1e-4}, 'head': {1e-3}}
    assert all(g['weight_decay'] == 0.01
               for g in wrapper.optimizer.param_groups)


@pytest.mark.parametrize('shape, match', [
    ((2, 10, 17, 3), r'\(N, M, T, J, C\)'),
    ((2, 0, 10, 17, 3), 'empty input'),
    ((2, 2, 10, 18, 3), 'built for 17 joints'),
    ((2, 2, 20, 17, 3), 'maxlen=16'),
])
def test_bad_recognizer_inputs(shape, match):
    model = _build(
        dict(type='MBActionHead', num_classes=4, dim_rep=16, hidden_dim=8))
    with pytest.raises(ValueError, match=match):
        model(torch.zeros(shape))


def test_bad_head_settings():
    with pytest.raises(ValueError, match='hidden_dim must be >= 1'):
        _build(
            dict(type='MBActionHead', num_classes=4, dim_rep=16, hidden_dim=0))
    model = _build(
        dict(type='MBActionHead', num_classes=4, dim_rep=16, hidden_dim=8))
    with pytest.raises(ValueError, match='one ActionDataSample per'):
        model(torch.zeros(2, 2, 4, 17, 3), _samples([0]), mode='loss')
    with pytest.raises(ValueError, match='mode must be'):
        model(torch.zeros(2, 2, 4, 17, 3), mode='bogus')


def test_init_action_model_takes_official_checkpoints(action_fixture,
                                                      tmp_path):
    from mmengine.config import Config

    from mmmotionbert.apis import init_action_model
    from tests.conftest import REPO_ROOT
    ckpt = tmp_path / 'best_epoch.bin'
    torch.save(action_fixture['checkpoint'], ckpt)
    cfg = Config.fromfile(
        str(REPO_ROOT /
            'configs/action/mb-tiny_dstformer-16frm_synthetic-ntu.py'))
    cfg.model.backbone.update(
        dim_feat=64, dim_rep=128, depth=2, num_heads=4, maxlen=27)
    cfg.model.head.update(num_classes=60, dim_rep=128, hidden_dim=64)
    model = init_action_model(cfg, str(ckpt))
    assert not model.training
    with torch.no_grad():
        out = model(action_fixture['inputs']['short'])
    torch.testing.assert_close(
        out, action_fixture['logits']['short'], atol=1e-5, rtol=0)
