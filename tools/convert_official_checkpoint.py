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
    args = parser.parse_args()

    import torch
    from mmmotionbert.utils.official import convert_official_checkpoint
    out = convert_official_checkpoint(args.src)
    os.makedirs(osp.dirname(osp.abspath(args.dst)) or '.', exist_ok=True)
    torch.save(out, args.dst)
    meta = out['meta']
    print(f"converted {args.src} ({meta['official_format']}, "
          f"{len(out['state_dict'])} tensors) -> {args.dst}")
    print(f"DSTformer arguments: {meta['backbone']}")


if __name__ == '__main__':
    main()
