#!/usr/bin/env bash
# Idempotent set-up: Python 3.12 virtualenv with pinned packages, the plugin, Mosquitto and Chromium.
# A second run with nothing changed finishes in seconds (it compares a stamp of the lock files).
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  # A pyenv shim named python3.12 can exist yet fail to run: try each candidate for real.
  local candidate
  for candidate in "$(command -v python3.12 2>/dev/null || true)" "$HOME/.pyenv/versions/3.12.1/bin/python3.12"; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "error: Python 3.12 not found (install it, or put a working python3.12 on PATH)" >&2
  exit 1
}

install_system_packages() {
  local missing=()
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
  command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # headless browser for the HTML report test
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)  # drives the real Hummingbot client in tests/test_client_terminal.py
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)  # sweep tests on a real server
  [ ${#missing[@]} -eq 0 ] && return
  echo "setup: installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python_packages() {
  local stamp=.venv/.hbp-setup-stamp
  local want
  want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && .venv/bin/python -c "import hummingbot, hummingbot_plugin" 2>/dev/null; then
    echo "setup: Python environment up to date"
    return
  fi
  [ -x .venv/bin/python ] || "$(find_python)" -m venv .venv
  echo "setup: installing pinned packages (Hummingbot builds from source: ~3 min the first time)"
  .venv/bin/python -m pip install -q --upgrade "pip==26.3" wheel
  .venv/bin/python -m pip install -q -r requirements.lock
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp"
}

install_system_packages
install_python_packages
echo "setup: done"
