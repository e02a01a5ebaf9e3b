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
    args = parser.parse_args()

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


if __name__ == '__main__':
    main()
