#!/usr/bin/env bash
# Creates the project's virtualenvs in the cache, keyed by the hash of their lock file, so a
# second `make setup` (or CI on the same machine) reuses them and a changed pin builds a new one.
# Prints nothing but progress on stderr; exits non-zero if an install fails.
#
# Usage: python.sh CACHE_DIR REPO_DIR
set -euo pipefail
cache=${1:?usage: python.sh CACHE_DIR REPO_DIR}
repo=${2:?usage: python.sh CACHE_DIR REPO_DIR}
python=${PYTHON:-python3}

"$python" - <<'PY' || { echo "[python] ERROR: Python 3.11 or newer is required (set PYTHON=...)" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

make_venv() { # name, lock file, extra pip args...
  local name=$1 lock=$2
  shift 2
  local key
  key=$(cat "$lock" | sha256sum | cut -c1-12)
  local dir="$cache/$name-$key"
  if [[ ! -f "$dir/.complete" ]]; then
    echo "[python] creating $name virtualenv from $(basename "$lock")" >&2
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$lock" "$@"
    touch "$dir/.complete"
  fi
  ln -sfn "$dir" "$cache/$name"
}

make_venv venv "$repo/requirements.txt"
make_venv checkov "$repo/requirements-checkov.txt"
# The project's own console scripts (labelers, labeling-invite) from the working tree, without touching the
# pinned dependencies; cheap, so it runs every time and follows the checkout.
"$cache/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e "$repo" >/dev/null
