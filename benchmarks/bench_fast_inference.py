# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Fast inference on real data: deviation from float32 in mm, and speed.

Lifts the Pose2Sim demo (real OpenPose detections, 4 cameras x 100 frames,
``pip install --no-deps pose2sim==0.4.15``) with a trained lifter in
float32 and with each opt-in fast precision of
:func:`mmmotionbert.apis.fast_inference.optimize_for_inference`, the way
:func:`~mmmotionbert.apis.pose2sim_eval.evaluate_pose2sim` does
(each window ``crop_scale``-normalised by its own box, windows of the
model's ``maxlen``, flip test), and reports per precision:

* P-MPJPE (mm) against the triangulated 3D markers;
* the deviation from the float32 prediction in mm: each frame's float32
  prediction is aligned to the markers by its Procrustes similarity
  transform, the same transform is applied to the fast prediction, and the
  per-joint distance between the two is taken (mean, 95th percentile, max);
* lifting speed (frames/s), float32 and fast interleaved.

Examples::

    # the shipped checkpoints/mb_pretrain_small_pybullet.pth:
    python benchmarks/bench_fast_inference.py
    python benchmarks/bench_fast_inference.py --config CFG.py \\
        --checkpoint best.pth
    python benchmarks/bench_fast_inference.py --checkpoint best_epoch.bin \\
        --official
"""
import argparse
import json
import os.path as osp
import sys
import warnings
from typing import Dict

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import (ROOT, environment, interleaved, median,  # noqa: E402
                     print_environment)


def procrustes_transform(pred: np.ndarray, target: np.ndarray):
    """Per-frame similarity transform aligning ``pred`` to ``target``.

    Args:
        pred (np.ndarray): (N, J, 3).
        target (np.ndarray): (N, J, 3).

    Returns:
        Callable: maps (N, J, 3) poses with the N transforms.
    """
    mu_p = pred.mean(1, keepdims=True)
    mu_t = target.mean(1, keepdims=True)
    p0, t0 = pred - mu_p, target - mu_t
    norm_p = np.sqrt((p0**2).sum((1, 2), keepdims=True))
    norm_t = np.sqrt((t0**2).sum((1, 2), keepdims=True))
    p0, t0 = p0 / norm_p, t0 / norm_t
    h = np.matmul(p0.transpose(0, 2, 1), t0)
    u, s, vt = np.linalg.svd(h)
    v = vt.transpose(0, 2, 1)
    rot = np.matmul(v, u.transpose(0, 2, 1))
    # proper rotation (no reflection)
    sign = np.sign(np.linalg.det(rot))[:, None]
    v[:, :, -1] *= sign
    s[:, -1] *= sign[:, 0]
    rot = np.matmul(v, u.transpose(0, 2, 1)).transpose(0, 2, 1)
    scale = s.sum(1)[:, None, None] * norm_t / norm_p

    def apply(x: np.ndarray) -> np.ndarray:
        return scale * np.matmul(x - mu_p, rot) + mu_t

    return apply


def load_model(args) -> torch.nn.Module:
    """The lifter from the command line (default: the shipped model)."""
    if not (args.checkpoint or args.arch):
        from mmmotionbert.apis.inferencers import init_lifter
        return init_lifter(config=args.config)
    sys.path.insert(0, osp.join(ROOT, 'tools', 'deployment'))
    from export_onnx import load_lifter
    return load_lifter(args.config, args.checkpoint, args.official,
                       args.arch)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--config')
    p.add_argument('--checkpoint')
    p.add_argument('--official', action='store_true')
    p.add_argument('--arch', choices=['tiny', 'lite', 'full'],
                   help='random weights (speed only; deviations of an '
                   'untrained model mean little)')
    p.add_argument('--precisions', nargs='+', default=None,
                   help='default: int8, plus bf16 where the CPU has bf16 '
                   'dot products')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--threads', type=int)
    p.add_argument('--no-flip', action='store_true')
    p.add_argument('--json')
    return p.parse_args(argv)


def main(argv=None) -> Dict:
    args = parse_args(argv)
    warnings.filterwarnings('ignore')
    if args.threads:
        torch.set_num_threads(args.threads)
    from mmmotionbert.apis.fast_inference import (bf16_fast_on_cpu,
                                                  int8_available,
                                                  optimize_for_inference)
    from mmmotionbert.datasets.pose2sim_demo import load_pose2sim_demo
    from mmmotionbert.evaluation.functional.errors import p_mpjpe
    from mmmotionbert.apis.pose2sim_eval import (
        lift_sequence, model_clip_len)
    precisions = args.precisions
    if precisions is None:
        precisions = (['int8'] if int8_available() else []) + (
            ['bf16'] if bf16_fast_on_cpu() else [])
    print('command: python ' + ' '.join(sys.argv))
    env = environment()
    print_environment(env)
    model = load_model(args).eval()
    clip_len = model_clip_len(model)
    flip = not args.no_flip
    demo = load_pose2sim_demo()
    gt_mm = np.asarray(demo['joints_3d'], np.float64) * 1000.0
    inputs = dict(demo['keypoints_2d'])  # pixels, normalised per window
    models = {'model': model}  # the float32 model itself
    for p in precisions:
        models['fast_' + p] = optimize_for_inference(model, precision=p)

    def lift_all(m):
        return {
            cam: lift_sequence(m, x, clip_len, flip,
                               per_window=True).astype(np.float64)
            for cam, x in inputs.items()
        }

    with torch.no_grad():
        preds = {name: lift_all(m) for name, m in models.items()}
    res = dict(command=' '.join(sys.argv), environment=env,
               clip_len=clip_len, flip=flip, precisions={})
    print(f'\n== Pose2Sim demo, {len(inputs)} cameras x {len(gt_mm)} '
          f'frames, windows of {clip_len}, flip test {flip}')
    for name in models:
        cams = {}
        for cam in inputs:
            ref, out = preds['model'][cam], preds[name][cam]
            to_mm = procrustes_transform(ref, gt_mm)
            dev = np.linalg.norm(to_mm(out) - to_mm(ref), axis=-1)
            cams[cam] = dict(
                p_mpjpe_mm=float(np.mean(p_mpjpe(out, gt_mm))),
                dev_mean_mm=float(dev.mean()),
                dev_p95_mm=float(np.percentile(dev, 95)),
                dev_max_mm=float(dev.max()))
        summary = {
            k: float(np.mean([c[k] for c in cams.values()]))
            for k in ('p_mpjpe_mm', 'dev_mean_mm', 'dev_p95_mm')
        }
        summary['dev_max_mm'] = float(
            max(c['dev_max_mm'] for c in cams.values()))
        summary['cameras'] = cams
        res['precisions'][name] = summary
    frames = sum(len(x) for x in inputs.values()) * (2 if flip else 1)
    with torch.no_grad():
        times = interleaved(
            {name: (lambda m=m: lift_all(m))
             for name, m in models.items()}, args.repeats)
    print(f'  {"model":10s} {"P-MPJPE mm":>11s} {"dev mean":>9s} '
          f'{"dev p95":>8s} {"dev max":>8s} {"frames/s":>9s} '
          f'{"speed-up":>9s}')
    for name, summ in res['precisions'].items():
        wall = median(times[name]['wall'])
        speed = median([
            f / n for f, n in zip(times['model']['wall'], times[name]['wall'])
        ])
        summ.update(wall_s=wall, frames_per_s=frames / wall,
                    speedup_vs_fp32=speed)
        print(f'  {name:10s} {summ["p_mpjpe_mm"]:11.1f} '
              f'{summ["dev_mean_mm"]:9.2f} {summ["dev_p95_mm"]:8.2f} '
              f'{summ["dev_max_mm"]:8.2f} {frames / wall:9.1f} '
              f'{speed:8.2f}x')
    print('  (model = the float32 model; deviation = distance to its '
          'prediction, in mm after its Procrustes alignment to the markers; '
          'speed-up vs the float32 model)')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(res, f, indent=1)
    return res


if __name__ == '__main__':
    main()
