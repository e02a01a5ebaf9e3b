# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Pluggable 2D pose detectors for video input.

A detector is any callable taking one BGR frame ``(H, W, 3) uint8`` (as
OpenCV reads it) and returning that frame's persons as a list of
``(keypoints (J, 2) pixels, scores (J,), track_id or None)``; its ``layout``
attribute names the joint layout. Register new ones with
:func:`register_detector` and build them by name with
:func:`build_detector`; they live in the mmengine registry
:data:`DETECTORS` (``mmmotionbert.registry.POSE2D_DETECTORS``):

* ``'mediapipe'`` (default, offline): MediaPipe BlazePose from
  ``mediapipe==0.10.21`` (``model_complexity=1``, whose weights ship inside
  the package), 33 landmarks, one person per frame;
* ``'mmpose'``: mmpose's ``MMPoseInferencer`` with user-supplied 2D
  weights (``pose2d``, ``pose2d_weights`` and, for top-down models,
  ``det_model`` / ``det_weights``).

:func:`detect_video` runs a detector over a video with a progress bar and
returns a :class:`KeypointSequence` (persons linked by
:func:`simple_track`).

May import: numpy, OpenCV, tqdm, MediaPipe and mmpose (the last four lazily,
per detector), :mod:`mmmotionbert.registry`, :mod:`mmmotionbert.structures` and
:mod:`.readers`; as part of ``apis``, every layer.
"""
import os.path as osp
from typing import Callable, List, Optional

import numpy as np

from mmmotionbert.registry import POSE2D_DETECTORS
from mmmotionbert.structures import Instance, KeypointSequence
from .readers import sequence_from_frames

__all__ = [
    'DETECTORS', 'register_detector', 'build_detector',
    'MediaPipePoseDetector', 'MMPoseDetector', 'detect_video',
    'open_video'
]

#: Detector name -> class (an mmengine ``Registry``).
DETECTORS = POSE2D_DETECTORS


def register_detector(name: str, force: bool = True) -> Callable:
    """Class decorator registering a 2D detector under ``name``.

    Args:
        name (str): The name :func:`build_detector` takes.
        force (bool): Replace a detector already registered under ``name``
            (False: KeyError instead). Defaults to True.

    Returns:
        Callable: The decorator; it returns the class unchanged.
    """
    return DETECTORS.register_module(name=name, force=force)


def build_detector(name: str = 'mediapipe', **kwargs):
    """Build a registered 2D detector.

    Args:
        name (str): ``'mediapipe'``, ``'mmpose'`` or a registered name.
        **kwargs: Arguments of the detector class.

    Returns:
        The detector (callable on BGR frames, with ``layout``).
    """
    # module_dict, not ``in``: Registry.get imports unknown names as objects
    if name not in DETECTORS.module_dict:
        raise ValueError(f'unknown 2D detector {name!r}; registered: '
                         f'{sorted(DETECTORS.module_dict)}')
    return DETECTORS.module_dict[name](**kwargs)


@register_detector('mediapipe')
class MediaPipePoseDetector:
    """MediaPipe BlazePose (33 landmarks, one person per frame), offline.

    Only ``model_complexity=1`` works offline: its ``pose_landmark_full``
    model ships in the ``mediapipe==0.10.21`` wheel, while complexities 0
    and 2 download their models at run time.

    Args:
        model_complexity (int): Must be 1 offline. Defaults to 1.
        min_detection_confidence (float): Defaults to 0.5.
        min_tracking_confidence (float): Defaults to 0.5.
        smooth_landmarks (bool): MediaPipe's temporal smoothing.
            Defaults to True.
    """

    layout = 'blazepose'

    def __init__(self,
                 model_complexity: int = 1,
                 min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5,
                 smooth_landmarks: bool = True) -> None:
        try:
            import mediapipe as mp
            solutions = mp.solutions
        except (ImportError, AttributeError) as e:
            raise ImportError(
                'the default video detector needs MediaPipe BlazePose: '
                'pip install --no-deps mediapipe==0.10.21 && pip install '
                '"protobuf>=4.25.3,<7" attrs absl-py flatbuffers (see '
                'requirements/optional.txt), or pass mmpose 2D weights '
                f'(--pose2d CONFIG --pose2d-weights PTH); import error: {e}'
            ) from e
        self._pose = solutions.pose.Pose(
            static_image_mode=False,
            model_complexity=model_complexity,
            smooth_landmarks=smooth_landmarks,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence)

    def __call__(self, frame_bgr: np.ndarray) -> List[Instance]:
        """Detect the (single) person of a BGR frame."""
        import cv2
        h, w = frame_bgr.shape[:2]
        res = self._pose.process(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB))
        if res.pose_landmarks is None:
            return []
        lm = res.pose_landmarks.landmark
        kpts = np.array([(p.x * w, p.y * h) for p in lm], np.float32)
        scores = np.array([p.visibility for p in lm], np.float32)
        return [(kpts, np.clip(scores, 1e-3, 1.0), None)]

    def close(self) -> None:
        """Release MediaPipe's graph."""
        self._pose.close()


@register_detector('mmpose')
class MMPoseDetector:
    """mmpose 2D pose estimation with user-supplied weights.

    Args:
        pose2d (str): mmpose model config (or model alias).
        pose2d_weights (str): Its checkpoint.
        det_model (str, optional): mmdet person detector config, for
            top-down models.
        det_weights (str, optional): Its checkpoint.
        det_cat_ids (int): Person category id. Defaults to 0.
        layout (str, optional): Keypoint layout of the model; read from
            its dataset meta when not given.
        device (str): Device. Defaults to ``'cpu'``.
    """

    def __init__(self,
                 pose2d: str,
                 pose2d_weights: Optional[str] = None,
                 det_model: Optional[str] = None,
                 det_weights: Optional[str] = None,
                 det_cat_ids: int = 0,
                 layout: Optional[str] = None,
                 device: str = 'cpu') -> None:
        from mmpose.apis.inferencers import MMPoseInferencer
        for path in (pose2d_weights, det_weights):
            if path is not None and not osp.isfile(path):
                raise FileNotFoundError(f'mmpose weights not found: {path}')
        self._inferencer = MMPoseInferencer(
            pose2d=pose2d,
            pose2d_weights=pose2d_weights,
            det_model=det_model,
            det_weights=det_weights,
            det_cat_ids=det_cat_ids,
            device=device)
        if layout is None:
            from .readers.json_reader import _layout_from_meta
            meta = getattr(self._inferencer.inferencer.model, 'dataset_meta',
                           None)
            layout = _layout_from_meta(meta) or 'auto'
        self.layout = layout

    def __call__(self, frame_bgr: np.ndarray) -> List[Instance]:
        """Detect every person of a BGR frame."""
        result = next(self._inferencer(frame_bgr, return_vis=False))
        out = []
        for inst in result['predictions'][0]:
            kpts = np.asarray(inst['keypoints'], np.float32)
            scores = np.asarray(inst['keypoint_scores'], np.float32)
            if (scores > 0).any():
                out.append((kpts, scores, inst.get('track_id')))
        return out

    def close(self) -> None:
        """Nothing to release."""


def open_video(path: str):
    """Open a video with OpenCV, with clear errors.

    Returns:
        tuple: ``(capture, fps, (width, height), frame_count)``.
    """
    import cv2
    if not osp.isfile(path):
        raise FileNotFoundError(f'video file not found: {path}')
    cap = cv2.VideoCapture(path)
    ok = cap.isOpened()
    frame = None
    if ok:
        ok, frame = cap.read()
    if not ok or frame is None:
        cap.release()
        raise OSError(
            f'cannot read video {path!r}: not a video, corrupt, or a codec '
            'OpenCV does not support')
    cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
    fps = cap.get(cv2.CAP_PROP_FPS) or None
    size = (frame.shape[1], frame.shape[0])
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or None
    return cap, fps, size, count


def detect_video(path: str,
                 detector=None,
                 max_frames: Optional[int] = None,
                 progress: bool = True) -> KeypointSequence:
    """Run a 2D detector on every frame of a video.

    Args:
        path (str): Video file.
        detector: A detector (see the module doc); MediaPipe BlazePose when
            None.
        max_frames (int, optional): Stop after this many frames.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        KeypointSequence: Keypoints in the detector's layout, with the
        video's fps and frame size; persons linked over frames.
    """
    from tqdm import tqdm
    cap, fps, size, count = open_video(path)
    own = detector is None
    if own:
        detector = MediaPipePoseDetector()
    frames: List[List[Instance]] = []
    total = min(count, max_frames) if count and max_frames else (
        count or max_frames)
    try:
        with tqdm(total=total, desc='2D detection', unit='frame',
                  disable=not progress) as bar:
            while max_frames is None or len(frames) < max_frames:
                ok, frame = cap.read()
                if not ok:
                    break
                frames.append(list(detector(frame)))
                bar.update(1)
    finally:
        cap.release()
        if own:
            detector.close()
    if not frames:
        raise OSError(f'no frame could be read from {path!r}')
    return sequence_from_frames(
        frames,
        getattr(detector, 'layout', 'auto'),
        np.arange(len(frames)),
        path,
        fps=fps,
        frame_size=size)
