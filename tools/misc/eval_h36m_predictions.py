# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Score saved H36M clip predictions with the official MotionBERT protocol.

The predictions are a ``.npy`` array (N_clips, T, 17, 3) in normalised
screen space, in the official clip order of the split (the order of
official ``split_clips`` / our ``H36MReader.clip_ids``). Prints JSON with
``mpjpe``, ``p_mpjpe`` and ``per_action`` ({action: {mpjpe, p_mpjpe}}), mm.

Example::

    python tools/misc/eval_h36m_predictions.py \
        data/motion3d/h36m_sh_conf_cam_source_final.pkl preds.npy \
        --clip-len 243 --rootrel
"""
import argparse
import json
import os.path as osp
import sys
from typing import List, Optional

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_pkl', help='official H36M data pickle')
    parser.add_argument('pred_npy', help='predictions (N_clips, T, 17, 3)')
    parser.add_argument(
        '--clip-len',
        type=int,
        required=True,
        help='frames per clip (official n_frames)')
    parser.add_argument(
        '--data-stride',
        type=int,
        default=None,
        help='clip stride (default: clip-len for test, '
        'clip-len // 3 for train)')
    parser.add_argument('--split', default='test', choices=['train', 'test'])
    parser.add_argument(
        '--rootrel',
        action='store_true',
        help='zero the predicted root joint first '
        '(official rootrel: True)')
    return parser.parse_args(argv)


def evaluate_file(args: argparse.Namespace) -> dict:
    """Load data and predictions, run the official evaluation.

    Args:
        args (argparse.Namespace): Parsed arguments.

    Returns:
        dict: ``mpjpe``, ``p_mpjpe``, ``per_action``, ``n_clips``,
        ``n_frames_evaluated``.
    """
    import numpy as np

    from mmmotionbert.datasets.h36m_reader import H36MReader
    from mmmotionbert.evaluation.functional.h36m_eval import evaluate_h36m

    stride_key = ('data_stride_train'
                  if args.split == 'train' else 'data_stride_test')
    reader = H36MReader(
        args.data_pkl,
        n_frames=args.clip_len,
        **{stride_key: args.data_stride})
    clips = reader.clip_ids(args.split)
    if not osp.isfile(args.pred_npy):
        raise FileNotFoundError(f'predictions file not found: '
                                f'{args.pred_npy}')
    preds = np.load(args.pred_npy, allow_pickle=False)
    expected = (len(clips), args.clip_len, 17, 3)
    if preds.shape != expected:
        raise ValueError(
            f'{args.pred_npy} has shape {preds.shape}, expected {expected}: '
            f'{len(clips)} clips of {args.clip_len} frames for split '
            f'{args.split!r} with stride {reader.strides[args.split]}')
    sources = reader.string_array(args.split, 'source')
    result = evaluate_h36m(
        preds,
        clips,
        reader.clip_camera_wh(args.split),
        sources[clips[:, 0]],
        reader.array(args.split, '2.5d_factor'),
        reader.array(args.split, 'joints_2.5d_image'),
        reader.string_array(args.split, 'action'),
        rootrel=args.rootrel)
    return dict(
        mpjpe=result['mpjpe'],
        p_mpjpe=result['p_mpjpe'],
        per_action=result['per_action'],
        n_clips=len(clips),
        n_frames_evaluated=result['n_frames_evaluated'])


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    try:
        result = evaluate_file(args)
    except (FileNotFoundError, KeyError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    sys.exit(run_cli(main))
