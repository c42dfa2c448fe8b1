#!/usr/bin/env bash
# Make sure Prometheus and promtool are at hand for the deploy tests (the generated scrape
# config and alert rules are checked with promtool and run by a real Prometheus): Debian's
# prometheus package unpacked into /opt/mlver-prometheus, without installing its service.
#
# Prints the directory holding the `prometheus` and `promtool` binaries as the LAST line on
# stdout; diagnostics go to stderr. Idempotent: when they are there this only prints.
set -euo pipefail

DEST=/opt/mlver-prometheus
BIN="$DEST/usr/bin"
LOCK=/tmp/mlver-prometheus.lock

log() { printf 'ensure-prometheus: %s\n' "$*" >&2; }

ready() { [ -x "$BIN/prometheus" ] && [ -x "$BIN/promtool" ]; }

ready && { printf '%s\n' "$BIN"; exit 0; }
exec 9>"$LOCK"
flock 9
ready && { printf '%s\n' "$BIN"; exit 0; }

[ "$(id -u)" = 0 ] || { log "unpacking into $DEST needs root"; exit 1; }
WORK="$(mktemp -d /tmp/mlver-prometheus.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
log "downloading Debian's prometheus package"
if ! (cd "$WORK" && apt-get download -q prometheus) >"$WORK/apt.log" 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    (cd "$WORK" && apt-get download -q prometheus) >"$WORK/apt.log" 2>&1 ||
        { tail -n 20 "$WORK/apt.log" >&2; log "apt-get download prometheus failed"; exit 1; }
fi
mkdir -p "$DEST"
dpkg -x "$WORK"/prometheus_*.deb "$DEST"
"$BIN/promtool" --version 2>&1 | sed -n 1p >&2
printf '%s\n' "$BIN"
