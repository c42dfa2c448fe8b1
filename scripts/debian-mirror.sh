# Sourced by the ensure-*-image.sh scripts: find_mirror prints the Debian mirror that
# carries $SUITE (falling back to $FALLBACK_MIRROR), taken from apt's own sources.
# shellcheck shell=bash

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
    printf '%s\n' "$FALLBACK_MIRROR"
}

