# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Convert the official MotionBERT H36M pickle into mmpose's npz layout.

Example::

    python tools/dataset_converters/h36m_pkl_to_mmpose_npz.py \
        data/motion3d/h36m_sh_conf_cam_source_final.pkl data/h36m_mb

writes, under OUT_DIR (an mmpose ``data_root``)::

    annotation_body3d/fps50/h36m_train_original.npz
    annotation_body3d/fps50/h36m_test_original.npz
    annotation_body3d/fps50/h36m_factors.npy
    annotation_body3d/cameras.pkl

for ``configs/pose3d/*-mmpose-original.py`` (mmpose's ``Human36mDataset``
and ``MotionBERTLabel``); set the dataloaders' ``data_root`` to OUT_DIR.
The codec then produces exactly the official normalized inputs and labels:
the 3D joints are stored as image coordinates / 1000 and the camera table
has the resolutions but no intrinsics (see
``mmmotionbert/datasets/converters/h36m_mmpose.py`` for the reasoning), so
keep these files apart from mmpose's own ``cameras.pkl``.
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args() -> argparse.Namespace:
    """Parse command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'official_pkl', help='h36m_sh_conf_cam_source_final.pkl')
    parser.add_argument('out_dir', help='output data root')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace output files that already exist')
    parser.add_argument(
        '--splits',
        nargs='+',
        choices=['train', 'test'],
        default=['train', 'test'],
        help='splits to convert (default both)')
    return parser.parse_args()


def main() -> int:
    """Convert; print the written files or a one-line error."""
    args = parse_args()
    from mmmotionbert.datasets.converters.h36m_mmpose import \
        convert_h36m_pkl_to_mmpose
    start = time.time()
    try:
        written = convert_h36m_pkl_to_mmpose(
            args.official_pkl,
            args.out_dir,
            overwrite=args.overwrite,
            splits=args.splits)
    except (FileNotFoundError, FileExistsError, KeyError, ValueError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f'error: {type(err).__name__}: {msg}', file=sys.stderr)
        return 1
    for name, path in written.items():
        print(f'{name:>8}: {path}')
    print(f'done in {time.time() - start:.1f} s')
    return 0


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    sys.exit(run_cli(main))
