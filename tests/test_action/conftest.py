# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Small generated skeleton pickles in the pyskl / mmaction2 format."""
import pickle
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
import pytest
import torch

from tests.conftest import official_fixture

IMG_SHAPE = (1080, 1920)
#: Classes of the generated data (5 distinct motions).
NUM_CLASSES = 5


def _arm(shoulder: np.ndarray, side: float, angle: float) -> tuple:
    """Elbow and wrist of an arm raised ``angle`` degrees from hanging."""
    rad = np.deg2rad(angle)
    direction = np.array([side * np.sin(rad), np.cos(rad)])
    elbow = shoulder + 0.25 * direction
    return elbow, elbow + 0.25 * direction


def coco_pose(label: int, phase: float) -> np.ndarray:
    """A COCO-17 pose (17, 2) in body units (y down) doing action ``label``.

    0: waving the right arm, 1: both arms up, 2: squatting, 3: kicking,
    4: jumping with the arms spread.
    """
    wave = np.sin(phase)
    dy, bend, kick = 0.0, 0.0, 0.0
    left, right = 10.0, 10.0
    if label == 0:
        right = 130 + 35 * wave
    elif label == 1:
        left = right = 165 + 5 * wave
    elif label == 2:
        dy, bend = 0.2 * (1 - np.cos(phase)), 0.15 * (1 - np.cos(phase))
        left = right = 80
    elif label == 3:
        kick = 0.35 * max(wave, 0)
    else:
        dy = -0.2 * abs(wave)
        left = right = 90
    kp = np.zeros((17, 2))
    kp[0] = (0, -0.9)
    kp[1], kp[2] = (0.04, -0.94), (-0.04, -0.94)
    kp[3], kp[4] = (0.09, -0.91), (-0.09, -0.91)
    kp[5], kp[6] = (0.2, -0.7), (-0.2, -0.7)
    kp[7], kp[9] = _arm(kp[5], 1, left)
    kp[8], kp[10] = _arm(kp[6], -1, right)
    kp[11], kp[12] = (0.12, 0.0), (-0.12, 0.0)
    kp[13], kp[14] = (0.12 + bend, 0.45 - bend), (-0.12 - bend, 0.45 - bend)
    kp[15], kp[16] = (0.12, 0.9), (-0.12 - kick, 0.9 - kick)
    kp[:15, 1] += dy
    kp[11:15, 1] -= dy * 0.5
    return kp


def make_sample(label: int,
                rng: np.random.Generator,
                name: str,
                num_person: int = 1,
                frames: int = 24) -> Dict:
    """One pyskl-style annotation with pixel keypoints and scores."""
    h, w = IMG_SHAPE
    speed = rng.uniform(0.3, 0.5)
    phases = np.arange(frames) * speed + rng.uniform(0, np.pi)
    persons = []
    for p in range(num_person):
        center = np.array([w * (0.3 + 0.4 * p), h * 0.55])
        center = center + rng.normal(0, 40, 2)
        size = rng.uniform(250, 350)
        seq = np.stack([coco_pose(label, ph) for ph in phases])
        persons.append(seq * size + center)
    keypoint = np.stack(persons).astype(np.float32)
    keypoint += rng.normal(0, 2, keypoint.shape).astype(np.float32)
    score = rng.uniform(0.6, 1.0, keypoint.shape[:3]).astype(np.float32)
    return dict(
        frame_dir=name,
        label=label,
        img_shape=IMG_SHAPE,
        original_shape=IMG_SHAPE,
        total_frames=frames,
        keypoint=keypoint,
        keypoint_score=score)


def make_ntu_pickle(path: Path,
                    classes: Sequence[int],
                    per_class: int,
                    seed: int = 0) -> List[Dict]:
    """Write a pyskl-format pickle with ``xsub_train`` / ``xsub_val`` splits.

    Samples alternate between one and two persons and 20..32 frames; every
    third sample of a class goes to ``xsub_val``.
    """
    rng = np.random.default_rng(seed)
    annos, train, val = [], [], []
    for label in classes:
        for i in range(per_class):
            name = f'S001C001P{i:03d}R001A{label:03d}'
            annos.append(
                make_sample(
                    label,
                    rng,
                    name,
                    num_person=1 + i % 2,
                    frames=int(rng.integers(20, 33))))
            (val if i % 3 == 2 else train).append(name)
    with open(path, 'wb') as f:
        pickle.dump(
            dict(
                split=dict(xsub_train=train, xsub_val=val), annotations=annos),
            f)
    return annos


def make_oneshot_pickle(path: Path,
                        classes: Sequence[int],
                        queries: int,
                        seed: int = 1) -> None:
    """Write a one-shot evaluation pickle: one exemplar per class."""
    rng = np.random.default_rng(seed)
    annos, exemplars, others = [], [], []
    for label in classes:
        for i in range(queries + 1):
            name = f'oneshot_A{label:03d}_{i}'
            annos.append(make_sample(label, rng, name, frames=24))
            (exemplars if i == 0 else others).append(name)
    with open(path, 'wb') as f:
        pickle.dump(
            dict(
                split=dict(oneshot_train=exemplars, oneshot_val=others),
                annotations=annos), f)


@pytest.fixture(scope='session')
def ntu_pkl(tmp_path_factory) -> str:
    """5 classes x 9 samples (30 train, 15 val)."""
    path = tmp_path_factory.mktemp('ntu') / 'synthetic_ntu.pkl'
    make_ntu_pickle(path, range(NUM_CLASSES), per_class=9)
    return str(path)


@pytest.fixture(scope='session')
def oneshot_pkl(tmp_path_factory) -> str:
    """Classes 0 and 3: one exemplar and 3 queries each."""
    path = tmp_path_factory.mktemp('ntu') / 'synthetic_ntu_oneshot.pkl'
    make_oneshot_pickle(path, (0, 3), queries=3)
    return str(path)


@pytest.fixture(scope='session')
def action_fixture() -> dict:
    """The official ActionNet parity fixture."""
    return torch.load(official_fixture('action.pt'), weights_only=True)
