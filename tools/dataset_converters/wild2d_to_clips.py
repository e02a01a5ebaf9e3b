# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Convert 2D keypoint tracks with confidence into 2D-only pretraining clips.

Reads PoseTrack-style annotation json files (PoseTrack-18 or COCO-17 layout,
``track_id`` per person) or generic per-track json / npz files of (T, 17 or
25, 3) ``[x, y, confidence]`` keypoints (InstaVariety-like tracks from any
2D detector + tracker), converts them to H36M-17 with the confidence kept,
cuts every track into clips of ``--clip-len`` frames every ``--stride``,
normalises each clip with ``crop_scale`` and writes one ``.npz`` with
``clips`` (N, T, 17, 3) for ``MBMotion2DDataset(source='npz',
data_root=OUT)``.

Generic track json: ``{"layout": "coco", "tracks": {"name": [[[x, y, c] x J]
x T]}}`` (or ``"tracks": [{"id": ..., "keypoints": ..., "frames": [...]}]``).
Generic npz: every (T, J, 3) array is a track; optional ``frames/<key>`` and
``layout``.

Examples::

    # PoseTrack-18 train annotations, official PoseTrack clips (first 30
    # frames of each track)
    python tools/dataset_converters/wild2d_to_clips.py \\
        data/motion2d/posetrack18_annotations/train \\
        --out data/motion2d/posetrack18_train_clips.npz \\
        --clip-len 30 --max-clips-per-track 1
    # tracks of your own detector, InstaVariety-style 81-frame clips every 27
    python tools/dataset_converters/wild2d_to_clips.py my_tracks/ \\
        --layout coco --out data/motion2d/wild_clips.npz
"""
import argparse
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
from mmmotionbert.utils.cli import UserInputError  # noqa: E402

from mmmotionbert.datasets.converters.wild2d import convert_wild2d  # noqa


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.split('\n')[1:]))
    parser.add_argument(
        'inputs',
        nargs='+',
        help='json / npz files or folders (searched '
        'recursively)')
    parser.add_argument('--out', required=True, help='output .npz')
    parser.add_argument(
        '--layout',
        default=None,
        help='keypoint layout of every input: posetrack, coco, body25, '
        'body25b, halpe26, openpose18, h36m, ... (default: from the file, or '
        'guessed from the joint count: 17 -> coco, 25 -> body25)')
    parser.add_argument(
        '--clip-len',
        type=int,
        default=81,
        help='frames per clip (default 81, official '
        'InstaVariety; PoseTrack: 30)')
    parser.add_argument(
        '--stride',
        type=int,
        default=None,
        help='offset between clips (default clip-len // 3, '
        'official)')
    parser.add_argument(
        '--max-clips-per-track',
        type=int,
        default=None,
        help='keep the first N clips of a track (1 with '
        '--clip-len 30 = the official PoseTrack reader)')
    parser.add_argument(
        '--normalize',
        choices=('clip', 'track'),
        default='clip',
        help='crop_scale box per clip (default) or per track')
    parser.add_argument(
        '--min-valid',
        type=float,
        default=0.6,
        help='minimum fraction of visible joints in a clip '
        '(default 0.6, official PoseTrack)')
    parser.add_argument(
        '--allow-missing-root',
        action='store_true',
        help='keep clips whose root is invisible in some '
        'frames (dropped by default, official PoseTrack)')
    parser.add_argument(
        '--resample-short',
        action='store_true',
        help='stretch tracks shorter than --clip-len into '
        'one clip (default: drop them)')
    parser.add_argument(
        '--origin-first-root',
        action='store_true',
        help="subtract the first frame's root x, y (the "
        'official InstaVariety conversion)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    """Convert; input errors exit with a message.

    Returns:
        dict: The result of
        :func:`~mmmotionbert.datasets.converters.wild2d.convert_wild2d`.
    """
    args = parse_args(argv)
    try:
        result = convert_wild2d(
            args.inputs,
            args.out,
            layout=args.layout,
            clip_len=args.clip_len,
            stride=args.stride,
            normalize=args.normalize,
            min_valid=args.min_valid,
            require_root=not args.allow_missing_root,
            max_clips_per_track=args.max_clips_per_track,
            resample_short=args.resample_short,
            origin_first_root=args.origin_first_root)
    except (FileNotFoundError, KeyError, ValueError) as err:
        raise UserInputError(str(err)) from err
    clips = result['clips']
    dropped = ', '.join(f'{v} {k}' for k, v in result['dropped'].items() if v)
    print(f'{result["tracks"]} tracks ({", ".join(result["layouts"])}) -> '
          f'{len(clips)} clips of {clips.shape[1]} frames' +
          (f' (dropped: {dropped})' if dropped else ''))
    print(f'wrote {result["path"]}: MBMotion2DDataset(source="npz", '
          f'data_root="{result["path"]}")')
    return result


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main)
