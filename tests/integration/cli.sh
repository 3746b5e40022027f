#!/usr/bin/env bash
# CLI behaviour tests for tempitch: exit codes, messages, files on disk,
# mostly with one input file (batch.sh has the batch behaviour).
#
# usage: cli.sh CASE TEMPITCH GEN_SIGNAL WAVINFO
#
# Each CASE is registered as its own meson test.  Exit 0 pass, 1 fail,
# 77 skip (a check that needs real audio from the engine, when the engine
# only produces silence).

# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case_help() {
    for opt in --help -h; do
        run "$opt"
        expect_status 0
        expect_stdout "Usage: tempitch"
        expect_stdout "SPEED factor"
        expect_stdout "DURATION multiple"
        # Every option is documented.
        for o in -p, -f, -T, -t, -D, -o, -j, -q, -v, -h, -V, --pitch \
            --frequency --tempo --time --duration --output --jobs --force \
            --normalize --clip --sync --newer --shard=K/N --report=FILE \
            --fast --fine --quiet --verbose --json --bench --bench-jobs --seconds \
            --channels --rate --reps --help --version X:Y "Exit status" \
            "-o -" "FILE - reads stdin" -r, --recursive --name --format \
            --subtype --manifest -F, --formant --formant-semitones; do
            expect_stdout "$o"
        done
    done
}

case_version() {
    run --version
    expect_status 0
    grep -q '^tempitch [0-9][0-9.]*' stdout.txt || fail "bad version line"
    run -V
    expect_status 0
}

case_missing_input() {
    run nope.wav -o out.wav
    expect_status 1
    grep -q '^tempitch: nope.wav: ' stderr.txt || fail "bad message: $(cat stderr.txt)"
    [[ ! -e out.wav ]] || fail "output created for a missing input"
}

case_bad_tempo() {
    gen -d 0.1 in.wav
    for v in 0 -1 nan abc 1e309 21 inf "" 1.5x 0.049; do
        run -T "$v" in.wav -o out.wav
        expect_status 2
        expect_stderr "invalid tempo '$v'"
        expect_stderr "speed factor in 0.05..20"
    done
    run --tempo=abc in.wav -o out.wav
    expect_status 2
    [[ ! -e out.wav ]] || fail "output created after a usage error"
}

case_bad_time() {
    gen -d 0.1 in.wav
    for v in 0 -0.5 25 abc nan; do
        run -t "$v" in.wav -o out.wav
        expect_status 2
        expect_stderr "duration multiple in 0.05..20"
    done
}

case_bad_pitch() {
    gen -d 0.1 in.wav
    for v in 1000 48.5 -49 nan x 1e309; do
        run -p "$v" in.wav -o out.wav
        expect_status 2
        expect_stderr "invalid pitch '$v'"
        expect_stderr "-48..48"
    done
}

case_bad_frequency() {
    gen -d 0.1 in.wav
    for v in 0 -2 17 0.06 abc; do
        run -f "$v" in.wav -o out.wav
        expect_status 2
        expect_stderr "0.0625..16"
    done
}

case_conflicting_options() {
    gen -d 0.1 in.wav
    run -T 1.25 -t 0.8 in.wav -o out.wav
    expect_status 2
    expect_stderr "both set the tempo"
    run -p 12 -f 2 in.wav -o out.wav
    expect_status 2
    expect_stderr "both set the pitch"
    # An option with a value given twice is refused (a second -p is more
    # likely a second value than a correction); one without may repeat.
    run -T 2 -T 1.25 in.wav -o out.wav
    expect_status 2
    expect_stderr "tempitch: -T given twice ('2', then '1.25'); give it once (for several values, one list: -T 2,1.25)"
    run -j 1 --jobs 2 in.wav -o out.wav
    expect_status 2
    expect_stderr "tempitch: -j given twice ('1', then '2'); give it once"
    run --format flac --format=wav in.wav
    expect_status 2
    expect_stderr "tempitch: --format given twice ('flac', then 'wav'); give it once"
    [[ ! -e out.wav ]] || fail "a usage error wrote out.wav"
    run -q -v -q --force --force in.wav -o out.wav
    expect_status 0
    expect_no_stderr
    # --dither's modes, and its two spellings together
    run --dither loud in.wav -o out.wav
    expect_status 2
    expect_stderr "tempitch: invalid dither 'loud' (expected tpdf, shaped or none)"
    rm -f out.wav
    run --no-dither --dither shaped in.wav -o out.wav
    expect_status 2
    expect_stderr "tempitch: --dither and --no-dither both set the dither; give only one"
    run -q -T 1.25 --no-dither --no-dither --subtype pcm16 in.wav -o nd.wav
    expect_status 0
    run -q -T 1.25 --dither shaped --subtype pcm16 in.wav -o out.wav
    expect_status 0
    [[ $(info out.wav str_software) == *" -T 1.25 --dither shaped ("* ]] ||
        fail "stamp: $(info out.wav str_software)"
    rm -f out.wav
    # A decimal comma reads as a list of two values: said so.
    run -T 1,25 in.wav -o out.wav
    expect_status 2
    expect_stderr "tempitch: '1,25' was read as a list of two values, 1 and 25 (',' separates values); a decimal point is written '.': 1.25"
    run -p 2,100 in.wav -o out.wav
    expect_status 2
    expect_stderr "read as a list of two values, 2 and 100"
    run -p 2,3,100 in.wav -o out.wav
    expect_status 2
    grep -q 'read as a list' stderr.txt && fail "a three-value list called a decimal comma"
    true
}

# sox's and rubberband's order (output last) on a command that takes the
# output with -o: refused before anything is written, with the fix.
case_output_as_operand() {
    gen -d 0.1 in.wav
    run -p 2 in.wav out.wav
    expect_status 2
    expect_stderr "tempitch: out.wav does not exist: did you mean -o out.wav? (every operand is an input; the output is given with -o)"
    [[ ! -e out.wav && ! -e in.p+2.wav ]] || fail "a file was written: $(ls)"
    run -q -p 2 in.wav -o out.wav
    expect_status 0
    run -p 3 in.wav out.wav
    expect_status 2
    expect_stderr "tempitch: out.wav is an output of tempitch: did you mean -o out.wav?"
    [[ ! -e in.p+3.wav ]] || fail "in.p+3.wav was written"
    # not the mistake: both inputs exist and neither is an output, or
    # --include-outputs says the output is meant as an input
    gen -d 0.1 other.wav
    run -q -p 3 in.wav other.wav
    expect_status 0
    run -q -p 3 --force --include-outputs in.wav out.wav
    expect_status 0
    [[ -f out.p+3.wav ]] || fail "--include-outputs: $(ls)"
}

case_unknown_option() {
    run --bogus in.wav -o out.wav
    expect_status 2
    expect_stderr "unknown option '--bogus'"
    run -x in.wav -o out.wav
    expect_status 2
    expect_stderr "unknown option '-x'"
    run in.wav -o out.wav -T
    expect_status 2
    expect_stderr "missing value for option '-T'"
    # getopt's own distinctions, in our words: a prefix of several long
    # options, a value given to an option that takes none.
    run --form in.wav -o out.wav
    expect_status 2
    expect_stderr "ambiguous option '--form' (could be --format, --formant, --formant-semitones)"
    run --force=yes in.wav -o out.wav
    expect_status 2
    expect_stderr "option '--force' takes no value"
    run --qui=1 in.wav -o out.wav
    expect_status 2
    expect_stderr "option '--quiet' takes no value"
    # a close misspelling is named; a word close to nothing is not
    run --fromat=wav in.wav -o out.wav
    expect_status 2
    expect_stderr "unknown option '--fromat' (did you mean --format?)"
    run --forse in.wav -o out.wav
    expect_status 2
    expect_stderr "unknown option '--forse' (did you mean --force?)"
    run --bogus in.wav -o out.wav
    grep -q 'did you mean' stderr.txt && fail "a guess for --bogus: $(cat stderr.txt)"
    [[ ! -e out.wav ]] || fail "a usage error wrote out.wav"
}

case_no_output() {
    # Without -o the output goes next to the input, named after the change.
    gen -d 0.1 in.wav
    run -q in.wav
    expect_status 0
    [[ -f in.copy.wav ]] || fail "no in.copy.wav: $(ls)"
}

case_no_input() {
    run -o out.wav
    expect_status 2
    expect_stderr "no input file"
}

case_existing_output() {
    gen -d 0.2 in.wav
    echo "precious" >out.wav
    cp out.wav orig.wav
    run in.wav -o out.wav
    expect_status 1
    expect_stderr "tempitch: out.wav: exists (use --force to overwrite)"
    cmp -s out.wav orig.wav || fail "existing output was modified"
    no_temp_files .
}

case_force() {
    gen -n 8820 in.wav
    echo "old" >out.wav
    run --force -T 1.25 in.wav -o out.wav
    expect_status 0
    [[ $(info out.wav frames) -eq $(expected_frames 8820 1.25) ]] ||
        fail "wrong length after --force"
    no_temp_files .
}

case_length() {
    # 4096 and 8192 are multiples of the CLI's block size (the stream is
    # closed by an empty push); 44101 makes N / 2 end in exactly .5.
    for n in 0 1 4096 8192 44101; do
        gen -n "$n" "in_$n.wav"
        for t in 1 1.25 0.8 2 0.5 3 0.3 1.1 0.05 20; do
            run -q --force -p 3 -T "$t" "in_$n.wav" -o out.wav
            expect_status 0
            local got want
            got=$(info out.wav frames)
            want=$(expected_frames "$n" "$t")
            [[ $got -eq $want ]] ||
                fail "N=$n tempo=$t: $got frames, expected $want"
        done
    done
}

# --fast and --fine: exact lengths in every mode, different outputs, the
# same output whatever -j is, and the two together refused.
case_quality_modes() {
    gen -d 1.3 -c 2 in.wav
    cp in.wav in2.wav
    for mode in --fast "" --fine; do
        for t in 1.25 0.8; do
            run -q --force $mode -p 3 -T "$t" in.wav -o "out$mode$t.wav"
            expect_status 0
            local got want
            got=$(info "out$mode$t.wav" frames)
            want=$(expected_frames "$(info in.wav frames)" "$t")
            [[ $got -eq $want ]] ||
                fail "$mode tempo=$t: $got frames, expected $want"
        done
    done
    cmp -s out--fast1.25.wav out1.25.wav && fail "--fast gives the default's output"
    cmp -s out--fine1.25.wav out1.25.wav && fail "--fine gives the default's output"
    run -q --force --fast -j 2 -p 3 -T 1.25 in.wav in2.wav -o j2/
    expect_status 0
    cmp -s j2/in.wav out--fast1.25.wav && cmp -s j2/in2.wav out--fast1.25.wav ||
        fail "--fast -j 2 differs from --fast -j 1"
    run -q --fast --fine in.wav -o out.wav
    expect_status 2
    expect_stderr "give only one"
    run -q --fast --fast --force -p 3 in.wav -o out.wav
    expect_status 0
    run -v --fine --force -p 3 in.wav -o out.wav
    expect_status 0
    expect_stderr "quality: fine"
}

case_shape() {
    gen -d 0.3 -r 22050 -c 1 -s pcm16 a.wav
    gen -d 0.3 -r 48000 -c 3 -s pcm24 b.wav
    gen -d 0.3 -r 96000 -c 2 -s float c.wav
    for f in a b c; do
        run -q -T 0.9 -p -2 "$f.wav" -o "$f-out.wav"
        expect_status 0
        for key in rate channels major subtype; do
            [[ $(info "$f.wav" "$key") == $(info "$f-out.wav" "$key") ]] ||
                fail "$f: $key changed"
        done
    done
}

case_formats() {
    gen -d 0.5 f.wav
    gen -d 0.5 -s pcm16 p.wav
    check() { # FILE MAJOR SUBTYPE
        [[ $(info "$1" major) == "$2" ]] || fail "$1: major $(info "$1" major), expected $2"
        [[ $(info "$1" subtype) == "$3" ]] || fail "$1: subtype $(info "$1" subtype), expected $3"
    }
    run -q f.wav -o out.flac
    expect_status 0
    check out.flac 0x170000 0x0003 # float input -> 24-bit FLAC
    run -q p.wav -o out.aiff
    expect_status 0
    check out.aiff 0x020000 0x0002 # 16-bit stays 16-bit
    run -q f.wav -o out.ogg
    expect_status 0
    check out.ogg 0x200000 0x0060 # Ogg Vorbis
    run -q f.wav -o out.xyz
    expect_status 0
    check out.xyz 0x010000 0x0006 # unknown extension: WAV, float kept
    run -q p.wav -o OUT.WAV
    expect_status 0
    check OUT.WAV 0x010000 0x0002
    run -q p.wav -o noext
    expect_status 0
    check noext 0x010000 0x0002
    # A lossy codec stays in its own container only: MP3 -> WAV is 16-bit
    # PCM (libsndfile accepts MP3-in-WAV as a format but cannot write it).
    run -q p.wav -o m.mp3
    expect_status 0
    check m.mp3 0x230000 0x0082
    run -q -p 1 m.mp3 -o fromm.wav
    expect_status 0
    check fromm.wav 0x010000 0x0002
    run -q -p 1 m.mp3 -o again.mp3
    expect_status 0
    check again.mp3 0x230000 0x0082
    # Headerless audio (a .au without its header: 8 kHz mu-law by
    # extension) under a name without a known extension becomes WAV: the
    # input's own (RAW) format could not be read back.
    dd if=p.wav of=h.au bs=4 skip=11 count=2000 status=none
    run -q -p 1 h.au -o fromraw
    expect_status 0
    check fromraw 0x010000 0x0010 # WAV, mu-law kept
}

case_deterministic() {
    gen -d 1 in.wav
    gen -d 1 -r 48000 in48.wav
    # Ogg needs its clock-based stream serial replaced; Opus needs 48 kHz.
    for out in a.wav a.flac a.ogg a.opus; do
        local in=in.wav
        [[ $out == *.opus ]] && in=in48.wav
        run -q -p 3 -T 1.25 "$in" -o "$out"
        expect_status 0
        run -q -p 3 -T 1.25 "$in" -o "b.${out#a.}"
        expect_status 0
        cmp "$out" "b.${out#a.}" || fail "two runs gave different ${out#a} bytes"
        [[ $(info "$out" frames) -eq $(expected_frames "$(info "$in" frames)" 1.25) ]] ||
            fail "$out: wrong length after decoding"
    done
}

case_same_file() {
    gen -d 0.2 in.wav
    cp in.wav orig.wav
    ln in.wav hard.wav
    ln -s in.wav sym.wav
    for out in in.wav ./in.wav "$PWD/in.wav" hard.wav sym.wav; do
        for force in "" --force; do
            run $force -T 1.25 in.wav -o "$out"
            expect_status 1
            expect_stderr "tempitch: $out: is the input file"
        done
    done
    cmp -s in.wav orig.wav || fail "input was modified"
    no_temp_files .
}

case_time_equals_tempo() {
    gen -d 1 in.wav
    run -q -p 3 -T 1.25 in.wav -o tempo.wav
    expect_status 0
    run -q -p 3 -t 0.8 in.wav -o time.wav
    expect_status 0
    cmp tempo.wav time.wav || fail "-t 0.8 differs from -T 1.25"
}

case_frequency_equals_pitch() {
    gen -d 1 in.wav
    run -q -T 1.1 -p 12 in.wav -o semi.wav
    expect_status 0
    run -q -T 1.1 -f 2 in.wav -o ratio.wav
    expect_status 0
    cmp semi.wav ratio.wav || fail "-f 2 differs from -p 12"
    run -q -p -12 in.wav -o semi_down.wav
    expect_status 0
    run -q -f 0.5 in.wav -o ratio_down.wav
    expect_status 0
    cmp semi_down.wav ratio_down.wav || fail "-f 0.5 differs from -p -12"
}

case_bad_rate() {
    gen -d 0.2 -r 4000 low.wav
    run low.wav -o out.wav
    expect_status 1
    expect_stderr "tempitch: low.wav: unsupported sample rate 4000 Hz"
    expect_stderr "8000..384000 Hz"
    [[ ! -e out.wav ]] || fail "output created for a refused file"
    no_temp_files .
}

case_missing_directory() {
    gen -d 0.2 in.wav
    run in.wav -o nodir/out.wav
    expect_status 1
    expect_stderr "tempitch: nodir/out.wav: "
    [[ ! -e nodir ]] || fail "directory created"
    # Root ignores permissions, so the read-only case only means something
    # for other users.
    if [[ $(id -u) -ne 0 ]]; then
        mkdir ro
        chmod 555 ro
        run in.wav -o ro/out.wav
        expect_status 1
        expect_stderr "tempitch: ro/out.wav: "
        [[ -z $(ls -A ro) ]] || fail "files left in a read-only directory"
    fi
    no_temp_files .
}

case_write_failure() {
    # A file-size limit makes writes fail half way, as a full disk would;
    # it binds root too.  SIGXFSZ is ignored so write() reports EFBIG.
    gen -d 1 in.wav
    set +e
    (
        trap '' XFSZ
        ulimit -f 64
        exec "$TEMPITCH" in.wav -o out.wav
    ) >stdout.txt 2>stderr.txt
    status=$?
    set -e
    last_args="in.wav -o out.wav (ulimit -f 64)"
    expect_status 1
    expect_stderr "tempitch: out.wav: "
    [[ ! -e out.wav ]] || fail "partial output left behind"
    no_temp_files .
}

case_signal_cleanup() {
    # The input is a FIFO fed half a file and then held open, so tempitch
    # is stuck mid-stream with its temporary output open when the signal
    # comes.  Job control (set -m) keeps SIGINT deliverable to a
    # background job.
    gen -d 2 big.wav
    set -m
    for sig in TERM INT; do
        rm -f in.wav
        mkfifo in.wav
        (
            head -c 100000 big.wav
            exec sleep 60
        ) >in.wav 2>/dev/null &
        local writer=$!
        "$TEMPITCH" in.wav -o out.wav >stdout.txt 2>stderr.txt &
        local pid=$! tries=0
        until [[ -n $(find . -name '.out.wav.tmp.*') ]]; do
            ((++tries < 200)) || fail "no temporary file appeared"
            sleep 0.05
        done
        kill -"$sig" "$pid"
        set +e
        wait "$pid"
        status=$?
        set -e
        kill "$writer" 2>/dev/null || true
        wait "$writer" 2>/dev/null || true
        local want=$((128 + $(kill -l "$sig")))
        [[ $status -eq $want ]] || fail "SIG$sig: exit $status, expected $want"
        [[ ! -e out.wav ]] || fail "SIG$sig: output left behind"
        no_temp_files .
    done
}

case_quiet() {
    gen -d 0.2 in.wav
    run -T 1.25 in.wav -o out.wav
    expect_status 0
    expect_stdout "files: 1 ok, 0 failed, 0 skipped (1 in all)"
    grep -qE '^in\.wav +0\.200 +[0-9.]+ +[0-9.]+ +ok$' stdout.txt ||
        fail "no table row for in.wav: $(cat stdout.txt)"
    expect_no_stderr
    # -v adds the settings and one line per file, on stderr.
    run -v --force -T 1.25 in.wav -o out.wav
    expect_status 0
    expect_stderr "tempo: 1.25 (speed factor"
    expect_stderr "in.wav -> out.wav: 0.200 s -> 0.160 s in "
    expect_stderr "x realtime)"
    expect_stdout "files: 1 ok"
    run -q --force -T 1.25 in.wav -o out.wav
    expect_status 0
    [[ ! -s stdout.txt && ! -s stderr.txt ]] || fail "-q printed something"
    # The last of -q and -v wins.
    run -q -v --force in.wav -o out.wav
    expect_status 0
    expect_stderr "in.wav -> out.wav: "
    run -v -q --force in.wav -o out.wav
    expect_status 0
    [[ ! -s stdout.txt && ! -s stderr.txt ]] || fail "-v -q printed something"
}

case_identity() {
    gen -d 1 in.wav
    run -q in.wav -o out.wav
    expect_status 0
    require_real_engine out.wav
    [[ $(info in.wav hash) == $(info out.wav hash) ]] ||
        fail "tempo 1, pitch 0 changed the samples"
}

# Formants (issue 6): -F and --formant-semitones.
case_formant() {
    gen -d 0.5 in.wav
    # Pitch 0: -F alone changes nothing, bit for bit, and adds no tag.
    run -q -T 1.25 in.wav -o plain.wav
    expect_status 0
    run -q -F -T 1.25 in.wav -o kept.wav
    expect_status 0
    cmp plain.wav kept.wav || fail "-F with pitch 0 changed the output"
    run -q -F in.wav
    expect_status 0
    [[ -f in.copy.wav ]] || fail "-F alone: no in.copy.wav: $(ls)"
    # With a pitch shift it changes the output, which is named after it.
    run -q -p 3 in.wav
    expect_status 0
    run -q -p 3 --formant in.wav
    expect_status 0
    [[ -f in.p+3.wav && -f in.p+3.F.wav ]] || fail "bad names: $(ls)"
    require_real_engine in.p+3.F.wav
    ! cmp -s in.p+3.wav in.p+3.F.wav || fail "-F did not change a pitch shift"
    [[ $(info in.p+3.F.wav frames) -eq $(info in.wav frames) ]] ||
        fail "-F changed the length"
    # --formant-semitones implies -F and works without a pitch shift.
    run -q --formant-semitones -2.5 in.wav
    expect_status 0
    [[ -f in.F-2.5.wav ]] || fail "no in.F-2.5.wav: $(ls)"
    ! cmp -s in.wav in.F-2.5.wav || fail "--formant-semitones changed nothing"
    for v in 25 -24.5 nan abc "" 1e309; do
        run --formant-semitones "$v" in.wav -o out.wav
        expect_status 2
        expect_stderr "invalid formant shift '$v'"
        expect_stderr "-24..24"
    done
    [[ ! -e out.wav ]] || fail "output created after a usage error"
}

case_clipping() {
    # Peaks near 1.6: integer and lossy outputs go through the limiter,
    # which keeps every sample below full scale (nothing clipped, nothing
    # wrapped) and says how much it did.
    gen -d 0.5 -a 1.6 loud.wav
    run -p 0 loud.wav -o out.flac
    expect_status 0
    require_real_engine out.flac
    expect_stderr "tempitch: out.flac: limited "
    expect_stderr " samples, max -"
    ! grep -q clipped stderr.txt || fail "clipped: $(cat stderr.txt)"
    [[ $(info out.flac fullscale) -eq 0 ]] ||
        fail "$(info out.flac fullscale) samples at full scale"
    awk -v p="$(info out.flac peak)" 'BEGIN { exit !(p <= 0.999) }' ||
        fail "limited output peaks at $(info out.flac peak)"
    # 16-bit, with a pitch and tempo change: no sample at or beyond full
    # scale, and the length exact.
    run -q -p 3 -T 1.25 --subtype pcm16 loud.wav -o out16.wav
    expect_status 0
    [[ $(info out16.wav fullscale) -eq 0 ]] ||
        fail "16-bit: $(info out16.wav fullscale) samples at full scale"
    [[ $(info out16.wav frames) -eq $(expected_frames "$(info loud.wav frames)" 1.25) ]] ||
        fail "16-bit: $(info out16.wav frames) frames"
    # Float output keeps the peaks and has nothing to report.
    run loud.wav -o out.wav
    expect_status 0
    [[ ! -s stderr.txt ]] || fail "warning for a float output: $(cat stderr.txt)"
    awk -v p="$(info out.wav peak)" 'BEGIN { exit !(p > 1.0) }' ||
        fail "float output limited: peak $(info out.wav peak)"
    run -q --force loud.wav -o out.flac
    [[ ! -s stderr.txt ]] || fail "-q did not silence the limiter warning"
    # Lossy encoders never see more than full scale: LAME aborted the
    # whole process on floats far beyond it (found by fuzz_convert).
    gen -d 0.5 -s float -a 1e9 huge.wav
    run huge.wav -o huge.mp3
    expect_status 0
    expect_stderr "tempitch: huge.mp3: limited "
    [[ $(info huge.mp3 frames) -gt 0 ]] || fail "no MP3 output"
    # Below the ceiling the limiter does nothing at all: the same samples
    # as the old policy (--clip), and for Vorbis, whose encoder depends on
    # how the audio is handed to it, the same encoded audio too.
    gen -d 0.5 quiet.wav
    run -p 2 quiet.wav -o quiet.flac
    expect_no_stderr
    run -q -p 2 quiet.wav -o quiet.ogg
    run -q -p 2 --subtype pcm16 quiet.wav -o quiet16.w64
    run -q -p 2 --clip quiet.wav -o clip.flac
    run -q -p 2 --clip quiet.wav -o clip.ogg
    run -q -p 2 --clip --subtype pcm16 quiet.wav -o clip16.w64
    [[ $(info quiet.flac hash) == $(info clip.flac hash) ]] ||
        fail "the limiter changed a FLAC output below the ceiling"
    [[ $(info quiet.ogg hash) == $(info clip.ogg hash) ]] ||
        fail "the limiter changed an Ogg output below the ceiling"
    # W64 stores no settings stamp: there the bytes are the same.
    cmp quiet16.w64 clip16.w64 || fail "the limiter changed a W64 output"
}

# --clip: the policy before the limiter, hard clipping at full scale.
case_clip_option() {
    gen -d 0.5 -a 1.6 loud.wav
    run -p 3 -T 1.25 --clip --subtype pcm16 loud.wav -o clip16.wav
    expect_status 0
    require_real_engine clip16.wav
    expect_stderr "tempitch: clip16.wav: "
    expect_stderr " samples clipped"
    ! grep -q limited stderr.txt || fail "limited with --clip: $(cat stderr.txt)"
    [[ $(info clip16.wav fullscale) -gt 0 ]] || fail "nothing clipped"
    [[ $(info clip16.wav str_software) == *" --clip ("* ]] ||
        fail "stamp: $(info clip16.wav str_software)"
    # Exactly the float output, clipped: converting that (tempo 1 and
    # pitch 0 copy the samples) with --clip gives the same samples, and
    # the same bytes where no stamp is stored.
    run -q -p 3 -T 1.25 loud.wav -o float.wav
    run -q --clip --subtype pcm16 float.wav -o byhand.wav
    [[ $(info clip16.wav hash) == $(info byhand.wav hash) ]] ||
        fail "--clip is not hard clipping of the float output"
    run -q -p 3 -T 1.25 --clip --subtype pcm16 loud.wav -o clip16.au
    run -q --clip --subtype pcm16 float.wav -o byhand.au
    cmp clip16.au byhand.au || fail "--clip: AU bytes differ"
    # The limited output differs only around the peaks.
    run -q -p 3 -T 1.25 --subtype pcm16 loud.wav -o limited.wav
    [[ $(info limited.wav hash) != $(info clip16.wav hash) ]] ||
        fail "--clip and the limiter agree on a loud file"
    [[ $(info limited.wav frames) -eq $(info clip16.wav frames) ]] ||
        fail "--clip changed the length"
    # u-law and A-law are clipped too, never wrapped around (libsndfile
    # wraps them even with its clipping on): the copy of a 1.6 peak is off
    # by 0.6 at most, plus the codec's step, with --clip and the limiter.
    local s opt
    for s in ulaw alaw; do
        for opt in --clip --force; do
            run -q "$opt" --subtype "$s" loud.wav -o "$s.wav"
            expect_status 0
            awk -v d="$("$WAVINFO" "$s.wav" loud.wav | sed -n 's/^maxdiff=//p')" \
                'BEGIN { exit !(d >= 0 && d < 0.65) }' ||
                fail "$s $opt: off by $("$WAVINFO" "$s.wav" loud.wav | sed -n 's/^maxdiff=//p')"
        done
    done
    # A batch-only option.
    run --bench --clip
    expect_status 2
}

run_case
