#!/usr/bin/env bash
# Standard input and output ("-" as the input, -o -): the audio that comes
# out of a pipe is the audio a file gets, stdout carries nothing else, the
# usage rules, a reader going away, and memory that does not grow with the
# stream.
#
# usage: streams.sh CASE TEMPITCH GEN_SIGNAL WAVINFO
#
# Each CASE is registered as its own meson test.  Exit 0 pass, 1 fail,
# 77 skip (sox missing, for the sox pipeline).

# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# sox's "length unknown" WAV data size, which -o - writes: 0x7ffff000.
PIPE_DATA_BYTES=2147479552

# u32 FILE OFFSET: the little-endian 32-bit number at OFFSET of FILE.
u32() {
    od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}
# same_audio A B: frames, format and the hash of every sample agree.
# same_audio A B: the same samples and shape; metadata strings (str_*
# lines: the settings stamp, what sox adds) do not count.
same_audio() {
    local a b
    a=$("$WAVINFO" "$1" | grep -v -e '^peak=' -e '^str_') || fail "wavinfo $1"
    b=$("$WAVINFO" "$2" | grep -v -e '^peak=' -e '^str_') || fail "wavinfo $2"
    [[ $a == "$b" ]] || fail "$1 and $2 hold different audio: $a / $b"
}
same_bytes() {
    cmp -s "$1" "$2" || fail "$1 and $2 differ: $(cmp "$1" "$2" 2>&1)"
}

# A pipe, not a file: cat makes stdin non-seekable, as in real pipelines.
case_stdin_to_file() {
    for s in float pcm16 pcm24; do
        gen -d 1.3 -s "$s" in.wav
        run -q -p 2 -T 1.25 in.wav -o byname.wav
        expect_status 0
        set +e
        cat in.wav | "$TEMPITCH" -q -p 2 -T 1.25 - -o piped.wav 2>stderr.txt
        status=$?
        set -e
        last_args="- -o piped.wav ($s, through cat)"
        expect_status 0
        expect_no_stderr
        same_bytes byname.wav piped.wav
        [[ $(info piped.wav frames) -eq $(expected_frames "$(info in.wav frames)" 1.25) ]] ||
            fail "$s: $(info piped.wav frames) frames"
        # A redirected file (seekable stdin) gives the same.
        run -q -p 2 -T 1.25 - -o redirected.wav <in.wav
        expect_status 0
        same_bytes byname.wav redirected.wav
        rm -f byname.wav piped.wav redirected.wav
    done
    no_temp_files .
}

# -o -: the same bytes as the file output but for the three length fields,
# which say "unknown" as sox's do; nothing but the audio on stdout.
case_stdout_matches_file() {
    for s in float pcm16 pcm24; do
        gen -d 1.1 -c 3 -s "$s" in.wav
        run -p -3 -T 0.9 in.wav -o file.wav
        expect_status 0
        run -p -3 -T 0.9 in.wav -o -
        expect_status 0
        expect_no_stderr
        mv stdout.txt piped.wav
        same_audio file.wav piped.wav
        local off
        off=$(data_offset file.wav)
        [[ $(stat -c %s file.wav) -eq $(stat -c %s piped.wav) ]] ||
            fail "$s: sizes differ"
        # The audio bytes themselves, and the header up to its lengths.
        cmp -s <(tail -c +$((off + 1)) file.wav) <(tail -c +$((off + 1)) piped.wav) ||
            fail "$s: audio bytes differ"
        local bytes=4
        [[ $s == pcm16 ]] && bytes=2
        [[ $s == pcm24 ]] && bytes=3
        [[ $(u32 piped.wav $((off - 4))) -eq $((PIPE_DATA_BYTES - PIPE_DATA_BYTES % (bytes * 3))) ]] ||
            fail "$s: data size $(u32 piped.wav $((off - 4))), not the placeholder"
        # Every other differing byte is in the RIFF size (bytes 5-8), the
        # data size (the 4 before the audio) or the fact chunk's frame
        # count (float only).
        local fact=-100 at
        if [[ $s == float ]]; then
            fact=$(grep -obUaF fact file.wav | head -n 1 | cut -d: -f1)
        fi
        for at in $(cmp -l file.wav piped.wav | awk '{ print $1 }'); do
            ((at >= 5 && at <= 8)) && continue
            ((at > off - 4 && at <= off)) && continue
            ((at > fact + 8 && at <= fact + 12)) && continue
            fail "$s: byte $at differs beyond the length fields"
        done
        rm -f file.wav piped.wav
    done
}

# cat | tempitch - -o - | cat, then through tempitch again: each stage
# reads the previous one's "unknown length" header to the end.
case_pipe_chain() {
    gen -d 2 -s pcm16 in.wav
    run -q -p 2 -T 1.25 in.wav -o ref.wav
    expect_status 0
    set +e
    cat in.wav | "$TEMPITCH" -p 2 -T 1.25 - -o - 2>err1.txt | cat >piped.wav
    local rc=("${PIPESTATUS[@]}")
    cat in.wav | "$TEMPITCH" -p 2 -T 1.25 - -o - 2>err2.txt |
        "$TEMPITCH" -T 0.8 - -o - 2>err3.txt | cat >twice.wav
    local rc2=("${PIPESTATUS[@]}")
    set -e
    [[ ${rc[*]} == "0 0 0" ]] || fail "pipe statuses ${rc[*]}: $(cat err1.txt)"
    [[ ${rc2[*]} == "0 0 0 0" ]] || fail "pipe statuses ${rc2[*]}: $(cat err2.txt err3.txt)"
    [[ ! -s err1.txt && ! -s err2.txt && ! -s err3.txt ]] ||
        fail "messages: $(cat err1.txt err2.txt err3.txt)"
    same_audio ref.wav piped.wav
    local n
    n=$(expected_frames "$(info ref.wav frames)" 0.8)
    [[ $(info twice.wav frames) -eq $n ]] ||
        fail "second stage: $(info twice.wav frames) frames, expected $n"
}

# The pipeline of the manual: sox decodes, tempitch shifts, sox encodes.
case_sox_pipeline() {
    command -v sox >/dev/null || skip "sox is not installed"
    gen -d 2 -s pcm16 in.wav
    run -q -p 2 in.wav -o ref.wav
    expect_status 0
    sox in.wav in.flac
    set +e
    sox in.flac -t wav - 2>sox1.txt | "$TEMPITCH" -p 2 - -o - 2>err.txt |
        sox -t wav - out.wav 2>sox2.txt
    local rc=("${PIPESTATUS[@]}")
    set -e
    [[ ${rc[*]} == "0 0 0" ]] || fail "pipe statuses ${rc[*]}: $(cat err.txt sox2.txt)"
    [[ ! -s err.txt ]] || fail "tempitch said: $(cat err.txt)"
    # sox reads the header as "length unknown", without a warning.
    [[ ! -s sox2.txt ]] || fail "sox reading the stream said: $(cat sox2.txt)"
    same_audio ref.wav out.wav
}

case_usage_errors() {
    gen -d 0.2 a.wav
    gen -d 0.2 b.wav
    mkdir dir
    check() {
        local msg=$1
        shift
        run "$@" <a.wav
        expect_status 2
        expect_stderr "tempitch: $msg"
        [[ ! -s stdout.txt ]] || fail "stdout written for '$*'"
    }
    check "'-' (stdin) given more than once" - - -o x.wav
    check "-o - (stdout) takes exactly one input file" a.wav b.wav -o -
    check "'-' (stdin) must be the only input" - a.wav -o dir
    check "reading stdin needs -o FILE or -o -" -
    check "dir/: is a directory (reading stdin needs -o FILE or -o -)" - -o dir/
    check "--normalize reads the input twice; stdin can only be read once" \
        --normalize - -o x.wav
    check "--normalize may rewrite the output; stdout cannot be rewritten" \
        --normalize a.wav -o -
    check "-D needs the input's length, which stdin does not give" \
        -D 1 - -o x.wav
    [[ ! -e x.wav && -z $(ls dir) ]] || fail "a usage error wrote files"
}

# The reader goes away: exit 1 and one message, not a death by SIGPIPE
# and not a hang; also when stdin is an endless-looking stream.
case_closed_pipe() {
    gen -d 20 in.wav
    set +e
    timeout 60 "$TEMPITCH" in.wav -o - 2>err.txt | head -c 100 >/dev/null
    local rc=${PIPESTATUS[0]}
    set -e
    [[ $rc -eq 1 ]] || fail "exit $rc when the reader went away"
    [[ $(cat err.txt) == "tempitch: -: write error: Broken pipe" ]] ||
        fail "message: $(cat err.txt)"
    set +e
    "$GEN" -d 600 - 2>/dev/null |
        timeout 60 "$TEMPITCH" -q - -o - 2>err.txt | head -c 100 >/dev/null
    rc=${PIPESTATUS[1]}
    set -e
    [[ $rc -eq 1 ]] || fail "stdin: exit $rc when the reader went away"
    [[ $(cat err.txt) == "tempitch: -: write error: Broken pipe" ]] ||
        fail "stdin: message: $(cat err.txt)"
}

# With -o - nothing but audio on stdout: no table; --json on stderr.
case_report_on_stderr() {
    gen -d 0.5 in.wav
    run in.wav -o -
    expect_status 0
    expect_no_stderr
    run --json -v in.wav -o -
    expect_status 0
    mv stdout.txt out.wav
    [[ $(info out.wav frames) -eq $(info in.wav frames) ]] || fail "bad audio"
    expect_stderr '"output":"-"'
    expect_stderr '"status":"ok"'
}

# Standard input redirected from the output file is the input file.
case_stdin_is_output() {
    gen -d 0.3 in.wav
    cp in.wav keep.wav
    run --force - -o in.wav <in.wav
    expect_status 1
    expect_stderr "tempitch: in.wav: is the input file (refusing to overwrite it)"
    same_bytes in.wav keep.wav
}

# What libsndfile cannot read from a pipe (FLAC, CAF) fails with a message
# that says so and what to do, not as a damaged file.
case_stdin_pipe_limits() {
    gen -d 0.3 in.wav
    run -q in.wav -o in.flac
    expect_status 0
    run -q in.wav -o in.caf
    expect_status 0
    for f in in.flac in.caf; do
        set +e
        cat "$f" | "$TEMPITCH" - -o out.wav 2>stderr.txt
        status=$?
        set -e
        last_args="- -o out.wav < $f through a pipe"
        expect_status 1
        [[ ! -e out.wav ]] || fail "output written for $f"
    done
    expect_stderr "tempitch: -: libsndfile cannot read CAF (Apple Core Audio File) from a pipe (it read 0 of 13230 frames); give the file by name"
    set +e
    cat in.flac | "$TEMPITCH" - -o out.wav 2>stderr.txt
    set -e
    expect_stderr "tempitch: -: cannot decode FLAC from a pipe (libsndfile cannot); decode it first (flac -dc) or give the file by name"
    # By name, or redirected (seekable), they are fine.
    run -q - -o out.wav <in.flac
    expect_status 0
    no_temp_files .
}

# 10 minutes of stereo float (212 MB) through a pipe: exact length out,
# and the peak memory of tempitch far below what holding it would take.
case_bounded_memory() {
    local seconds=600 limit_kb=32768
    # Sanitizers shadow and quarantine memory: only the length is checked,
    # on less audio.
    sanitized && seconds=20
    local frames=$((seconds * 44100)) peak_kb
    set +e
    if [[ -x /usr/bin/time ]]; then
        "$GEN" -d "$seconds" - |
            /usr/bin/time -f '%M' -o rss.txt "$TEMPITCH" -p 2 -T 1.25 - -o - 2>err.txt |
            "$WAVINFO" /dev/stdin >info.txt
        local rc=("${PIPESTATUS[@]}")
        peak_kb=$(tail -n 1 rss.txt)
    else
        # No time(1): the kernel's high-water mark, read while it runs.
        mkfifo fin fout
        "$GEN" -d "$seconds" - >fin &
        "$WAVINFO" fout >info.txt &
        "$TEMPITCH" -p 2 -T 1.25 - -o - <fin >fout 2>err.txt &
        local pid=$!
        peak_kb=0
        while kill -0 "$pid" 2>/dev/null; do
            local hwm
            hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
            [[ -n $hwm ]] && ((hwm > peak_kb)) && peak_kb=$hwm
            sleep 0.05
        done
        wait "$pid"
        local trc=$?
        wait
        local rc=(0 "$trc" 0)
    fi
    set -e
    [[ ${rc[*]} == "0 0 0" ]] || fail "pipe statuses ${rc[*]}: $(cat err.txt)"
    local got
    got=$(sed -n 's/^frames=//p' info.txt)
    [[ $got -eq $(expected_frames $frames 1.25) ]] ||
        fail "$got frames out of $frames, expected $(expected_frames $frames 1.25)"
    if ! sanitized; then
        [[ -n $peak_kb && $peak_kb -gt 0 ]] || fail "no peak memory measured"
        ((peak_kb < limit_kb)) ||
            fail "peak memory $peak_kb kB for a $seconds s stream (limit $limit_kb kB)"
        echo "peak memory: $peak_kb kB for $seconds s of stereo float"
    fi
}

run_case
