#!/usr/bin/env bash
# Make sure a base image whose Python is the kernel's, to the patch version, exists: what
# python:X.Y.Z-slim would be, made offline (no registry is reachable here).
#
#   1. python:X.Y.Z-slim when the engine has it or can pull it;
#   2. else mlver-local/python:X.Y.Z-slim, built once: a minimal Debian bookworm (debootstrap,
#      with the libraries the interpreter's extension modules link against) and the kernel
#      interpreter's own installation (sys.base_prefix) laid over it as /usr/local, its
#      site-packages cut down to pip and setuptools (ensurepip), then ldconfig.
#
# The kernel's interpreter is $MLVER_KERNEL_PYTHON (default: python3 on PATH); jupyter_mlver
# finds the local image by that name when a snapshot's Python is X.Y.Z.
# Needs DOCKER_HOST pointing at a running engine (see scripts/ensure-docker.sh).
# Prints the image name as the LAST line on stdout; diagnostics go to stderr.
# Idempotent: if the image exists this only checks it (well under a second).
set -euo pipefail

NAME=ensure-base-image
SUITE=bookworm
LOCK=/tmp/mlver-base-image.lock
KERNEL_PYTHON="${MLVER_KERNEL_PYTHON:-python3}"
# The libraries of the interpreter's extension modules (ssl, ctypes, sqlite3, readline, ...)
# and what python:*-slim carries besides (certificates, time zones, /etc/services).
LIBS=ca-certificates,netbase,tzdata,libssl3,libffi8,libsqlite3-0,libbz2-1.0,liblzma5,zlib1g
LIBS=$LIBS,libncursesw6,libreadline8,libuuid1,libexpat1,libnsl2,libtirpc3,libcrypt1

read -r VERSION PREFIX MACHINE < <("$KERNEL_PYTHON" -c \
    'import platform, sys; print(platform.python_version(), sys.base_prefix, platform.machine())')
MINOR="${VERSION%.*}"
IMAGE="mlver-local/python:$VERSION-slim"
ROOT_IMAGE="mlver-local/debian:$SUITE-python-libs"
STAGE=""

done_ok() {
    printf '%s\n' "$IMAGE"
    exit 0
}

# shellcheck source=scripts/debian-image.sh
. "$(dirname "$0")/debian-image.sh"

[ -x "$PREFIX/bin/python$MINOR" ] ||
    die "$KERNEL_PYTHON (Python $VERSION) has no $PREFIX/bin/python$MINOR to copy"
done_or_lock
official="python:$VERSION-slim"
if image_exists "$official" || timeout 120 docker pull -q "$official" >/dev/null 2>&1; then
    IMAGE="$official"
    done_ok
fi
log "no $official here or from a registry: building $IMAGE from $PREFIX"

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    [ -n "${ROOTFS:-}" ] && cleanup_rootfs
    [ -n "$STAGE" ] && rm -rf "$STAGE"
}

if ! image_exists "$ROOT_IMAGE"; then
    debootstrap_rootfs "$LIBS"
    trap cleanup EXIT
    rm -rf "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/*
    (IMAGE="$ROOT_IMAGE" import_rootfs)
fi

# The interpreter's installation without its third-party packages, tests, static library
# and tkinter (its X11 libraries are not in the image, as in python:*-slim).
STAGE="$(mktemp -d "/tmp/mlver-$NAME-stage.XXXXXX")"
trap cleanup EXIT
mkdir -p "$STAGE/python/bin"
tar -C "$PREFIX" -c \
    --exclude="./lib/python$MINOR/site-packages/*" \
    --exclude=test --exclude=tests --exclude=idle_test \
    --exclude='*.a' --exclude='_tkinter*' --exclude=./bin --exclude=./share \
    . | tar -C "$STAGE/python" -x
cp -a "$PREFIX/bin/python$MINOR" "$STAGE/python/bin/"
ln -s "python$MINOR" "$STAGE/python/bin/python3"
ln -s "python$MINOR" "$STAGE/python/bin/python"
cat >"$STAGE/Dockerfile" <<EOF
FROM $ROOT_IMAGE
COPY python/ /usr/local/
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
RUN ldconfig \\
 && python3 -m ensurepip --default-pip >/dev/null \\
 && python3 -c 'import ctypes, ssl, sqlite3, venv, zlib, bz2, lzma, readline, uuid'
CMD ["python3"]
LABEL io.mlver.python="$VERSION" io.mlver.python.machine="$MACHINE" \\
      org.opencontainers.image.description="Python $VERSION (from $KERNEL_PYTHON) on Debian $SUITE, made offline by jupyter_mlver's scripts/ensure-base-image.sh"
EOF
log "building $IMAGE (about 20 s)"
if ! tar -C "$STAGE" -c . | DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" - >/tmp/mlver-base-image-build.log 2>&1; then
    tail -n 20 /tmp/mlver-base-image-build.log >&2
    die "building $IMAGE failed (full log: /tmp/mlver-base-image-build.log)"
fi
done_ok
