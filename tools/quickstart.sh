#!/usr/bin/env bash
# The README's main job: generate a small dataset in the official H36M format,
# train a tiny DSTformer lifter on CPU, evaluate its best checkpoint with the
# official H36M protocol, and print the metrics. Run through `make demo`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PY:-$ROOT/.venv/bin/python}"
CONFIG=configs/pose3d/mb-tiny_dstformer-27frm_synthetic-h36m.py
WORK_DIR="${WORK_DIR:-work_dirs/quickstart}"

[ -f data/synthetic_h36m.pkl ] || "$PY" tools/misc/generate_synthetic_h36m.py data/synthetic_h36m.pkl
rm -rf "$WORK_DIR"
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
best="$(ls "$WORK_DIR"/best_MPJPE_*.pth | head -n1)"
"$PY" tools/test.py "$CONFIG" "$best" --work-dir "$WORK_DIR/test" 2>&1 | tee "$WORK_DIR/test.log"
echo
echo "Best checkpoint: $best"
grep -E "MPJPE: " "$WORK_DIR/test.log" | tail -n1
