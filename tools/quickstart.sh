#!/usr/bin/env bash
# The README's main job (run through `make demo`): lift a real recording to 3D
# with the shipped small checkpoint and render it.
#   1. demo/lift_2d_to_3d.py on the Pose2Sim demo (real OpenPose 2D of a
#      recorded subject, camera 1, with the recording's calibration and the
#      subject's height from its static trial): writes
#      outputs/quickstart/*.npz|json|mp4, metric exports (BVH, TRC and
#      joint-angle CSV per person, an HTML 3D viewer) and prints its P-MPJPE
#      and metric camera-space errors against the subject's 3D markers;
#   2. tools/misc/eval_pose2sim.py: P-MPJPE of every camera next to a
#      mean-pose baseline, as one JSON object;
#   3. tools/misc/eval_pose2sim.py --metric: metric errors (mm, no
#      alignment) of every camera, calibrated and with the defaults.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PY:-$ROOT/.venv/bin/python}"
OUT="${OUT:-outputs/quickstart}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

# the mean-pose baseline needs the DeepMimic joints (6 s, cached)
"$PY" -c "import os, sys; from mmmotionbert.datasets.mocap.pybullet_fk import default_mocap_cache as c; sys.exit(0 if os.path.isfile(c()) else 1)" \
  || "$PY" tools/dataset_converters/pybullet_mocap.py
"$PY" demo/lift_2d_to_3d.py pose2sim:cam1 --out-dir "$OUT" \
  --export bvh,trc,csv,html
echo
echo "Pose2Sim demo, all cameras (P-MPJPE in mm; baseline = mean training pose):"
"$PY" tools/misc/eval_pose2sim.py | tee "$OUT/pose2sim_eval.json"
echo
echo "Metric camera-space errors (mm, no alignment; targets: abs <= 180, root <= 150, root-relative <= 95):"
"$PY" tools/misc/eval_pose2sim.py --metric > "$OUT/pose2sim_metric_eval.json"
"$PY" - "$OUT/pose2sim_metric_eval.json" <<'PYEOF'
import json, sys
data = json.load(open(sys.argv[1]))
keys = ('abs_mpjpe_mm', 'root_error_mm', 'rootrel_mpjpe_mm', 'floor_angle_deg')
print(f"  {'setting':12s}{'camera':8s}{'abs MPJPE':>11s}{'root':>8s}"
      f"{'root-rel':>10s}{'floor deg':>11s}")
for name in ('calibrated', 'default'):
    run = data[name]
    rows = list(run['cameras'].items()) + [('mean', run)]
    for cam, e in rows:
        print(f"  {name:12s}{cam:8s}{e[keys[0]]:11.1f}{e[keys[1]]:8.1f}"
              f"{e[keys[2]]:10.1f}{e[keys[3]]:11.1f}")
print('  calibrated: the calibration\'s intrinsics, height from the static '
      'trial ({:.3f} m);'.format(data['calibrated']['subject_height']))
print('  default: 60 deg field of view, {:.2f} m adult height'.format(
    data['default']['subject_height']))
PYEOF
echo
echo "Outputs in $OUT:"
ls -1 "$OUT"
