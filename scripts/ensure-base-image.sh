#!/usr/bin/env bash
# Make sure the local test base image exists (no registry is reachable, so we
# cannot pull python:3.11-slim): build a minimal Debian bookworm with python3
# via debootstrap and `docker import` it.
#
# Needs DOCKER_HOST pointing at a running engine (see scripts/ensure-docker.sh).
# Prints the image name as the LAST line on stdout; diagnostics go to stderr.
# Idempotent: if the image exists this only checks the tags (well under a second).
set -euo pipefail

NAME=ensure-base-image
IMAGE=mlver-test/python:3.11-bookworm
ALIAS=mlver-test/python:3.11
SUITE=bookworm   # python3 in bookworm is 3.11, which is what the tag promises
FALLBACK_MIRROR=http://deb.debian.org/debian
LOCK=/tmp/mlver-base-image.lock

done_ok() {
    image_exists "$ALIAS" || docker tag "$IMAGE" "$ALIAS" >&2
    printf '%s\n' "$IMAGE"
    exit 0
}

# shellcheck source=scripts/debian-image.sh
. "$(dirname "$0")/debian-image.sh"

done_or_lock
debootstrap_rootfs python3,python3-venv,python3-pip,ca-certificates
import_rootfs -c 'CMD ["python3"]'
done_ok
