# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Convert pybullet's DeepMimic motion clips to H36M-17 3D joints (npz cache).

Forward kinematics of the DeepMimic clips bundled with pybullet
(``pybullet_data/data/motions/humanoid3d_*.txt`` and ``walker/*.txt``) on
pybullet's ``humanoid/humanoid.urdf`` (scale 0.25), resampled to one frame
rate, written as one ``.npz`` (``names``, ``fps``, ``joints/<name>``
(T, 17, 3) metres Y-up, ``face/<name>`` (T, 5, 3) nose/eyes/ears). That file
feeds ``MBMocapDataset``.

Needs pybullet: ``pip install --no-deps pybullet==3.2.7`` (or
``pip install -r requirements/optional.txt --no-deps``).

Examples::

    python tools/dataset_converters/pybullet_mocap.py
    python tools/dataset_converters/pybullet_mocap.py --fps 30 --out x.npz
    python tools/dataset_converters/pybullet_mocap.py --clips walk run --check
"""
import argparse
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
from mmmotionbert.utils.cli import UserInputError  # noqa: E402

from mmmotionbert.datasets.mocap.pybullet_fk import (  # noqa: E402
    HumanoidModel, convert_deepmimic_clips, default_mocap_cache,
    list_deepmimic_clips, load_deepmimic_clip, pybullet_forward_kinematics,
    resample_deepmimic_frames, write_mocap_cache)


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--out', default=None,
        help=f'output .npz (default: {default_mocap_cache()}; the folder '
        'follows $MMMOTIONBERT_CACHE)')
    parser.add_argument(
        '--fps', type=float, default=60.0,
        help='common frame rate of the output clips (default 60, the '
        'Pose2Sim demo rate; the clips are recorded at 16-60 fps)')
    parser.add_argument(
        '--clips', nargs='+', default=None,
        help='clip names to convert (default: all; see --list)')
    parser.add_argument('--list', action='store_true',
                        help='list the available clips and exit')
    parser.add_argument(
        '--check', action='store_true',
        help='also compare the forward kinematics with pybullet itself on '
        'a few frames of every clip')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    """Convert and write the cache."""
    args = parse_args(argv)
    try:
        available = list_deepmimic_clips()
    except ImportError as err:
        raise UserInputError(str(err)) from err
    if args.list:
        for name, path in available.items():
            print(f'{name}\t{path}')
        return
    start = time.time()
    converted = convert_deepmimic_clips(args.clips, fps=args.fps)
    path = write_mocap_cache(converted, args.out)
    frames = sum(len(v) for v in converted['joints'].values())
    print(f'wrote {path}: {len(converted["joints"])} clips, {frames} frames '
          f'at {args.fps:g} fps, {osp.getsize(path) / 1024:.0f} KiB, '
          f'{time.time() - start:.1f} s')
    if args.check:
        import numpy as np
        model = HumanoidModel()
        worst = 0.0
        for name in converted['joints']:
            frames_ = resample_deepmimic_frames(
                load_deepmimic_clip(available[name])[0], args.fps)[:5]
            ref = pybullet_forward_kinematics(frames_)
            ours = model.forward(frames_)
            worst = max(worst, max(
                float(np.abs(ref[k] - ours[k][..., 3]).max()) for k in ref))
        print(f'forward kinematics vs pybullet: max difference {worst:.2e} m')


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main)
