# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Evaluate a 2D -> 3D lifter on real data: the Pose2Sim demo (P-MPJPE, mm).

Lifts each of the demo's 4 camera sequences (real OpenPose detections,
100 frames) with the model and compares with the triangulated markers;
prints ONE JSON object: per camera and averaged ``p_mpjpe_mm`` and
``baseline_p_mpjpe_mm`` (the mean training pose of the mocap cache,
Procrustes-aligned). Needs ``pip install --no-deps pose2sim==0.4.15`` (and
the mocap cache of ``tools/dataset_converters/pybullet_mocap.py`` for the
baseline).

The model comes from

* ``--config CFG`` (its ``model``) + ``--checkpoint`` (mmengine weights),
* or a checkpoint alone: an mmengine checkpoint saved by our runner (its
  ``meta['cfg']`` rebuilds the model) or an official MotionBERT ``*.bin``
  (``mmmotionbert.apis.load_official_model``).

Examples::

    # the default checkpoints/mb_pretrain_small_pybullet.pth:
    python tools/misc/eval_pose2sim.py
    python tools/misc/eval_pose2sim.py --config CFG.py --checkpoint best.pth
    python tools/misc/eval_pose2sim.py --checkpoint best_epoch.bin --official
    # smoke test of an untrained model:
    python tools/misc/eval_pose2sim.py --config CFG.py --random-init
    # metric camera-space errors (metres, trajectory; no alignment), with
    # the calibration's intrinsics and the static trial's height, and with
    # the default field of view and default height:
    python tools/misc/eval_pose2sim.py --metric

``--metric`` prints ``{"calibrated": {...}, "default": {...}}``, each with
per camera and mean ``abs_mpjpe_mm`` (camera-space joint error),
``root_error_mm``, ``rootrel_mpjpe_mm`` (after subtracting the pelvis, no
rotation or scale) and ``floor_angle_deg`` (estimated floor against the
calibration's world); see docs/metric_output.md.
"""
import argparse
import json
import os.path as osp
import sys
from typing import Optional, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
from mmmotionbert.utils.cli import UserInputError  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

DEFAULT_CHECKPOINT = 'checkpoints/mb_pretrain_small_pybullet.pth'


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--checkpoint', default=DEFAULT_CHECKPOINT,
        help=f'checkpoint (default {DEFAULT_CHECKPOINT}; a relative path is '
        'also looked up in the repository)')
    parser.add_argument('--config', default=None,
                        help='config whose `model` to build')
    parser.add_argument('--official', action='store_true',
                        help='the checkpoint is an official MotionBERT .bin')
    parser.add_argument(
        '--random-init', action='store_true',
        help='with --config: evaluate the randomly initialised model when '
        'the checkpoint does not exist (smoke test)')
    parser.add_argument('--clip-len', type=int, default=None,
                        help="window length (default: the model's maxlen)")
    parser.add_argument('--no-flip', action='store_true',
                        help='disable the flip test')
    parser.add_argument(
        '--overlap', type=int, default=None,
        help='frames shared by neighbouring windows, blended as the '
        'in-the-wild inferencer does (default: clip_len // 2; 0 tiles)')
    parser.add_argument(
        '--normalization', choices=['window', 'sequence'], default='window',
        help="crop_scale box per window (default, as the in-the-wild "
        "inferencer) or one per sequence (the official infer_wild.py)")
    parser.add_argument('--mocap-cache', default=None,
                        help='mocap .npz for the mean-pose baseline '
                        '(default: the pybullet DeepMimic cache)')
    parser.add_argument('--device', default='cpu', help='torch device')
    parser.add_argument(
        '--metric', action='store_true',
        help='metric camera-space errors (mm, no alignment) instead of '
        'P-MPJPE: calibrated intrinsics + static-trial height, and default '
        'field of view + default height')
    parser.add_argument('--subject-height', type=float, default=None,
                        help='--metric: height (m) for the calibrated run '
                        '(default: measured from the static trial)')
    return parser.parse_args(argv)


def _load_dict(path: str) -> dict:
    """A checkpoint dict, loaded safely (weights_only + allowlist)."""
    from mmmotionbert.utils.checkpoint import safe_torch_load
    ckpt = safe_torch_load(path, map_location='cpu')
    if not isinstance(ckpt, dict):
        raise ValueError(f'{path} is not a checkpoint dict')
    return ckpt


def _build_from_cfg(cfg, checkpoint: Optional[str]) -> nn.Module:
    """``cfg.model`` built, weights loaded from ``checkpoint`` if given."""
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    from mmmotionbert.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True,
                        logger='silent')
    return model


def load_model(args: argparse.Namespace) -> Tuple[nn.Module, str]:
    """Build the model the arguments describe.

    Args:
        args (argparse.Namespace): Parsed arguments.

    Returns:
        tuple: ``(model, how)``, ``how`` a short description.
    """
    import mmmotionbert  # noqa: F401  (registers modules, safe loading)
    from mmengine.config import Config
    if (args.checkpoint and not osp.isabs(args.checkpoint)
            and not osp.isfile(args.checkpoint)
            and osp.isfile(osp.join(ROOT, args.checkpoint))):
        args.checkpoint = osp.join(ROOT, args.checkpoint)  # repo-relative
    exists = args.checkpoint is not None and osp.isfile(args.checkpoint)
    if args.config is not None:
        cfg = Config.fromfile(args.config)
        if exists:
            return _build_from_cfg(cfg, args.checkpoint), 'config+checkpoint'
        if args.random_init:
            return _build_from_cfg(cfg, None), 'config, random init'
        raise FileNotFoundError(
            f'checkpoint {args.checkpoint} not found (pass --random-init to '
            'evaluate the untrained model of the config)')
    if not exists:
        raise FileNotFoundError(
            f'checkpoint {args.checkpoint} not found; pass --checkpoint, or '
            '--config CFG --random-init for a smoke test')
    if args.official or args.checkpoint.endswith('.bin'):
        from mmmotionbert.apis import load_official_model
        return load_official_model(args.checkpoint), 'official checkpoint'
    ckpt = _load_dict(args.checkpoint)
    cfg_text = ckpt.get('meta', {}).get('cfg') if isinstance(
        ckpt.get('meta'), dict) else None
    if cfg_text:
        cfg = Config.fromstring(cfg_text, file_format='.py')
        return _build_from_cfg(cfg, args.checkpoint), 'checkpoint meta cfg'
    if 'model_pos' in ckpt or 'model' in ckpt:
        from mmmotionbert.apis import load_official_model
        return load_official_model(ckpt), 'official checkpoint'
    raise ValueError(
        f'{args.checkpoint} carries no config (meta.cfg); pass --config')


def main(argv=None) -> dict:
    """Run the evaluation and print one JSON object."""
    args = parse_args(argv)
    from mmmotionbert.apis.pose2sim_eval import (
        evaluate_pose2sim, mean_training_pose)
    try:
        model, how = load_model(args)
    except (FileNotFoundError, ValueError, ImportError) as err:
        raise UserInputError(str(err)) from err
    device = torch.device(args.device)
    model.to(device)
    if args.metric:
        return _metric(model, device, args, how)
    try:
        mean_pose = mean_training_pose(args.mocap_cache)
    except FileNotFoundError as err:
        print(f'warning: no baseline ({err})', file=sys.stderr)
        mean_pose = None
    try:
        result = evaluate_pose2sim(
            model,
            mean_pose=mean_pose,
            clip_len=args.clip_len,
            flip=not args.no_flip,
            device=device,
            baseline=mean_pose is not None,
            overlap=args.overlap,
            normalization=args.normalization)
    except ImportError as err:
        raise UserInputError(str(err)) from err
    result.update(checkpoint=args.checkpoint, config=args.config, model=how)
    print(json.dumps(result))
    return result


def _metric(model: nn.Module, device: torch.device,
            args: argparse.Namespace, how: str) -> dict:
    """``--metric``: both settings as one JSON object."""
    from mmmotionbert.apis.metric import CalibrationError
    from mmmotionbert.apis.pose2sim_eval import evaluate_pose2sim_metric
    if args.subject_height is not None and args.subject_height <= 0:
        raise UserInputError(f'--subject-height must be positive metres, '
                             f'got {args.subject_height}')
    try:
        result = dict(
            calibrated=evaluate_pose2sim_metric(
                model, subject_height=args.subject_height, calibrated=True,
                clip_len=args.clip_len, flip=not args.no_flip,
                device=device),
            default=evaluate_pose2sim_metric(
                model, calibrated=False, clip_len=args.clip_len,
                flip=not args.no_flip, device=device))
    except (ImportError, CalibrationError) as err:
        raise UserInputError(str(err)) from err
    result.update(checkpoint=args.checkpoint, config=args.config, model=how)
    print(json.dumps(result))
    return result


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main)
