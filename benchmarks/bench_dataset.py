# Copyright (c) mmmotionbert contributors. All rights reserved.
"""H36M data pipeline: our in-memory dataset vs one pickle file per clip.

The official MotionBERT pipeline converts the Human3.6M pickle once into
one small pickle per 243-frame clip (``tools/convert_h36m.py``: about 19k
training files) and its dataset reads one file per item
(``MotionDataset3D.__getitem__``). :class:`ClipPickleDataset` below
re-implements that approach (written for this benchmark, same file layout:
``{'data_input': (T, 17, 3), 'data_label': (T, 17, 3)}`` float32 per clip,
flip with probability 0.5). :class:`MBH36MDataset` keeps the split's
per-frame arrays in memory and gathers clips by row indices.

Measured in one run on a generated pkl in the official format
(:mod:`mmmotionbert.datasets.synthetic_h36m`) of realistic size (default:
the official H36M split sizes, about 1.56M training and 0.57M test frames):

* build: ours = constructing the dataset from the pkl; per-clip = the same
  reading and normalisation, plus writing one pickle per clip (the
  official one-off conversion), plus listing the files;
* one epoch of ``dataset[i]`` over all training clips, and one epoch
  through a ``DataLoader`` (batch 32, main process), both datasets
  interleaved round by round. The per-clip files are read from the page
  cache (they were just written), the best case for that approach.

Example::

    python benchmarks/bench_dataset.py              # official size
    python benchmarks/bench_dataset.py --scale 0.1  # 10% of the sequences
"""
import argparse
import json
import os
import os.path as osp
import pickle
import random
import shutil
import sys
import tempfile
import time
from typing import Dict, Tuple

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import environment, median, print_environment  # noqa: E402

#: official H36M (MotionBERT pkl) split sizes: sequences and frames
H36M_TRAIN_SEQS, H36M_TEST_SEQS = 600, 236
#: sequence lengths giving about 1.56M train / 0.57M test frames
H36M_FRAMES = (1000, 4200)


def flip_clip(x: np.ndarray) -> np.ndarray:
    """Mirror a (T, 17, C) clip: negate x, swap left/right joints."""
    from mmmotionbert.utils.keypoints import flip_h36m
    return flip_h36m(x)


class ClipPickleDataset(Dataset):
    """One pickle file per clip, read on every access (official approach).

    Args:
        clip_dir (str): Folder of ``%08d.pkl`` files.
        flip_prob (float): Probability of mirroring a clip.
    """

    def __init__(self, clip_dir: str, flip_prob: float = 0.5) -> None:
        self.files = sorted(
            osp.join(clip_dir, f) for f in os.listdir(clip_dir)
            if f.endswith('.pkl'))
        self.flip_prob = flip_prob

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> Tuple[torch.Tensor, torch.Tensor]:
        with open(self.files[index], 'rb') as f:
            clip = pickle.load(f)
        motion_2d, motion_3d = clip['data_input'], clip['data_label']
        if random.random() < self.flip_prob:
            motion_2d, motion_3d = flip_clip(motion_2d), flip_clip(motion_3d)
        return torch.FloatTensor(motion_2d), torch.FloatTensor(motion_3d)


def write_clip_pickles(data_file: str, out_dir: str, clip_len: int) -> int:
    """The official one-off conversion: read, normalise, one file per clip.

    Returns:
        int: Number of training clips written.
    """
    from mmmotionbert.datasets.h36m_reader import H36MReader
    reader = H36MReader(data_file, n_frames=clip_len)
    inputs = reader.read_2d('train')
    labels = reader.read_3d('train')
    clips = reader.clip_ids('train')
    os.makedirs(out_dir, exist_ok=True)
    for i, rows in enumerate(clips):
        with open(osp.join(out_dir, f'{i:08d}.pkl'), 'wb') as f:
            pickle.dump(
                dict(data_input=inputs[rows], data_label=labels[rows]), f)
    return len(clips)


def epoch(dataset: Dataset, loader: bool) -> int:
    """Touch every item once (or every batch of a DataLoader)."""
    if loader:
        n = 0
        for batch in DataLoader(dataset, batch_size=32, shuffle=True,
                                num_workers=0):
            n += 1
        return n
    for i in np.random.permutation(len(dataset)):
        dataset[int(i)]
    return len(dataset)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--scale', type=float, default=1.0,
                   help='fraction of the official number of sequences')
    p.add_argument('--clip-len', type=int, default=243)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--work-dir', help='where to write the data (default: a '
                   'temporary folder, removed afterwards)')
    p.add_argument('--json', help='also write the results to this file')
    return p.parse_args(argv)


def main(argv=None) -> Dict:
    args = parse_args(argv)
    from mmmotionbert.datasets.h36m_dataset import MBH36MDataset
    from mmmotionbert.datasets.synthetic_h36m import write_synthetic_h36m
    print('command: python ' + ' '.join(sys.argv))
    env = environment()
    print_environment(env)
    work = args.work_dir or tempfile.mkdtemp(prefix='mb_bench_data_')
    os.makedirs(work, exist_ok=True)
    res = dict(command=' '.join(sys.argv), environment=env)
    try:
        pkl = osp.join(work, 'h36m_sh_conf_cam_source_final.pkl')
        t0 = time.perf_counter()
        write_synthetic_h36m(
            pkl,
            num_train=max(1, round(H36M_TRAIN_SEQS * args.scale)),
            num_test=max(1, round(H36M_TEST_SEQS * args.scale)),
            frames=H36M_FRAMES,
            seed=0)
        res['generate_s'] = time.perf_counter() - t0
        res['pkl_mb'] = osp.getsize(pkl) / 1e6

        t0 = time.perf_counter()
        ours = MBH36MDataset(pkl, split='train', clip_len=args.clip_len,
                             flip_prob=0.5)
        res['build_ours_s'] = time.perf_counter() - t0
        clip_dir = osp.join(work, 'clips_train')
        t0 = time.perf_counter()
        n_written = write_clip_pickles(pkl, clip_dir, args.clip_len)
        theirs = ClipPickleDataset(clip_dir, flip_prob=0.5)
        res['build_per_clip_s'] = time.perf_counter() - t0
        assert n_written == len(theirs) == len(ours), (n_written, len(ours))
        res['train_frames'] = int(ours.metainfo['num_frames'])
        res['train_clips'] = len(ours)
        res['clip_files_mb'] = sum(
            osp.getsize(f) for f in theirs.files) / 1e6
        # same clip content (no flip) in both
        ours_noflip = MBH36MDataset(pkl, split='train',
                                    clip_len=args.clip_len)
        k = len(ours) // 2
        with open(theirs.files[k], 'rb') as f:
            clip = pickle.load(f)
        assert np.array_equal(ours_noflip[k]['inputs'].numpy(),
                              clip['data_input'])
        del ours_noflip
        print(f'\n== data: {res["train_frames"]} training frames, '
              f'{res["train_clips"]} clips of {args.clip_len} frames; pkl '
              f'{res["pkl_mb"]:.0f} MB (generated in {res["generate_s"]:.0f}'
              f' s), clip files {res["clip_files_mb"]:.0f} MB')
        print(f'  build: ours {res["build_ours_s"]:.1f} s, per-clip pickles '
              f'{res["build_per_clip_s"]:.1f} s (incl. writing the files)')
        for loader in (False, True):
            key = 'dataloader' if loader else 'getitem'
            times = dict(ours=[], per_clip=[])
            epoch(ours, loader)  # warm-up
            epoch(theirs, loader)
            for _ in range(args.repeats):
                for name, ds in (('per_clip', theirs), ('ours', ours)):
                    t0 = time.perf_counter()
                    epoch(ds, loader)
                    times[name].append(time.perf_counter() - t0)
            speedup = median(
                [p / o for p, o in zip(times['per_clip'], times['ours'])])
            res[key] = dict(
                ours_s=median(times['ours']),
                per_clip_s=median(times['per_clip']),
                speedup=speedup,
                ours_rounds=times['ours'],
                per_clip_rounds=times['per_clip'])
            what = ('DataLoader(batch 32) epoch' if loader else
                    'dataset[i] over every clip')
            print(f'  {what}: ours {median(times["ours"]):.2f} s, per-clip '
                  f'pickles {median(times["per_clip"]):.2f} s -> '
                  f'{speedup:.1f}x faster ('
                  f'{len(ours) / median(times["ours"]):.0f} vs '
                  f'{len(ours) / median(times["per_clip"]):.0f} clips/s)')
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    res['environment_end'] = environment()
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(res, f, indent=1)
    return res


if __name__ == '__main__':
    main()
