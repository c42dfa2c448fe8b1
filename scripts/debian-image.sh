# Sourced by the ensure-*-image.sh scripts, which set NAME (for messages), IMAGE, SUITE and
# LOCK and define done_ok (print the image, exit 0). No registry is reachable here, so their
# images are a minimal Debian made with debootstrap and imported. The Debian mirror is the
# one the machine's apt sources name: no host name is written here.
# shellcheck shell=bash

log() { printf '%s: %s\n' "$NAME" "$*" >&2; }
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

# Returns (through done_ok) when the image is there; otherwise holds $LOCK so that two
# concurrent callers do not both spend a minute building, and checks that it may build.
done_or_lock() {
    [ -n "${DOCKER_HOST:-}" ] || log "DOCKER_HOST is not set; using the docker client's default engine"
    docker info --format '{{.ServerVersion}}' >/dev/null 2>&1 ||
        die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}); run scripts/ensure-docker.sh and export DOCKER_HOST"
    image_exists "$IMAGE" && done_ok
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$LOCK"
        flock 9
        image_exists "$IMAGE" && done_ok
    fi
    [ "$(id -u)" = 0 ] || die "building $IMAGE needs root (debootstrap); run as root"
}

# The Debian mirror apt already uses (it may be a local mirror/proxy); only a source that
# carries $SUITE is usable, e.g. not an Ubuntu mirror.
find_mirror() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        # deb822: blank-line separated stanzas; take URIs of a stanza whose Suites has $SUITE.
        uri="$(awk -v suite="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
            {
                uri = ""; ok = 0; deb = 0
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/)  { split($i, a, /[ \t]+/); uri = a[2] }
                    if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
                    if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok = 1 }
                    if ($i ~ /^Enabled:[ \t]*no/) ok = 0
                }
                if (ok && deb && uri != "") { print uri; exit }
            }' "$f")"
        [ -n "$uri" ] && { printf '%s\n' "$uri"; return; }
    done
    # One-line format: deb [options] URI SUITE COMPONENTS...
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        uri="$(sed -e 's/\[[^]]*\]//' "$f" | awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2; exit }')"
        [ -n "$uri" ] && { printf '%s\n' "$uri"; return; }
    done
    die "no apt source for Debian $SUITE in /etc/apt/sources.list or /etc/apt/sources.list.d/: add one for the mirror debootstrap should use"
}

# debootstrap_rootfs PACKAGES (comma-separated): a minbase $SUITE with them in $ROOTFS,
# removed on exit, without downloaded .debs and apt lists.
debootstrap_rootfs() {
    local need=() log_file="/tmp/mlver-$NAME-debootstrap.log"
    command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
    [ -r /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
    if [ "${#need[@]}" -gt 0 ]; then
        command -v apt-get >/dev/null 2>&1 || die "need ${need[*]} but apt-get is not available"
        apt_install "${need[@]}"
    fi
    MIRROR="$(find_mirror)"
    ROOTFS="$(mktemp -d "/tmp/mlver-$NAME-rootfs.XXXXXX")"
    trap cleanup_rootfs EXIT
    log "debootstrap $SUITE with $1 from $MIRROR into $ROOTFS (about a minute)"
    if ! debootstrap --variant=minbase --include="$1" "$SUITE" "$ROOTFS" "$MIRROR" \
        >"$log_file" 2>&1; then
        tail -n 25 "$log_file" >&2
        [ -f "$ROOTFS/debootstrap/debootstrap.log" ] && tail -n 25 "$ROOTFS/debootstrap/debootstrap.log" >&2
        die "debootstrap failed (full log: $log_file)"
    fi
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/tmp/*
}

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup_rootfs() {
    # debootstrap mounts proc/sys inside the target; an interrupted run leaves them
    # mounted, and rm -rf must never walk into them.
    local m
    awk -v r="$ROOTFS" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$ROOTFS"
}

# import_rootfs [docker import -c CHANGE]...: $ROOTFS as $IMAGE.
import_rootfs() {
    log "importing $IMAGE"
    tar --numeric-owner -C "$ROOTFS" -c . |
        docker import \
            -c 'ENV LANG=C.UTF-8' \
            -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            "$@" - "$IMAGE" >&2
}
