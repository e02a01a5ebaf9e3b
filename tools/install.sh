#!/usr/bin/env bash
# Install mmmotionbert and its whole OpenMMLab stack into a project-local venv.
#
#   bash tools/install.sh            # creates .venv/ when missing, reuses it otherwise
#   VENV=/path/to/venv bash tools/install.sh
#
# What it does (each step is skipped when already done):
#   1. python3.11 -m venv .venv
#   2. torch (requirements/torch.txt; CPU wheel on CPU machines)
#   3. runtime deps (requirements/runtime.txt under requirements/constraints.txt)
#   4. mmcv 2.1.0 WITH compiled ops.  PyPI only has its source release, which takes
#      ~15 min to compile on 2 cores, so the wheel is built once in a throw-away
#      build venv and cached in $MMMOTIONBERT_CACHE (default ~/.cache/mmmotionbert).
#   5. mmpose 1.3.2, mmdet 3.3.0, mmaction2 1.2.0 with --no-deps (their declared deps
#      include chumpy, which does not build).
#   6. optional real-data packages (pybullet, pose2sim) with --no-deps
#      (requirements/optional.txt; their declared deps are heavy and unneeded).
#   7. mmmotionbert itself, editable, plus the test requirements.
# A stamp file in the venv records a hash of the requirement files; when nothing
# changed the script only checks that the stack imports.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
PYTHON_BIN="${PYTHON_BIN:-python3.11}"
command -v "$PYTHON_BIN" >/dev/null 2>&1 || PYTHON_BIN=python3
CACHE="${MMMOTIONBERT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmmotionbert}"
REQ=requirements
export PIP_DISABLE_PIP_VERSION_CHECK=1

log() { printf '[install] %s\n' "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtual environment $VENV"
  "$PYTHON_BIN" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --quiet)

stamp_value="$(cat "$REQ"/*.txt setup.py tools/install.sh | sha256sum | cut -c1-16)"
stamp_file="$VENV/.mmmotionbert-stamp"
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_value" ] \
    && "$PY" -c "import mmmotionbert, mmpose.models, mmaction.models" >/dev/null 2>&1; then
  log "environment $VENV is up to date"
  exit 0
fi

torch_spec="$(grep -v '^#' "$REQ/torch.txt" | grep -m1 torch)"
log "installing $torch_spec"
"${PIP[@]}" "$torch_spec" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
torch_version="$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')"

log "installing runtime requirements"
"${PIP[@]}" -r "$REQ/runtime.txt" -c "$REQ/constraints.txt" "$torch_spec"

py_tag="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
wheel_dir="$CACHE/wheels/torch-$torch_version-$py_tag"
if ! "$PY" -c "import mmcv, mmcv.ops" >/dev/null 2>&1; then
  wheel="$(ls "$wheel_dir"/mmcv-2.1.0-*.whl 2>/dev/null | head -n1 || true)"
  if [ -z "$wheel" ]; then
    log "building mmcv 2.1.0 with ops (about 15 minutes on 2 cores; cached in $wheel_dir)"
    build_venv="$CACHE/mmcv-build-venv-$py_tag"
    [ -x "$build_venv/bin/python" ] || "$PYTHON_BIN" -m venv "$build_venv"
    # torch first: it would otherwise pull setuptools back above 70.
    "$build_venv/bin/python" -m pip install --quiet "$torch_spec" "numpy<2" \
      ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
    "$build_venv/bin/python" -m pip install --quiet -r "$REQ/build.txt"
    mkdir -p "$wheel_dir"
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" "$build_venv/bin/python" -m pip wheel \
      --quiet --no-deps --no-build-isolation mmcv==2.1.0 -w "$wheel_dir"
    wheel="$(ls "$wheel_dir"/mmcv-2.1.0-*.whl | head -n1)"
  fi
  log "installing $wheel"
  "${PIP[@]}" --no-deps "$wheel"
fi

log "installing mmpose, mmdet, mmaction2 (--no-deps)"
"${PIP[@]}" --no-deps -r "$REQ/mminstall.txt"

log "installing optional real-data packages (pybullet, pose2sim; --no-deps)"
"${PIP[@]}" --no-deps -r "$REQ/optional.txt"

log "installing deployment extras (ONNX export, ONNX Runtime)"
"${PIP[@]}" -r "$REQ/deploy.txt" -c "$REQ/constraints.txt"

log "installing mmmotionbert (editable) and test requirements"
"${PIP[@]}" --no-deps --no-build-isolation -e .
"${PIP[@]}" -r "$REQ/tests.txt"

"$PY" -c "import mmmotionbert, mmpose.models, mmaction.models, mmcv.ops; print('[install] stack imports: OK')"
echo "$stamp_value" > "$stamp_file"
