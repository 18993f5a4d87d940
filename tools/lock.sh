#!/usr/bin/env bash
# Regenerate requirements.lock from the current .venv (after adding a dependency to pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# Pinned environment (pip freeze of a working .venv). Regenerate: tools/lock.sh"
  .venv/bin/pip freeze --exclude-editable 2>/dev/null | grep -v '^-e'
} > requirements.lock
echo "requirements.lock: $(grep -vc '^#' requirements.lock) packages"
