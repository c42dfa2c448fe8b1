#!/usr/bin/env bash
# Stop what scripts/ensure-docker.sh and scripts/ensure-registry.sh started,
# identified only by their pid files (never by process name, so an engine or
# registry someone else runs is left alone). Data is kept: images under
# /var/lib/mlver-docker and pushed blobs under /tmp/mlver-registry are reused
# by the next start. Safe to run when nothing is running.
set -euo pipefail

log() { printf 'stop-services: %s\n' "$*" >&2; }

# stop PIDFILE EXPECTED_COMM [GRACE_SECONDS]
stop() {
    local pidfile="$1" comm="$2" grace="${3:-20}" pid i
    if [ ! -f "$pidfile" ]; then
        log "$comm: no pid file $pidfile, nothing to stop"
        return 0
    fi
    pid="$(tr -dc '0-9' <"$pidfile" || true)"
    # The name check guards against a pid reused after a reboot or crash.
    if [ -z "$pid" ] || [ ! -r "/proc/$pid/comm" ] || [ "$(cat "/proc/$pid/comm")" != "$comm" ]; then
        log "$comm: pid file $pidfile is stale, removing it"
        rm -f "$pidfile"
        return 0
    fi
    log "$comm: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    # dockerd stops its containers and its own containerd on TERM; give it time.
    for ((i = 0; i < grace * 4; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$comm: pid $pid ignored TERM for ${grace}s, sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        KILLED=1
    fi
    rm -f "$pidfile"
}

KILLED=0
stop /run/mlver-registry.pid docker-registry 10
KILLED=0
stop /run/mlver-docker.pid dockerd 30
if [ "$KILLED" = 1 ]; then
    # A clean dockerd exit removes its socket and stops the containerd it
    # started (exec-root /run/mlver-docker); after a KILL both linger.
    rm -f /run/mlver-docker.sock
    stop /run/mlver-docker/containerd/containerd.pid containerd 10
fi
