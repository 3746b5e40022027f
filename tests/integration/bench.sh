#!/usr/bin/env bash
# `tempitch --bench`: the table, the JSON, the bit-identity verdict, files.
#
# usage: bench.sh TEMPITCH [GEN_SIGNAL]
#
# Runs tiny benchmarks (2 jobs x 0.5 s, one repetition) so that it stays
# fast on a loaded machine; it checks what the benchmark reports, never how
# fast anything is.  With GEN_SIGNAL (src/tools/gen_signal) it also runs
# `--bench FILE...` on generated files of two different formats.
# Exit 0 pass, 1 fail.
set -euo pipefail

abspath() {
    if [[ $1 == /* ]]; then echo "$1"; else echo "$PWD/$1"; fi
}
[[ $# -ge 1 ]] || {
    echo "usage: bench.sh TEMPITCH [GEN_SIGNAL]" >&2
    exit 2
}
TEMPITCH=$(abspath "$1")
GEN=${2:+$(abspath "$2")}
PYTHON=$(command -v python3 || true)

# Where this script lives, before leaving for the scratch directory.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tempitch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

case_name=bench
# shellcheck source=tests/integration/runner.sh
source "$here/runner.sh"

# expect_line REGEX: some stdout line matches the extended regex.
expect_line() {
    grep -qE -- "$1" stdout.txt ||
        fail "stdout of '$last_args' has no line matching '$1':
$(cat stdout.txt)"
}
# check_json PYTHON-EXPRESSION: stdout is one JSON object `d` for which the
# expression holds.
check_json() {
    [[ -n $PYTHON ]] || return 0
    "$PYTHON" -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" <stdout.txt ||
        fail "JSON of '$last_args' is invalid or fails '$1':
$(cat stdout.txt)"
}

small=(--bench --bench-jobs 2 --seconds 0.5 --reps 1 -j 2)

# The table: header, both rows with their thread counts, the verdict.
run "${small[@]}"
expect_status 0
expect_line '^tempitch --bench: 2 jobs x 0\.5 s stereo noise @ 44100 Hz'
expect_line '^mode +threads +total \(s\) +per job \(ms\) +x realtime +speedup +efficiency$'
expect_line '^serial +1 +[0-9.]+ +[0-9.]+ +[0-9.]+ +1\.00x +100%$'
expect_line '^parallel +2 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+x +[0-9]+%$'
expect_line '^outputs: all 2 parallel outputs bit-identical to serial$'

# The same data as JSON.
run "${small[@]}" --json
expect_status 0
check_json 'd["identical"] is True and d["differing_jobs"] == []'
check_json 'd["settings"]["jobs"] == 2 and d["settings"]["reps"] == 1'
check_json 'd["serial"]["threads"] == 1 and d["parallel"]["threads"] == 2'
check_json 'len(d["serial"]["times_s"]) == 1 and len(d["parallel"]["times_s"]) == 1'
check_json 'd["speedup"] > 0 and d["efficiency"] > 0'

# Shared options reach the benchmark: pitch, tempo, channels, rate.
run --bench --bench-jobs 1 --seconds 0.25 --reps 1 -j 1 -p -5 -T 0.8 \
    --channels 1 --rate 22050 -q
expect_status 0
expect_line '^tempitch --bench: 1 jobs? x 0\.25 s mono noise @ 22050 Hz, -5 st, tempo 0\.8,'
expect_line '^outputs: all 1 parallel outputs? bit-identical to serial$'
# -q and stderr not a terminal: no progress, no noise.
[[ ! -s stderr.txt ]] || fail "stderr not empty with -q: $(cat stderr.txt)"

# Quality modes reach the benchmark (header and JSON).
run --bench --bench-jobs 1 --seconds 0.25 --reps 1 -j 1 --fast -q
expect_status 0
expect_line '^tempitch --bench: .*, tempo 1\.25, fast,'
run --bench --bench-jobs 1 --seconds 0.25 --reps 1 -j 1 --fine --json
expect_status 0
check_json 'd["settings"]["quality"] == "fine"'

# An unreadable file is named on stderr and fails the run.
run --bench --reps 1 -j 2 missing.wav
expect_status 1
grep -qF 'tempitch: missing.wav: ' stderr.txt ||
    fail "no 'tempitch: missing.wav: reason' message: $(cat stderr.txt)"

# Files of different formats: one job each, decoded before timing.
if [[ -n $GEN ]]; then
    "$GEN" -d 0.5 -c 2 -r 44100 a.wav
    "$GEN" -d 0.5 -c 1 -r 22050 -s pcm16 b.wav
    run --bench --reps 1 -j 2 a.wav b.wav
    expect_status 0
    expect_line '^tempitch --bench: 2 files \('
    expect_line '^outputs: all 2 parallel outputs bit-identical to serial$'
    run --bench --reps 1 -j 2 --json a.wav b.wav
    expect_status 0
    check_json 'd["identical"] is True and [f["channels"] for f in d["settings"]["files"]] == [2, 1]'
    # Opened as a batch opens its inputs (sfio.h): a file cut short is
    # refused, not timed as a shorter one.
    head -c 20000 b.wav >cut.wav
    run --bench --reps 1 -j 2 a.wav cut.wav
    expect_status 1
    grep -qxF 'tempitch: cut.wav: truncated: header says 11025 frames, file holds 9978' stderr.txt ||
        fail "cut.wav not refused as truncated: $(cat stderr.txt)"
fi

echo "PASS (bench)"
