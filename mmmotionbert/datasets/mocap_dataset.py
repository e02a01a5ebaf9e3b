# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Training clips rendered from 3D motion capture by virtual cameras.

:class:`MBMocapDataset` turns H36M-17 3D clips (the pybullet DeepMimic
cache of ``tools/dataset_converters/pybullet_mocap.py`` or any ``.npz`` of
(T, 17, 3) clips in metres, Y up) into MotionBERT lifting samples that look
like in-the-wild detections:

1. a window of ``clip_len`` frames (random start; short clips are stretched
   with the official ``resample``);
2. bone-length augmentation (one random factor per symmetric bone group)
   and, optionally, new poses by rotating body parts about their parent
   joints (``rotation_prob``);
3. a random perspective camera looking at the subject (yaw 0-360 deg, pitch
   +-20 deg, distance 3-6 m, horizontal field of view 40-70 deg on a
   1920x1080-like sensor); points are kept at least ``min_depth`` in front;
4. the 2D input is made as a COCO detector + MotionBERT's ``coco2h36m``
   make it: COCO-17 points (with eyes and ears on the head) are projected,
   then converted, so the input "head" is the mid-eyes point and the
   thorax the mid-shoulders -- not the 3D top-of-head joint;
5. ``crop_scale`` normalisation of the 2D input (per clip, official
   in-the-wild rule), and the SAME box applied to the 3D target:
   ``target = [x_n, y_n, z_n]`` with ``x_n, y_n`` the normalised projection
   of the 3D joints and ``z_n = (Z_j - Z_root) * f / Z_root`` (pixels)
   normalised by the same scale;
6. optional horizontal flip (input and target), official detection noise
   with confidence, and official joint/frame masking of the input.

The steps after the window selection are registered transforms run as a
``pipeline`` (``mmengine.dataset.Compose``); :func:`default_mocap_pipeline`
writes the pipeline the constructor arguments describe, and every step
draws from the item's generator ``results['rng']`` in pipeline order.

May import numpy, mmengine, mmmotionbert.registry / utils and the
datasets' own modules (``mocap/``, ``transforms/``, ``utils``,
``h36m_meta``, ``h36m_reader``).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dataset import Compose

from mmmotionbert.registry import DATASETS
from .h36m_meta import H36M_METAINFO, h36m_metainfo
from .h36m_reader import resample_indices
from .mocap.camera import (DEFAULT_RESOLUTIONS, make_camera,  # noqa: F401
                           project_points, sample_virtual_camera,
                           world_to_camera)
from .mocap.default_pipeline import default_mocap_pipeline
from .mocap.pybullet_fk import default_mocap_cache, load_mocap_cache
from .mocap.skeleton import (BONE_GROUPS, DEFAULT_ROTATION_DEGREES,  # noqa
                             LIMB_CHAINS, ROTATION_GROUPS,
                             approximate_face_points, augment_bone_lengths,
                             augment_joint_rotations, canonical_mean_pose,
                             coco_points_from_h36m, mix_limbs)
from .pipeline_dataset import MBPipelineDataset
from .transforms.crop_scale_norm import MBCropScaleNormalize
from .transforms.mocap_camera import MBProjectMocap2D, MBVirtualCamera
from .transforms.noise import load_official_noise_params
from .utils import item_rng

__all__ = [
    'MBMocapDataset', 'BONE_GROUPS', 'ROTATION_GROUPS',
    'augment_joint_rotations', 'mix_limbs', 'LIMB_CHAINS',
    'sample_virtual_camera',
    'world_to_camera', 'project_points', 'augment_bone_lengths',
    'approximate_face_points', 'coco_points_from_h36m', 'canonical_mean_pose',
    'default_mocap_pipeline'
]


def _check_range(name: str, r: Optional[Sequence[float]]) -> None:
    """Raise unless ``r`` is None or ``(low, high)`` with 0 < low <= high."""
    if r is not None and not (len(r) == 2 and 0 < r[0] <= r[1]):
        raise ValueError(f'{name}: a range must be (low, high) with '
                         f'0 < low <= high, got {r}')


# --------------------------------------------------------------- dataset
@DATASETS.register_module()
class MBMocapDataset(MBPipelineDataset):
    """3D mocap clips seen by random virtual cameras, MotionBERT style.

    See the module docstring for the steps. Items are
    ``dict(inputs=float32 (T, 17, 3) [x_n, y_n, conf],
    data_samples=dict(target=float32 (T, 17, 3), has_3d=True, ...))`` --
    the format of :class:`MBH36MDataset`, collated by ``default_collate``
    and trained by ``MBPoseLifter``.

    An ``mmengine`` ``BaseDataset``: ``load_data_list`` reads the clips and
    lists the windows (``dict(clip_index, start)``); an item selects its
    frames, then runs ``pipeline`` on ``dict(rng, test_mode, joints, face,
    clip_index, clip_name, start, frame_index, donor_sampler)`` (see
    :mod:`~mmmotionbert.datasets.transforms.mocap_skeleton`). With
    ``pipeline=None`` the pipeline is :func:`default_mocap_pipeline` of the
    augmentation arguments below; with an explicit ``pipeline`` those
    arguments (``camera`` ... ``augment``, ``with_meta``) are not used.

    Randomness: training items draw from a ``numpy.random.Generator``
    seeded by ``(seed, torch.initial_seed())`` (distinct per DataLoader
    worker and epoch, reproducible under mmengine's seed); with
    ``test_mode=True`` item ``i`` always uses ``default_rng([seed, i])``
    and a fixed window start, so validation sets are fixed
    (:func:`~mmmotionbert.datasets.utils.item_rng`).

    Args:
        data_file (str, optional): ``.npz`` of clips (see
            :func:`~mmmotionbert.datasets.mocap.pybullet_fk.load_mocap_cache`).
            Defaults to the pybullet cache
            (``~/.cache/mmmotionbert/mocap/pybullet_h36m_v2.npz``).
        clip_len (int): Frames per item. Defaults to 27.
        data_stride (int, optional): Window stride defining the items of a
            clip (``ceil((n - clip_len) / stride) + 1`` per clip; a clip
            shorter than ``clip_len`` gives one). Defaults to
            ``clip_len // 3`` (the official training stride).
        clips (Sequence[str], optional): Only these clip names.
        exclude_clips (Sequence[str], optional): Leave these out (e.g. the
            held-out validation clips).
        test_mode (bool): Deterministic items (see above). Defaults to
            False.
        num_samples (int, optional): Override the dataset length (items are
            taken cyclically). Defaults to None.
        camera (dict, optional): Overrides of :func:`sample_virtual_camera`
            ranges (``yaw_range``, ``pitch_range``, ``distance_range``,
            ``fov_range``, ``resolutions``).
        look_at_jitter (float): Std (metres) of the random offset of the
            camera's aim point from the clip's mean pelvis. Defaults to
            0.15.
        min_depth (float): Every point is kept at least this far (metres)
            in front of the camera by moving it back. Defaults to 1.0.
        bone_scale_range (Sequence[float], optional): Range of the
            per-group bone-length factors; None disables. Defaults to
            ``(0.85, 1.25)`` (covers DeepMimic -> real skeletons: hips
            0.17 -> 0.20 m).
        group_scale_ranges (dict, optional): Per :data:`BONE_GROUPS` name,
            a range replacing ``bone_scale_range`` for that group (e.g. a
            narrower ``shoulder`` range centred below 1). Defaults to None.
        rotation_prob (float): Probability that an item's body parts are
            rotated by :func:`augment_joint_rotations`. Defaults to 0.
        rotation_degrees (dict, optional): Largest angles of that
            augmentation per group. Defaults to
            :data:`DEFAULT_ROTATION_DEGREES`.
        limb_mix_prob (float): Probability, per limb (each arm and leg
            independently), that the limb takes the motion of the same limb
            in another random training window (:func:`mix_limbs`). Applied
            before the bone-length and rotation augmentations. Defaults
            to 0.
        face_occlusion_prob (float): Probability that an item hides the
            nose and head inputs (zeroed like masked joints) in the frames
            where the face (mid-ears -> nose) points away from the camera,
            as detectors give no face keypoints for a person
            seen from behind. Needs ``wild_2d``. Defaults to 0.
        wild_2d (bool): Build the 2D input as a COCO detector would (head =
            mid-eyes, thorax = mid-shoulders, ...). When False the 3D
            joints are projected as they are. Defaults to True.
        scale_range (Sequence[float]): ``crop_scale`` box ratio range.
            Defaults to ``(1, 1)`` (the official in-the-wild inference).
        flip_prob (float): Horizontal flip probability. Defaults to 0.5.
        noise_prob (float): Probability to add the official detection noise
            (with confidence); other clips get confidence 1. Defaults to 1.
        noise_scale (float): Noise offset multiplier. The official values
            are in H36M width-normalised units, where a standing person is
            about 0.8 units tall, against 2 units after ``crop_scale``:
            about 2.5 reproduces the official noise *relative to the body*;
            1.0 (default) uses the official numbers as they are.
        joint_mask_prob (float): Official joint mask ratio. Defaults to
            0.05.
        frame_mask_prob (float): Official frame mask ratio. Defaults to 0.1.
        augment (dict, optional): Extra transform config applied last to
            ``dict(motion_2d=inputs)`` (the convention of
            :class:`MBMotionClipDataset`).
        with_meta (bool): Add per-item meta (clip name, start, camera,
            crop box, camera-space joints in mm) to ``data_samples``.
            Defaults to False (keys then match the other pretraining
            datasets, so they can be concatenated).
        seed (int): Seed. Defaults to 0.
        pipeline (list[dict], optional): Transform configs (or objects)
            run after the window selection; None builds
            :func:`default_mocap_pipeline` from the arguments above.
        lazy_init (bool): Defer reading the clips to the first use (see
            ``mmengine.dataset.BaseDataset``). Defaults to False.
    """

    METAINFO: dict = dict(
        dataset_name='mocap_virtual_camera', **H36M_METAINFO)

    out_of_range = 'index {index} out of range for {size} items'

    def __init__(self,
                 data_file: Optional[str] = None,
                 clip_len: int = 27,
                 data_stride: Optional[int] = None,
                 clips: Optional[Sequence[str]] = None,
                 exclude_clips: Optional[Sequence[str]] = None,
                 test_mode: bool = False,
                 num_samples: Optional[int] = None,
                 camera: Optional[dict] = None,
                 look_at_jitter: float = 0.15,
                 min_depth: float = 1.0,
                 bone_scale_range: Optional[Sequence[float]] = (0.85, 1.25),
                 group_scale_ranges: Optional[Dict[str,
                                                   Sequence[float]]] = None,
                 rotation_prob: float = 0.0,
                 rotation_degrees: Optional[Dict[str, float]] = None,
                 limb_mix_prob: float = 0.0,
                 face_occlusion_prob: float = 0.0,
                 wild_2d: bool = True,
                 scale_range: Sequence[float] = (1.0, 1.0),
                 flip_prob: float = 0.5,
                 noise_prob: float = 1.0,
                 noise_scale: float = 1.0,
                 joint_mask_prob: float = 0.05,
                 frame_mask_prob: float = 0.1,
                 augment: Optional[dict] = None,
                 with_meta: bool = False,
                 seed: int = 0,
                 pipeline: Optional[List] = None,
                 lazy_init: bool = False) -> None:
        if clip_len < 1:
            raise ValueError(f'clip_len must be >= 1, got {clip_len}')
        for name, p in (('flip_prob', flip_prob), ('noise_prob', noise_prob),
                        ('rotation_prob', rotation_prob),
                        ('limb_mix_prob', limb_mix_prob),
                        ('face_occlusion_prob', face_occlusion_prob),
                        ('joint_mask_prob', joint_mask_prob),
                        ('frame_mask_prob', frame_mask_prob)):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f'{name} must be in [0, 1], got {p}')
        self.data_file = data_file or default_mocap_cache()
        self._clips = None if clips is None else list(clips)
        self._exclude_clips = list(exclude_clips or [])
        self.clip_len = int(clip_len)
        self.data_stride = int(data_stride or max(1, clip_len // 3))
        self.camera_cfg = dict(camera or {})
        self.look_at_jitter = float(look_at_jitter)
        self.min_depth = float(min_depth)
        self.bone_scale_range = (tuple(bone_scale_range)
                                 if bone_scale_range is not None else None)
        self.group_scale_ranges = {
            g: tuple(r) for g, r in (group_scale_ranges or {}).items()}
        unknown = sorted(set(self.group_scale_ranges) - set(BONE_GROUPS))
        if unknown:
            raise ValueError(f'group_scale_ranges: unknown bone groups '
                             f'{unknown}; known: {sorted(BONE_GROUPS)}')
        if self.group_scale_ranges and self.bone_scale_range is None:
            raise ValueError('group_scale_ranges needs bone_scale_range '
                             '(None disables the bone-length augmentation)')
        for g, r in [('bone_scale_range', self.bone_scale_range)] + list(
                self.group_scale_ranges.items()):
            _check_range(g, r)
        self.rotation_prob = float(rotation_prob)
        self.rotation_degrees = (None if rotation_degrees is None else
                                 dict(rotation_degrees))
        if self.rotation_degrees is not None:
            unknown = sorted(
                set(self.rotation_degrees) - set(DEFAULT_ROTATION_DEGREES))
            if unknown:
                raise ValueError(
                    f'rotation_degrees has unknown groups {unknown}; '
                    f'known: {sorted(DEFAULT_ROTATION_DEGREES)}')
        self.limb_mix_prob = float(limb_mix_prob)
        self.face_occlusion_prob = float(face_occlusion_prob)
        self.wild_2d = bool(wild_2d)
        self.scale_range = tuple(scale_range)
        self.flip_prob = float(flip_prob)
        self.noise_prob = float(noise_prob)
        self.noise_scale = float(noise_scale)
        self.joint_mask_prob = float(joint_mask_prob)
        self.frame_mask_prob = float(frame_mask_prob)
        self.with_meta = bool(with_meta)
        self.seed = int(seed)
        self.noise_params = load_official_noise_params()
        self._num_samples = int(num_samples) if num_samples else None
        self._rng_state: dict = {}
        if pipeline is None:
            pipeline = default_mocap_pipeline(
                camera=self.camera_cfg,
                look_at_jitter=self.look_at_jitter,
                min_depth=self.min_depth,
                bone_scale_range=self.bone_scale_range,
                group_scale_ranges=self.group_scale_ranges,
                rotation_prob=self.rotation_prob,
                rotation_degrees=self.rotation_degrees,
                limb_mix_prob=self.limb_mix_prob,
                face_occlusion_prob=self.face_occlusion_prob,
                wild_2d=self.wild_2d,
                scale_range=self.scale_range,
                flip_prob=self.flip_prob,
                noise_prob=self.noise_prob,
                noise_scale=self.noise_scale,
                joint_mask_prob=self.joint_mask_prob,
                frame_mask_prob=self.frame_mask_prob,
                augment=augment,
                with_meta=self.with_meta)
        super().__init__(
            pipeline, test_mode=bool(test_mode), lazy_init=lazy_init)
        # the render steps (see :meth:`render`)
        self._render = Compose([
            MBVirtualCamera(self.camera_cfg, self.look_at_jitter,
                            self.min_depth),
            MBProjectMocap2D(self.wild_2d),
            MBCropScaleNormalize(self.scale_range)
        ])

    def load_data_list(self) -> List[dict]:
        """Read the clips and list the windows.

        Returns:
            list[dict]: ``dict(clip_index, start)`` per window (nominal
            start; training items draw their own).
        """
        data = load_mocap_cache(self.data_file)
        names = list(data['joints'])
        clips, exclude_clips = self._clips, self._exclude_clips
        if clips is not None:
            missing = sorted(set(clips) - set(names))
            if missing:
                raise ValueError(f'clips {missing} are not in '
                                 f'{self.data_file} (has {names})')
            names = [n for n in names if n in set(clips)]
        if exclude_clips:
            unknown = sorted(set(exclude_clips) - set(data['joints']))
            if unknown:
                raise ValueError(f'exclude_clips {unknown} are not in '
                                 f'{self.data_file} (has {names})')
            names = [n for n in names if n not in set(exclude_clips)]
        if not names:
            raise ValueError('no clips left after the clips/exclude_clips '
                             'selection')
        self.clip_names = names
        self.joints = [data['joints'][n] for n in names]
        self.face = [
            data['face'][n] if n in data['face'] else
            approximate_face_points(data['joints'][n]) for n in names
        ]
        self.fps = data['fps']
        windows = []
        for ci, clip in enumerate(self.joints):
            n = len(clip)
            last = max(n - self.clip_len, 0)
            count = -(-last // self.data_stride) + 1
            starts = np.minimum(
                np.arange(count) * self.data_stride, last).tolist()
            windows += [dict(clip_index=ci, start=int(s)) for s in starts]
        return windows

    @property
    def windows(self) -> List[Tuple[int, int]]:
        """``(clip index, nominal start)`` of every window."""
        self.full_init()
        return [(w['clip_index'], w['start']) for w in self.data_list]

    @property
    def num_samples(self) -> int:
        """Dataset length (``num_samples`` or the number of windows)."""
        self.full_init()
        return self._num_samples or len(self.data_list)

    @property
    def metainfo(self) -> Dict:
        """Dataset meta information."""
        self.full_init()
        return h36m_metainfo(
            self._metainfo['dataset_name'],
            clip_len=self.clip_len,
            clips=list(self.clip_names),
            fps=self.fps,
            num_windows=len(self.data_list))

    def __len__(self) -> int:
        """Number of items."""
        return self.num_samples

    def _item_rng(self, index: int) -> np.random.Generator:
        """Generator of one item (see the class docstring)."""
        return item_rng(self.seed, index, self.test_mode, self._rng_state)

    def _frames(self, index: int, rng: np.random.Generator) -> Tuple:
        """Clip index, start and frame indices of item ``index``."""
        self.full_init()
        window = self.data_list[index % len(self.data_list)]
        ci, start = window['clip_index'], window['start']
        n = len(self.joints[ci])
        if n < self.clip_len:
            rows = resample_indices(n, self.clip_len,
                                    None if self.test_mode else rng)
            return ci, 0, rows
        if not self.test_mode:
            start = int(rng.integers(0, n - self.clip_len + 1))
        return ci, start, np.arange(start, start + self.clip_len)

    def _donor_window(self, rng: np.random.Generator) -> np.ndarray:
        """Joints (T, 17, 3) of a random window (the limb-mixing donor)."""
        di, _, rows = self._frames(int(rng.integers(len(self.data_list))),
                                   rng)
        return self.joints[di][rows]

    def render(self, joints: np.ndarray, face: np.ndarray,
               rng: np.random.Generator) -> Dict:
        """Camera, 2D input and normalised target of one 3D window.

        The camera, projection and ``crop_scale`` steps of the default
        pipeline, as one call, with the constructor's ``camera``,
        ``look_at_jitter``, ``min_depth``, ``wild_2d`` and ``scale_range``
        (an explicit ``pipeline`` does not change them).

        Args:
            joints (np.ndarray): (T, 17, 3) world joints (m, Y up).
            face (np.ndarray): (T, 5, 3) face points.
            rng (np.random.Generator): Randomness.

        Returns:
            dict: ``inputs`` (T, 17, 3) normalised ``[x, y, 1]``,
            ``target`` (T, 17, 3), ``camera``, ``box`` (center, scale),
            ``joints_cam`` (T, 17, 3) metres, ``face_hidden`` (T,) bool
            (the face points away from the camera).
        """
        out = self._render(dict(joints=joints, face=face, rng=rng))
        return dict(
            inputs=out['motion_2d'],
            target=out['target'],
            camera=out['camera'],
            box=out['crop_box'],
            joints_cam=out['joints_cam'],
            face_hidden=out['face_hidden'])

    def get_data_info(self, idx: int) -> dict:
        """The pipeline input of item ``idx`` (draws its window).

        Args:
            idx (int): Item index in ``[0, len(self))``.

        Returns:
            dict: ``rng``, ``test_mode``, ``index``, ``clip_index``,
            ``clip_name``, ``start``, ``frame_index``, ``joints`` and
            ``face`` (float64 world), ``donor_sampler``.
        """
        rng = self._item_rng(idx)
        ci, start, rows = self._frames(idx, rng)
        return dict(
            rng=rng,
            test_mode=self.test_mode,
            index=idx,
            sample_idx=idx,
            clip_index=ci,
            clip_name=self.clip_names[ci],
            start=start,
            frame_index=rows,
            joints=self.joints[ci][rows].astype(np.float64),
            face=self.face[ci][rows].astype(np.float64),
            donor_sampler=self._donor_window)

    def __getitem__(self, index: int) -> Dict:
        """One item (see the class docstring)."""
        return super().__getitem__(index)
