#!/usr/bin/env bash
# Installs Debian's headless browser for tests/browser.rs (chromium + its driver).
# Called from .ci/run; safe to run again (apt skips what is installed).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(chromium --version 2>/dev/null || true)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
echo "installed: $(chromium --version 2>/dev/null || true)"
