#!/usr/bin/env bash
# Make sure a Docker engine answers, starting a private one if needed.
#
# Prints the DOCKER_HOST to use as the LAST line on stdout; all diagnostics go
# to stderr, so callers can do: export DOCKER_HOST="$(scripts/ensure-docker.sh | tail -n1)"
#
# Order of preference: an engine that already answers (the current DOCKER_HOST,
# the client's default context/socket, or one this script started earlier),
# otherwise start our own dockerd (installing Debian's docker.io if needed).
# Idempotent: a second run only probes and prints.
#
# Environment knobs:
#   MLVER_DOCKERD_TIMEOUT  seconds to wait for a fresh dockerd (default 60)
#   MLVER_DOCKERD_ARGS     extra dockerd flags (whitespace separated)
set -euo pipefail

SOCK_PATH=/run/mlver-docker.sock
SOCK="unix://${SOCK_PATH}"
PIDFILE=/run/mlver-docker.pid
DATA_ROOT=/var/lib/mlver-docker   # fixed place, so later runs reuse images
EXEC_ROOT=/run/mlver-docker       # own exec-root: never clash with a system dockerd's /var/run/docker
LOG=/tmp/mlver-dockerd.log
LOCK=/run/mlver-docker.lock
TIMEOUT="${MLVER_DOCKERD_TIMEOUT:-60}"
# Used only if dockerd cannot start with default (bridge + iptables) networking.
NO_NET_FLAGS=(--iptables=false --ip6tables=false --ip-masq=false --bridge=none)

log() { printf 'ensure-docker: %s\n' "$*" >&2; }

# `timeout` is missing on stock macOS; fall back to running without it.
with_timeout() {
    if command -v timeout >/dev/null 2>&1; then timeout "$@"; else shift; "$@"; fi
}

# True if an engine answers at $1 (a DOCKER_HOST value).
engine_answers() {
    local out
    command -v docker >/dev/null 2>&1 || return 1
    out="$(DOCKER_HOST="$1" with_timeout 15 docker info --format '{{.ServerVersion}}' 2>/dev/null)" || return 1
    [ -n "$out" ]
}

# The endpoint the docker client uses when DOCKER_HOST is unset (current context).
default_host() {
    local h=""
    h="$(env -u DOCKER_HOST docker context inspect --format '{{.Endpoints.docker.Host}}' 2>/dev/null || true)"
    printf '%s\n' "${h:-unix:///var/run/docker.sock}"
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    log "installing $* with apt-get"
    # Recommends kept on purpose: apparmor (needed where the kernel enforces it),
    # git and xz-utils (build contexts from git, xz-compressed imports).
    if ! { apt-get update -q && apt-get install -y -q "$@"; } >/tmp/mlver-apt.log 2>&1; then
        tail -n 20 /tmp/mlver-apt.log >&2
        log "apt-get failed (full log: /tmp/mlver-apt.log)"
        exit 1
    fi
}

found() { log "using engine at $1"; printf '%s\n' "$1"; exit 0; }

print_start_instruction() {
    log "no Docker engine answers and none can be started here: start Docker (Docker Desktop, colima, or 'sudo systemctl start docker') and export DOCKER_HOST, then re-run"
    exit 1
}

# pid from our pid file if that process is still a live dockerd, else empty.
live_pid() {
    local pid
    [ -f "$PIDFILE" ] || return 0
    pid="$(tr -dc '0-9' <"$PIDFILE" || true)"
    [ -n "$pid" ] || return 0
    # Check the name too: after a reboot the pid may belong to something else.
    if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = dockerd ]; then
        printf '%s\n' "$pid"
    fi
}

fail_with_log() {
    log "$1"
    log "last lines of $LOG:"
    tail -n 25 "$LOG" >&2 || true
    exit 1
}

# Wait until our socket answers; returns 1 early if the dockerd pid dies.
wait_for_engine() {
    local pid="$1" i
    for ((i = 0; i < TIMEOUT * 2; i++)); do
        engine_answers "$SOCK" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.5
    done
    return 2
}

start_dockerd() { # extra flags as arguments
    mkdir -p "$DATA_ROOT" "$EXEC_ROOT"
    log "starting dockerd${*:+ $*} (log: $LOG)"
    # setsid: survive the calling shell/make; 9>&- : do not hand our lock fd to
    # the daemon, or the lock would be held for as long as it runs.
    # shellcheck disable=SC2086  # MLVER_DOCKERD_ARGS is a flag list on purpose
    setsid dockerd --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" \
        --host "$SOCK" --pidfile "$PIDFILE" "$@" ${MLVER_DOCKERD_ARGS:-} \
        </dev/null >>"$LOG" 2>&1 9>&- &
    STARTED_PID=$!
}

# --- 1. an engine that already answers -------------------------------------
if [ -n "${DOCKER_HOST:-}" ]; then
    engine_answers "$DOCKER_HOST" && found "$DOCKER_HOST"
    log "DOCKER_HOST=$DOCKER_HOST does not answer; looking elsewhere"
fi
if command -v docker >/dev/null 2>&1; then
    dflt="$(default_host)"
    engine_answers "$dflt" && found "$dflt"
fi
engine_answers "$SOCK" && found "$SOCK"

# --- 2. can we start one here? --------------------------------------------
[ "$(uname -s)" = Linux ] || print_start_instruction
[ "$(id -u)" = 0 ] || print_start_instruction

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    # Only Debian/Ubuntu: docker.io is their package (engine + containerd + runc + CLI).
    if ! command -v apt-get >/dev/null 2>&1 ||
        ! grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release 2>/dev/null; then
        print_start_instruction
    fi
    apt_install docker.io
fi

# Serialise concurrent callers (e.g. parallel make jobs) so only one dockerd starts.
exec 9>"$LOCK"
flock 9
engine_answers "$SOCK" && found "$SOCK"   # someone else started it meanwhile

# --- 3. stale state from an earlier run -----------------------------------
pid="$(live_pid)"
if [ -n "$pid" ]; then
    # Our dockerd is alive but not answering yet (still starting, or wedged).
    log "dockerd (pid $pid) from an earlier run is alive; waiting for it"
    rc=0; wait_for_engine "$pid" || rc=$?
    [ "$rc" = 0 ] && found "$SOCK"
    fail_with_log "dockerd pid $pid does not answer on $SOCK; stop it (scripts/stop-services.sh) and re-run"
fi
# No live dockerd of ours: a left-over pid file would make dockerd refuse to
# start if the pid got reused; a left-over socket is just noise.
rm -f "$PIDFILE" "$SOCK_PATH"

# --- 4. start dockerd -----------------------------------------------------
: >"$LOG"
start_dockerd
rc=0; wait_for_engine "$STARTED_PID" || rc=$?
if [ "$rc" = 1 ] && grep -qiE 'iptables|bridge|nat chain|docker0|netlink' "$LOG"; then
    # Kernels/sandboxes without netfilter or bridge support: containers still run,
    # with only their own loopback (network "none"); builds need no network (wheels are copied in).
    log "dockerd died during network setup; retrying with ${NO_NET_FLAGS[*]}"
    rm -f "$PIDFILE" "$SOCK_PATH"
    start_dockerd "${NO_NET_FLAGS[@]}"
    rc=0; wait_for_engine "$STARTED_PID" || rc=$?
fi
case "$rc" in
    0) found "$SOCK" ;;
    1) fail_with_log "dockerd exited before answering on $SOCK" ;;
    *) fail_with_log "dockerd did not answer on $SOCK within ${TIMEOUT}s" ;;
esac
