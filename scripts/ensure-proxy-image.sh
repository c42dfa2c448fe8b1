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

NAME=ensure-proxy-image
IMAGE=mlver-test/haproxy:2.6-bookworm
SUITE=bookworm
LOCK=/tmp/mlver-proxy-image.lock

done_ok() {
    printf '%s\n' "$IMAGE"
    exit 0
}

# shellcheck source=scripts/debian-image.sh
. "$(dirname "$0")/debian-image.sh"

done_or_lock
debootstrap_rootfs haproxy
mkdir -p "$ROOTFS/usr/local/etc/haproxy"
chroot "$ROOTFS" haproxy -v | sed -n 1p >&2
import_rootfs \
    -c 'USER haproxy' \
    -c 'CMD ["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]'
done_ok
