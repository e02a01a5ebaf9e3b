# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Pinhole cameras: read from calibration files, or a documented default.

Calibration files read by :func:`load_calibration`:

* **Pose2Sim / Anipose toml**: one table per camera with ``matrix`` (3x3
  intrinsics), ``distortions`` (OpenCV ``k1, k2, p1, p2[, k3]``), ``size``
  (``[width, height]``) and, when calibrated, ``rotation`` (Rodrigues
  vector) and ``translation`` (metres), world-to-camera as OpenCV
  (``p_cam = R p_world + t``). Tables without a ``matrix`` (Pose2Sim's
  ``[metadata]``) are not cameras.
* **OpenCV yaml / json**: ``K`` or ``camera_matrix`` (a 3x3 list, or
  OpenCV's ``{rows, cols, data}`` matrix), optional ``dist`` /
  ``dist_coeffs`` / ``distortion_coefficients``, ``R`` / ``rvec`` /
  ``rotation`` and ``t`` / ``tvec`` / ``translation``, ``image_size`` /
  ``size``; one camera at the top level, or a mapping of named cameras.

Without a file, :func:`default_camera` builds one from ``focal_length``
(pixels) or ``fov`` (degrees across the longer image side), else from
:data:`DEFAULT_FOV_DEG`, with the principal point at the image centre.

May import: numpy, OpenCV, yaml and the standard library.
"""
import json
import os.path as osp
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    'Camera', 'CalibrationError', 'DEFAULT_FOV_DEG', 'default_camera',
    'load_calibration', 'resolve_camera', 'extent_image_size'
]

#: Field of view across the longer image side used when neither a
#: calibration, a focal length nor a field of view is given: 60 degrees, a
#: typical phone or webcam main camera (a 1920-pixel side gets f = 1663 px).
DEFAULT_FOV_DEG = 60.0


class CalibrationError(ValueError):
    """A calibration file or camera option that cannot be used."""


@dataclass
class Camera:
    """A pinhole camera with optional distortion and pose.

    Attributes:
        K (np.ndarray): (3, 3) intrinsics in pixels.
        dist (np.ndarray): OpenCV distortion coefficients (may be empty).
        image_size (tuple, optional): ``(width, height)`` in pixels.
        R (np.ndarray, optional): (3, 3) world-to-camera rotation.
        t (np.ndarray, optional): (3,) world-to-camera translation, metres.
        name (str): Camera name.
        source (str): Where the intrinsics came from (a file, an option or
            the default).
    """

    K: np.ndarray
    dist: np.ndarray
    image_size: Optional[Tuple[int, int]] = None
    R: Optional[np.ndarray] = None
    t: Optional[np.ndarray] = None
    name: str = 'camera'
    source: str = 'default'

    @property
    def has_extrinsics(self) -> bool:
        """Whether the camera's pose in a world frame is known."""
        return self.R is not None and self.t is not None

    def undistort(self, points: np.ndarray) -> np.ndarray:
        """Remove lens distortion from pixel points.

        Args:
            points (np.ndarray): (..., 2) pixels.

        Returns:
            np.ndarray: (..., 2) float64 undistorted pixels (the same camera
            matrix); a copy when there is no distortion.
        """
        pts = np.asarray(points, np.float64)
        if self.dist.size == 0 or not np.any(self.dist):
            return pts.copy()
        import cv2
        flat = pts.reshape(-1, 1, 2)
        out = cv2.undistortPoints(flat, self.K, self.dist, P=self.K)
        return out.reshape(pts.shape)

    def describe(self) -> Dict[str, Any]:
        """The camera as json-serialisable meta data."""
        fx, fy = float(self.K[0, 0]), float(self.K[1, 1])
        out = dict(
            name=self.name,
            source=self.source,
            K=np.round(self.K, 6).tolist(),
            dist=np.round(self.dist, 9).tolist(),
            image_size=list(self.image_size) if self.image_size else None,
            focal_length_px=[fx, fy],
            extrinsics=self.has_extrinsics)
        if self.image_size:
            side = max(self.image_size)
            out['fov_deg_long_side'] = float(
                np.degrees(2 * np.arctan(side / 2.0 / max(fx, fy))))
        return out


def default_camera(image_size: Tuple[int, int],
                   focal_length: Optional[float] = None,
                   fov: Optional[float] = None) -> Camera:
    """A pinhole camera without distortion centred on the image.

    Args:
        image_size (tuple): ``(width, height)`` in pixels.
        focal_length (float, optional): Focal length in pixels.
        fov (float, optional): Field of view across the longer side, in
            degrees (used when ``focal_length`` is None). Defaults to
            :data:`DEFAULT_FOV_DEG`.

    Returns:
        Camera: The camera; its ``source`` says which value was used.

    Raises:
        CalibrationError: On a non-positive size or focal length, or a field
            of view outside (0, 180) degrees, or both values given.
    """
    w, h = (float(v) for v in image_size)
    if not (w > 0 and h > 0):
        raise CalibrationError(f'image size must be positive, got '
                               f'{tuple(image_size)}')
    if focal_length is not None and fov is not None:
        raise CalibrationError('give either a focal length or a field of '
                               'view, not both')
    if focal_length is not None:
        if not np.isfinite(focal_length) or focal_length <= 0:
            raise CalibrationError(f'focal length must be positive pixels, '
                                   f'got {focal_length}')
        f, source = float(focal_length), f'focal length {focal_length:g} px'
    else:
        given = fov is not None
        fov = DEFAULT_FOV_DEG if fov is None else float(fov)
        if not 0 < fov < 180:
            raise CalibrationError(f'field of view must be in (0, 180) '
                                   f'degrees, got {fov}')
        f = max(w, h) / 2.0 / np.tan(np.radians(fov) / 2.0)
        source = (f'field of view {fov:g} deg' if given else
                  f'default field of view {fov:g} deg (long side)')
    K = np.array([[f, 0, w / 2.0], [0, f, h / 2.0], [0, 0, 1.0]])
    return Camera(
        K=K,
        dist=np.zeros(0),
        image_size=(int(round(w)), int(round(h))),
        source=source)


def _matrix(value: Any, shape: Tuple[int, ...], what: str) -> np.ndarray:
    """A list, nested list or OpenCV ``{rows, cols, data}`` as an array."""
    if isinstance(value, dict) and 'data' in value:
        value = value['data']
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise CalibrationError(f'{what} is not numeric: {value!r}') from err
    if arr.size != int(np.prod(shape)):
        raise CalibrationError(f'{what} must have {int(np.prod(shape))} '
                               f'values {shape}, got {arr.size}')
    arr = arr.reshape(shape)
    if not np.isfinite(arr).all():
        raise CalibrationError(f'{what} has non-finite values')
    return arr


def _first(entry: Dict[str, Any], keys: Sequence[str]) -> Any:
    for key in keys:
        if key in entry:
            return entry[key]
    return None


def _camera_from_entry(entry: Dict[str, Any], name: str,
                       source: str) -> Camera:
    """One camera from a toml table or an OpenCV mapping."""
    k = _first(entry, ('matrix', 'K', 'camera_matrix', 'intrinsics'))
    K = _matrix(k, (3, 3), f'camera {name!r}: the intrinsics matrix')
    if K[0, 0] <= 0 or K[1, 1] <= 0:
        raise CalibrationError(f'camera {name!r}: focal lengths must be '
                               f'positive, got {K[0, 0]}, {K[1, 1]}')
    dist = _first(entry, ('distortions', 'dist', 'dist_coeffs',
                          'distortion_coefficients', 'D'))
    if dist is None:
        dist = np.zeros(0)
    else:
        if isinstance(dist, dict) and 'data' in dist:
            dist = dist['data']
        dist = np.asarray(dist, dtype=np.float64).reshape(-1)
        if dist.size not in (0, 4, 5, 8, 12, 14):
            raise CalibrationError(f'camera {name!r}: {dist.size} distortion '
                                   'coefficients (OpenCV takes 4, 5, 8, 12 '
                                   'or 14)')
    size = _first(entry, ('size', 'image_size', 'resolution'))
    if size is not None:
        size = _matrix(size, (2, ), f'camera {name!r}: the image size')
        size = (int(round(size[0])), int(round(size[1])))
    rot = _first(entry, ('rotation', 'R', 'rvec'))
    trans = _first(entry, ('translation', 't', 'T', 'tvec'))
    R = t = None
    if rot is not None and trans is not None:
        rot_arr = np.asarray(
            rot['data'] if isinstance(rot, dict) else rot, np.float64)
        if rot_arr.size == 3:
            import cv2
            R = cv2.Rodrigues(rot_arr.reshape(3))[0]
        else:
            R = _matrix(rot_arr, (3, 3), f'camera {name!r}: the rotation')
        t = _matrix(trans, (3, ), f'camera {name!r}: the translation')
    return Camera(K=K, dist=dist, image_size=size, R=R, t=t, name=name,
                  source=source)


def _read_file(path: str) -> Dict[str, Any]:
    """Parse a toml, yaml or json file into a mapping."""
    ext = osp.splitext(path)[1].lower()
    try:
        if ext == '.toml':
            import tomllib
            with open(path, 'rb') as f:
                data = tomllib.load(f)
        elif ext in ('.yaml', '.yml'):
            import yaml
            with open(path) as f:
                text = f.read()
            if text.startswith('%YAML'):  # OpenCV FileStorage header
                text = '\n'.join(text.splitlines()[1:])
            text = text.replace('!!opencv-matrix', '')
            data = yaml.safe_load(text)
        elif ext == '.json':
            with open(path) as f:
                data = json.load(f)
        else:
            raise CalibrationError(f'{path}: unknown calibration format '
                                   f'{ext!r} (use .toml, .yaml/.yml or '
                                   '.json)')
    except CalibrationError:
        raise
    except Exception as err:  # the parsers' own errors
        raise CalibrationError(f'{path} does not parse: '
                               f'{type(err).__name__}: {err}') from err
    if not isinstance(data, dict):
        raise CalibrationError(f'{path}: expected a mapping of cameras, got '
                               f'{type(data).__name__}')
    return data


def load_calibration(path: str, camera: Optional[str] = None) -> Camera:
    """Read one camera of a calibration file.

    Args:
        path (str): ``.toml`` (Pose2Sim / Anipose), ``.yaml``/``.yml`` or
            ``.json`` (OpenCV keys).
        camera (str, optional): Camera name (a table name such as
            ``cam_01``, or its ``name`` field); needed when the file holds
            more than one camera.

    Returns:
        Camera: The camera, its ``source`` naming the file and camera.

    Raises:
        CalibrationError: When the file is missing or does not parse, holds
            no camera, the camera is not in it (the message lists the names
            it has), or a value has the wrong shape.
    """
    if not osp.isfile(path):
        raise CalibrationError(f'calibration file {path} not found')
    data = _read_file(path)
    keys = ('matrix', 'K', 'camera_matrix', 'intrinsics')
    if any(k in data for k in keys):
        cameras = {str(data.get('name', 'camera')): data}
    else:
        cameras = {
            str(key): value
            for key, value in data.items()
            if isinstance(value, dict) and any(k in value for k in keys)
        }
    if not cameras:
        raise CalibrationError(f'{path} holds no camera (no table with an '
                               '`matrix`, `K` or `camera_matrix`)')
    if camera is None:
        if len(cameras) > 1:
            raise CalibrationError(f'{path} holds {len(cameras)} cameras '
                                   f'{sorted(cameras)}: choose one with '
                                   '--camera NAME')
        name = next(iter(cameras))
    else:
        aliases = {}
        for key, value in cameras.items():
            aliases[key] = key
            if isinstance(value.get('name'), str):
                aliases[value['name']] = key
        if camera not in aliases:
            raise CalibrationError(f'camera {camera!r} is not in {path}; it '
                                   f'has {sorted(cameras)}')
        name = aliases[camera]
    return _camera_from_entry(cameras[name], name, f'{path} [{name}]')


def extent_image_size(keypoints: np.ndarray,
                      scores: np.ndarray) -> Tuple[int, int]:
    """An image size for keypoints without a known frame: their extent.

    Args:
        keypoints (np.ndarray): (..., 2) pixels.
        scores (np.ndarray): (...) scores (0 = missing).

    Returns:
        tuple: ``(width, height)`` just enclosing every detected keypoint
        (the frame is at least that large; its centre is assumed to be the
        principal point).

    Raises:
        CalibrationError: When no keypoint is detected.
    """
    valid = np.asarray(scores) > 0
    if not valid.any():
        raise CalibrationError('no detected keypoint: cannot size a default '
                               'camera')
    hi = np.asarray(keypoints)[valid].max(0)
    return int(np.ceil(hi[0])) + 1, int(np.ceil(hi[1])) + 1


def resolve_camera(image_size: Optional[Tuple[int, int]] = None,
                   calibration: Optional[str] = None,
                   camera: Optional[str] = None,
                   focal_length: Optional[float] = None,
                   fov: Optional[float] = None,
                   keypoints: Optional[np.ndarray] = None,
                   scores: Optional[np.ndarray] = None) -> Camera:
    """The camera the command-line options describe.

    Args:
        image_size (tuple, optional): Frame ``(width, height)``. Without it
            (a keypoint file), the keypoints' extent
            (:func:`extent_image_size`) sizes a default camera, and its
            ``source`` says so.
        calibration (str, optional): Calibration file
            (:func:`load_calibration`).
        camera (str, optional): Camera name in it.
        focal_length (float, optional): Focal length (pixels).
        fov (float, optional): Field of view (degrees, long side).
        keypoints (np.ndarray, optional): (..., 2) pixels, for the extent.
        scores (np.ndarray, optional): Their scores.

    Returns:
        Camera: The camera.

    Raises:
        CalibrationError: On options that contradict each other or bad
            values (see :func:`load_calibration`, :func:`default_camera`),
            or no size to be had.
    """
    if calibration is not None:
        given = [flag for flag, value in (('--focal-length', focal_length),
                                          ('--fov', fov)) if value is not None]
        if given:
            raise CalibrationError(f'{" and ".join(given)} cannot be used '
                                   'with --calibration (it has the '
                                   'intrinsics)')
        return load_calibration(calibration, camera)
    if camera is not None:
        raise CalibrationError('--camera needs --calibration FILE')
    assumed = not image_size or not all(image_size)
    if assumed:
        if keypoints is None or scores is None:
            raise CalibrationError('the frame size is unknown: pass a '
                                   'calibration, or the keypoints to size '
                                   'a default camera')
        image_size = extent_image_size(keypoints, scores)
    cam = default_camera(image_size, focal_length, fov)
    if assumed:
        cam.source += (" on an image size assumed from the keypoints' "
                       'extent (no frame size known)')
    return cam
