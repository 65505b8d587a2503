#!/usr/bin/env bash
# Write the King James Version, one verse per line, to OUT (default kjv.txt).
#
#   scripts/fetch-kjv.sh OUT
#   GENLOOP_KJV=OUT cargo test -p genloop-text --test corpus
#
# The text comes from the Debian package bible-kjv (public domain KJV text), read
# with its `bible` program. `bible` prints a header line per chapter ("Genesis 1"),
# each after a blank line, then verses as "  N text", wrapping long verses onto
# continuation lines without the number unless the line width is raised. The
# script asks for wide lines and still joins continuation lines, so it works with
# either behaviour. The result has 31,102 lines (the verse count of the KJV).
#
# Idempotent: an existing OUT with the full verse count is left alone; the file is
# written to a temporary name and moved into place, so an interrupted run leaves no
# partial OUT.
set -euo pipefail

out="${1:-kjv.txt}"
expected_verses=31102

if [[ -f "$out" ]] && [[ "$(wc -l <"$out")" -eq "$expected_verses" ]]; then
    echo "$out already holds $expected_verses verses" >&2
    exit 0
fi

if ! command -v bible >/dev/null 2>&1; then
    echo "installing bible-kjv" >&2
    sudo_cmd=()
    if [[ "$(id -u)" -ne 0 ]]; then
        sudo_cmd=(sudo)
    fi
    "${sudo_cmd[@]}" apt-get update
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y bible-kjv
fi

tmp="$(mktemp "${out}.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

bible -l100000 'gen1:1-rev22:21' | awk '
    # A verse starts with spaces, its number and a space.
    /^ +[0-9]+ / {
        if (verse != "") print verse
        sub(/^ +[0-9]+ /, "")
        verse = $0
        after_blank = 0
        next
    }
    # A blank line ends the verse; the next line is a chapter header.
    /^[[:space:]]*$/ {
        if (verse != "") print verse
        verse = ""
        after_blank = 1
        next
    }
    # A line right after a blank one is a chapter header ("Genesis 1").
    after_blank { after_blank = 0; next }
    # Anything else continues the current verse.
    { sub(/^ +/, ""); verse = verse " " $0 }
    END { if (verse != "") print verse }
' >"$tmp"

verses="$(wc -l <"$tmp")"
if [[ "$verses" -ne "$expected_verses" ]]; then
    echo "expected $expected_verses verses, got $verses; inspect: bible 'gen1:1-gen1:3'" >&2
    exit 1
fi
mv "$tmp" "$out"
trap - EXIT
echo "wrote $verses verses to $out ($(wc -c <"$out") bytes)" >&2
