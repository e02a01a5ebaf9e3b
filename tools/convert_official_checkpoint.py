# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Convert an official MotionBERT checkpoint into an mmengine checkpoint.

Example::

    python tools/convert_official_checkpoint.py \
        checkpoint/pose3d/FT_MB_release_MB_ft_h36m/best_epoch.bin \
        checkpoints/mb_ft_h36m.pth
    python tools/test.py configs/pose3d/CONFIG.py checkpoints/mb_ft_h36m.pth

The input is read with ``torch.load(weights_only=True)``; the optimizer state
is dropped. The output holds ``state_dict`` (our key names) and ``meta``
(the official epoch / metric and the DSTformer arguments read off the
weights), and loads with ``load_from`` or ``tools/test.py``.

``--layout mmpose-head`` (official pretrain / 3D pose checkpoints only) maps
the weights for mmpose's ``PoseLifter`` + ``MotionRegressionHead`` with an
``MBDSTformer(dim_rep=0)`` backbone (the ``*-mmpose*`` configs): official
``pre_logits.fc.*`` -> ``head.pre_logits.fc.*``, ``head.*`` -> ``head.fc.*``,
everything else -> ``backbone.*``.

``--to mmpose`` writes a checkpoint for mmpose's *own* MotionBERT
(``PoseLifter`` + ``DSTFormer`` + ``MotionRegressionHead``, mmpose's
``configs/body_3d_keypoint/motionbert``) from an official pose checkpoint or
an mmmotionbert ``MBPoseLifter`` checkpoint (e.g. the shipped one), so it
runs inside a plain mmpose install; the printed ``model`` settings are the
ones its config needs (mmpose's configs are for the full model).
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def main() -> None:
    """Parse arguments, convert, save."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='official checkpoint (*.bin)')
    parser.add_argument('dst', help='output mmengine checkpoint (*.pth)')
    parser.add_argument(
        '--layout',
        choices=['mmmotionbert', 'mmpose-head'],
        default='mmmotionbert',
        help='key layout: mmmotionbert (MBPoseLifter / our task models, '
        'default) or mmpose-head (PoseLifter + MotionRegressionHead with '
        'MBDSTformer(dim_rep=0), the *-mmpose* configs)')
    parser.add_argument(
        '--to',
        choices=['mmmotionbert', 'mmpose'],
        default='mmmotionbert',
        help="mmpose: mmpose's own MotionBERT PoseLifter layout (DSTFormer "
        '+ MotionRegressionHead), loadable strictly by mmpose')
    args = parser.parse_args()
    if args.to == 'mmpose':
        to_mmpose(parser, args)
        return

    import torch
    from mmmotionbert.utils.official import (convert_official_checkpoint,
                                             load_checkpoint_dict,
                                             official_pose_to_mmpose_head)
    ckpt = load_checkpoint_dict(args.src)
    out = convert_official_checkpoint(ckpt)
    if args.layout == 'mmpose-head':
        if out['meta']['official_format'] != 'official_pose':
            parser.error(f'--layout mmpose-head needs an official pretrain / '
                         f"3D pose checkpoint ('model_pos'); {args.src} is "
                         f"{out['meta']['official_format']}")
        out['state_dict'] = official_pose_to_mmpose_head(ckpt)
        out['meta']['layout'] = 'mmpose-head'
    os.makedirs(osp.dirname(osp.abspath(args.dst)) or '.', exist_ok=True)
    torch.save(out, args.dst)
    meta = out['meta']
    print(f"converted {args.src} ({meta['official_format']}, "
          f"{len(out['state_dict'])} tensors) -> {args.dst}")
    print(f"DSTformer arguments: {meta['backbone']}")
    if args.layout == 'mmpose-head':
        bb = meta['backbone']
        print(f"mmpose layout: backbone=dict(type='MBDSTformer', "
              f"dim_feat={bb['dim_feat']}, dim_rep=0, ...), "
              f"head=dict(type='MotionRegressionHead', "
              f"in_channels={bb['dim_feat']}, embedding_size={bb['dim_rep']})")


def to_mmpose(parser: argparse.ArgumentParser,
              args: argparse.Namespace) -> None:
    """Write ``args.src`` in mmpose's MotionBERT layout to ``args.dst``."""
    import torch
    from mmmotionbert.utils.mmpose_checkpoint import official_to_mmpose
    from mmmotionbert.utils.official import (infer_dstformer_kwargs,
                                             load_checkpoint_dict,
                                             ours_pose_to_official,
                                             split_checkpoint)
    ckpt = load_checkpoint_dict(args.src)
    fmt, sd = split_checkpoint(ckpt)
    if fmt == 'mmengine':  # ours: MBPoseLifter (backbone.*, head.fc.*)
        official, fmt = ours_pose_to_official(sd), 'mmmotionbert'
    elif fmt == 'official_pose':
        official = dict(sd)
    else:
        parser.error(f'--to mmpose needs a 3D pose / pretrain checkpoint '
                     f'(official model_pos or an MBPoseLifter); {args.src} '
                     f'is {fmt}')
    if 'pre_logits.fc.weight' not in official or 'head.weight' not in official:
        parser.error(f'{args.src} has no DSTformer with a 3D head '
                     '(pre_logits.fc and head weights); mmpose\'s '
                     'MotionRegressionHead needs both')
    bb = infer_dstformer_kwargs(official)
    heads = "<the model's>"  # not readable off the weights
    cfg_text = (ckpt.get('meta') or {}).get('cfg')
    if cfg_text:
        from mmengine.config import Config
        heads = Config.fromstring(cfg_text, '.py').model.backbone.get(
            'num_heads', heads)
    out = dict(
        state_dict=official_to_mmpose(official),
        meta=dict(
            source=osp.abspath(args.src),
            source_format=fmt,
            layout='mmpose PoseLifter (DSTFormer + '
            'MotionRegressionHead)',
            backbone=bb))
    os.makedirs(osp.dirname(osp.abspath(args.dst)) or '.', exist_ok=True)
    torch.save(out, args.dst)
    print(f'converted {args.src} ({fmt}) -> {args.dst} (mmpose layout, '
          f"{len(out['state_dict'])} tensors)")
    print(f"mmpose model: backbone=dict(type='DSTFormer', in_channels="
          f"{bb['dim_in']}, feat_size={bb['dim_feat']}, depth={bb['depth']}, "
          f"num_heads={heads}, mlp_ratio={bb['mlp_ratio']:g}, "
          f"seq_len={bb['maxlen']}, att_fuse={bb['att_fuse']}), "
          f"head=dict(type='MotionRegressionHead', in_channels="
          f"{bb['dim_feat']}, embedding_size={bb['dim_rep']})")


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main)
