#!/usr/bin/env bash
# Install the headless browser the HTML viewer test needs (Debian's
# chromium). Idempotent: does nothing when `chromium` is already on PATH.
# Usage: bash tools/install_test_browser.sh   (as root, or with sudo on PATH)
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "install_test_browser: chromium already installed at $(command -v chromium); nothing to do"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
echo "install_test_browser: chromium not found; installing Debian's chromium with apt-get"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
echo "install_test_browser: installed $(command -v chromium) ($(chromium --version 2>/dev/null | tail -n 1))"
