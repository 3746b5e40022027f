#!/usr/bin/env bash
# Bad input, faults and interruption: every bad input gets one clear
# message and the batch goes on; outputs are atomic (errors, full disks,
# SIGINT/SIGTERM/SIGHUP, SIGKILL); inputs are never written; --normalize;
# no descriptor or memory growth per file; a clean run under valgrind.
# docs/errors.md lists the same cases with the messages checked here.
#
# usage: faults.sh CASE TEMPITCH GEN_SIGNAL WAVINFO
#
# Each CASE is registered as its own meson test.  Exit 0 pass, 1 fail,
# 77 skip.

# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# same_bytes A B: the two files are identical.
same_bytes() {
    cmp -s "$1" "$2" || fail "$1 and $2 differ"
}
# stderr_has_line LINE: stderr.txt holds exactly this line.
stderr_has_line() {
    grep -qxF -- "$1" stderr.txt ||
        fail "stderr of '$last_args' lacks the line '$1': $(cat stderr.txt)"
}
# check_json EXPR: stdout.txt is one JSON object `d` for which the Python
# expression holds (skipped without python3).
check_json() {
    command -v python3 >/dev/null 2>&1 || return 0
    python3 -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" <stdout.txt ||
        fail "JSON of '$last_args' fails '$1': $(cat stdout.txt)"
}
# wav_shape FILE CHANNELS RATE: rewrites the fmt chunk of a 16-bit PCM WAV
# written by gen_signal (44-byte header) to claim CHANNELS and RATE.
wav_shape() {
    poke "$1" 22 "$(le16 "$2")"
    poke "$1" 24 "$(le32 "$3")"
    poke "$1" 28 "$(le32 $(($3 * $2 * 2)))"
    poke "$1" 32 "$(le16 $(($2 * 2)))"
}
# in_namespace SCRIPT: runs the bash SCRIPT in a private mount namespace
# (so it may mount a tmpfs that vanishes with it); skips without one, or
# when SCRIPT exits 77.
in_namespace() {
    command -v unshare >/dev/null 2>&1 || skip "no unshare(1)"
    unshare -m true 2>/dev/null || skip "no mount namespaces here (unprivileged)"
    local rc=0
    unshare -m bash -c "$1" || rc=$?
    [[ $rc -ne 77 ]] || skip "cannot mount a tmpfs here"
    [[ $rc -eq 0 ]] || fail "the script in the mount namespace failed ($rc)"
}
# as_nobody: the command prefix that runs a program as user nobody, for
# permission checks that root would pass; empty when not root.  Skips when
# root cannot drop privileges or nobody cannot reach the executable.
as_nobody=()
need_unprivileged() {
    [[ $(id -u) -ne 0 ]] && return 0
    command -v setpriv >/dev/null 2>&1 || skip "root, and no setpriv(1) to drop privileges"
    as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
    "${as_nobody[@]}" test -x "$TEMPITCH" ||
        skip "user nobody cannot run $TEMPITCH"
    chmod 755 "$work"
}
# run_unprivileged ARGS...: as run, as nobody when root (need_unprivileged
# first).
run_unprivileged() {
    last_args="$* (as $(id -un) or nobody)"
    set +e
    "${as_nobody[@]}" "$TEMPITCH" "$@" >stdout.txt 2>stderr.txt
    status=$?
    set -e
}

case_bad_inputs() {
    gen -d 0.3 good1.wav
    gen -d 0.2 -c 1 -s pcm16 good2.wav
    mkdir adir
    : >empty.wav
    echo "just some text" >text.wav
    # 44100 frames of 16-bit mono; the file keeps 10000 of them.
    gen -n 44100 -c 1 -s pcm16 whole.wav
    head -c $((44 + 2 * 10000)) whole.wav >trunc.wav
    gen -n 3000 -c 1 -s pcm16 ch300.wav
    wav_shape ch300.wav 300 44100
    gen -n 3000 -c 1 -s pcm16 ch65535.wav
    wav_shape ch65535.wav 65535 44100
    gen -n 3000 -c 1 -s pcm16 r4000.wav
    wav_shape r4000.wav 1 4000
    gen -n 3000 -c 1 -s pcm16 r768000.wav
    wav_shape r768000.wav 1 768000
    gen -n 3000 -c 1 -s pcm16 r0.wav
    wav_shape r0.wav 1 0
    run -q whole.wav -o whole.flac
    head -c 9000 whole.flac >trunc.flac
    local f
    for f in aiff rf64; do
        run -q whole.wav -o "whole.$f"
        head -c $(($(wc -c <"whole.$f") / 2)) "whole.$f" >"trunc.$f"
    done
    # Ogg: cut well past the header pages (codebooks, some kB).
    gen -d 3 three.wav
    run -q three.wav -o whole.ogg
    head -c $(($(wc -c <whole.ogg) * 3 / 4)) whole.ogg >trunc.ogg
    find . -type f -name '*.wav' -exec md5sum {} + | sort >inputs.md5

    run -q -p 2 -T 1.25 good1.wav good2.wav -o ref
    expect_status 0
    local bad=(missing.wav adir empty.wav text.wav trunc.wav trunc.flac
        trunc.aiff trunc.rf64 trunc.ogg ch300.wav ch65535.wav r4000.wav
        r768000.wav r0.wav)
    local j
    for j in 1 3; do
        rm -rf out
        run -j "$j" -p 2 -T 1.25 good1.wav "${bad[@]}" good2.wav -o out
        expect_status 1
        stderr_has_line "tempitch: missing.wav: No such file or directory"
        stderr_has_line "tempitch: adir: is a directory"
        stderr_has_line "tempitch: empty.wav: empty file (0 bytes, not audio)"
        stderr_has_line "tempitch: text.wav: not an audio file (format not recognised)"
        stderr_has_line "tempitch: trunc.wav: truncated: header says 44100 frames, file holds 10000"
        grep -qxE 'tempitch: trunc\.flac: (truncated: header says 44100 frames, read [0-9]+|read error: .+)' \
            stderr.txt || fail "truncated FLAC: $(cat stderr.txt)"
        for f in aiff rf64; do
            grep -qxE "tempitch: trunc\.$f: truncated: header says 44100 frames, file holds [0-9]+" \
                stderr.txt || fail "truncated $f: $(cat stderr.txt)"
        done
        stderr_has_line "tempitch: trunc.ogg: truncated: the stream ends without its end mark"
        stderr_has_line "tempitch: ch300.wav: unsupported channel count 300 (supported: 1..256)"
        stderr_has_line "tempitch: ch65535.wav: too many channels (supported: 1..256)"
        stderr_has_line "tempitch: r4000.wav: unsupported sample rate 4000 Hz (supported: 8000..384000 Hz)"
        stderr_has_line "tempitch: r768000.wav: unsupported sample rate 768000 Hz (supported: 8000..384000 Hz)"
        stderr_has_line "tempitch: r0.wav: malformed header (no sample rate or no channels)"
        # One line per bad file, in command-line order, nothing else.
        [[ $(wc -l <stderr.txt) -eq ${#bad[@]} ]] || fail "-j $j: extra lines: $(cat stderr.txt)"
        [[ $(sed 's/^tempitch: \([^:]*\): .*/\1/' stderr.txt | tr '\n' ' ') == "${bad[*]} " ]] ||
            fail "-j $j: order: $(cat stderr.txt)"
        expect_stdout "files: 2 ok, ${#bad[@]} failed, 0 skipped ($((${#bad[@]} + 2)) in all)"
        # The good files are written exactly as alone; the bad ones not.
        same_bytes out/good1.wav ref/good1.wav
        same_bytes out/good2.wav ref/good2.wav
        [[ $(find out -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ') == "good1.wav good2.wav " ]] ||
            fail "-j $j: unexpected outputs: $(ls -A out)"
    done
    # Inputs are read, never written.
    find . -type f -name '*.wav' ! -path './out/*' ! -path './ref/*' -exec md5sum {} + |
        sort | cmp -s - inputs.md5 || fail "an input changed"
}

case_bad_values() {
    # Every value error is a usage error (exit 2, nothing written) whose
    # message gives the valid range.
    gen -d 0.1 in.wav
    local spec opt val range
    for spec in "-T|0|speed factor in 0.05..20" "-T|-1|speed factor in 0.05..20" \
        "-T|nan|speed factor in 0.05..20" "-T|1e309|speed factor in 0.05..20" \
        "-T|fast|speed factor in 0.05..20" "-T|1;5|speed factor in 0.05..20" \
        "-p|1000|semitones in -48..48" "-p|-1e309|semitones in -48..48" \
        "-p|NaN|semitones in -48..48" "-p|3st|semitones in -48..48" \
        "-f|0|ratio in 0.0625..16" "-f|nan|ratio in 0.0625..16" \
        "-f|1e309|ratio in 0.0625..16" "-t|0|duration multiple in 0.05..20" \
        "-t|1e309|duration multiple in 0.05..20" "-t|inf|duration multiple in 0.05..20" \
        "-D|0|seconds > 0" "-D|-1|seconds > 0" "-D|nan|seconds > 0" \
        "-D|1e309|seconds > 0" "-j|0|integer in 1..1024" "-j|-1|integer in 1..1024" \
        "-j|1025|integer in 1..1024" "-j|two|integer in 1..1024" \
        "-j|2.0|integer in 1..1024" "-j|0x10|integer in 1..1024"; do
        IFS='|' read -r opt val range <<<"$spec"
        run "$opt" "$val" in.wav -o out.wav
        expect_status 2
        expect_stderr "'$val' (expected "
        expect_stderr "$range"
        [[ $(wc -l <stderr.txt) -eq 1 ]] || fail "$opt $val: $(cat stderr.txt)"
    done
    [[ ! -e out.wav ]] || fail "output written after a usage error"
    no_temp_files .
}

case_unreadable() {
    need_unprivileged
    gen -d 0.2 good.wav
    gen -d 0.2 secret.wav
    chmod 000 secret.wav
    mkdir out
    chmod 777 out
    run_unprivileged -p 1 good.wav secret.wav -o out
    expect_status 1
    stderr_has_line "tempitch: secret.wav: Permission denied"
    [[ -f out/good.wav && ! -e out/secret.wav ]] || fail "outputs: $(ls -A out)"
    no_temp_files .
}

case_tiny_inputs() {
    gen -n 0 zero.wav
    gen -n 1 one.wav
    # 0 frames: a valid, empty output of the same shape.
    run -q -p 3 -T 1.25 zero.wav -o zero-out.wav
    expect_status 0
    [[ $(info zero-out.wav frames) -eq 0 && $(info zero-out.wav rate) -eq 44100 &&
        $(info zero-out.wav channels) -eq 2 ]] || fail "empty output: $("$WAVINFO" zero-out.wav)"
    # ... but FLAC, MP3 and Opus cannot hold an empty stream (libsndfile
    # writes no readable file): refused, nothing left behind.
    local e
    for e in flac mp3; do
        run -q zero.wav -o "zero-out.$e"
        expect_status 1
        expect_stderr "tempitch: zero-out.$e: $([[ $e == flac ]] && echo 'FLAC (Free Lossless Audio Codec)' || echo 'MPEG-1/2 Audio') cannot hold 0 frames (libsndfile writes no readable file); use .wav"
        [[ ! -e zero-out.$e ]] || fail "empty .$e output left behind"
    done
    no_temp_files .
    # 1 frame: round(1 / tempo) frames.
    local t
    for t in 0.05 0.3 0.5 1 1.25 2 20; do
        run -q --force -p -5 -T "$t" one.wav -o one-out.wav
        expect_status 0
        [[ $(info one-out.wav frames) -eq $(expected_frames 1 "$t") ]] ||
            fail "1 frame at tempo $t: $(info one-out.wav frames) frames"
    done
}

case_nan_inf() {
    gen -n 20000 -c 1 bad.wav
    cp bad.wav zeroed.wav
    local d at
    d=$(data_offset bad.wav)
    # NaN, +inf, -inf, 1e30 and a sample just inside the limit (1e11).
    for at in 1000:'\x00\x00\xc0\x7f' 5000:'\x00\x00\x80\x7f' 9000:'\x00\x00\x80\xff' \
        13000:'\xca\xf2\x49\x71'; do
        poke bad.wav $((d + 4 * ${at%%:*})) "${at#*:}"
        poke zeroed.wav $((d + 4 * ${at%%:*})) '\x00\x00\x00\x00'
    done
    [[ $(info bad.wav nonfinite) -eq 3 ]] || fail "test input not as planned"
    run -p 3 -T 1.25 bad.wav -o out.wav
    expect_status 0
    expect_stderr "tempitch: bad.wav: 4 invalid samples (NaN, infinity or magnitude above 1e12) replaced by 0"
    grep -qE '^bad\.wav .* ok, 4 invalid samples$' stdout.txt || fail "table: $(cat stdout.txt)"
    [[ $(info out.wav nonfinite) -eq 0 ]] || fail "NaN or infinity in the output"
    # Exactly as if those samples had been 0.
    run -q -p 3 -T 1.25 zeroed.wav -o ref.wav
    same_bytes out.wav ref.wav
    # Integer output too; -q keeps the warning quiet; JSON counts.
    run -q --json -p 3 bad.wav -o out.flac
    expect_status 0
    expect_no_stderr
    check_json 'd["files"][0]["invalid_samples"] == 4'
    [[ $(info out.flac nonfinite) -eq 0 ]] || fail "NaN in the FLAC"
    # The benchmark cleans its inputs the same way.
    run --bench --bench-jobs 1 --reps 1 -j 1 -q bad.wav
    expect_status 0
    expect_stderr "tempitch: bad.wav: 4 invalid samples"
}

case_output_is_input_paths() {
    mkdir sub d
    gen -d 0.2 in.wav
    cp in.wav orig.wav
    ln -s . here
    ln -s "$PWD" abs
    ln -s ../in.wav d/link.wav
    local out force
    for out in sub/../in.wav ./sub/../in.wav here/in.wav abs/in.wav \
        here/sub/../here/in.wav d/link.wav d/../in.wav; do
        for force in "" --force; do
            run $force -T 1.25 in.wav -o "$out"
            expect_status 1
            stderr_has_line "tempitch: $out: is the input file (refusing to overwrite it)"
        done
    done
    # The input named through a symlink, the output by its real name.
    run --force -T 1.25 here/in.wav -o in.wav
    expect_status 1
    expect_stderr "tempitch: in.wav: is the input file"
    # -o DIR resolving to the input's own directory: the tagged name.
    run -q -p 1 in.wav -o sub/..
    expect_status 0
    [[ -f in.p+1.wav ]] || fail "tagged name not used: $(ls)"
    # An output that is a symlink to another input of the batch.
    gen -d 0.2 b.wav
    cp b.wav b.orig
    ln -s b.wav in.copy.wav
    run --force in.wav b.wav
    expect_status 1
    expect_stderr "tempitch: in.copy.wav: is an input of this batch"
    same_bytes in.wav orig.wav
    same_bytes b.wav b.orig
    no_temp_files .
}

case_duplicate_paths() {
    mkdir x y
    gen -d 0.2 x/s.wav
    gen -d 0.2 y/s.wav
    ln -s x xl
    run -p 1 x/s.wav x/../x/s.wav
    expect_status 2
    expect_stderr "tempitch: x/s.wav and x/../x/s.wav would both be written to x/../x/s.p+1.wav"
    run -p 1 x/s.wav xl/s.wav
    expect_status 2
    expect_stderr "tempitch: x/s.wav and xl/s.wav would both be written to xl/s.p+1.wav"
    run -p 1 x/s.wav "$PWD/xl/../x/s.wav"
    expect_status 2
    expect_stderr "would both be written to"
    # Into a directory: the same name from two places.
    run -p 1 x/s.wav y/s.wav -o out
    expect_status 2
    [[ ! -e out && ! -e x/s.p+1.wav ]] || fail "something was written: $(ls -R)"
    no_temp_files .
}

case_unwritable_output() {
    gen -d 0.3 in.wav
    echo "a file" >plain
    # The output's parent is a regular file (root-proof).
    run in.wav -o plain/out.wav
    expect_status 1
    stderr_has_line "tempitch: plain/out.wav: Not a directory"
    run in.wav -o plain/sub/
    expect_status 1
    expect_stderr "tempitch: plain/sub/: cannot create directory: Not a directory"
    # A directory the user may not write to (as nobody when root).
    need_unprivileged
    mkdir ro
    chmod 555 ro
    run_unprivileged in.wav -o ro/out.wav
    expect_status 1
    stderr_has_line "tempitch: ro/out.wav: Permission denied"
    [[ -z $(ls -A ro) ]] || fail "files left in a read-only directory"
    no_temp_files .
}

case_read_only_fs() {
    gen -d 0.3 in.wav
    mkdir mnt
    in_namespace "mount -t tmpfs -o ro,size=64k tmpfs mnt || exit 77
        $(printf '%q ' "$TEMPITCH") in.wav -o mnt/out.wav >stdout.txt 2>stderr.txt
        echo \$? >status.txt
        ls -A mnt >left.txt"
    status=$(cat status.txt)
    last_args="in.wav -o mnt/out.wav (read-only tmpfs)"
    expect_status 1
    stderr_has_line "tempitch: mnt/out.wav: Read-only file system"
    [[ ! -s left.txt ]] || fail "files left: $(cat left.txt)"
}

case_disk_full() {
    # A 64 KiB tmpfs fills up half way through a 1 s float stereo output
    # (350 KB); the small file after it still fits.
    gen -d 1 big.wav
    gen -n 100 small.wav
    mkdir mnt
    in_namespace "mount -t tmpfs -o size=64k tmpfs mnt || exit 77
        $(printf '%q ' "$TEMPITCH") -j 1 big.wav small.wav -o mnt/ >stdout.txt 2>stderr.txt
        echo \$? >status.txt
        ls -A mnt >left.txt"
    status=$(cat status.txt)
    last_args="big.wav small.wav -o mnt/ (64 KiB tmpfs)"
    expect_status 1
    stderr_has_line "tempitch: mnt/big.wav: write error: No space left on device"
    [[ $(cat left.txt) == small.wav ]] || fail "left on the full disk: $(cat left.txt)"
}

# complete_output FILE N TEMPO: FILE reads back with round(N / TEMPO)
# frames, all finite.
complete_output() {
    local want
    want=$(expected_frames "$2" "$3")
    [[ $(info "$1" frames) -eq $want ]] ||
        fail "$1: $(info "$1" frames) frames, expected $want"
    [[ $(info "$1" nonfinite) -eq 0 ]] || fail "$1: non-finite samples"
}

case_disk_full_formats() {
    # Every format, on disks that fill up at different points: each run
    # either fails with the system's reason and leaves nothing, or gives
    # the whole file (the same bytes as on a roomy disk).  The lossy
    # encoders flush at close and libsndfile dropped those write errors:
    # MP3 and Opus were published truncated, Ogg Vorbis said
    # "Unspecified internal error".
    gen -d 1 -r 48000 -c 1 -s pcm16 noise.wav
    local formats="mp3 opus ogg flac wav" sizes="4 8 12 16 24 32 48 64 96 128"
    local ext kb
    mkdir ref mnt
    for ext in $formats; do
        run -q -T 1.02 noise.wav -o "ref/o.$ext"
        expect_status 0
        complete_output "ref/o.$ext" 48000 1.02
    done
    local script="" t
    t=$(printf '%q' "$TEMPITCH")
    for ext in $formats; do
        for kb in $sizes; do
            script+="mount -t tmpfs -o size=${kb}k tmpfs mnt || exit 77
                $t -q -T 1.02 noise.wav -o mnt/o.$ext 2>err.$ext.$kb
                echo \$? >status.$ext.$kb
                ls -A mnt >left.$ext.$kb
                if [ -e mnt/o.$ext ]; then cp mnt/o.$ext out.$ext.$kb; fi
                umount mnt
"
        done
    done
    in_namespace "$script"
    local failed ok
    for ext in $formats; do
        failed=0 ok=0
        for kb in $sizes; do
            status=$(cat "status.$ext.$kb")
            last_args="-T 1.02 noise.wav -o mnt/o.$ext (${kb} KiB tmpfs)"
            cp "err.$ext.$kb" stderr.txt
            if [[ $status -eq 0 ]]; then
                ok=$((ok + 1))
                expect_no_stderr
                cmp -s "out.$ext.$kb" "ref/o.$ext" ||
                    fail "$last_args: reported ok, but $(stat -c %s "out.$ext.$kb") of $(stat -c %s "ref/o.$ext") bytes"
            else
                failed=$((failed + 1))
                expect_status 1
                [[ $(wc -l <stderr.txt) -eq 1 ]] || fail "$last_args: $(cat stderr.txt)"
                stderr_has_line "tempitch: mnt/o.$ext: write error: No space left on device"
                [[ ! -s left.$ext.$kb ]] || fail "$last_args left: $(cat "left.$ext.$kb")"
            fi
        done
        # Both outcomes occur, or the sizes do not test this format.
        ((failed > 0 && ok > 0)) ||
            fail "$ext: $failed failed, $ok ok over $sizes KiB"
    done
}

case_size_limits() {
    # WAV and AIFF hold 32-bit sizes (at most 4 GiB); TEMPITCH_TEST_MAX_BYTES
    # lowers that limit so its handling shows on a small file (see
    # src/audio/sfformat.h and docs/errors.md; the real size runs in the
    # long suite, case long_wav_4gib).  The outputs here need 528000 bytes.
    gen -d 1.1 -r 48000 -c 1 -s pcm16 in.wav
    local limit=500000
    # Without the test limit a WAV stays a WAV, and a small one also with it.
    run -q -T 0.2 in.wav -o plain.wav
    expect_status 0
    [[ $(info plain.wav major) == 0x010000 ]] || fail "plain.wav: major $(info plain.wav major)"
    run -q -T 0.5 in.wav -o small.wav
    TEMPITCH_TEST_MAX_BYTES=$limit run -q -T 0.5 in.wav -o small-limit.wav
    expect_status 0
    same_bytes small.wav small-limit.wav
    # A WAV that may pass the limit is written as RF64.
    TEMPITCH_TEST_MAX_BYTES=$limit run -q -T 0.2 in.wav -o big.wav
    expect_status 0
    expect_no_stderr
    [[ $(info big.wav major) == 0x220000 ]] || fail "big.wav is not RF64: major $(info big.wav major)"
    complete_output big.wav 52800 0.2
    # AIFF has no 64-bit sibling: refused before anything is written.
    TEMPITCH_TEST_MAX_BYTES=$limit run -q -T 0.2 in.wav -o big.aiff
    expect_status 1
    stderr_has_line "tempitch: big.aiff: too long for AIFF (Apple/SGI): the audio needs 528000 bytes, the format holds at most $limit (use .caf, .w64 or .rf64)"
    [[ ! -e big.aiff ]] || fail "big.aiff written"
    # Containers with 64-bit sizes (or AU's "unknown" size) have no limit.
    local ext
    for ext in caf w64 au flac; do
        TEMPITCH_TEST_MAX_BYTES=$limit run -q -T 0.2 in.wav -o "big.$ext"
        expect_status 0
        complete_output "big.$ext" 52800 0.2
    done
    # Length unknown in advance (a pipe whose header has placeholders, as
    # -o - writes): WAV goes as RF64 that libsndfile turns back into a
    # RIFF file at close when under 4 GiB; AIFF fails where it reaches the
    # limit.  (Redirected from a file, the length is known: RF64.)
    run -q -T 0.2 in.wav -o -
    expect_status 0
    mv stdout.txt stream.wav
    local ext head
    for ext in wav aiff; do
        set +e
        cat stream.wav | TEMPITCH_TEST_MAX_BYTES=$limit "$TEMPITCH" -q - -o "s.$ext" 2>stderr.txt
        status=$?
        set -e
        last_args="- -o s.$ext (through cat)"
        if [[ $ext == wav ]]; then
            expect_status 0
            head=$(head -c 4 s.wav)
            [[ $head == RIFF ]] || fail "s.wav starts with '$head'"
            complete_output s.wav 264000 1
        else
            expect_status 1
            stderr_has_line "tempitch: s.aiff: write error: too long for AIFF (Apple/SGI), which holds at most $limit bytes (use .caf, .w64 or .rf64)"
            [[ ! -e s.aiff ]] || fail "s.aiff written"
        fi
    done
    TEMPITCH_TEST_MAX_BYTES=$limit run -q - -o r.wav <stream.wav
    expect_status 0
    [[ $(info r.wav major) == 0x220000 ]] || fail "r.wav is not RF64: major $(info r.wav major)"
    complete_output r.wav 264000 1
    no_temp_files .
}

# The real size (minutes, 4.4 GB of disk): only with TEMPITCH_LONG_TESTS=1,
# in the meson suite 'long'.
case_long_wav_4gib() {
    [[ ${TEMPITCH_LONG_TESTS:-} == 1 ]] || skip "set TEMPITCH_LONG_TESTS=1 to run"
    gen -d 615 -c 1 in32.wav
    run -q --subtype double in32.wav -o in.wav
    expect_status 0
    rm in32.wav
    run -q -T 0.05 in.wav -o out.wav
    expect_status 0
    expect_no_stderr
    [[ $(info out.wav major) == 0x220000 ]] || fail "out.wav is not RF64: major $(info out.wav major)"
    complete_output out.wav "$(info in.wav frames)" 0.05
    # A later --newer sees it as up to date, and it stays.
    run -q --newer -T 0.05 in.wav -o out.wav
    expect_status 0
}

case_normalize() {
    gen -d 1 -a 1.6 loud.wav
    gen -d 1 quiet.wav
    run -q -p 2 loud.wav quiet.wav -o plain
    expect_status 0
    awk -v p="$(info plain/loud.wav peak)" 'BEGIN { exit !(p > 1.0) }' ||
        skip "test signal does not exceed full scale"
    run -j 2 --normalize -p 2 loud.wav quiet.wav -o norm
    expect_status 0
    expect_no_stderr
    # Peak at 0.999 exactly (float output), the other file untouched.
    awk -v p="$(info norm/loud.wav peak)" 'BEGIN { exit !(p > 0.99899 && p <= 0.999) }' ||
        fail "normalized peak $(info norm/loud.wav peak)"
    # Same samples; the bytes differ only in the settings stamp, which
    # records --normalize (src/audio/stamp.h).
    [[ $(info norm/quiet.wav hash) == $(info plain/quiet.wav hash) ]] ||
        fail "--normalize changed a file that needed no gain"
    local db
    db=$(awk -v p="$(info plain/loud.wav peak)" 'BEGIN { printf "%.1f", 20 * log(0.999 / p) / log(10) }')
    grep -qE "^loud\.wav .* ok, normalized $db dB\$" stdout.txt || fail "table ($db dB): $(cat stdout.txt)"
    grep -qE '^quiet\.wav .* ok$' stdout.txt || fail "table: $(cat stdout.txt)"
    # Deterministic, whatever -j.
    run -q -j 1 --normalize -p 2 loud.wav quiet.wav -o norm1
    same_bytes norm/loud.wav norm1/loud.wav
    # Integer output: limited by default, clipped with --clip; with
    # --normalize neither, nothing to report.
    run -p 2 loud.wav -o limit.flac
    expect_stderr "tempitch: limit.flac: limited "
    run -p 2 --clip loud.wav -o clip.flac
    expect_stderr "tempitch: clip.flac: "
    expect_stderr " samples clipped"
    run --normalize -p 2 loud.wav -o norm.flac
    expect_status 0
    expect_no_stderr
    awk -v p="$(info norm.flac peak)" 'BEGIN { exit !(p <= 0.9991) }' ||
        fail "FLAC peak $(info norm.flac peak)"
    # -v and JSON say what gain was applied.
    run -v --force --normalize -p 2 loud.wav -o norm.flac
    expect_stderr "normalize: outputs beyond full scale"
    expect_stderr ", normalized $db dB)"
    run --json --normalize -p 2 loud.wav quiet.wav -o json
    check_json 'd["files"][0]["gain_db"] < 0 and d["files"][1]["gain_db"] is None'
    check_json 'd["settings"]["normalize"] is True'
    # JSON says what happened at full scale: clipped counts what was
    # actually clipped, limited what the limiter brought down.
    local f='d["files"][0]'
    run -q --json --format flac -p 2 loud.wav quiet.wav -o jf
    check_json "$f[\"clipped\"] == 0 and $f[\"limited\"] > 0 and $f[\"limiter_gain_db\"] < -1"
    check_json 'd["files"][1]["limited"] == 0 and d["files"][1]["limiter_gain_db"] is None'
    check_json 'd["settings"]["clip"] is False'
    run -q --json --force --format flac --clip -p 2 loud.wav -o jf
    check_json "$f[\"clipped\"] > 0 and $f[\"limited\"] == 0 and $f[\"limiter_gain_db\"] is None"
    check_json 'd["settings"]["clip"] is True'
    run -q --json --force --format flac --normalize -p 2 loud.wav -o jf
    check_json "$f[\"clipped\"] == 0 and $f[\"limited\"] == 0 and $f[\"gain_db\"] < 0"
    # A pipe cannot be read twice: that file fails, if it needs the gain.
    mkfifo pipe.wav
    timeout 30 bash -c 'cat loud.wav >pipe.wav' &
    run --normalize -p 2 pipe.wav -o piped.wav
    wait
    expect_status 1
    expect_stderr "tempitch: pipe.wav: --normalize reads the input twice"
    [[ ! -e piped.wav ]] || fail "output of a failed file"
    run --bench --normalize
    expect_status 2
    no_temp_files .
}

case_sync() {
    gen -d 0.5 a.wav
    gen -d 0.5 -s pcm16 b.wav
    run -q -p 1 a.wav b.wav -o plain
    expect_status 0
    run -q --sync -p 1 a.wav b.wav -o synced
    expect_status 0
    same_bytes plain/a.wav synced/a.wav
    same_bytes plain/b.wav synced/b.wav
    no_temp_files .
}

# interrupt SIG: a batch of 8 long files and a FIFO input stalled half way
# (so the batch is certainly still running, with a temporary file open),
# sent SIG as soon as the first output is in place.
interrupt() {
    local sig=$1 i
    for i in 1 2 3 4 5 6 7 8; do
        gen -d 20 -c 1 "long$i.wav"
    done
    run -q -j 2 long?.wav -o ref
    expect_status 0
    mkfifo stall.wav
    set -m # background jobs get SIGINT (and their own process group)
    ulimit -c 0 # SIGQUIT and SIGXCPU dump core by default
    (
        head -c 100000 long1.wav
        exec sleep 60
    ) >stall.wav 2>/dev/null &
    local writer=$!
    "$TEMPITCH" -q -j 2 stall.wav long?.wav -o out >stdout.txt 2>stderr.txt &
    local pid=$! tries=0
    # Wait for a finished output and the stalled file's temporary one.
    until compgen -G 'out/long?.wav' >/dev/null &&
        compgen -G 'out/.stall.wav.tmp.*' >/dev/null; do
        ((++tries < 1200)) || fail "no output appeared"
        sleep 0.05
    done
    kill -0 "$pid" 2>/dev/null || fail "the batch ended before the signal"
    local t0=$SECONDS
    kill -"$sig" "$pid"
    set +e
    wait "$pid"
    status=$?
    set -e
    kill "$writer" 2>/dev/null || true
    wait "$writer" 2>/dev/null || true
    set +m
    ((SECONDS - t0 <= 2)) || fail "SIG$sig: took $((SECONDS - t0)) s to stop"
    local want=$((128 + $(kill -l "$sig")))
    [[ $status -eq $want ]] || fail "SIG$sig: exit $status, expected $want"
    # Every file at a final name is complete: identical to the reference.
    local f done=0
    for f in out/*.wav; do
        [[ -e $f ]] || continue
        [[ $f != out/stall.wav ]] || fail "SIG$sig: partial output of the stalled file"
        same_bytes "$f" "ref/${f#out/}"
        done=$((done + 1))
    done
    ((done >= 1)) || fail "SIG$sig: finished outputs were removed"
}

case_sigint() {
    interrupt INT
    no_temp_files .
}

case_sigterm() {
    interrupt TERM
    no_temp_files .
}

case_sighup() {
    interrupt HUP
    no_temp_files .
}

# The other signals that would end the process: the same cleanup, and
# death by the same signal (no core file: ulimit -c 0 in interrupt).
case_sigquit() {
    interrupt QUIT
    no_temp_files .
}

case_sigalrm() {
    interrupt ALRM
    no_temp_files .
}

case_sigxcpu() {
    interrupt XCPU
    no_temp_files .
}

case_sigusr() {
    interrupt USR1
    no_temp_files .
    rm -rf out ref stall.wav
    interrupt USR2
    no_temp_files .
}

case_sigprof() {
    interrupt VTALRM
    no_temp_files .
    rm -rf out ref stall.wav
    interrupt PROF
    no_temp_files .
}

case_sigrt() {
    interrupt RTMIN
    no_temp_files .
}

case_cpu_limit() {
    # A real CPU-time limit (soft: SIGXCPU; at the hard one the kernel
    # sends SIGKILL).  1 s ends this batch (about 3 s of CPU, 2 on a fast
    # machine) half way; a sanitizer build is 5 to 15 times slower, so
    # shorter files do there.
    local i seconds=40
    sanitized && seconds=8
    for i in 01 02 03 04 05 06 07 08 09 10; do
        gen -d "$seconds" -c 1 "l$i.wav"
    done
    run -q -p 2 -j 2 l*.wav -o ref
    expect_status 0
    set +e
    (
        ulimit -c 0
        ulimit -S -t 1
        exec "$TEMPITCH" -q -p 2 -j 2 l*.wav -o out
    ) >stdout.txt 2>stderr.txt
    status=$?
    set -e
    last_args="-q -p 2 -j 2 l*.wav -o out (ulimit -S -t 1)"
    [[ $status -ne 0 ]] || skip "the batch needed less than 1 s of CPU"
    expect_status $((128 + $(kill -l XCPU)))
    local f
    for f in out/*.wav; do
        [[ -e $f ]] || continue
        same_bytes "$f" "ref/${f#out/}"
    done
    no_temp_files .
}

case_sigkill() {
    # No handler runs: temporary files stay behind (the stalled file's at
    # least), but no final name holds a partial file.
    interrupt KILL
    [[ -n $(find out -name '.stall.wav.tmp.*') ]] ||
        fail "expected the stalled file's temporary file to remain"
}

# closed_run REDIRECT ARGS...: runs tempitch with one standard descriptor
# closed (REDIRECT is '0<&-', '1>&-' or '2>&-'); the other two go to
# stdout.txt and stderr.txt as in run.  Sets $status.
closed_run() {
    local redirect=$1
    shift
    last_args="$* $redirect"
    set +e
    case $redirect in
    '0<&-') "$TEMPITCH" "$@" >stdout.txt 2>stderr.txt 0<&- ;;
    '1>&-') "$TEMPITCH" "$@" 2>stderr.txt 1>&- ;;
    '2>&-') "$TEMPITCH" "$@" >stdout.txt 2>&- ;;
    esac
    status=$?
    set -e
}

case_closed_std() {
    # A closed standard descriptor must not become one of our files: the
    # messages of a closed stderr (the table of a closed stdout) would be
    # written into it.  --report opens its file before any job, so it
    # would be that descriptor every time; the audio outputs only when a
    # worker's timing allows (6 runs in 40), so those run several times.
    local i redirect
    for i in 1 2 3 4 5 6; do
        gen -d 0.$((1 + i)) "g$i.wav"
    done
    local goods=(g1.wav g2.wav g3.wav g4.wav g5.wav g6.wav)
    run -q -j 2 -p 2 "${goods[@]}" -o ref
    expect_status 0
    for redirect in '0<&-' '1>&-' '2>&-'; do
        for i in 1 2 3 4 5; do
            rm -rf out r.jsonl
            closed_run "$redirect" -j 2 -p 2 --report r.jsonl g1.wav \
                missing1.wav "${goods[@]:1}" missing2.wav -o out
            expect_status 1
            local f
            for f in "${goods[@]}"; do
                same_bytes "out/$f" "ref/$f"
            done
            no_temp_files .
            ! grep -q 'tempitch:\|files:' r.jsonl ||
                fail "$redirect: messages in the report: $(cat r.jsonl)"
            [[ $(wc -l <r.jsonl) -eq 8 ]] ||
                fail "$redirect: report: $(cat r.jsonl)"
        done
        if [[ $redirect != '2>&-' ]]; then
            stderr_has_line "tempitch: missing1.wav: No such file or directory"
        fi
    done
    # The closed descriptor still fails where it is used, as before: a
    # table to a closed stdout, audio to it, reading a closed stdin.
    closed_run '1>&-' -p 2 g1.wav -o t.wav
    expect_status 1
    stderr_has_line "tempitch: stdout: Bad file descriptor"
    same_bytes t.wav ref/g1.wav
    closed_run '1>&-' -p 2 g1.wav -o -
    expect_status 1
    stderr_has_line "tempitch: -: write error: Bad file descriptor"
    closed_run '0<&-' -p 2 - -o s.wav
    expect_status 1
    expect_stderr "tempitch: -: "
    [[ ! -e s.wav ]] || fail "an output from a closed stdin"
    no_temp_files .
}

case_broken_stderr() {
    # The reader of the messages goes away (sleep: it is gone before the
    # first message).  The messages stop, the batch goes on to the end,
    # every output is written and the exit status says something was lost.
    gen -d 0.3 a.wav
    gen -d 8 -c 1 long.wav
    gen -d 0.3 -s pcm16 b.wav
    run -q -p 2 -j 2 a.wav long.wav b.wav -o ref
    expect_status 0
    local opts
    for opts in "-v" "-q"; do
        rm -rf out
        set +e
        (
            sleep 0.2
            exec "$TEMPITCH" $opts -p 2 -j 2 a.wav long.wav missing.wav \
                b.wav -o out
        ) 2>&1 >/dev/null | true
        status=${PIPESTATUS[0]}
        set -e
        last_args="$opts -p 2 -j 2 a.wav long.wav missing.wav b.wav -o out 2>&1 >/dev/null | true"
        expect_status 1
        same_bytes out/a.wav ref/a.wav
        same_bytes out/long.wav ref/long.wav
        same_bytes out/b.wav ref/b.wav
        no_temp_files .
    done
    # Nothing to say, nothing lost: 0.
    rm -rf out
    set +e
    (
        sleep 0.2
        exec "$TEMPITCH" -q -p 2 -j 2 a.wav b.wav -o out
    ) 2>&1 >/dev/null | true
    status=${PIPESTATUS[0]}
    set -e
    last_args="-q ... 2>&1 >/dev/null | true"
    expect_status 0
    # The table's reader goes away: the table is lost, the outputs are not.
    rm -rf out
    set +e
    (
        sleep 0.2
        exec "$TEMPITCH" -p 2 -j 2 a.wav long.wav b.wav -o out 2>stderr.txt
    ) | true
    status=${PIPESTATUS[0]}
    set -e
    last_args="-p 2 -j 2 a.wav long.wav b.wav -o out | true"
    expect_status 1
    stderr_has_line "tempitch: stdout: Broken pipe"
    same_bytes out/long.wav ref/long.wav
    no_temp_files .
}

case_file_size_limit() {
    # ulimit -f 64 (KiB): the small file fits, the others fail alone, in
    # their order, with no temporary file left; nobody dies of SIGXFSZ.
    gen -n 2000 -c 1 -s pcm16 small.wav
    gen -d 4 -c 1 long.wav
    gen -d 0.5 b.wav
    run -q -p 2 small.wav -o ref.wav
    set +e
    (
        ulimit -f 64
        exec "$TEMPITCH" -q -p 2 -j 2 long.wav small.wav b.wav -o out
    ) >stdout.txt 2>stderr.txt
    status=$?
    set -e
    last_args="-q -p 2 -j 2 long.wav small.wav b.wav -o out (ulimit -f 64)"
    expect_status 1
    [[ $(cat stderr.txt) == "tempitch: out/long.wav: write error: File too large
tempitch: out/b.wav: write error: File too large" ]] ||
        fail "messages: $(cat stderr.txt)"
    same_bytes out/small.wav ref.wav
    [[ $(ls -A out) == small.wav ]] || fail "left: $(ls -A out)"
}

case_fd_limit() {
    # -j 64 under a small descriptor limit: fewer files at once, none
    # failing "Too many open files", the same bytes as -j 1.  6 is the
    # least that holds the standard three, the copy of stderr that -q
    # keeps its messages on (message.h) and one worker's two.
    local i
    mkdir in
    for i in $(seq -w 1 20); do
        gen -d 0.2 -c 1 "in/f$i.wav"
    done
    run -q -p 2 -j 1 in/*.wav -o ref
    expect_status 0
    local limit opts
    for limit in 16 6; do
        for opts in "-j 64" "-j 1024" "-j 64 --sync" "-j 64 --report r.jsonl"; do
            [[ $limit -gt 6 || $opts != *report* ]] || continue
            rm -rf out
            set +e
            (
                ulimit -n "$limit"
                # shellcheck disable=SC2086
                exec "$TEMPITCH" -q -p 2 $opts in/*.wav -o out
            ) >stdout.txt 2>stderr.txt
            status=$?
            set -e
            last_args="-q -p 2 $opts in/*.wav -o out (ulimit -n $limit)"
            expect_status 0
            expect_no_stderr
            for i in $(seq -w 1 20); do
                same_bytes "out/f$i.wav" "ref/f$i.wav"
            done
        done
    done
    # Below that (the report takes one of 6) a file waits for a
    # descriptor, tries again for about a second, then fails alone.
    rm -rf out
    set +e
    (
        ulimit -n 6
        exec "$TEMPITCH" -q -p 2 -j 8 --report r.jsonl in/f01.wav in/f02.wav -o out
    ) >stdout.txt 2>stderr.txt
    status=$?
    set -e
    last_args="-q -p 2 -j 8 --report r.jsonl in/f01.wav in/f02.wav -o out (ulimit -n 6)"
    expect_status 1
    [[ $(grep -c 'Too many open files$' stderr.txt) -eq 2 ]] ||
        fail "messages: $(cat stderr.txt)"
    no_temp_files .
}

# links SOURCE DIR N: N hard links f0000.wav... to SOURCE in DIR, fast.
links() {
    mkdir -p "$2"
    if command -v perl >/dev/null 2>&1; then
        perl -e 'for my $i (0 .. $ARGV[2] - 1) {
            link($ARGV[0], sprintf("%s/f%04d.wav", $ARGV[1], $i)) or die "$!\n" }' "$@"
    else
        local i
        for ((i = 0; i < $3; i++)); do
            ln "$1" "$(printf '%s/f%04d.wav' "$2" "$i")"
        done
    fi
}

case_many_files() {
    # 5000 files with 64 descriptors: a descriptor leaked per file would
    # run out long before the end.  Peak memory must not grow with the
    # number of files beyond the plan's few hundred bytes per file.  The
    # sanitizer builds run a smaller batch, descriptors only.
    local n=5000 small=500
    if sanitized; then
        n=600 small=0
    fi
    gen -d 0.02 -c 1 -s pcm16 src.wav
    links src.wav in "$n"
    run -q -p 2 src.wav -o ref.wav
    set +e
    (
        ulimit -n 64
        exec "$TEMPITCH" -q -j 2 -p 2 in/*.wav -o out
    ) >stdout.txt 2>stderr.txt
    status=$?
    set -e
    last_args="-q -j 2 -p 2 in/*.wav ($n files) -o out (ulimit -n 64)"
    expect_status 0
    expect_no_stderr
    [[ $(find out -name '*.wav' | wc -l) -eq $n ]] || fail "outputs missing"
    # All from the same input: one checksum, the reference's.
    [[ $(cksum <ref.wav | cut -d' ' -f1) == \
        $(find out -name '*.wav' -exec cksum {} + | cut -d' ' -f1 | sort -u) ]] ||
        fail "outputs differ from the reference"
    ((small > 0)) || return 0
    [[ -x /usr/bin/time ]] || {
        echo "note: no /usr/bin/time, memory not checked"
        return 0
    }
    local kb_small kb_all
    kb_small=$(/usr/bin/time -f %M "$TEMPITCH" -q -j 2 -p 2 in/f0[0-4]??.wav -o m1 2>&1 >/dev/null | tail -n 1)
    kb_all=$(/usr/bin/time -f %M "$TEMPITCH" -q -j 2 -p 2 in/*.wav -o m2 2>&1 >/dev/null | tail -n 1)
    echo "peak RSS: $kb_small KB for $small files, $kb_all KB for $n"
    ((kb_all - kb_small < 8192)) ||
        fail "peak RSS grows with the batch: $kb_small KB -> $kb_all KB"
}

case_valgrind() {
    command -v valgrind >/dev/null 2>&1 || skip "no valgrind"
    sanitized && skip "sanitizer build (valgrind needs a plain one)"
    gen -d 0.5 a.wav
    gen -d 0.3 -c 1 -s pcm16 b.wav
    gen -d 0.4 -a 1.6 loud.wav
    gen -n 5000 -c 1 nan.wav
    poke nan.wav $(($(data_offset nan.wav) + 400)) '\x00\x00\xc0\x7f'
    echo "not audio" >bad.wav
    run -q a.wav -o c.flac
    run -q a.wav -o d.ogg
    set +e
    valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        "$TEMPITCH" -j 2 --normalize -p 3 -T 1.25 a.wav b.wav loud.wav \
        nan.wav bad.wav c.flac d.ogg -o out >stdout.txt 2>stderr.txt
    status=$?
    set -e
    last_args="(valgrind) -j 2 --normalize ... -o out"
    expect_status 1 # bad.wav; 99 would be a valgrind error
    expect_stderr "tempitch: bad.wav: not an audio file"
    ! grep -qE '^==[0-9]+==' stderr.txt || fail "valgrind: $(cat stderr.txt)"
    expect_stdout "files: 6 ok, 1 failed"
}

run_case
