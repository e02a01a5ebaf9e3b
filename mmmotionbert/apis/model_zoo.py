# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Named checkpoints: ``--checkpoint NAME`` and ``init_lifter(NAME)``.

A small registry maps a name to where the weights are (a URL, or a file of
this package), their SHA-256 (the whole hash, or the 8-character prefix
OpenMMLab puts in its file names) and the task. :func:`resolve_checkpoint`
turns a name into a local file: downloaded once into torch's hub cache
(``$TORCH_HOME/hub/checkpoints``, with a progress bar) and checked against
its hash; without a network it fails with one line naming the URL and the
folder to put the file in.

=========================  ===============================================
name                       weights
=========================  ===============================================
``mb-small-pybullet``      the shipped small lifter (this package)
``motionbert-h36m``        mmpose's MotionBERT, pretrained (pose3d scratch)
``motionbert-ft-h36m``     mmpose's MotionBERT, finetuned on Human3.6M
=========================  ===============================================

The mmpose weights are in mmpose's layout, which every loader of ours reads
(:mod:`mmmotionbert.utils.mmpose_checkpoint`).

May import: the standard library, torch and :mod:`mmmotionbert.utils`.
"""
import hashlib
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict
from urllib.error import URLError

from mmmotionbert.utils.cli import UserInputError

__all__ = [
    'ZooEntry', 'CHECKPOINTS', 'register_checkpoint', 'resolve_checkpoint',
    'checkpoint_cache_dir'
]

_MMPOSE_ZOO = ('https://download.openmmlab.com/mmpose/v1/body_3d_keypoint/'
               'pose_lift/h36m/')


@dataclass(frozen=True)
class ZooEntry:
    """One named checkpoint.

    Attributes:
        url (str): ``http(s)://`` address, or a path relative to the
            package's files (``checkpoints/...``).
        sha256 (str): The whole hex digest, or a prefix of it (>= 8).
        task (str): ``'pose3d'``, ``'mesh'``, ``'action'``.
        config (str): The config it goes with (informative).
        num_heads (int): Attention heads (not readable off the weights).
    """

    url: str
    sha256: str
    task: str = 'pose3d'
    config: str = ''
    num_heads: int = 8


#: name -> entry
CHECKPOINTS: Dict[str, ZooEntry] = {
    'mb-small-pybullet':
    ZooEntry(
        'checkpoints/mb_pretrain_small_pybullet.pth',
        '514637ed6b372f7fe0686a5d083aa22813849511b459f6696f4a3a6c9133f783',
        'pose3d', 'configs/pretrain/mb-small_dstformer-27frm_pybullet.py', 4),
    'motionbert-h36m':
    ZooEntry(
        _MMPOSE_ZOO + 'motionbert_h36m-f554954f_20230531.pth', 'f554954f',
        'pose3d', 'mmpose::body_3d_keypoint/motionbert/h36m/'
        'motionbert_dstformer-243frm_8xb32-240e_h36m.py'),
    'motionbert-ft-h36m':
    ZooEntry(
        _MMPOSE_ZOO + 'motionbert_ft_h36m-d80af323_20230531.pth', 'd80af323',
        'pose3d', 'mmpose::body_3d_keypoint/motionbert/h36m/'
        'motionbert_dstformer-ft-243frm_8xb32-120e_h36m.py'),
}


def register_checkpoint(name: str, entry: ZooEntry) -> None:
    """Add (or replace) a named checkpoint."""
    CHECKPOINTS[name] = entry


def checkpoint_cache_dir() -> str:
    """Where downloaded checkpoints are kept (torch's hub cache)."""
    import torch
    return osp.join(torch.hub.get_dir(), 'checkpoints')


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _check_hash(path: str, name: str, entry: ZooEntry) -> None:
    actual = _sha256(path)
    if not actual.startswith(entry.sha256.lower()):
        raise UserInputError(
            f'checkpoint {name!r}: {path} has SHA-256 {actual[:16]}..., '
            f'expected {entry.sha256}...; delete it to download it again')


def resolve_checkpoint(checkpoint: str, progress: bool = True) -> str:
    """A checkpoint path for a path or a registered name.

    Args:
        checkpoint (str): A file (returned as it is) or a name of
            :data:`CHECKPOINTS`.
        progress (bool): Show a download progress bar.

    Returns:
        str: Local path of the verified checkpoint.

    Raises:
        UserInputError: Unknown name, download failure (the message names
            the URL and the folder to put the file in) or a wrong hash.
    """
    if osp.exists(checkpoint):
        return checkpoint
    if checkpoint not in CHECKPOINTS:
        if os.sep not in checkpoint and '.' not in checkpoint:
            raise UserInputError(
                f'unknown checkpoint name {checkpoint!r} (and no such file); '
                f'named checkpoints: {", ".join(sorted(CHECKPOINTS))}')
        return checkpoint
    entry = CHECKPOINTS[checkpoint]
    if '://' not in entry.url:
        from .inferencers.model_files import _resolve
        path = _resolve(entry.url)
        if not osp.isfile(path):
            raise UserInputError(f'checkpoint {checkpoint!r}: {entry.url} '
                                 'is missing from this installation')
        _check_hash(path, checkpoint, entry)
        return path
    folder = checkpoint_cache_dir()
    path = osp.join(folder, osp.basename(entry.url))
    if not osp.isfile(path):
        import torch
        os.makedirs(folder, exist_ok=True)
        try:
            torch.hub.download_url_to_file(entry.url, path, progress=progress)
        except (URLError, OSError, ValueError) as err:
            reason = getattr(err, 'reason', None) or err
            if getattr(err, 'code', None):  # an HTTP error
                reason = f'HTTP {err.code}: {reason}'
            raise UserInputError(
                f'cannot download checkpoint {checkpoint!r} from '
                f'{entry.url} ({reason}); download it yourself and put it '
                f'in {folder}/') from err
    _check_hash(path, checkpoint, entry)
    return path

