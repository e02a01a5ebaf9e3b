# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Convert AMASS (SMPL+H motions) to H36M-17 3D joints for pretraining.

Runs the SMPL+H body model (which you download yourself: the "Extended
SMPL+H model" from https://mano.is.tue.mpg.de, linked from the AMASS
download page) on every sequence ``.npz`` under AMASS_DIR, on the CPU in
batches, resampled to ``--fps``; H36M-17 joints come from the Human3.6M
regressor on the mesh vertices (``--h36m-regressor
J_regressor_h36m_correct.npy``, the official way) or, without it, from the
SMPL+H joints. Writes

* ``--out-npz``: one ``.npz`` of (T, 17, 3) clips in metres, Y up (plus
  face points), for ``MBMocapDataset(data_file=...)``;
* ``--out-clips``: the official pre-sliced clips
  ``<dir>/AMASS/train/%08d.pkl`` for ``MBMotionClipDataset`` (official
  axes, scale 0.298, 243 frames every 81).

Examples::

    python tools/dataset_converters/amass_to_h36m.py data/AMASS/amass_202203 \\
        --body-model-dir data/AMASS/body_models/smplh \\
        --dmpl-dir data/AMASS/body_models/dmpls \\
        --h36m-regressor data/mesh/J_regressor_h36m_correct.npy \\
        --out-clips data/motion3d/MB3D_f243s81 \\
        --out-npz data/motion3d/amass_h36m_60fps.npz
    python tools/dataset_converters/amass_to_h36m.py data/AMASS/amass_202203 \\
        --body-model-dir data/AMASS/body_models/smplh --include 'CMU/*' \\
        --out-npz data/motion3d/amass_cmu.npz
"""
import argparse
import os.path as osp
import pickle
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
from mmmotionbert.utils.cli import UserInputError  # noqa: E402

from mmmotionbert.datasets.converters.amass import (  # noqa: E402
    GENDERS, OFFICIAL_AMASS_SCALE, OFFICIAL_MAX_PIECE_LEN, convert_amass)
from mmmotionbert.utils.smpl import MissingSMPLAssetError  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.split('\n')[1:]))
    parser.add_argument(
        'amass_dir',
        help='AMASS folder (sequence .npz '
        'files at any depth, e.g. CMU/01/01_01_poses.npz)')
    parser.add_argument(
        '--body-model-dir',
        required=True,
        help='SMPL+H models: a folder with male/model.npz, female/model.npz '
        '(neutral/ optional), as AMASS unpacks them, or with smplx-style '
        'SMPLH_MALE.npz/.pkl files')
    parser.add_argument(
        '--h36m-regressor',
        default=None,
        help='J_regressor_h36m_correct.npy (17 x 6890) for the official '
        'H36M joints from the mesh vertices; without it the joints come from '
        'the SMPL+H skeleton (approximate)')
    parser.add_argument(
        '--dmpl-dir',
        default=None,
        help='DMPL soft-tissue models (dmpls/{male,female}/model.npz, '
        'official); default: ignore the sequences\' dmpls')
    parser.add_argument(
        '--out-npz',
        default=None,
        help='output .npz for MBMocapDataset (metres, Y up)')
    parser.add_argument(
        '--out-clips',
        default=None,
        help='root of the official clip folders: writes '
        '<root>/AMASS/train/%%08d.pkl for MBMotionClipDataset')
    parser.add_argument(
        '--fps',
        type=float,
        default=60.0,
        help='target frame rate (default 60, official)')
    parser.add_argument(
        '--resample',
        choices=('auto', 'stride', 'slerp'),
        default='auto',
        help="'stride': keep every round(src/fps)-th frame (official; a 100 "
        "fps sequence gives 50 fps); 'slerp': interpolate rotations to "
        "exactly --fps; 'auto' (default): stride for integer ratios, slerp "
        'otherwise')
    parser.add_argument(
        '--gender',
        choices=('auto', ) + GENDERS,
        default='auto',
        help="body model gender: 'auto' (each sequence's own, neutral for "
        'unknown/missing, then female as the official code)')
    parser.add_argument(
        '--num-betas',
        type=int,
        default=16,
        help='shape coefficients used (default 16, AMASS)')
    parser.add_argument(
        '--include',
        nargs='+',
        default=None,
        help="glob patterns of relative paths to convert, "
        "e.g. 'CMU/*' 'BMLmovi/*'")
    parser.add_argument(
        '--exclude',
        nargs='+',
        default=None,
        help='glob patterns of relative paths to skip')
    parser.add_argument(
        '--limit',
        type=int,
        default=None,
        help='convert at most this many sequences')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=256,
        help='frames per body-model call (memory: about '
        '0.5 MB per frame)')
    parser.add_argument(
        '--clip-len',
        type=int,
        default=243,
        help='official clip length (default 243)')
    parser.add_argument(
        '--clip-stride',
        type=int,
        default=81,
        help='official clip stride (default 81)')
    parser.add_argument(
        '--clip-scale',
        type=float,
        default=OFFICIAL_AMASS_SCALE,
        help=f'metres -> clip units (default {OFFICIAL_AMASS_SCALE}, '
        'official)')
    parser.add_argument(
        '--max-piece-len',
        type=int,
        default=OFFICIAL_MAX_PIECE_LEN,
        help='cut sequences into pieces this long before slicing clips '
        f'(default {OFFICIAL_MAX_PIECE_LEN}, official; 0 keeps them whole)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace clips already in the clip folder')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    args = parser.parse_args(argv)
    if args.out_npz is None and args.out_clips is None:
        parser.error('give --out-npz and/or --out-clips')
    return args


def main(argv=None) -> dict:
    """Convert; errors about missing inputs exit with a message.

    Returns:
        dict: The summary of
        :func:`~mmmotionbert.datasets.converters.amass.convert_amass`.
    """
    args = parse_args(argv)
    start = time.time()
    try:
        summary = convert_amass(
            args.amass_dir,
            args.body_model_dir,
            out_npz=args.out_npz,
            out_clips=args.out_clips,
            fps=args.fps,
            resample=args.resample,
            h36m_regressor=args.h36m_regressor,
            dmpl_dir=args.dmpl_dir,
            gender=args.gender,
            num_betas=args.num_betas,
            include=args.include,
            exclude=args.exclude,
            limit=args.limit,
            batch_size=args.batch_size,
            clip_len=args.clip_len,
            clip_stride=args.clip_stride,
            clip_scale=args.clip_scale,
            max_piece_len=args.max_piece_len or None,
            overwrite=args.overwrite,
            progress=not args.no_progress)
    except (MissingSMPLAssetError, FileNotFoundError, FileExistsError,
            ValueError, pickle.UnpicklingError) as err:
        raise UserInputError(str(err)) from err
    print(f'converted {len(summary["sequences"])} sequences, '
          f'{summary["frames"]} frames at {summary["output_rates"]} fps, '
          f'joints from {summary["joints_from"]}, body models '
          f'{summary["genders"]} ({time.time() - start:.1f} s)')
    for reason, names in summary['skipped'].items():
        print(f'skipped {len(names)} files ({reason}), e.g. {names[:3]}')
    if summary['npz']:
        print(f'wrote {summary["npz"]} (MBMocapDataset data_file)')
    if summary['clip_dir']:
        print(f'wrote {summary["clips"]} clips to {summary["clip_dir"]} '
              '(MBMotionClipDataset subset AMASS, synthetic=True)')
    if summary['joints_from'] != 'h36m_regressor':
        print('note: joints from the SMPL+H skeleton; pass --h36m-regressor '
              'J_regressor_h36m_correct.npy for the official H36M joints')
    return summary


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main)
