#!/usr/bin/env bash
# Make sure the local test base image exists (no registry is reachable, so we
# cannot pull python:3.11-slim): build a minimal Debian bookworm with python3
# via debootstrap and `docker import` it.
#
# Needs DOCKER_HOST pointing at a running engine (see scripts/ensure-docker.sh).
# Prints the image name as the LAST line on stdout; diagnostics go to stderr.
# Idempotent: if the image exists this only checks the tags (well under a second).
set -euo pipefail

IMAGE=mlver-test/python:3.11-bookworm
ALIAS=mlver-test/python:3.11
SUITE=bookworm   # python3 in bookworm is 3.11, which is what the tag promises
FALLBACK_MIRROR=http://deb.debian.org/debian
LOCK=/tmp/mlver-base-image.lock

log() { printf 'ensure-base-image: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

apt_install() {
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    log "installing $* with apt-get"
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; } >/tmp/mlver-apt.log 2>&1; then
        tail -n 20 /tmp/mlver-apt.log >&2
        log "apt-get failed (full log: /tmp/mlver-apt.log)"
        exit 1
    fi
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

done_ok() {
    image_exists "$ALIAS" || docker tag "$IMAGE" "$ALIAS" >&2
    printf '%s\n' "$IMAGE"
    exit 0
}

[ -n "${DOCKER_HOST:-}" ] || log "DOCKER_HOST is not set; using the docker client's default engine"
docker info --format '{{.ServerVersion}}' >/dev/null 2>&1 ||
    die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}); run scripts/ensure-docker.sh and export DOCKER_HOST"

image_exists "$IMAGE" && done_ok

# Two concurrent callers would both spend ~40 s building; let the second wait.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$LOCK"
    flock 9
    image_exists "$IMAGE" && done_ok
fi

[ "$(id -u)" = 0 ] || die "building $IMAGE needs root (debootstrap); run as root"

# shellcheck source=scripts/debian-mirror.sh
. "$(dirname "$0")/debian-mirror.sh"

need=()
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
if [ "${#need[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 || die "need ${need[*]} but apt-get is not available"
    apt_install "${need[@]}"
fi

MIRROR="$(find_mirror)"
ROOTFS="$(mktemp -d /tmp/mlver-rootfs.XXXXXX)"

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    # debootstrap mounts proc/sys inside the target; an interrupted run leaves
    # them mounted, and rm -rf must never walk into them.
    local m
    awk -v r="$ROOTFS" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$ROOTFS"
}
trap cleanup EXIT

log "debootstrap $SUITE from $MIRROR into $ROOTFS (about a minute)"
if ! debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    "$SUITE" "$ROOTFS" "$MIRROR" >/tmp/mlver-debootstrap.log 2>&1; then
    tail -n 25 /tmp/mlver-debootstrap.log >&2
    [ -f "$ROOTFS/debootstrap/debootstrap.log" ] && tail -n 25 "$ROOTFS/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (full log: /tmp/mlver-debootstrap.log)"
fi

# Slim the image: downloaded .debs and apt lists are not needed at run time.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/tmp/*

log "importing $IMAGE"
tar --numeric-owner -C "$ROOTFS" -c . |
    docker import \
        -c 'ENV LANG=C.UTF-8' \
        -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c 'CMD ["python3"]' \
        - "$IMAGE" >&2
done_ok
