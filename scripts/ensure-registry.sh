#!/usr/bin/env bash
# Make sure an image registry answers on 127.0.0.1:5055 (no public registry is
# reachable, so push tests need a local one). Uses Debian's docker-registry
# (CNCF distribution 2.8) with filesystem storage under /tmp/mlver-registry.
# Loopback registries are trusted without TLS by dockerd, so no daemon config.
#
# Prints 127.0.0.1:5055 as the LAST line on stdout; diagnostics go to stderr.
# Idempotent: if something already answers on /v2/ this only probes and prints.
set -euo pipefail

ADDR=127.0.0.1:5055
URL="http://${ADDR}/v2/"
STORAGE=/tmp/mlver-registry
CONFIG=/tmp/mlver-registry.yml
PIDFILE=/run/mlver-registry.pid
LOG=/tmp/mlver-registry.log
LOCK=/tmp/mlver-registry.lock
TIMEOUT="${MLVER_REGISTRY_TIMEOUT:-30}"

log() { printf 'ensure-registry: %s\n' "$*" >&2; }

fail_with_log() {
    log "$1"
    log "last lines of $LOG:"
    tail -n 20 "$LOG" >&2 || true
    exit 1
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    log "installing $* with apt-get"
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; } >/tmp/mlver-apt.log 2>&1; then
        tail -n 20 /tmp/mlver-apt.log >&2
        log "apt-get failed (full log: /tmp/mlver-apt.log)"
        exit 1
    fi
}

# --noproxy: never send loopback probes through an http_proxy from the environment.
answers() { curl -fsS --noproxy '*' --max-time 5 -o /dev/null "$URL" 2>/dev/null; }

found() { log "registry answers at $URL"; printf '%s\n' "$ADDR"; exit 0; }

command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates
answers && found

[ "$(id -u)" = 0 ] || { log "no registry on $ADDR and starting one needs root; start one there and re-run"; exit 1; }

command -v docker-registry >/dev/null 2>&1 || apt_install docker-registry

exec 9>"$LOCK"
flock 9
answers && found   # a concurrent caller started it meanwhile

# pid from our pid file if that process is still a live docker-registry, else empty.
live_pid() {
    local pid
    [ -f "$PIDFILE" ] || return 0
    pid="$(tr -dc '0-9' <"$PIDFILE" || true)"
    [ -n "$pid" ] || return 0
    if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = docker-registry ]; then
        printf '%s\n' "$pid"
    fi
}

wait_for_registry() {
    local pid="$1" i
    for ((i = 0; i < TIMEOUT * 4; i++)); do
        answers && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.25
    done
    return 2
}

pid="$(live_pid)"
if [ -z "$pid" ]; then
    rm -f "$PIDFILE"   # stale: its process is gone (or the pid was reused)
    mkdir -p "$STORAGE"
    # Rewritten every start so a changed script takes effect; delete is enabled
    # so tests can clean up what they pushed.
    cat >"$CONFIG" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STORAGE
  delete:
    enabled: true
http:
  addr: $ADDR
  secret: mlver-local-test-registry
YAML
    : >"$LOG"
    log "starting docker-registry on $ADDR (storage $STORAGE, log $LOG)"
    # The inner shell writes its own pid and then execs the registry, so the pid
    # file names the registry itself; setsid detaches it from make/the terminal.
    # 9>&- keeps our lock fd out of the long-running daemon.
    # shellcheck disable=SC2016  # $$ is for the inner shell
    setsid sh -c 'echo $$ >"$1"; exec docker-registry serve "$2"' sh "$PIDFILE" "$CONFIG" \
        </dev/null >>"$LOG" 2>&1 9>&- &
    pid=$!
else
    log "docker-registry (pid $pid) from an earlier run is alive; waiting for it"
fi

rc=0; wait_for_registry "$pid" || rc=$?
case "$rc" in
    0) found ;;
    1) fail_with_log "docker-registry exited before answering on $URL (port taken by something else?)" ;;
    *) fail_with_log "docker-registry did not answer on $URL within ${TIMEOUT}s" ;;
esac
