# shellcheck shell=bash
# Shared set-up and helpers of the CLI test scripts (cli.sh, batch.sh).
# Source, don't run; the sourcing script was called as
#     SCRIPT CASE TEMPITCH GEN_SIGNAL WAVINFO
# and runs case_CASE in a fresh temporary directory.  Exit 0 pass, 1 fail,
# 77 skip.
set -euo pipefail

# meson passes paths relative to the build directory; we cd away below.
abspath() {
    if [[ $1 == /* ]]; then echo "$1"; else echo "$PWD/$1"; fi
}
case_name=$1
TEMPITCH=$(abspath "$2")
GEN=$(abspath "$3")
WAVINFO=$(abspath "$4")

# Every output any run reports ok is read back by tempitch itself: exactly
# round(N / tempo) frames, all finite, or it aborts (src/cli/selfcheck.h).
export TEMPITCH_TEST_SELFCHECK=1

# Where this script lives, before leaving for the scratch directory.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tempitch-cli.XXXXXX")
# Commands a case adds (at_exit CMD) run first, e.g. to stop daemons.
exit_hooks=()
at_exit() {
    exit_hooks+=("$1")
}
trap 'for h in "${exit_hooks[@]}"; do eval "$h"; done
      chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"

# shellcheck source=tests/integration/runner.sh
source "$here/runner.sh"

# info FILE KEY: one field printed by wavinfo.
info() {
    "$WAVINFO" "$1" | sed -n "s/^$2=//p"
}
# expected_frames N TEMPO: round(N / tempo), halves up, as the engine.
expected_frames() {
    awk -v n="$1" -v t="$2" 'BEGIN { printf "%d\n", int(n / t + 0.5) }'
}
no_temp_files() {
    local left
    left=$(find "$1" -name '.*.tmp.*' -print)
    [[ -z $left ]] || fail "temporary files left behind: $left"
}
# The engine is still a placeholder if it turns music into silence.
require_real_engine() {
    local peak
    peak=$(info "$1" peak)
    awk -v p="$peak" 'BEGIN { exit !(p > 0) }' ||
        skip "engine output is silent (placeholder engine?)"
}

gen() {
    "$GEN" "$@"
}

# poke FILE OFFSET BYTES: overwrites bytes of FILE at OFFSET; BYTES in
# echo -e notation ('\x00\x01').
poke() {
    printf '%b' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# le16 N, le32 N: N as little-endian bytes in echo -e notation.
le16() {
    printf '\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255))
}
le32() {
    printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
        $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}
# data_offset FILE: byte offset of the first sample of a WAV file.
data_offset() {
    local at
    at=$(grep -obUaF data "$1" | head -n 1 | cut -d: -f1)
    echo $((at + 8))
}
# sanitized: the tempitch under test is built with a sanitizer (scripts/test
# sets TEMPITCH_TEST_SANITIZER for those passes; ldd catches the rest).
sanitized() {
    [[ -n ${TEMPITCH_TEST_SANITIZER:-} ]] && return 0
    # Not `ldd | grep -q`: with pipefail, grep leaving early fails ldd.
    local libs
    libs=$(ldd "$TEMPITCH" 2>/dev/null || true)
    [[ $libs == *libasan* || $libs == *libtsan* ]]
}

# run_case: runs case_$case_name and reports.
run_case() {
    type "case_$case_name" >/dev/null 2>&1 || fail "no such case"
    "case_$case_name"
    echo "PASS ($case_name)"
}
