# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Speed of offline and streaming lifting, and what causal mode costs.

Measures, on the Pose2Sim demo (real OpenPose BODY_25B, 4 cameras x 100
frames, needs ``pose2sim==0.4.15``):

* offline (blended sliding windows) lifting throughput, frames/s;
* streaming (causal windows) per-frame latency (median, p95) and frames/s;
* P-MPJPE (mm) of the subject against the 3D markers, offline vs streaming
  with each ``--lookahead`` (only meaningful for a trained checkpoint).

Examples::

    python tools/misc/benchmark_lifter.py --checkpoint CKPT [--config CFG]
    python tools/misc/benchmark_lifter.py --arch small   # random weights,
                                                         # speed only
"""
import argparse
import os.path as osp
import sys
import time

import numpy as np
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.join(ROOT, 'demo'))

#: Random-weight stand-ins for speed measurements.
ARCHS = dict(
    small=dict(dim_feat=64, dim_rep=128, depth=3, num_heads=4, mlp_ratio=2,
               maxlen=27),
    small81=dict(dim_feat=64, dim_rep=128, depth=3, num_heads=4,
                 mlp_ratio=2, maxlen=81),
    lite=dict(dim_feat=256, dim_rep=512, depth=5, num_heads=8, mlp_ratio=4,
              maxlen=243))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--checkpoint')
    p.add_argument('--config')
    p.add_argument('--num-heads', type=int)
    p.add_argument('--arch', choices=sorted(ARCHS),
                   help='random-weight model instead of a checkpoint')
    p.add_argument('--cameras', nargs='+',
                   default=['cam1', 'cam2', 'cam3', 'cam4'])
    p.add_argument('--clip-len', type=int)
    p.add_argument('--lookahead', type=int, nargs='+', default=[0])
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--no-flip', action='store_true')
    return p.parse_args(argv)


def build(args):
    from mmmotionbert.apis.inferencers import MotionLifterInferencer
    kwargs = dict(flip_test=not args.no_flip, clip_len=args.clip_len,
                  progress=False)
    if args.arch:
        import mmmotionbert  # noqa: F401
        from mmmotionbert.registry import MODELS
        arch = ARCHS[args.arch]
        model = MODELS.build(
            dict(type='MBPoseLifter',
                 backbone=dict(type='MBDSTformer', **arch),
                 head=dict(type='MBPoseHead', dim_rep=arch['dim_rep'])))
        return MotionLifterInferencer(model=model, **kwargs), args.arch
    official = {'num_heads': args.num_heads} if args.num_heads else {}
    inf = MotionLifterInferencer(checkpoint=args.checkpoint,
                                 config=args.config, **kwargs, **official)
    return inf, args.checkpoint or 'default'


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    from lift_2d_to_3d import _resolve_pose2sim, pose2sim_score

    from mmmotionbert.apis.inferencers import StreamingLifter
    from mmmotionbert.apis.readers import read_keypoints
    inf, name = build(args)
    params = sum(p.numel() for p in inf.model.parameters())
    print(f'model: {name}, {params / 1e6:.2f}M params, clip_len '
          f'{inf.clip_len}, flip {inf.flip_test}, {args.threads} thread(s)')
    rows = []
    for cam in args.cameras:
        folder, trc, _ = _resolve_pose2sim(f'pose2sim:{cam}')
        seq = read_keypoints(folder).filter_tracks(min_frames=5)
        best = int(np.argmax(seq.scores.sum((1, 2))))
        seq = seq.select([best])  # the subject
        inf.lift(seq)  # warm-up
        t = time.perf_counter()
        off = inf.lift(seq)
        off_s = time.perf_counter() - t
        row = dict(cam=cam, offline_fps=seq.num_frames / off_s,
                   offline=pose2sim_score(off, trc)['p_mpjpe_mm'])
        for la in args.lookahead:
            stream = StreamingLifter(inf, lookahead=la)
            res = stream.run(seq, progress=False)
            lat = np.asarray(stream.latencies[inf.clip_len:]) * 1000
            row[f'stream{la}'] = pose2sim_score(res, trc)['p_mpjpe_mm']
            row[f'lat{la}_median_ms'] = float(np.median(lat))
            row[f'lat{la}_p95_ms'] = float(np.percentile(lat, 95))
        rows.append(row)
        print(' '.join(f'{k}={v:.1f}' if isinstance(v, float) else
                       f'{k}={v}' for k, v in row.items()))
    keys = [k for k in rows[0] if k != 'cam']
    print('mean ' + ' '.join(f'{k}={np.mean([r[k] for r in rows]):.1f}'
                             for k in keys))
    return rows


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main)
