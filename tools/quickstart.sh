#!/usr/bin/env bash
# The README's main job (run through `make demo`): lift a real recording to 3D
# with the shipped small checkpoint and render it.
#   1. demo/lift_2d_to_3d.py on the Pose2Sim demo (real OpenPose 2D of a
#      recorded subject, camera 1): writes outputs/quickstart/*.npz|json|mp4
#      and prints its P-MPJPE against the subject's 3D markers;
#   2. tools/misc/eval_pose2sim.py: P-MPJPE of every camera next to a
#      mean-pose baseline, as one JSON object.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PY:-$ROOT/.venv/bin/python}"
OUT="${OUT:-outputs/quickstart}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

# the mean-pose baseline needs the DeepMimic joints (6 s, cached)
"$PY" -c "import os, sys; from mmmotionbert.datasets.mocap.pybullet_fk import default_mocap_cache as c; sys.exit(0 if os.path.isfile(c()) else 1)" \
  || "$PY" tools/dataset_converters/pybullet_mocap.py
"$PY" demo/lift_2d_to_3d.py pose2sim:cam1 --out-dir "$OUT"
echo
echo "Pose2Sim demo, all cameras (P-MPJPE in mm; baseline = mean training pose):"
"$PY" tools/misc/eval_pose2sim.py | tee "$OUT/pose2sim_eval.json"
echo
echo "Outputs in $OUT:"
ls -1 "$OUT"
