# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Recognize the action in a 2D skeleton sequence with MotionBERT.

Examples::

    # a config + checkpoint trained with this package (or an official
    # best_epoch.bin, converted on the fly)
    CFG=configs/action/mb_dstformer-ft-243frm_1xb32-300e_ntu60-xsub-2d.py
    python demo/action_demo.py skeleton.json --config $CFG \\
        --checkpoint work_dirs/ntu60_xsub/best_acc_top1_epoch_123.pth \\
        --label-map ntu60_labels.txt --topk 5

    # an official action checkpoint alone (architecture read off it)
    python demo/action_demo.py skeleton.npy --official best_epoch.bin

Inputs: anything :func:`mmmotionbert.apis.readers.read_keypoints` reads
(mmpose / AlphaPose / OpenPose json, ``.npz``, ``.npy`` (T, J, 3) or
(M, T, J, 3) with [x, y, score]), or a pyskl / mmaction2 skeleton ``.pkl``
(one annotation dict, or the dataset dict / list and ``--index``).
"""
import argparse
import os.path as osp
import pickle
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args() -> argparse.Namespace:
    """Parse command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('input', help='2D keypoint file (see module doc)')
    parser.add_argument('--config', help='action config')
    parser.add_argument('--checkpoint', help='checkpoint for --config')
    parser.add_argument(
        '--official', help='official action checkpoint (without --config)')
    parser.add_argument(
        '--num-heads',
        type=int,
        default=8,
        help='attention heads of an --official checkpoint (default 8)')
    parser.add_argument(
        '--format',
        default='auto',
        help="keypoint layout: 'auto', 'coco', 'h36m', 'halpe26', 'body25',"
        ' ... (default auto: from the file)')
    parser.add_argument(
        '--img-shape',
        type=int,
        nargs=2,
        metavar=('H', 'W'),
        help='image size, needed when the input file does not record it')
    parser.add_argument(
        '--index', type=int, default=0, help='sample of a multi-sample pkl')
    parser.add_argument('--topk', type=int, default=5, help='classes shown')
    parser.add_argument('--label-map', help='text file, one class per line')
    parser.add_argument('--device', default='cpu', help='device')
    return parser.parse_args()


def load_skeleton(path: str, layout: str, index: int = 0) -> dict:
    """Read keypoints, scores, layout and image size from a file.

    Args:
        path (str): Input file.
        layout (str): Keypoint layout or ``'auto'``.
        index (int): Sample of a multi-sample pickle.

    Returns:
        dict: ``keypoints`` (M, T, J, 2), ``scores`` (M, T, J), ``layout``
        and ``img_shape`` (h, w) or None.
    """
    if path.endswith('.pkl'):
        with open(path, 'rb') as f:
            data = pickle.load(f)
        if isinstance(data, dict) and 'annotations' in data:
            data = data['annotations']
        if isinstance(data, list):
            if not 0 <= index < len(data):
                raise ValueError(f'--index {index} outside the {len(data)} '
                                 f'samples of {path}')
            data = data[index]
        if 'keypoint' not in data:
            raise ValueError(f'{path} is not a pyskl skeleton annotation '
                             f'(no "keypoint")')
        return dict(
            keypoints=np.asarray(data['keypoint']),
            scores=data.get('keypoint_score'),
            layout='coco' if layout == 'auto' else layout,
            img_shape=data.get('img_shape'))
    from mmmotionbert.apis.readers import read_keypoints
    seq = read_keypoints(path, layout=layout)
    img_shape = None
    if seq.frame_size is not None:
        img_shape = (seq.frame_size[1], seq.frame_size[0])
    return dict(
        keypoints=seq.keypoints,
        scores=seq.scores,
        layout=seq.layout,
        img_shape=img_shape)


def main() -> None:
    """Load the model, read the skeletons and print the top-k classes."""
    args = parse_args()
    from mmmotionbert.apis import (inference_action, init_action_model,
                                   load_official_model)
    if args.config:
        model = init_action_model(args.config, args.checkpoint, args.device)
    elif args.official:
        model = load_official_model(
            args.official, task='action', num_heads=args.num_heads)
        model.to(args.device)
    else:
        raise SystemExit('give --config [--checkpoint] or --official')
    skeleton = load_skeleton(args.input, args.format, args.index)
    keypoints = skeleton['keypoints']
    if keypoints.shape[0] > 2:  # the two most confident persons
        total = np.asarray(skeleton['scores']).sum(axis=(1, 2))
        keep = np.sort(np.argsort(-total)[:2])
        keypoints = keypoints[keep]
        skeleton['scores'] = np.asarray(skeleton['scores'])[keep]
    result = inference_action(
        model,
        keypoints,
        scores=skeleton['scores'],
        img_shape=args.img_shape or skeleton['img_shape'],
        keypoint_format=skeleton['layout'],
        topk=args.topk,
        label_names=args.label_map)
    print(f'{args.input}: {keypoints.shape[0]} person(s), '
          f'{keypoints.shape[1]} frames, layout {skeleton["layout"]}')
    for rank, (label, prob, name) in enumerate(result['topk'], 1):
        text = f' {name}' if name else ''
        print(f'top-{rank}: class {label}{text}  p={prob:.4f}')


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main)
