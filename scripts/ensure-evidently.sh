#!/usr/bin/env bash
# A virtual environment with Evidently (the drift tests' oracle and the drift benchmark's
# peer), pinned by scripts/evidently-requirements.txt. Evidently cannot share the project's
# venv (it needs pandas < 3), so it lives apart and is run as a subprocess.
#
# Prints the environment's python as the LAST line on stdout; diagnostics go to stderr.
# Idempotent: an environment installed from the same requirements is reused.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REQS="$HERE/evidently-requirements.txt"
VENV="${MLVER_EVIDENTLY_VENV:-$HERE/../.venv-evidently}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.installed"
LOCK="${VENV}.lock"

log() { printf 'ensure-evidently: %s\n' "$*" >&2; }

exec 9>"$LOCK"
flock 9
if [ -f "$STAMP" ] && cmp -s "$STAMP" "$REQS" && "$VENV/bin/python" -c 'import evidently' 2>/dev/null; then
    echo "$(cd "$VENV" && pwd)/bin/python"
    exit 0
fi
log "creating $VENV with $(grep -m1 '^evidently' "$REQS") (a few minutes, once)"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQS" >&2
DO_NOT_TRACK=1 "$VENV/bin/python" -c 'import evidently, pandas; print("evidently", evidently.__version__, "pandas", pandas.__version__)' >&2
cp "$REQS" "$STAMP"
echo "$(cd "$VENV" && pwd)/bin/python"
