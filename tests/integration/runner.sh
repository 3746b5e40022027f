# shellcheck shell=bash
# The runner's helpers, shared by lib.sh (cli.sh, batch.sh, ...) and
# bench.sh.  Source, don't run; the sourcing script sets $case_name (the
# name in FAIL/SKIP lines) and $TEMPITCH, and has cd'ed into its scratch
# directory.

fail() {
    echo "FAIL ($case_name): $*" >&2
    exit 1
}
skip() {
    echo "SKIP ($case_name): $*"
    exit 77
}

# run ARGS...: runs tempitch; sets $status, keeps stdout.txt and stderr.txt.
run() {
    last_args="$*"
    set +e
    "$TEMPITCH" "$@" >stdout.txt 2>stderr.txt
    status=$?
    set -e
}
# run_piped FILE ARGS...: as run, with FILE arriving on stdin through a
# pipe (cat FILE |), so that stdin cannot be seeked or opened again.
run_piped() {
    local file=$1
    shift
    last_args="$* (stdin: a pipe from $file)"
    set +e
    cat "$file" | "$TEMPITCH" "$@" >stdout.txt 2>stderr.txt
    status=$?
    set -e
}
expect_status() {
    [[ $status -eq $1 ]] ||
        fail "expected exit $1, got $status for '$last_args'; stderr: $(cat stderr.txt)"
}
expect_stderr() {
    grep -qF -- "$1" stderr.txt ||
        fail "stderr of '$last_args' lacks '$1': $(cat stderr.txt)"
}
expect_stdout() {
    grep -qF -- "$1" stdout.txt ||
        fail "stdout of '$last_args' lacks '$1': $(cat stdout.txt)"
}
expect_no_stderr() {
    [[ ! -s stderr.txt ]] ||
        fail "stderr of '$last_args' not empty: $(cat stderr.txt)"
}
