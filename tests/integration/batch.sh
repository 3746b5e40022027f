#!/usr/bin/env bash
# Batch behaviour of tempitch: several inputs, -o file/directory rules,
# output names, skips and failures among good files, message and table
# order, -T X:Y, -D, -j, byte-identical outputs, the table, JSON, the
# progress line, and the --bench options.
#
# usage: batch.sh CASE TEMPITCH GEN_SIGNAL WAVINFO
#
# Each CASE is registered as its own meson test.  Exit 0 pass, 1 fail,
# 77 skip.

# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PYTHON=$(command -v python3 || true)

# check_json EXPR: stdout.txt is one JSON object `d` for which the Python
# expression holds.
check_json() {
    [[ -n $PYTHON ]] || skip "no python3 to parse JSON"
    "$PYTHON" -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" <stdout.txt ||
        fail "JSON of '$last_args' is invalid or fails '$1': $(cat stdout.txt)"
}
# table_inputs: the "input" column of the table rows in stdout.txt, one per
# line (rows lie between the header and the "files:" line).
table_inputs() {
    awk '/^input /{on=1; next} /^files: /{on=0} on {print $1}' stdout.txt
}
# stderr_files: the FILE of each "tempitch: FILE: reason" line, in order.
stderr_files() {
    sed -n 's/^tempitch: \([^:]*\): .*/\1/p' stderr.txt
}
# same_bytes A B: the two files are identical.
same_bytes() {
    cmp -s "$1" "$2" || fail "$1 and $2 differ"
}

case_suffix_names() {
    gen -d 0.3 song.wav
    gen -d 0.3 -s pcm16 take.wav
    cp song.wav noext
    cp song.wav .hidden
    cp song.wav orig.wav
    mkdir sub
    gen -d 0.3 sub/deep.wav
    run -q -p 3 -T 1.25 song.wav sub/deep.wav
    expect_status 0
    [[ -f song.p+3.T1.25.wav && -f sub/deep.p+3.T1.25.wav ]] ||
        fail "-p 3 -T 1.25 names: $(ls . sub)"
    same_bytes song.wav orig.wav
    run -q -f 0.5 song.wav
    expect_status 0
    [[ -f song.f0.5.wav ]] || fail "-f 0.5 name: $(ls)"
    run -q -t 0.8 song.wav
    expect_status 0
    [[ -f song.t0.8.wav ]] || fail "-t 0.8 name: $(ls)"
    run -q -D 0.5 song.wav
    expect_status 0
    [[ -f song.D0.5.wav ]] || fail "-D 0.5 name: $(ls)"
    run -q -p -2.5 song.wav
    expect_status 0
    [[ -f song.p-2.5.wav ]] || fail "-p -2.5 name: $(ls)"
    # Settings at their default are left out; no change at all is a copy.
    run -q -p 0 -T 1.5 song.wav
    expect_status 0
    [[ -f song.T1.5.wav ]] || fail "-p 0 -T 1.5 name: $(ls)"
    run -q -p 0 -T 1 song.wav noext .hidden
    expect_status 0
    [[ -f song.copy.wav && -f noext.copy && -f .hidden.copy ]] ||
        fail "copy names: $(ls -A)"
    # -T X:Y is named by its speed factor.
    run -q -T 120:150 take.wav
    expect_status 0
    [[ -f take.T1.25.wav ]] || fail "-T 120:150 name: $(ls)"
    # The extension, and so the format, is kept.
    run -q song.wav -o song.flac
    # (a tempitch output, taken as an input only when asked: own_outputs)
    run -q --include-outputs -p 1 song.flac
    expect_status 0
    [[ -f song.p+1.flac ]] || fail "flac name: $(ls)"
    [[ $(info song.p+1.flac major) == 0x170000 ]] || fail "not a FLAC output"
    same_bytes song.wav orig.wav
    no_temp_files .
}

case_output_file() {
    gen -d 0.3 in.wav
    run -q -p 2 in.wav -o result.flac
    expect_status 0
    [[ $(info result.flac major) == 0x170000 ]] || fail "-o FILE not written"
    # A name ending in '/' is a directory, created if missing.
    run -q -p 2 in.wav -o newdir/
    expect_status 0
    [[ -f newdir/in.wav ]] || fail "-o newdir/ did not write newdir/in.wav"
}

case_output_existing_dir() {
    gen -d 0.3 in.wav
    mkdir outdir
    run -q -p 2 in.wav -o outdir
    expect_status 0
    [[ -f outdir/in.wav ]] || fail "one input, -o DIR: $(ls outdir)"
    # A symlink to a directory is a directory.
    ln -s outdir link
    run -q -p 2 -T 1.1 in.wav -o link
    expect_status 1 # outdir/in.wav exists now
    expect_stderr "tempitch: link/in.wav: exists (use --force to overwrite)"
}

case_output_new_dir() {
    gen -d 0.3 a.wav
    gen -d 0.4 b.wav
    mkdir src
    gen -d 0.2 src/c.wav
    run -q -p 2 a.wav b.wav src/c.wav -o out/deeper/still
    expect_status 0
    for f in a b c; do
        [[ -f out/deeper/still/$f.wav ]] || fail "out/deeper/still/$f.wav missing"
    done
    [[ $(info out/deeper/still/b.wav frames) -eq $(info b.wav frames) ]] ||
        fail "wrong length in the directory"
    # The same batch into the existing directory, with --force.
    run -q --force -p 2 a.wav b.wav src/c.wav -o out/deeper/still
    expect_status 0
    no_temp_files .
}

case_output_dir_not_dir() {
    gen -d 0.3 a.wav
    gen -d 0.3 b.wav
    echo "keep me" >plain
    cp plain plain.orig
    run a.wav b.wav -o plain
    expect_status 2
    expect_stderr "tempitch: plain: not a directory"
    same_bytes plain plain.orig
    [[ $(ls | wc -l) -eq 6 ]] || fail "files appeared: $(ls)"
}

case_output_dir_is_input_dir() {
    # Writing into the inputs' own directory: the output name would be the
    # input itself, so the tagged name is used.
    gen -d 0.3 a.wav
    gen -d 0.3 b.wav
    cp a.wav a.orig
    run -q -p 2 a.wav b.wav -o .
    expect_status 0
    [[ -f a.p+2.wav && -f b.p+2.wav ]] || fail "names in the input dir: $(ls)"
    same_bytes a.wav a.orig
    run -q -p 2 a.wav -o "$PWD"
    expect_status 1 # a.p+2.wav exists
    expect_stderr "a.p+2.wav: exists"
}

case_failing_among_good() {
    gen -d 0.3 good1.wav
    gen -d 0.3 good2.wav
    echo "not audio" >bad.wav
    gen -d 0.2 -r 4000 lowrate.wav
    for j in 1 2 8; do
        rm -rf out
        run -j "$j" good1.wav missing.wav bad.wav good2.wav lowrate.wav -o out
        expect_status 1
        [[ -f out/good1.wav && -f out/good2.wav ]] || fail "-j $j: good files not written"
        [[ ! -e out/bad.wav && ! -e out/lowrate.wav && ! -e out/missing.wav ]] ||
            fail "-j $j: output for a failed file"
        # One message per failure, in input order, and nothing else.
        [[ $(stderr_files | tr '\n' ' ') == "missing.wav bad.wav lowrate.wav " ]] ||
            fail "-j $j: messages: $(cat stderr.txt)"
        [[ $(wc -l <stderr.txt) -eq 3 ]] || fail "-j $j: extra stderr: $(cat stderr.txt)"
        expect_stderr "tempitch: missing.wav: No such file or directory"
        expect_stderr "tempitch: lowrate.wav: unsupported sample rate 4000 Hz"
        expect_stdout "files: 2 ok, 3 failed, 0 skipped (5 in all)"
        no_temp_files .
    done
}

case_report_order() {
    # Long files first on the command line and failures after them: the
    # workers finish out of order, the reports must not.
    local inputs=() expect=() i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        if ((i % 3 == 0)); then
            gen -d 0.1 -r 4000 "f$i.wav" # fails in a worker, fast
            expect+=("f$i.wav")
        else
            gen -d "$(awk -v i="$i" 'BEGIN { print 2.2 - 0.2 * i }')" "f$i.wav"
        fi
        inputs+=("f$i.wav")
    done
    for j in 1 3 8; do
        rm -rf out
        run -v -j "$j" "${inputs[@]}" -o out
        expect_status 1
        [[ $(stderr_files | tr '\n' ' ') == "${expect[*]} " ]] ||
            fail "-j $j: failure order: $(cat stderr.txt)"
        # -v: one line per file as it is reported, in input order.
        [[ $(sed -n 's/^\(f[0-9]*\.wav\) -> .*/\1/p; s/^tempitch: \(f[0-9]*\.wav\): .*/\1/p' \
            stderr.txt | tr '\n' ' ') == "${inputs[*]} " ]] ||
            fail "-j $j: report order: $(cat stderr.txt)"
        [[ $(table_inputs | tr '\n' ' ') == "${inputs[*]} " ]] ||
            fail "-j $j: table order: $(cat stdout.txt)"
    done
}

case_skip_existing() {
    gen -d 0.3 a.wav
    gen -d 0.3 b.wav
    gen -d 0.3 c.wav
    mkdir out
    echo "precious" >out/b.wav
    cp out/b.wav b.orig
    run -p 1 a.wav b.wav c.wav -o out
    expect_status 1
    expect_stderr "tempitch: out/b.wav: exists (use --force to overwrite)"
    [[ $(wc -l <stderr.txt) -eq 1 ]] || fail "extra stderr: $(cat stderr.txt)"
    same_bytes out/b.wav b.orig
    [[ -f out/a.wav && -f out/c.wav ]] || fail "the others were not written"
    grep -qE '^b\.wav .* skipped: exists$' stdout.txt || fail "no skipped row: $(cat stdout.txt)"
    expect_stdout "files: 2 ok, 0 failed, 1 skipped (3 in all)"
    # --force replaces it.
    run -q --force -p 1 a.wav b.wav c.wav -o out
    expect_status 0
    [[ $(info out/b.wav frames) -eq $(info b.wav frames) ]] || fail "--force did not replace"
    no_temp_files .
}

# Without -o, a second run beside the first one's outputs skips them (they
# hold tempitch's stamp) instead of making song.p+2.p+2.wav; with -o, or
# --include-outputs, they are inputs like any other.
case_own_outputs() {
    gen -d 0.3 a.wav
    gen -d 0.3 b.wav
    run -q -p 2 a.wav b.wav
    expect_status 0
    cp a.p+2.wav first.bin
    run -p 2 --force a.wav a.p+2.wav b.wav b.p+2.wav
    expect_status 1
    expect_stderr "tempitch: a.p+2.wav: made by tempitch (an earlier output; --include-outputs processes it)"
    expect_stderr "tempitch: b.p+2.wav: made by tempitch (an earlier output; --include-outputs processes it)"
    [[ $(wc -l <stderr.txt) -eq 2 ]] || fail "extra stderr: $(cat stderr.txt)"
    grep -qE '^a\.p\+2\.wav .* skipped: made by tempitch$' stdout.txt ||
        fail "no skipped row: $(cat stdout.txt)"
    expect_stdout "files: 2 ok, 0 failed, 2 skipped (4 in all)"
    [[ ! -e a.p+2.p+2.wav && ! -e b.p+2.p+2.wav ]] ||
        fail "an output was processed again: $(ls)"
    # a skipped output is not an input of the batch: --force replaced it
    same_bytes a.p+2.wav first.bin
    run -q --json -p 2 a.p+2.wav b.p+2.wav a.wav
    expect_status 1
    python3 - stdout.txt <<'PY' || fail "JSON of a skipped output: $(cat stdout.txt)"
import json, sys
files = json.load(open(sys.argv[1]))["files"]
mine = [f for f in files if f["input"] == "a.p+2.wav"][0]
assert mine["status"] == "skipped", mine
assert mine["error"].startswith("made by tempitch"), mine
PY
    run -q --include-outputs -p 2 a.wav a.p+2.wav b.wav
    expect_status 1 # a.p+2.wav and b.p+2.wav exist: skipped, not forced
    [[ -f a.p+2.p+2.wav ]] || fail "--include-outputs did not process it"
    mkdir out
    run -q -p 2 a.p+2.wav b.p+2.wav -o out
    expect_status 0
    [[ -f out/a.p+2.wav && -f out/b.p+2.wav ]] || fail "-o out: $(ls out)"
    # a manifest row that names its output names its input too
    printf 'input,output\na.p+2.wav,m.wav\n' >rows.csv
    run -q -p 2 --manifest rows.csv
    expect_status 0
    [[ -f m.wav ]] || fail "a manifest row's tempitch input was skipped"
    no_temp_files .
}

case_duplicate_outputs() {
    mkdir x y
    gen -d 0.3 x/s.wav
    gen -d 0.3 y/s.wav
    run x/s.wav y/s.wav -o z
    expect_status 2
    expect_stderr "tempitch: x/s.wav and y/s.wav would both be written to z/s.wav"
    [[ ! -e z ]] || fail "output directory created for a refused batch"
    # Two spellings of one input, without -o.
    run -p 1 x/s.wav ./x/s.wav
    expect_status 2
    expect_stderr "tempitch: x/s.wav and ./x/s.wav would both be written to ./x/s.p+1.wav"
    [[ ! -e x/s.p+1.wav ]] || fail "output written for a refused batch"
}

case_output_is_input() {
    # a.wav -> a.copy.wav, which is itself an input of the batch.
    gen -d 0.3 a.wav
    gen -d 0.3 a.copy.wav
    cp a.copy.wav keep.wav
    for force in "" --force; do
        run $force a.wav a.copy.wav
        expect_status 1
        expect_stderr "tempitch: a.copy.wav: is an input of this batch"
        same_bytes a.copy.wav keep.wav
        [[ -f a.copy.copy.wav ]] || fail "the other file was not written"
        rm -f a.copy.copy.wav
    done
}

case_tempo_bpm() {
    gen -d 1 in.wav
    run -q -p 1 -T 120:150 in.wav -o bpm.wav
    expect_status 0
    run -q -p 1 -T 1.25 in.wav -o factor.wav
    expect_status 0
    same_bytes bpm.wav factor.wav
    run -q -T 150:120 in.wav -o slow_bpm.wav
    expect_status 0
    run -q -T 0.8 in.wav -o slow.wav
    expect_status 0
    same_bytes slow_bpm.wav slow.wav
    for v in 120:0 0:120 -120:150 120:-150 abc:150 120: :150 120:150:180 \
        1:100 nan:1 1:inf; do
        run -T "$v" in.wav -o bad.wav
        expect_status 2
        expect_stderr "invalid tempo '$v'"
        expect_stderr "X:Y"
    done
    [[ ! -e bad.wav ]] || fail "output written after a usage error"
}

case_duration() {
    gen -d 0.3 a.wav
    gen -d 1 b.wav
    gen -d 0.7 -r 22050 -c 1 c.wav
    gen -n 44101 d.wav
    local d want
    for d in 0.5 0.3333 1.25; do
        rm -rf out
        run -q -D "$d" a.wav b.wav c.wav d.wav -o out
        expect_status 0
        for f in a b c d; do
            want=$(awk -v d="$d" -v r="$(info "$f.wav" rate)" \
                'BEGIN { printf "%d\n", int(d * r + 0.5) }')
            [[ $(info "out/$f.wav" frames) -eq $want ]] ||
                fail "-D $d $f: $(info "out/$f.wav" frames) frames, expected $want"
        done
    done
    # A file whose tempo would leave 0.05..20 fails alone, with the reason.
    gen -d 0.05 short.wav
    rm -rf out
    run -D 2 a.wav short.wav b.wav -o out
    expect_status 1
    expect_stderr "tempitch: short.wav: "
    expect_stderr "outside 0.05..20"
    [[ -f out/a.wav && -f out/b.wav && ! -e out/short.wav ]] || fail "-D failure handling"
    # -D with a stream of unknown length.
    mkfifo pipe.wav
    run -D 2 pipe.wav -o piped.wav
    expect_status 1
    expect_stderr "tempitch: pipe.wav: length unknown"
    # Usage errors.
    for v in 0 -1 abc nan inf ""; do
        run -D "$v" a.wav -o x.wav
        expect_status 2
        expect_stderr "invalid duration"
    done
    run -D 1 -T 2 a.wav -o x.wav
    expect_status 2
    expect_stderr "both set the tempo"
    run -t 2 -D 1 a.wav -o x.wav
    expect_status 2
    expect_stderr "both set the tempo"
    [[ ! -e x.wav ]] || fail "output written after a usage error"
}

case_jobs_identical() {
    gen -d 1.3 a.wav
    gen -d 0.7 -r 22050 -c 1 -s pcm16 b.wav
    gen -d 0.5 -r 48000 -c 3 -s pcm24 c.wav
    gen -d 0.9 -a 1.4 d.wav
    run -q a.wav -o e.flac
    run -q a.wav -o f.ogg
    local inputs=(a.wav b.wav c.wav d.wav e.flac f.ogg) j f
    for j in 1 2 8 8b; do
        run -q -j "${j%b}" -p 3 -T 1.25 "${inputs[@]}" -o "out$j"
        expect_status 0
    done
    for f in "${inputs[@]}"; do
        [[ -s out1/$f ]] || fail "out1/$f missing"
        for j in 2 8 8b; do
            cmp -s "out1/$f" "out$j/$f" || fail "$f differs between -j 1 and -j ${j%b}"
        done
    done
}

case_bad_jobs() {
    gen -d 0.1 in.wav
    for v in 0 -1 x 1025 1.5 "" " 2" 2x 99999999999999999999; do
        run -j "$v" in.wav -o out.wav
        expect_status 2
        expect_stderr "invalid thread count '$v'"
        expect_stderr "1..1024"
    done
    run --jobs=0 in.wav -o out.wav
    expect_status 2
    [[ ! -e out.wav ]] || fail "output written after a usage error"
    run -q -j 1024 in.wav -o out.wav
    expect_status 0
}

case_table() {
    gen -d 0.5 b.wav
    gen -d 1.5 a.wav
    gen -d 0.25 c.wav
    run -j 2 -T 1.25 b.wav a.wav missing.wav c.wav -o out
    expect_status 1
    grep -qE '^input +audio s +time s +x realtime +status$' stdout.txt ||
        fail "no table header: $(cat stdout.txt)"
    [[ $(table_inputs | tr '\n' ' ') == "b.wav a.wav missing.wav c.wav " ]] ||
        fail "rows: $(cat stdout.txt)"
    grep -qE '^a\.wav +1\.500 +[0-9]+\.[0-9]{3} +[0-9]+\.[0-9] +ok$' stdout.txt ||
        fail "a.wav row: $(cat stdout.txt)"
    grep -qE '^missing\.wav +- +- +- +failed: No such file or directory$' stdout.txt ||
        fail "missing.wav row: $(cat stdout.txt)"
    expect_stdout "files: 3 ok, 1 failed, 0 skipped (4 in all)"
    grep -qE '^time: wall [0-9.]+ s, sum of file times [0-9.]+ s, speedup [0-9.]+x on 2 threads, parallel efficiency [0-9]+ %$' \
        stdout.txt || fail "summary line: $(cat stdout.txt)"
    # Threads used are min(-j, files that run); on one there is no
    # speedup to speak of.
    run -j 8 --force c.wav -o out
    expect_status 0
    grep -qE '^time: wall [0-9.]+ s, of which [0-9.]+ s in the file \(1 file, 1 thread\)$' \
        stdout.txt || fail "one-file summary: $(cat stdout.txt)"
    grep -q 'speedup\|efficiency' stdout.txt && fail "speedup of one file: $(cat stdout.txt)"
    run -j 1 --force a.wav c.wav -o out
    expect_status 0
    expect_stdout "in the files (2 files, 1 thread)"
    # Nothing ran at all.
    run nothing.wav
    expect_status 1
    expect_stdout "files: 0 ok, 1 failed, 0 skipped (1 in all)"
    expect_stdout "no file ran"
}

case_json() {
    gen -d 0.5 a.wav
    gen -d 1 b.wav
    mkdir out
    echo old >out/b.wav
    run --json -j 2 -p 2 a.wav missing.wav b.wav -o out
    expect_status 1
    check_json 'len(d["files"]) == 3'
    check_json '[f["input"] for f in d["files"]] == ["a.wav", "missing.wav", "b.wav"]'
    check_json '[f["status"] for f in d["files"]] == ["ok", "failed", "skipped"]'
    check_json 'd["files"][0]["output"] == "out/a.wav" and d["files"][0]["audio_seconds"] == 0.5'
    check_json 'd["files"][0]["seconds"] > 0 and d["files"][0]["realtime"] > 0'
    check_json 'd["files"][1]["error"] == "No such file or directory" and d["files"][1]["seconds"] is None'
    check_json 'd["schema"] == 2 and d["settings"]["threads"] == 2'
    # the same object as a --report line: one writer for both
    check_json 'set(d["files"][0]) == {"input","output","status","error","about","settings","frames_in","frames_out","rate","channels","audio_seconds","output_seconds","seconds","realtime","clipped","limited","limiter_gain_db","invalid_samples","gain_db","shard"}'
    check_json 'd["files"][2]["about"] == "out/b.wav"'
    s='d["summary"]'
    check_json "$s[\"ok\"] == 1 and $s[\"failed\"] == 1 and $s[\"skipped\"] == 1 and $s[\"files\"] == 3"
    check_json "$s[\"threads\"] == 1 and $s[\"wall_seconds\"] >= 0 and $s[\"sum_seconds\"] > 0"
    check_json 'd["settings"]["semitones"] == 2 and d["settings"]["tempo"] == 1'
    # The messages still go to stderr; stdout holds only the JSON.
    expect_stderr "tempitch: missing.wav: "
    # --json is data the user asked for: -q does not suppress it.
    run -q --json --force a.wav -o out
    expect_status 0
    check_json 'd["summary"]["ok"] == 1'
    expect_no_stderr
}

case_json_escaping() {
    [[ -n $PYTHON ]] || skip "no python3 to parse JSON"
    local names=('q"uote.wav' 'back\slash.wav' $'new\nline.wav' $'tab\t.wav'
        'ünïcode.wav' $'bad\xff.wav' $'ctl\x01.wav')
    local n
    for n in "${names[@]}"; do
        gen -d 0.1 "$n"
    done
    run --json "${names[@]}" -o out
    expect_status 0
    # Expected: the names as Python reads them, invalid UTF-8 as U+FFFD.
    "$PYTHON" -c 'import json, sys
d = json.load(open("stdout.txt", "rb"))
want = [a.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        for a in sys.argv[1:]]
got = [f["input"] for f in d["files"]]
sys.exit(0 if got == want else "got %r, want %r" % (got, want))' "${names[@]}" ||
        fail "JSON names"
    # One table row per file even with a newline in a name.
    run --force "${names[@]}" -o out
    expect_status 0
    [[ $(table_inputs | wc -l) -eq ${#names[@]} ]] || fail "table rows: $(cat stdout.txt)"
}

# slow_input NAME SOURCE: NAME becomes a FIFO that delivers SOURCE after
# 1.5 s, so a batch containing it runs long enough for progress ticks.
slow_input() {
    mkfifo "$1"
    # timeout: never hang on a FIFO nobody opens if tempitch fails early.
    timeout 30 bash -c 'sleep 1.5; cat "$2" >"$1"' _ "$1" "$2" &
}

case_no_progress_without_tty() {
    gen -d 0.3 a.wav
    gen -d 0.3 b.wav
    slow_input slow.wav a.wav
    run -j 2 slow.wav b.wav -o out
    wait
    expect_status 0
    expect_no_stderr
    [[ $(table_inputs | tr '\n' ' ') == "slow.wav b.wav " ]] || fail "table: $(cat stdout.txt)"
}

case_progress_tty() {
    command -v script >/dev/null 2>&1 || skip "no script(1) to provide a terminal"
    gen -d 0.3 a.wav
    gen -d 0.3 b.wav
    slow_input slow.wav a.wav
    # script(1) runs the command on a pseudo-terminal: stderr is a tty.
    set +e
    script -qec "$(printf '%q ' "$TEMPITCH" -j 2 slow.wav b.wav -o out)" \
        /dev/null >tty.txt 2>&1 </dev/null
    status=$?
    set -e
    wait
    last_args="(on a terminal) -j 2 slow.wav b.wav -o out"
    [[ $status -eq 0 ]] || fail "exit $status: $(cat tty.txt)"
    grep -qaE '\[[ 0-9]+/2\] +[0-9.]+ % +[0-9.]+ s  (slow|b)\.wav' tty.txt ||
        fail "no progress line: $(cat -A tty.txt)"
    # Erased (carriage return, blanks, carriage return) before the table.
    grep -qaE $'\r +\rinput ' tty.txt || fail "progress not erased: $(cat -A tty.txt)"
    # -q: no progress even on a terminal.
    rm -rf out
    slow_input slow2.wav a.wav
    set +e
    script -qec "$(printf '%q ' "$TEMPITCH" -q -j 2 slow2.wav b.wav -o out)" \
        /dev/null >tty.txt 2>&1 </dev/null
    status=$?
    set -e
    wait
    [[ $status -eq 0 && ! -s tty.txt ]] || fail "-q on a terminal printed: $(cat -A tty.txt)"
}

# One long file: the line moves while it runs (by the audio read so far),
# not only when it ends, and never goes back.
case_progress_within_file() {
    command -v script >/dev/null 2>&1 || skip "no script(1) to provide a terminal"
    local secs=60
    sanitized && secs=8 # the sanitizers run the engine 5-20x slower
    gen -d "$secs" long.wav
    set +e
    script -qec "$(printf '%q ' "$TEMPITCH" -j 1 --fine -T 0.3 long.wav -o out.wav)" \
        /dev/null >tty.txt 2>&1 </dev/null
    status=$?
    set -e
    last_args="(on a terminal) -j 1 --fine -T 0.3 long.wav -o out.wav"
    [[ $status -eq 0 ]] || fail "exit $status: $(cat tty.txt)"
    tr '\r' '\n' <tty.txt | sed -n 's/^\[0\/1\] *\([0-9.]*\) %.*long\.wav *$/\1/p' >shares.txt
    [[ $(wc -l <shares.txt) -ge 2 ]] ||
        fail "fewer than two progress lines during the file: $(cat -A tty.txt)"
    python3 - shares.txt <<'PY' || fail "progress within the file: $(tr '\n' ' ' <shares.txt)"
import sys
v = [float(x) for x in open(sys.argv[1])]
assert all(0 < x < 100 for x in v), v
assert v == sorted(v) and v[-1] > v[0], v
PY
}

case_bench_options() {
    local spec
    # option value expected-range-text
    for spec in "--seconds 0 0.01..600" "--seconds 601 0.01..600" \
        "--channels 0 1..256" "--channels 2.5 1..256" "--rate 100 8000..384000" \
        "--reps 0 1..100" "--bench-jobs 0 1..1024" "-j 0 1..1024" \
        "-p 49 -48..48" "-T 0 0.05..20"; do
        read -r opt val range <<<"$spec"
        run --bench "$opt" "$val"
        expect_status 2
        expect_stderr "$range"
    done
    # Batch-only options are refused with --bench, and the other way round.
    for opt in "-o x.wav" "-D 3" --force -v; do
        # shellcheck disable=SC2086
        run --bench $opt
        expect_status 2
        expect_stderr "cannot be used with --bench"
    done
    gen -d 0.1 in.wav
    for opt in "--seconds 1" "--channels 1" "--rate 8000" "--reps 1" "--bench-jobs 2"; do
        # shellcheck disable=SC2086
        run $opt in.wav -o out.wav
        expect_status 2
        expect_stderr "only applies to --bench"
    done
    [[ ! -e out.wav ]] || fail "output written after a usage error"
    # The options reach the benchmark (-f as semitones).
    run --bench --bench-jobs 1 --seconds 0.05 --reps 1 -j 1 -f 2 -T 120:150 \
        --channels 1 --rate 8000 -q
    expect_status 0
    expect_stdout "+12 st, tempo 1.25"
    expect_stdout "mono"
    expect_stdout "8000 Hz"
}

run_case
