# Copyright (c) mmmotionbert contributors. All rights reserved.
"""3D pose through mmpose's own data route with our backbone.

The official H36M pickle of the parity fixtures is converted to mmpose's
``_original`` npz layout; mmpose's ``Human36mDataset`` + ``MotionBERTLabel``
must then produce the official reader's normalized clips, an official
checkpoint (mapped to ``PoseLifter`` + ``MotionRegressionHead``) the
official outputs, and ``tools/test.py`` the metrics of the official model
evaluated on the official clips.
"""
import importlib.util
import json
import pickle
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from ..conftest import run_tool
from ..conftest import FIXTURES as PARITY_FIXTURES

FIXTURES = PARITY_FIXTURES
H36M_EVAL = FIXTURES / 'h36m_eval'
PKL = H36M_EVAL / 'h36m_sh_conf_cam_source_final_synthetic.pkl'
REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = ('configs/pose3d/'
          'mb_dstformer-243frm_1xb32-120e_h36m-mmpose-original.py')
CLIP = 27
# the fixture checkpoint's architecture, in the mmpose-head layout
BACKBONE = dict(
    dim_feat=64, dim_rep=0, depth=2, num_heads=4, mlp_ratio=2, maxlen=CLIP)
HEAD = dict(in_channels=64, embedding_size=128)
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f'official parity fixture {path} is not available')
    return path


@pytest.fixture(scope='module')
def data_root(tmp_path_factory) -> Path:
    """The fixture pickle converted to mmpose's layout."""
    from mmmotionbert.datasets.converters import convert_h36m_pkl_to_mmpose
    root = tmp_path_factory.mktemp('h36m_mmpose')
    convert_h36m_pkl_to_mmpose(_need(PKL), root)
    return root


@pytest.fixture(scope='module')
def official_clips() -> dict:
    return dict(np.load(_need(H36M_EVAL / 'official_clips.npz')))


def _options(root: Path) -> dict:
    """Config overrides: 27-frame clips on ``root``, tiny model, 1 process."""
    opts = {}
    for loader in LOADERS:
        opts.update({
            f'{loader}.dataset.data_root': str(root),
            f'{loader}.dataset.multiple_target': CLIP,
            f'{loader}.num_workers': 0,
            f'{loader}.persistent_workers': False,
            f'{loader}.batch_size': 32,
        })
    opts['train_dataloader.dataset.multiple_target_step'] = CLIP // 3
    opts['train_dataloader.batch_size'] = 8
    opts.update({f'model.backbone.{k}': v for k, v in BACKBONE.items()})
    opts.update({f'model.head.{k}': v for k, v in HEAD.items()})
    return opts


def _cfg(root: Path) -> Config:
    cfg = Config.fromfile(str(REPO_ROOT / CONFIG))
    cfg.merge_from_dict(_options(root))
    return cfg


def _cli_options(root: Path) -> list:
    return [f'{k}={v}' for k, v in _options(root).items()]


def _call_tool(script: str, args: list, capsys=None):
    """Run a tool's ``main()`` in this process (saves a startup).

    Returns:
        The captured stdout when ``capsys`` is given, else main's return.
    """
    spec = importlib.util.spec_from_file_location(
        Path(script).stem, REPO_ROOT / script)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    argv = sys.argv
    try:
        sys.argv = [script] + [str(a) for a in args]
        ret = tool.main()
    finally:
        sys.argv = argv
    return capsys.readouterr().out if capsys is not None else ret


def _build_dataset(cfg: Config, split: str):
    from mmengine.registry import init_default_scope
    from mmpose.registry import DATASETS
    init_default_scope('mmpose')
    loader = cfg.train_dataloader if split == 'train' else cfg.val_dataloader
    ds_cfg = loader.dataset.copy()
    for step in ds_cfg.pipeline:  # compare un-augmented train clips
        if step['type'] == 'RandomFlipAroundRoot':
            step['flip_prob'] = 0.0
    return DATASETS.build(ds_cfg)


def _dstformer_fixture():
    fx = torch.load(_need(FIXTURES / 'dstformer.pt'), weights_only=True)
    return fx


# --------------------------------------------------------------- converter
def test_converted_layout(data_root):
    from mmpose.datasets import Human36mDataset
    ann = data_root / 'annotation_body3d'
    test = np.load(ann / 'fps50' / 'h36m_test_original.npz')
    assert sorted(test.files) == ['S', 'center', 'imgname', 'part', 'scale']
    assert test['S'].shape == (1691, 17, 4) and test['S'].dtype == np.float32
    assert test['part'].shape == (1691, 17, 3)
    assert test['imgname'][0] == 'S9_Directions_1.54138969_000001.jpg'
    videos = {n.split('.')[0] for n in test['imgname']}
    # the official block list (s_09_act_05_subact_02) hits mmpose's skip list
    assert videos == {
        'S9_Directions_1', 'S9_Greeting', 'S9_Sitting_1', 'S11_Greeting_1',
        'S11_Walking_1'
    }
    assert Human36mDataset._parse_h36m_imgname(
        test['imgname'][-1]) == ('S9', 'Sitting_1', '55011271')
    factors = np.load(ann / 'fps50' / 'h36m_factors.npy')
    assert factors.shape == (1691, ) and factors.dtype == np.float32
    with open(ann / 'cameras.pkl', 'rb') as f:
        cameras = pickle.load(f)
    assert cameras[('S9', '54138969')] == dict(
        w=1000, h=1002, id='54138969', name='camera1')
    assert not any('f' in c or 'c' in c for c in cameras.values())


def test_converter_errors_name_file_and_key(tmp_path, capsys):
    from mmmotionbert.datasets.converters import convert_h36m_pkl_to_mmpose
    from mmmotionbert.datasets.h36m_reader import load_h36m_pkl
    missing = tmp_path / 'nope.pkl'
    with pytest.raises(FileNotFoundError, match='nope.pkl'):
        convert_h36m_pkl_to_mmpose(missing, tmp_path / 'out')

    def broken(name, edit):
        data = load_h36m_pkl(_need(PKL))
        edit(data)
        path = tmp_path / name
        with open(path, 'wb') as f:
            pickle.dump(data, f)
        return path

    no_key = broken('no_key.pkl', lambda d: d['test'].pop('joint3d_image'))
    with pytest.raises(
            KeyError, match=r"no_key\.pkl.*'test'.*'joint3d_image'"):
        convert_h36m_pkl_to_mmpose(no_key, tmp_path / 'out')
    no_split = broken('no_split.pkl', lambda d: d.pop('train'))
    with pytest.raises(KeyError, match=r"no_split\.pkl.*'train'"):
        convert_h36m_pkl_to_mmpose(no_split, tmp_path / 'out')

    def bad_source(d):
        d['train']['source'] = [
            s.replace('s_01', 'walk') for s in d['train']['source']
        ]

    bad = broken('bad_source.pkl', bad_source)
    with pytest.raises(
            ValueError, match=r"bad_source\.pkl.*'train' row 0.*"
            r"'walk_act_02"):
        convert_h36m_pkl_to_mmpose(bad, tmp_path / 'out')
    assert not (tmp_path / 'out').exists()  # nothing half-written

    # the command line tool: one-line error naming file and key, exit 1
    tool = 'tools/dataset_converters/h36m_pkl_to_mmpose_npz.py'
    assert _call_tool(tool, [no_key, tmp_path / 'out']) == 1
    err = capsys.readouterr().err
    assert "no_key.pkl: split 'test' has no key 'joint3d_image'" in err
    assert _call_tool(tool, [PKL, tmp_path]) == 0
    assert (tmp_path / 'annotation_body3d' / 'cameras.pkl').exists()
    assert _call_tool(tool, [PKL, tmp_path]) == 1  # refuses to overwrite
    assert 'already exist' in capsys.readouterr().err


def test_split_source_keeps_counting_frames():
    from mmmotionbert.datasets.converters import h36m_split_to_mmpose
    from mmmotionbert.datasets.h36m_reader import H36MReader, load_h36m_pkl
    train = load_h36m_pkl(_need(PKL))['train']  # 120 + 95 rows
    order = np.r_[0:60, 120:215, 60:120]  # first source in two pieces
    split = {
        k: ([v[i] for i in order] if isinstance(v, list) else v[order])
        for k, v in train.items()
    }
    names = h36m_split_to_mmpose(H36MReader({'train': split}),
                                 'train')['imgname']
    assert names[59] == 'S1_Directions_1.54138969_000060.jpg'
    assert names[60] == 'S5_Walking.58860488_000001.jpg'
    assert names[155] == 'S1_Directions_1.54138969_000061.jpg'
    assert len(set(names)) == len(names)


def test_converter_refuses_to_overwrite(data_root):
    from mmmotionbert.datasets.converters import convert_h36m_pkl_to_mmpose
    with pytest.raises(FileExistsError, match='cameras.pkl'):
        convert_h36m_pkl_to_mmpose(PKL, data_root)


# ------------------------------------------- codec == official reader
@pytest.mark.parametrize('split', ['test', 'train'])
def test_codec_reproduces_official_clips(data_root, official_clips, split):
    """mmpose's dataset + codec give the official reader's clips."""
    from mmmotionbert.datasets.h36m_reader import load_h36m_pkl
    ds = _build_dataset(_cfg(data_root), split)
    ids = official_clips[f'split_id_{split}']
    official_row = {tuple(r): k for k, r in enumerate(ids.tolist())}
    assert len(ds) == len(ids)
    raw = load_h36m_pkl(PKL)[split]
    seen = set()
    for i in range(len(ds)):
        sample = ds[i]
        frames = tuple(int(f) for f in ds.get_data_info(i)['img_ids'])
        k = official_row[frames]  # same clips, mmpose sorts them by video
        seen.add(k)
        inputs = sample['inputs'].numpy()
        np.testing.assert_allclose(
            inputs, official_clips[f'{split}_data'][k], rtol=0, atol=1e-5)
        label = sample['data_samples'].gt_instance_labels
        label = label.lifting_target_label.numpy()
        if split == 'train':  # normalized, root-relative (official rootrel)
            official = official_clips['train_labels'][k]
            official = official - official[:, :1]
            np.testing.assert_allclose(label, official, rtol=0, atol=1e-5)
        else:  # metres: the official ground truth joints_2.5d_image / 1000
            gt = raw['joints_2.5d_image'][list(frames)].astype(np.float64)
            gt = (gt - gt[:, :1]) / 1000
            np.testing.assert_allclose(label, gt, rtol=0, atol=1e-6)
            assert sample['data_samples'].metainfo['camera_param']['w'] == \
                official_clips['test_hw'][k][0]
    assert len(seen) == len(ids)


# ------------------------------------------------ official checkpoint
def test_official_checkpoint_in_mmpose_pose_lifter(data_root):
    from mmpose.registry import MODELS

    from mmmotionbert.utils.official import official_pose_to_mmpose_head
    fx = _dstformer_fixture()
    model = MODELS.build(_cfg(data_root).model)
    model.load_state_dict(
        official_pose_to_mmpose_head(fx['checkpoint']), strict=True)
    model.eval()
    shapes = []
    model.backbone.register_forward_pre_hook(
        lambda m, args: shapes.append(tuple(args[0].shape)))
    with torch.no_grad():
        for key in ('full', 'short'):
            out = model(fx['inputs'][key].clone(), None, mode='tensor')
            torch.testing.assert_close(
                out, fx['outputs'][key], atol=1e-5, rtol=0)
    # PoseLifter hands the backbone (B, T, J, C), the official layout
    assert shapes == [(2, 27, 17, 3), (1, 10, 17, 3)]


def test_mmpose_head_mapping_errors():
    from mmmotionbert.utils.official import official_pose_to_mmpose_head
    fx = _dstformer_fixture()
    sd = official_pose_to_mmpose_head(fx['checkpoint'])
    assert set(k.split('.')[0] for k in sd) == {'backbone', 'head'}
    assert {k
            for k in sd if k.startswith('head.')} == {
                'head.pre_logits.fc.weight', 'head.pre_logits.fc.bias',
                'head.fc.weight', 'head.fc.bias'
            }
    with pytest.raises(ValueError, match="'model_pos'"):
        official_pose_to_mmpose_head({'state_dict': {'a': torch.zeros(1)}})
    no_rep = dict(fx['checkpoint'])
    no_rep['model_pos'] = {
        k: v
        for k, v in no_rep['model_pos'].items() if 'pre_logits' not in k
    }
    with pytest.raises(ValueError, match=r'module\.pre_logits\.fc\.weight'):
        official_pose_to_mmpose_head(no_rep)


def _official_metrics(official_clips) -> dict:
    """Official model + flip test on the official clips, official
    denormalization; errors averaged over frames like mmpose's MPJPE."""
    from mmmotionbert.datasets.h36m_reader import load_h36m_pkl
    from mmmotionbert.evaluation.functional.errors import mpjpe, p_mpjpe
    from mmmotionbert.evaluation.functional.h36m_eval import (blocked_clips,
                                                              denormalize_h36m,
                                                              zero_root)
    from mmmotionbert.models import MBDSTformer
    from mmmotionbert.utils.keypoints import flip_h36m
    from mmmotionbert.utils.official import (backbone_state_dict,
                                             split_checkpoint)

    # the official DSTformer: backbone with pre_logits, then the 3D layer
    ckpt = _dstformer_fixture()['checkpoint']
    backbone = MBDSTformer(**dict(BACKBONE, dim_rep=128)).eval()
    backbone.load_state_dict(backbone_state_dict(ckpt))
    official_sd = split_checkpoint(ckpt)[1]
    head = torch.nn.Linear(128, 3).eval()
    head.load_state_dict({
        'weight': official_sd['head.weight'],
        'bias': official_sd['head.bias']
    })

    def model(x):
        return head(backbone(x))

    x = torch.from_numpy(official_clips['test_data'])
    with torch.no_grad():
        pred = (model(x) + flip_h36m(model(flip_h36m(x)))) / 2
    pred = denormalize_h36m(zero_root(pred.numpy()), official_clips['test_hw'])
    test = load_h36m_pkl(PKL)['test']
    frames = official_clips['split_id_test']
    pred = pred * test['2.5d_factor'][frames][..., None, None]
    gt = test['joints_2.5d_image'][frames]
    keep = ~blocked_clips([test['source'][f[0]] for f in frames])
    pred = (pred - pred[:, :, :1])[keep].reshape(-1, 17, 3)
    gt = (gt - gt[:, :, :1])[keep].reshape(-1, 17, 3)
    return {
        'MPJPE': mpjpe(pred, gt).mean() / 1000,
        'P-MPJPE': p_mpjpe(pred, gt).mean() / 1000
    }


@pytest.mark.slow
def test_train_and_test_tools(data_root, official_clips, tmp_path, capsys):
    """tools/train.py runs; tools/test.py with a converted official
    checkpoint gives the official model's errors (metres)."""
    _need(FIXTURES / 'dstformer.pt')
    work = tmp_path / 'train'
    log = run_tool([
        'tools/train.py', CONFIG, '--work-dir',
        str(work), '--cfg-options', *_cli_options(data_root),
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=2',
        'default_hooks.logger.interval=1'
    ])
    assert re.search(r'Epoch\(train\).*loss_pose3d: [0-9.]+', log), \
        log[-3000:]
    assert (work / 'epoch_1.pth').exists()

    src = tmp_path / 'best_epoch.bin'
    torch.save(_dstformer_fixture()['checkpoint'], src)
    dst = tmp_path / 'official_mmpose_head.pth'
    out = _call_tool('tools/convert_official_checkpoint.py',
                     [str(src), str(dst), '--layout', 'mmpose-head'], capsys)
    assert 'embedding_size=128' in out
    log = run_tool([
        'tools/test.py', CONFIG,
        str(dst), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options', *_cli_options(data_root)
    ])
    assert re.search(r'Epoch\(test\).*MPJPE: [0-9.]+', log), log[-3000:]
    result = [
        json.loads(line) for p in (tmp_path / 'test').rglob('*.json')
        for line in open(p) if 'MPJPE' in line
    ][-1]
    expected = _official_metrics(official_clips)
    assert result['MPJPE'] == pytest.approx(expected['MPJPE'], abs=1e-6)
    assert result['P-MPJPE'] == pytest.approx(expected['P-MPJPE'], abs=1e-6)
    assert 0.001 < result['MPJPE'] < 10


DROPIN = ('configs/pose3d/'
          'mb_dstformer-243frm_8xb32-240e_h36m-mmpose-dropin-original.py')


def _mmpose_tool(name: str) -> str:
    import mmpose
    path = Path(mmpose.__file__).parent / '.mim' / 'tools' / name
    if not path.is_file():
        pytest.skip(f'mmpose ships no {path}')
    return str(path)


@pytest.mark.slow
def test_dropin_config_with_mmposes_own_tools(data_root, tmp_path):
    """Our backbone inside mmpose's own MotionBERT config, trained and tested
    by mmpose's own tools/train.py and tools/test.py: the loss falls and the
    metric is computed."""
    opts = _cli_options(data_root) + [
        'train_cfg.max_epochs=3', 'train_cfg.val_interval=3',
        'default_hooks.logger.interval=1', 'optim_wrapper.optimizer.lr=0.002',
        'default_hooks.checkpoint.save_best=None'
    ] + [f'{loader}.prefetch_factor=None' for loader in LOADERS]
    work = tmp_path / 'work'
    log = run_tool([
        _mmpose_tool('train.py'), DROPIN, '--work-dir',
        str(work), '--cfg-options', *opts
    ],
                   timeout=600)
    assert 'MBDSTformer' in log
    losses = [float(v) for v in re.findall(r' loss: ([0-9.]+)', log)]
    assert len(losses) >= 6, log[-3000:]
    third = len(losses) // 3
    assert np.mean(losses[-third:]) < np.mean(losses[:third]), losses
    ckpt = sorted(work.glob('epoch_*.pth'))[-1]
    log = run_tool([
        _mmpose_tool('test.py'), DROPIN,
        str(ckpt), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options', *_cli_options(data_root),
        *[f'{loader}.prefetch_factor=None' for loader in LOADERS]
    ],
                   timeout=600)
    mpjpe = re.search(r'Epoch\(test\).*MPJPE: ([0-9.]+)', log)
    assert mpjpe and 0 < float(mpjpe.group(1)) < 10, log[-3000:]
