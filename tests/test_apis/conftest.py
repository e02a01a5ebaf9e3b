# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Generated keypoints in every supported layout and tiny lifters."""
import numpy as np
import pytest
import torch

from ..conftest import build_tiny_lifter

#: A standing COCO-17 pose (pixels, relative to the mid-hip).
COCO_TEMPLATE = np.array(
    [[0, -150], [8, -158], [-8, -158], [16, -152], [-16, -152], [40, -110],
     [-40, -110], [50, -60], [-50, -60], [55, -10], [-55, -10], [25, 0],
     [-25, 0], [28, 70], [-28, 70], [30, 140], [-30, 140]], np.float64)


def coco_motion(num_frames: int, center=(320.0, 240.0), seed: int = 0):
    """(T, 17, 2) COCO pixels of a gently moving person and (T, 17) scores."""
    rng = np.random.default_rng(seed)
    t = np.arange(num_frames)[:, None, None]
    kp = COCO_TEMPLATE[None] + np.asarray(center)[None, None]
    kp = kp + np.concatenate([3 * np.sin(t / 5.0), 2 * np.cos(t / 7.0)], -1)
    kp = kp + rng.normal(0, 0.5, kp.shape)
    scores = rng.uniform(0.5, 1.0, kp.shape[:2])
    return kp.astype(np.float32), scores.astype(np.float32)


def _mid(a, b):
    return (a + b) / 2


def to_layout(coco: np.ndarray, scores: np.ndarray, layout: str):
    """Express a COCO pose sequence in another layout (keypoints, scores)."""
    from mmmotionbert.utils.keypoints import coco_to_h36m
    c, s = coco, scores
    feet = np.repeat(c[..., 15:17, :], 3, axis=-2) + np.array([0, 5],
                                                              np.float32)
    feet_s = np.repeat(s[..., 15:17], 3, axis=-1)
    neck = _mid(c[..., 5, :], c[..., 6, :])
    hip = _mid(c[..., 11, :], c[..., 12, :])
    head_top = c[..., 0, :] + np.array([0, -20], np.float32)
    if layout == 'coco':
        return c, s
    if layout == 'h36m':
        out = coco_to_h36m(np.concatenate([c, s[..., None]], -1))
        return out[..., :2], out[..., 2]
    if layout == 'halpe26':
        kp = np.concatenate(
            [c, head_top[..., None, :], neck[..., None, :], hip[..., None, :],
             feet], -2)
        sc = np.concatenate([s, s[..., :3], feet_s], -1)
        return kp, sc
    if layout == 'body25b':
        kp = np.concatenate([c, neck[..., None, :], head_top[..., None, :],
                             feet], -2)
        sc = np.concatenate([s, s[..., :2], feet_s], -1)
        return kp, sc
    if layout == 'body25':
        order = [0, None, 6, 8, 10, 5, 7, 9, 'hip', 12, 14, 16, 11, 13, 15, 2,
                 1, 4, 3]
        kps, scs = [], []
        for o in order:
            if o is None:
                kps.append(neck)
                scs.append(s[..., 5])
            elif o == 'hip':
                kps.append(hip)
                scs.append(s[..., 11])
            else:
                kps.append(c[..., o, :])
                scs.append(s[..., o])
        kp = np.concatenate([np.stack(kps, -2), feet], -2)
        sc = np.concatenate([np.stack(scs, -1), feet_s], -1)
        return kp, sc
    if layout == 'openpose18':
        kp, sc = to_layout(coco, scores, 'body25')
        keep = [i for i in range(19) if i != 8]
        return kp[..., keep, :], sc[..., keep]
    if layout == 'blazepose':
        from mmmotionbert.utils.keypoints import BLAZEPOSE_TO_COCO
        shape = c.shape[:-2] + (33, )
        kp = np.zeros(shape + (2, ), np.float32)
        sc = np.full(shape, 0.3, np.float32)
        kp[..., list(BLAZEPOSE_TO_COCO), :] = c
        sc[..., list(BLAZEPOSE_TO_COCO)] = s
        return kp, sc
    raise ValueError(layout)


@pytest.fixture(scope='module')
def tiny_lifter():
    """A tiny random MBPoseLifter (maxlen 16)."""
    return build_tiny_lifter(maxlen=16, mlp_ratio=2).eval()


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny models run fastest (and steadiest on a shared CPU) on 1 thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
