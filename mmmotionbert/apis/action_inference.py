# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Skeleton action recognition inference: a keypoint sequence in, top-k out.

Example::

    from mmmotionbert.apis import init_action_model, inference_action
    model = init_action_model('configs/action/CONFIG.py', 'epoch_300.pth')
    result = inference_action(model, keypoints, img_shape=(1080, 1920),
                              keypoint_format='coco', topk=5)
    result['topk']   # [(label, probability, name or None), ...]

Official checkpoints work too: ``model = load_official_model(path,
task='action')``; such a model has no config, so the official test pipeline
(clip length = the backbone's ``maxlen``, crop-scale 2) is used.

May import: numpy, torch, mmengine, :mod:`mmmotionbert.registry` and
:mod:`mmmotionbert.utils` (keypoints, official); as part of ``apis``, every
layer.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from torch import nn

from mmmotionbert.registry import ACTION_MODELS, ACTION_TRANSFORMS
from mmmotionbert.utils.official import (convert_official_checkpoint,
                                         load_checkpoint_dict)

__all__ = [
    'init_action_model', 'inference_action', 'action_test_pipeline',
    'load_label_names'
]

#: Layouts the action pipeline converts itself (``MBJointConvert``):
#: name -> (joints, is 3D). Every other 2D layout of
#: :func:`mmmotionbert.utils.keypoints.convert_keypoints` (Halpe-26,
#: OpenPose, BlazePose, ...) is converted to H36M-17 first.
PIPELINE_FORMATS = {
    'coco': (17, False),
    'h36m': (17, False),
    'ntu': (25, True)
}


def init_action_model(config: Union[str, Config],
                      checkpoint: Optional[str] = None,
                      device: str = 'cpu') -> nn.Module:
    """Build a recognizer from a config and load a checkpoint.

    Args:
        config (str | Config): Action config (``configs/action/*.py``).
        checkpoint (str, optional): mmengine checkpoint, or an official
            ``best_epoch.bin`` (converted on the fly). None keeps the
            initial weights.
        device (str): Device. Defaults to ``'cpu'``.

    Returns:
        nn.Module: The model in eval mode, with the config as ``model.cfg``.
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.get('backbone', {}).pop('init_cfg', None)
    model = ACTION_MODELS.build(dict(model_cfg, _scope_='mmaction'))
    if checkpoint is not None:
        ckpt = load_checkpoint_dict(checkpoint)
        if 'model' in ckpt or 'model_pos' in ckpt:
            ckpt = convert_official_checkpoint(ckpt)
        state_dict = ckpt.get('state_dict', ckpt)
        model.load_state_dict(state_dict, strict=True)
        if 'meta' in ckpt and 'dataset_meta' in ckpt['meta']:
            model.dataset_meta = ckpt['meta']['dataset_meta']
    model.cfg = cfg
    model.to(device)
    model.eval()
    return model


def action_test_pipeline(clip_len: int = 243,
                         src: str = 'coco',
                         scale_range: Sequence[float] = (2., 2.),
                         convert_scores: bool = True,
                         track_scores: bool = True,
                         normalize: bool = True) -> List[dict]:
    """The official test-time preprocessing as transform configs.

    Args:
        clip_len (int): Frames fed to the model. Defaults to 243.
        src (str): Joint layout of the input (``MBJointConvert``).
        scale_range (Sequence[float]): Crop-scale ratio. Defaults to (2, 2).
        convert_scores (bool): Reorder scores with the joints. Defaults to
            True.
        track_scores (bool): Swap scores with tracked identities. Defaults
            to True.
        normalize (bool): Normalize pixel coordinates by the image size
            first. Defaults to True.

    Returns:
        list[dict]: Transform configs, ending with ``MBFormatActionInput``.
    """
    pipeline = [dict(type='MBSkeletonNormalize')] if normalize else []
    pipeline += [
        dict(type='MBHumanTracking', track_scores=track_scores),
        dict(type='MBJointConvert', src=src, convert_scores=convert_scores),
        dict(type='MBResampleFrames', clip_len=clip_len, randomness=False),
        dict(type='MBPadPersons', num_person=2),
        dict(type='MBCropScale', scale_range=tuple(scale_range)),
        dict(type='MBFormatActionInput'),
    ]
    return pipeline


def _pipeline_from_config(cfg: Config, src: str,
                          normalize: bool) -> Optional[List[dict]]:
    """The config's test pipeline up to the model input, adapted to ``src``."""
    try:
        pipeline = cfg.test_dataloader.dataset.pipeline
    except AttributeError:
        return None
    out = []
    for step in pipeline:
        step = dict(step)
        step.pop('_scope_', None)
        if step['type'] == 'PackActionInputs':
            break
        if step['type'] == 'MBSkeletonNormalize' and not normalize:
            continue
        if step['type'] == 'MBJointConvert':
            step['src'] = src
        out.append(step)
    if not out or out[-1]['type'] != 'MBFormatActionInput':
        return None
    return out


def load_label_names(
        label_names: Union[None, str, Sequence[str]]) -> Optional[List[str]]:
    """Class names from a list or a text file (one name per line).

    Args:
        label_names (str | Sequence[str], optional): Names or file path.

    Returns:
        list[str] | None: The names.
    """
    if label_names is None or not isinstance(label_names, str):
        return None if label_names is None else list(label_names)
    if not osp.isfile(label_names):
        raise ValueError(f'label map file {label_names} does not exist')
    with open(label_names) as f:
        return [line.strip() for line in f if line.strip()]


def _as_skeleton(
        keypoints: np.ndarray, scores: Optional[np.ndarray],
        keypoint_format: str) -> Tuple[np.ndarray, Optional[np.ndarray], str]:
    """Bring user keypoints to (M, T, J, C), scores to (M, T, J).

    Returns:
        tuple: keypoints, scores (None for 3D) and the ``MBJointConvert``
        source layout (``'coco'``, ``'h36m'`` or ``'ntu'``).
    """
    kp = np.asarray(keypoints, dtype=np.float64)
    if kp.ndim == 3:
        kp = kp[None]
    if kp.ndim != 4:
        raise ValueError(f'keypoints must be (T, J, C) or (M, T, J, C), got '
                         f'shape {kp.shape}')
    m, t, j, c = kp.shape
    if m == 0 or t == 0 or j == 0:
        raise ValueError(f'keypoints hold no persons, frames or joints '
                         f'(shape {kp.shape})')
    fmt = str(keypoint_format).lower()
    if fmt == 'ntu':
        if (j, c) != (25, 3) or scores is not None:
            raise ValueError(f"keypoint_format 'ntu' means NTU-25 3D "
                             f'skeletons (..., 25, 3) without scores, got '
                             f'shape {kp.shape}')
        return kp, None, 'ntu'
    if c == 3 and scores is None:
        kp, scores = kp[..., :2], kp[..., 2]
    elif c != 2:
        raise ValueError(f'2D keypoints need (x, y) plus scores, or (x, y, '
                         f'score) channels; got shape {kp.shape}')
    if scores is None:
        raise ValueError('2D keypoints need confidence scores: pass scores '
                         '(T, J) / (M, T, J) or a third channel')
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 2:
        scores = scores[None]
    if scores.shape != kp.shape[:3]:
        raise ValueError(f'scores must have shape {kp.shape[:3]} (or '
                         f'{kp.shape[1:3]}), got {scores.shape}')
    if fmt in PIPELINE_FORMATS:
        if j != PIPELINE_FORMATS[fmt][0]:
            raise ValueError(f'keypoint_format {fmt!r} has '
                             f'{PIPELINE_FORMATS[fmt][0]} joints, got {j} '
                             f'(keypoints shape {kp.shape})')
        return kp, scores, fmt
    # any other 2D layout: the package-wide conversion to H36M-17
    from mmmotionbert.utils.keypoints import convert_keypoints
    kp, scores = convert_keypoints(kp, scores, fmt)
    return kp.astype(np.float64), scores.astype(np.float64), 'h36m'


@torch.no_grad()
def inference_action(model: nn.Module,
                     keypoints: np.ndarray,
                     scores: Optional[np.ndarray] = None,
                     img_shape: Optional[Tuple[int, int]] = None,
                     normalized: bool = False,
                     keypoint_format: str = 'coco',
                     topk: int = 5,
                     label_names: Union[None, str, Sequence[str]] = None,
                     clip_len: Optional[int] = None,
                     official_scores: Optional[bool] = None) -> Dict:
    """Recognize the action of one skeleton sequence.

    Args:
        model (nn.Module): An :class:`MBRecognizer` with a classification
            head (from :func:`init_action_model` or ``load_official_model``).
        keypoints (np.ndarray): (T, J, C) or (M, T, J, C). 2D formats:
            pixel (x, y) with ``scores``, or (x, y, score) in C = 3; ``'ntu'``:
            3D (x, y, z).
        scores (np.ndarray, optional): (T, J) or (M, T, J) confidences.
        img_shape (tuple[int, int], optional): (h, w) of the video, for
            the official ``x / max(w, h) * 2 - 1`` normalization of 2D pixel
            coordinates. Required for 2D input unless ``normalized``: the
            crop-scale step makes real persons independent of it, but not
            the zero-padded second person of a single-person clip.
        normalized (bool): 2D coordinates are already normalized as above
            (no ``img_shape`` needed). Defaults to False.
        keypoint_format (str): ``'coco'`` (COCO-17: mmpose, pyskl),
            ``'h36m'``, ``'ntu'`` (NTU-25 3D) or any 2D layout of
            :func:`~mmmotionbert.utils.keypoints.convert_keypoints`
            (``'halpe26'``, ``'body25'``, ``'openpose18'``, ``'blazepose'``,
            ...). Defaults to ``'coco'``.
        topk (int): How many classes to return. Defaults to 5.
        label_names (str | Sequence[str], optional): Class names or a text
            file with one per line.
        clip_len (int, optional): Frames fed to the model; defaults to the
            config's test pipeline, else the backbone's ``maxlen``.
        official_scores (bool, optional): Feed scores the way the official
            code does (not reordered to H36M, not swapped by the tracking),
            as official checkpoints were trained. Defaults to None: the
            config's pipeline for models with a config, the official way
            for models without one (``load_official_model``).

    Returns:
        dict: ``topk`` list of ``(label, probability, name)`` (name None
        without ``label_names``), ``scores`` (num_classes, ) probabilities
        and ``inputs`` the (M, T, 17, 3) model input. The model is put in
        eval mode.
    """
    if getattr(model, 'head',
               None) is None or not hasattr(model.head, 'num_classes'):
        raise ValueError('inference_action needs an MBRecognizer with a '
                         'classification head (MBActionHead); one-shot '
                         'embedding models give embeddings: call model(x)')
    kp, score, src = _as_skeleton(keypoints, scores, keypoint_format)
    normalize = score is not None and not normalized
    if normalize and img_shape is None:
        raise ValueError(
            'inference_action: 2D pixel keypoints need img_shape=(h, w) of '
            'the video (the official normalization); pass normalized=True '
            'if they are already x / max(w, h) * 2 - 1')
    pipeline = None
    if getattr(model, 'cfg', None) is not None:
        pipeline = _pipeline_from_config(model.cfg, src, normalize)
    if pipeline is None:
        pipeline = action_test_pipeline(
            clip_len=model.backbone.maxlen,
            src=src,
            normalize=normalize,
            convert_scores=official_scores is False,
            track_scores=official_scores is False)
    for step in pipeline:
        if step['type'] == 'MBResampleFrames' and clip_len is not None:
            step['clip_len'] = clip_len
        if step['type'] == 'MBJointConvert' and official_scores is not None:
            step['convert_scores'] = not official_scores
        if step['type'] == 'MBHumanTracking' and official_scores is not None:
            step['track_scores'] = not official_scores
    results = dict(
        keypoint=kp, total_frames=kp.shape[1], frame_dir='<input>', label=-1)
    if score is not None:
        results['keypoint_score'] = score
    if img_shape is not None:
        results['img_shape'] = tuple(img_shape)
    with DefaultScope.overwrite_default_scope('mmaction'):
        for step in pipeline:
            results = ACTION_TRANSFORMS.build(step)(results)
    model.eval()
    device = next(model.parameters()).device
    inputs = torch.from_numpy(results['keypoint'])[None].to(device)
    logits = model(inputs, mode='tensor')[0]
    probs = logits.softmax(-1).cpu()
    names = load_label_names(label_names)
    if names is not None and len(names) != probs.numel():
        raise ValueError(f'{len(names)} label names for a model with '
                         f'{probs.numel()} classes')
    k = min(int(topk), probs.numel())
    values, labels = probs.topk(k)
    top = [(int(lbl), float(val), names[int(lbl)] if names else None)
           for val, lbl in zip(values, labels)]
    return dict(topk=top, scores=probs.numpy(), inputs=results['keypoint'])
