# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Write a generated dataset in the official H36M pkl format.

Example::

    python tools/misc/generate_synthetic_h36m.py data/synthetic_h36m.pkl
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmmotionbert.datasets.synthetic_h36m import write_synthetic_h36m  # noqa


def main() -> None:
    """Parse arguments and write the pkl."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out', help='output .pkl path')
    parser.add_argument('--num-train', type=int, default=8)
    parser.add_argument('--num-test', type=int, default=4)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    write_synthetic_h36m(
        args.out,
        num_train=args.num_train,
        num_test=args.num_test,
        seed=args.seed)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main)
