# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Lift in-the-wild 2D keypoints (or a video) to 3D and render the result.

Examples::

    # the bundled real example: Pose2Sim's OpenPose BODY_25B of camera 1,
    # compared with its 3D markers (needs pose2sim==0.4.15)
    python demo/lift_2d_to_3d.py pose2sim:cam1 --out-dir outputs/
    # Sports2D's real outdoor video through MediaPipe BlazePose (needs
    # sports2d==0.8.34 and mediapipe==0.10.21, requirements/optional.txt)
    python demo/lift_2d_to_3d.py sports2d --out-dir outputs/
    # any keypoint file / folder; a video goes through a 2D detector first
    python demo/lift_2d_to_3d.py alphapose-results.json --out-dir out/
    python demo/lift_2d_to_3d.py openpose_json/ --format body25 --out-dir out/
    python demo/lift_2d_to_3d.py clip.mp4 --out-dir out/ --vis gif
    # an official checkpoint (global lite model as the official infer_wild)
    python demo/lift_2d_to_3d.py in.json --checkpoint best_epoch.bin \\
        --global --out-dir out/
    # also recover and render SMPL meshes (official mesh checkpoint or
    # ours; SMPL files as in docs/mesh.md)
    python demo/lift_2d_to_3d.py in.json --out-dir out/ \\
        --mesh-checkpoint FT_MB_release_MB_ft_pw3d/best_epoch.bin \\
        --smpl-dir data/mesh

Metric output (on unless ``--no-metric``): every person in metres in the
camera frame with their trajectory (``keypoints_3d_metric``) and in a
floor-aligned world (``keypoints_3d_world``, Y up, floor at y = 0), from
``--calibration FILE [--camera NAME]`` (Pose2Sim/Anipose toml, OpenCV
yaml/json), else ``--focal-length PX`` / ``--fov DEG``, else a 60 degree
field of view; scaled to ``--subject-height M`` (else 1.70 m). The
Pose2Sim demo uses its own calibration and the static trial's height.
``--export bvh,trc,csv,html`` writes a BVH and a TRC per person, a CSV of
joint angles and a self-contained HTML 3D viewer (default: html). See
docs/metric_output.md and docs/exports.md::

    python demo/lift_2d_to_3d.py clip.mp4 --out-dir out/ --fov 70 \
        --subject-height 1.82 --export bvh,trc,csv,html

Writes ``OUT_DIR/<input name>.npz`` (``keypoints_3d`` (P, T, 17, 3) float32,
``scores`` (P, T, 17), ``track_ids`` (P,), plus ``keypoints_2d``,
``root_2d``, ``frame_ids``, ``meta``), its json twin ``<name>.json`` and the
rendering ``<name>.mp4`` / ``<name>.gif``. Units: pixels of the input frames
(depth in the same scale), camera-aligned axes (x right, y down, z away),
root-relative for root-relative models (see
``mmmotionbert/apis/inferencers/``). With ``--mesh-checkpoint`` the npz
also holds ``vertices`` (P, T, 6890, 3) float32 in the same units, axes and
root, ``faces``, ``smpl_pose``, ``smpl_betas``, ``mesh_joints_3d`` and
``mesh_px_per_mm`` (see ``mmmotionbert/apis/mesh_inference.py``), the json
a ``mesh`` entry naming them, and the rendering a mesh panel.
"""
import argparse
import os
import os.path as osp
import sys
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmmotionbert.apis.readers import (  # noqa: E402
    VIDEO_EXTENSIONS, read_keypoints)

LAYOUT_CHOICES = ('auto', 'h36m', 'coco', 'halpe26', 'alphapose', 'body25',
                  'body25b', 'openpose18', 'blazepose', 'coco_wholebody',
                  'halpe136')


def parse_args(argv=None) -> argparse.Namespace:
    """Command line arguments."""
    p = argparse.ArgumentParser(
        description='Lift 2D keypoints (or a video) to 3D with MotionBERT')
    p.add_argument(
        'input',
        help='keypoint file or folder (OpenPose json folder, AlphaPose / '
        'COCO / mmpose json, .npy, .npz), a video, pose2sim[:camN] for '
        "the installed Pose2Sim demo (camera N's OpenPose detections, "
        'scored against its 3D markers) or sports2d for the installed '
        'Sports2D demo video')
    p.add_argument(
        '--format', default='auto', choices=LAYOUT_CHOICES,
        help='keypoint layout of the input (default: detect it)')
    p.add_argument('--out-dir', required=True, help='output folder')
    p.add_argument('--debug', action='store_true',
                   help='show the traceback of an error, not one line')
    p.add_argument('--checkpoint', help='lifter checkpoint (official '
                   'MotionBERT, mmpose or mmmotionbert), or a name: '
                   'mb-small-pybullet, motionbert-h36m, motionbert-ft-h36m '
                   '(downloaded once, hash checked); default: the shipped '
                   'small model checkpoints/mb_pretrain_small_pybullet.pth')
    p.add_argument('--config', help='mmengine config of --checkpoint')
    p.add_argument('--num-heads', type=int, help='attention heads of an '
                   'official checkpoint (cannot be read from weights; '
                   'official: 8)')
    p.add_argument('--global', dest='rootrel', action='store_false',
                   default=None, help='the model is global (not '
                   'root-relative), e.g. the official global lite model')
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int,
                   help='torch CPU threads (1 is often fastest for small '
                   'models and streaming)')
    p.add_argument('--clip-len', type=int, help="window length (default: "
                   "the model's maxlen)")
    p.add_argument('--overlap', type=int,
                   help='frames shared by neighbouring windows (default: '
                   'half a window)')
    p.add_argument('--no-flip', action='store_true', help='no flip test')
    p.add_argument('--normalization', default='window',
                   choices=('window', 'sequence'),
                   help='crop_scale box per window (default) or per track '
                   '(official infer_wild)')
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--stream', action='store_true',
                   help='causal streaming mode (live use): each frame is '
                   'lifted from the frames up to it')
    p.add_argument('--lookahead', type=int, default=0,
                   help='streaming: frames of delay for more context')
    p.add_argument('--min-frames', type=int, default=5,
                   help='drop tracks seen in fewer frames')
    p.add_argument('--max-people', type=int, help='lift at most N tracks '
                   '(the most confident)')
    p.add_argument('--track-ids', type=int, nargs='+',
                   help='lift only these track ids')
    p.add_argument('--detector', default='mediapipe',
                   choices=('mediapipe', 'mmpose'),
                   help='2D detector for video input (default: MediaPipe '
                   'BlazePose, offline; mmpose when --pose2d is given)')
    p.add_argument('--pose2d', help='mmpose 2D model config (video input)')
    p.add_argument('--pose2d-weights', help='mmpose 2D checkpoint')
    p.add_argument('--det-model', help='mmdet person detector config '
                   '(top-down mmpose models)')
    p.add_argument('--det-weights', help='mmdet detector checkpoint')
    p.add_argument('--max-frames', type=int,
                   help='video input: only the first N frames')
    p.add_argument('--video', help='video to draw the 2D keypoints on '
                   '(default: the input when it is a video, else a blank '
                   'canvas)')
    p.add_argument('--vis', default='mp4', choices=('mp4', 'gif', 'none'),
                   help='rendering format (default mp4)')
    p.add_argument('--panel-height', type=int, default=360)
    p.add_argument('--fps', type=float, help='frame rate of the input '
                   '(default: from the video / file, else 25)')
    p.add_argument('--action-config', help='action recognition config '
                   '(configs/action/*.py): print the top-k actions of each '
                   'person')
    p.add_argument('--action-checkpoint', help='its checkpoint (ours or an '
                   'official action best_epoch.bin)')
    p.add_argument('--action-labels', help='text file of class names, one '
                   'per line')
    p.add_argument('--topk', type=int, default=5)
    p.add_argument('--mesh-checkpoint', help='mesh recovery checkpoint '
                   '(official MotionBERT mesh best_epoch.bin or one trained '
                   'with configs/mesh/): also recover SMPL meshes, save '
                   'their vertices and render them')
    p.add_argument('--mesh-config', help='mmengine config of '
                   '--mesh-checkpoint (when the checkpoint does not embed '
                   'it)')
    p.add_argument('--smpl-dir', help='folder with SMPL_NEUTRAL.pkl, '
                   'smpl_mean_params.npz and J_regressor_h36m_correct.npy '
                   '(default: data/mesh; see docs/mesh.md)')
    p.add_argument('--mesh-num-heads', type=int, help='attention heads of '
                   'an official mesh checkpoint (official: 8)')
    p.add_argument('--mesh-clip-len', type=int, help="mesh window length "
                   "(default: the mesh config's clip_len, else 16 as the "
                   'official mesh models)')
    p.add_argument('--mesh-azimuth', type=float, default=0.0,
                   help='mesh panel view in degrees: 0 draws the meshes '
                   'over the frame as the camera sees them (default), 90 '
                   'in profile')
    m = p.add_argument_group('metric output (docs/metric_output.md)')
    m.add_argument('--calibration', help='camera calibration: Pose2Sim / '
                   'Anipose .toml, or OpenCV .yaml/.yml/.json (K, dist, '
                   'optional R/rvec and t)')
    m.add_argument('--camera', help='camera name in --calibration (when it '
                   'holds several)')
    m.add_argument('--focal-length', type=float, help='focal length in '
                   'pixels (no calibration)')
    m.add_argument('--fov', type=float, help='field of view across the '
                   'longer image side, degrees (no calibration; default 60)')
    m.add_argument('--subject-height', nargs='+', metavar='M',
                   help='height in metres: one for everybody, one per '
                   'track in order, or ID:M pairs (default 1.70)')
    m.add_argument('--export', default='html',
                   help='comma-separated: bvh, trc, csv (joint angles), '
                   'html (3D viewer), all or none (default: html)')
    m.add_argument('--no-metric', action='store_true', help='no metric '
                   'output (nor exports)')
    p.add_argument('--no-progress', action='store_true')
    return p.parse_args(argv)


EXPORTS = ('bvh', 'trc', 'csv', 'html')


def parse_exports(text: str, metric: bool) -> list:
    """``--export`` as a list of formats (validated)."""
    names = [n.strip().lower() for n in text.split(',') if n.strip()]
    if names in ([], ['none']):
        return []
    if names == ['all']:
        names = list(EXPORTS)
    bad = [n for n in names if n not in EXPORTS]
    if bad:
        raise ValueError(f'--export: unknown format(s) {bad}; choose from '
                         f'{", ".join(EXPORTS)}, all or none')
    if not metric:
        raise ValueError('--export needs the metric output (drop '
                         '--no-metric, or pass --export none)')
    return names


def parse_heights(values):
    """``--subject-height`` as None, a list of floats or {track id: m}."""
    if not values:
        return None
    pairs = [v for v in values if ':' in v]
    try:
        if pairs:
            if len(pairs) != len(values):
                raise ValueError
            return {int(k): float(v) for k, v in
                    (item.split(':', 1) for item in values)}
        return [float(v) for v in values]
    except ValueError:
        raise ValueError(f'--subject-height: expected metres (1.75) or '
                         f'ID:metres pairs (0:1.75 1:1.62), got '
                         f'{" ".join(values)}') from None


def metric_camera(args, seq, pose2sim_cam):
    """The camera and height options, Pose2Sim demo defaults filled in."""
    from mmmotionbert.apis.metric import resolve_camera
    calibration, camera = args.calibration, args.camera
    heights = parse_heights(args.subject_height)
    height_note = None
    if pose2sim_cam is not None and calibration is None and \
            args.focal_length is None and args.fov is None:
        from mmmotionbert.datasets.pose2sim_demo import (
            pose2sim_calibration, static_trial_height)
        calibration = pose2sim_calibration()
        camera = camera or f'cam_{int(pose2sim_cam[3:]):02d}'
        if heights is None:
            heights = [static_trial_height()]
            height_note = 'Pose2Sim static trial'
    cam = resolve_camera(seq.frame_size, calibration, camera,
                         args.focal_length, args.fov, seq.keypoints,
                         seq.scores)
    return cam, heights, height_note


def pose2sim_metric_score(result, trc_path: str, cam: str) -> dict:
    """Metric errors (mm, no alignment) of the most confident track against
    the markers in the demo camera's frame."""
    from mmmotionbert.apis.metric import load_calibration
    from mmmotionbert.apis.pose2sim_eval import pose2sim_camera_truth
    from mmmotionbert.datasets.pose2sim_demo import (
        pose2sim_calibration, read_trc, trc_to_h36m)
    from mmmotionbert.evaluation.functional import metric_errors
    names, markers, _ = read_trc(trc_path)
    calib = load_calibration(pose2sim_calibration(),
                             f'cam_{int(cam[3:]):02d}')
    truth = pose2sim_camera_truth(dict(joints_3d=trc_to_h36m(names, markers)),
                                  calib)
    best = int(np.argmax(result.scores.sum((1, 2))))
    pred = result.metric.keypoints_3d_metric[best].astype(np.float64)
    num = min(len(truth), len(pred))
    out = {k: (round(v, 2) if isinstance(v, float) else v)
           for k, v in metric_errors(pred[:num], truth[:num]).items()}
    from mmmotionbert.apis.metric import floor_angle_deg
    normal = np.asarray(result.metric.meta['floor']['normal_camera'])
    out['floor_angle_deg'] = round(
        floor_angle_deg(normal, calib.R @ np.array([0.0, 0.0, 1.0])), 2)
    return out


def _resolve_pose2sim(spec: str):
    """``pose2sim[:camN]`` -> (json folder, TRC path)."""
    from mmmotionbert.datasets.pose2sim_demo import pose2sim_demo_dir
    cam = spec.split(':', 1)[1] if ':' in spec else 'cam1'
    demo = pose2sim_demo_dir()
    folder = osp.join(demo, 'pose', f'{cam}_json')
    if not osp.isdir(folder):
        cams = sorted(d[:-5] for d in os.listdir(osp.join(demo, 'pose'))
                      if d.endswith('_json'))
        raise FileNotFoundError(f'no Pose2Sim demo camera {cam!r}; '
                                f'available: {cams}')
    return folder, osp.join(demo, 'opensim', 'Balancing_for_IK.trc'), cam


def _resolve_sports2d() -> str:
    """``sports2d`` -> the installed Sports2D demo video."""
    import importlib.util
    spec = importlib.util.find_spec('Sports2D')
    hint = 'pip install --no-deps sports2d==0.8.34'
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f'the Sports2D demo video comes with the sports2d '
                          f'package, which is not installed: {hint}')
    video = osp.join(list(spec.submodule_search_locations)[0], 'Demo',
                     'demo.mp4')
    if not osp.isfile(video):
        raise FileNotFoundError(f'{video} is missing ({hint})')
    return video


def pose2sim_score(result, trc_path: str) -> dict:
    """P-MPJPE (mm) of the most confident track against the TRC markers."""
    from mmmotionbert.datasets.pose2sim_demo import read_trc, trc_to_h36m
    from mmmotionbert.evaluation.functional.errors import p_mpjpe
    names, markers, _ = read_trc(trc_path)
    gt = trc_to_h36m(names, markers) * 1000.0
    best = int(np.argmax(result.scores.sum((1, 2))))
    pred = result.keypoints_3d[best].astype(np.float64)
    num = min(len(gt), len(pred))
    ok = np.isfinite(pred[:num]).all((-1, -2))
    err = p_mpjpe(pred[:num][ok], gt[:num][ok])
    return dict(
        track_id=int(result.track_ids[best]),
        frames=int(ok.sum()),
        p_mpjpe_mm=float(np.mean(err)))


def recognize_actions(seq, args) -> dict:
    """Top-k actions of every track (``--action-config``)."""
    from mmmotionbert.apis.action_inference import (inference_action,
                                                    init_action_model)
    if not args.action_config:
        raise ValueError('--action-checkpoint needs --action-config (the '
                         'action model config, configs/action/*.py)')
    model = init_action_model(args.action_config, args.action_checkpoint,
                              args.device)
    h36m = seq.to_h36m()
    if seq.frame_size:
        img_shape = (seq.frame_size[1], seq.frame_size[0])
    else:  # keypoint files without a frame size: their extent
        valid = h36m.scores > 0
        hi = h36m.keypoints[valid].max(0) if valid.any() else (1, 1)
        img_shape = (int(hi[1]) + 1, int(hi[0]) + 1)
    out = {}
    for p, tid in enumerate(h36m.track_ids):
        seen = np.nonzero((h36m.scores[p] > 0).any(-1))[0]
        span = slice(seen[0], seen[-1] + 1)
        res = inference_action(
            model, h36m.keypoints[p, span], h36m.scores[p, span],
            img_shape=img_shape, keypoint_format='h36m', topk=args.topk,
            label_names=args.action_labels)
        out[int(tid)] = [(name if name is not None else label,
                          round(prob, 4)) for label, prob, name in
                         res['topk']]
    return out


def build_mesh_inferencer(args, progress: bool):
    """The mesh inferencer of ``--mesh-checkpoint`` (None without it).

    Built before lifting, so a missing SMPL file or a checkpoint that is
    not a mesh model stops the demo at once.
    """
    from mmmotionbert.apis.inferencers import (DEFAULT_SMPL_DIR,
                                               MeshInferencer)
    if not args.mesh_checkpoint:
        given = [flag for flag, value in (
            ('--mesh-config', args.mesh_config),
            ('--smpl-dir', args.smpl_dir),
            ('--mesh-clip-len', args.mesh_clip_len)) if value]
        if given:
            raise ValueError(f'{" and ".join(given)} need(s) '
                             '--mesh-checkpoint (a mesh model checkpoint)')
        return None
    official = {}
    if args.mesh_num_heads:
        official['num_heads'] = args.mesh_num_heads
    return MeshInferencer(
        checkpoint=args.mesh_checkpoint,
        config=args.mesh_config,
        smpl_dir=args.smpl_dir or DEFAULT_SMPL_DIR,
        device=args.device,
        clip_len=args.mesh_clip_len,
        flip_test=not args.no_flip,
        normalization=args.normalization,
        batch_size=args.batch_size,
        progress=progress,
        **official)


def write_exports(result, out_dir: str, name: str, formats: list) -> list:
    """BVH / TRC / CSV per person and the HTML viewer; the paths."""
    paths = []
    files = [f for f in formats if f != 'html']
    if files:
        from mmmotionbert.exports import export_motion
        for written in export_motion(result, out_dir, name, files).values():
            paths += written
    if 'html' in formats:
        from mmmotionbert.visualization import write_result_viewer
        paths.append(write_result_viewer(
            result, osp.join(out_dir, f'{name}.html'), title=name))
    return paths


def main(argv=None) -> dict:
    """Run the demo; returns the printed numbers as a dict."""
    args = parse_args(argv)
    from mmmotionbert.apis.inferencers import (MotionLifterInferencer,
                                               StreamingLifter)
    progress = not args.no_progress
    if args.threads:
        import torch
        torch.set_num_threads(args.threads)
    inp, trc, name, pose2sim_cam = args.input, None, None, None
    video = args.video
    if inp.startswith('pose2sim') and not osp.exists(inp):
        inp, trc, pose2sim_cam = _resolve_pose2sim(inp)
        name = f'pose2sim_{pose2sim_cam}'
    elif inp == 'sports2d' and not osp.exists(inp):
        inp = _resolve_sports2d()
        name = 'sports2d_demo'
    if name is None:
        name = osp.splitext(osp.basename(osp.normpath(inp)))[0] or 'output'

    exports = parse_exports(args.export, not args.no_metric)
    official = {}
    if args.num_heads:
        official['num_heads'] = args.num_heads
    t0 = time.perf_counter()
    inferencer = MotionLifterInferencer(
        checkpoint=args.checkpoint,
        config=args.config,
        device=args.device,
        clip_len=args.clip_len,
        overlap=args.overlap,
        flip_test=not args.no_flip,
        rootrel=args.rootrel,
        normalization=args.normalization,
        batch_size=args.batch_size,
        progress=progress,
        **official)
    mesher = build_mesh_inferencer(args, progress)

    if osp.splitext(inp)[1].lower() in VIDEO_EXTENSIONS:
        from mmmotionbert.apis.detectors import build_detector, detect_video
        if args.pose2d:
            detector = build_detector(
                'mmpose', pose2d=args.pose2d,
                pose2d_weights=args.pose2d_weights,
                det_model=args.det_model, det_weights=args.det_weights,
                device=args.device)
        elif args.detector == 'mmpose':
            raise ValueError('--detector mmpose needs --pose2d CONFIG and '
                             '--pose2d-weights CHECKPOINT')
        else:
            detector = build_detector('mediapipe')
        try:
            seq = detect_video(inp, detector, args.max_frames, progress)
        finally:
            detector.close()
        video = video or inp
    else:
        seq = read_keypoints(inp, args.format)
    if args.fps:
        seq.fps = args.fps
    elif seq.fps is None and trc is not None:
        seq.fps = 60.0
    seq = seq.filter_tracks(min(args.min_frames, seq.num_frames),
                            args.max_people, args.track_ids)
    if seq.num_persons == 0:
        raise ValueError(f'no track of {inp} is seen in >= {args.min_frames}'
                         ' frames; lower --min-frames')
    camera = heights = height_note = None
    if not args.no_metric:  # options checked before the (long) lifting
        from mmmotionbert.apis.metric import subject_heights
        camera, heights, height_note = metric_camera(args, seq,
                                                     pose2sim_cam)
        subject_heights(heights, seq.track_ids)

    t1 = time.perf_counter()
    if args.stream:
        streamer = StreamingLifter(
            inferencer, args.clip_len, lookahead=args.lookahead)
        result = streamer.run(seq, progress=progress)
    else:
        result = inferencer.lift(seq)
    lift_s = time.perf_counter() - t1
    mesh_numbers = None
    if mesher is not None:
        t2 = time.perf_counter()
        result.mesh = mesher.infer(seq, result)
        mesh_numbers = dict(
            vertices=list(result.mesh.vertices.shape),
            clip_len=mesher.clip_len,
            smpl=result.mesh.meta['smpl'],
            seconds=round(time.perf_counter() - t2, 3))
    metric_numbers = None
    if not args.no_metric:
        from mmmotionbert.apis.metric import metric_motion
        result.metric = metric_motion(result, camera, heights)
        meta = result.metric.meta
        if height_note:
            meta['height_source'] = height_note
        metric_numbers = dict(
            camera=meta['camera']['source'],
            subject_heights_m=[round(h, 3) for h in meta['subject_heights']],
            height_source=meta['height_source'],
            world=meta['world_source'],
            foot_contacts=meta['floor']['num_contacts'])
    npz_path, json_path = result.save(args.out_dir, name)
    numbers = dict(
        input=inp,
        layout=seq.layout,
        persons=int(result.num_persons),
        frames=int(result.num_frames),
        track_ids=result.track_ids.tolist(),
        mode='streaming' if args.stream else 'offline',
        lift_seconds=round(lift_s, 3),
        lift_fps=round(result.num_frames / max(lift_s, 1e-9), 1),
        npz=npz_path,
        json=json_path)
    if mesh_numbers is not None:
        numbers['mesh'] = mesh_numbers
    if metric_numbers is not None:
        numbers['metric'] = metric_numbers
    if args.stream:
        lat = np.asarray(streamer.latencies) * 1000
        numbers['latency_ms_median'] = round(float(np.median(lat)), 2)
        numbers['latency_ms_p95'] = round(float(np.percentile(lat, 95)), 2)
    if trc is not None:
        numbers['pose2sim'] = pose2sim_score(result, trc)
        if result.metric is not None:
            numbers['pose2sim_metric'] = pose2sim_metric_score(
                result, trc, pose2sim_cam)
    if exports:
        numbers['exports'] = write_exports(result, args.out_dir, name,
                                           exports)
    if args.action_config or args.action_checkpoint:
        numbers['actions'] = recognize_actions(seq, args)
    if args.vis != 'none':
        from mmmotionbert.visualization import render_lift_result
        out_vid = osp.join(args.out_dir, f'{name}.{args.vis}')
        render_lift_result(result, out_vid, video=video, fps=seq.fps,
                           panel_height=args.panel_height, progress=progress,
                           mesh_azimuth=args.mesh_azimuth)
        numbers['visualization'] = out_vid
    numbers['total_seconds'] = round(time.perf_counter() - t0, 2)
    for key, value in numbers.items():
        print(f'{key}: {value}')
    return numbers


if __name__ == '__main__':
    from mmmotionbert.utils.cli import run_cli
    run_cli(main, out_dir_arg='--out-dir')
