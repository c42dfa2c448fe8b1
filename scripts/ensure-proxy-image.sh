#!/usr/bin/env bash
# Make sure the local proxy image for deployments exists (no registry is reachable, so we
# cannot pull haproxy:2.6): a minimal Debian bookworm with Debian's haproxy (2.6), made with
# debootstrap and `docker import`, laid out like the official image (the config at
# /usr/local/etc/haproxy/haproxy.cfg, run as the haproxy user).
#
# Needs DOCKER_HOST pointing at a running engine (see scripts/ensure-docker.sh).
# Prints the image name as the LAST line on stdout; diagnostics go to stderr.
# Idempotent: if the image exists this only checks it (well under a second).
set -euo pipefail

IMAGE=mlver-test/haproxy:2.6-bookworm
SUITE=bookworm
FALLBACK_MIRROR=http://deb.debian.org/debian
LOCK=/tmp/mlver-proxy-image.lock

log() { printf 'ensure-proxy-image: %s\n' "$*" >&2; }
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
    printf '%s\n' "$IMAGE"
    exit 0
}

docker info --format '{{.ServerVersion}}' >/dev/null 2>&1 ||
    die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}); run scripts/ensure-docker.sh and export DOCKER_HOST"

image_exists "$IMAGE" && done_ok

# Two concurrent callers would both spend a minute building; let the second wait.
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
ROOTFS="$(mktemp -d /tmp/mlver-proxy-rootfs.XXXXXX)"

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    # debootstrap mounts proc/sys inside the target; an interrupted run leaves them
    # mounted, and rm -rf must never walk into them.
    local m
    awk -v r="$ROOTFS" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$ROOTFS"
}
trap cleanup EXIT

log "debootstrap $SUITE with haproxy from $MIRROR into $ROOTFS (about a minute)"
if ! debootstrap --variant=minbase --include=haproxy "$SUITE" "$ROOTFS" "$MIRROR" \
    >/tmp/mlver-proxy-debootstrap.log 2>&1; then
    tail -n 25 /tmp/mlver-proxy-debootstrap.log >&2
    die "debootstrap failed (full log: /tmp/mlver-proxy-debootstrap.log)"
fi

rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/tmp/*
mkdir -p "$ROOTFS/usr/local/etc/haproxy"
chroot "$ROOTFS" haproxy -v | sed -n 1p >&2

log "importing $IMAGE"
tar --numeric-owner -C "$ROOTFS" -c . |
    docker import \
        -c 'ENV LANG=C.UTF-8' \
        -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c 'USER haproxy' \
        -c 'CMD ["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]' \
        - "$IMAGE" >&2
done_ok
