# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Strip a training checkpoint down to what inference needs.

Keeps the weights and the meta (with the config text, so tools can rebuild
the model from the checkpoint alone) and drops the optimizer, scheduler and
log history, like mmpose's ``tools/misc/publish_model.py``. Prints the
SHA-256 of the result.

Example::

    python tools/misc/publish_checkpoint.py work_dirs/x/best.pth \
        checkpoints/mb_pretrain_small_pybullet.pth
"""
import argparse
import hashlib
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def main() -> None:
    """Parse arguments, strip, save."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='training checkpoint')
    parser.add_argument('dst', help='output checkpoint')
    args = parser.parse_args()

    import torch
    from mmmotionbert.utils.checkpoint import safe_torch_load
    ckpt = safe_torch_load(args.src)
    if 'state_dict' not in ckpt:
        raise KeyError(f"{args.src} has no 'state_dict'")
    meta = {
        k: v
        for k, v in ckpt.get('meta', {}).items()
        if isinstance(v, (str, int, float, bool, dict, list))
    }
    out = dict(state_dict=ckpt['state_dict'], meta=meta)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(out, args.dst)
    with open(args.dst, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    size = osp.getsize(args.dst) / 2**20
    print(f'{args.dst}: {size:.2f} MiB, sha256 {digest}')


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main)
