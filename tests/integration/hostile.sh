#!/usr/bin/env bash
# Names and paths that a careless tool would get wrong (issue 11): the
# --report file is never an input or an output; names of open descriptors
# (/dev/stdout) are streams, never replaced; a manifest follows the
# command line's rules for '-'; control characters in names never reach
# the terminal raw; names near the file system's length limit; a BOM in a
# manifest; --format/--subtype pairs libsndfile cannot write; inputs
# shorter than their container declares, in every container that
# declares a length, and placeholder lengths that are not truncations;
# -q silencing what libraries print on their own; pipes read by one job
# only; names that are not UTF-8 kept in the JSON.
# docs/errors.md lists the same cases with the messages checked here.
#
# usage: hostile.sh CASE TEMPITCH GEN_SIGNAL WAVINFO

# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# frames_ok FILE N TEMPO: FILE has round(N / TEMPO) frames.
frames_ok() {
    local want got
    want=$(expected_frames "$2" "$3")
    got=$(info "$1" frames)
    [[ $got == "$want" ]] || fail "$1: $got frames, expected $want"
}

case_report_paths() {
    gen -d 0.2 in.wav
    gen -d 0.2 b.wav
    cp in.wav orig.wav
    ln in.wav hard.wav
    ln -s in.wav sym.wav
    # the report named as the input, by any name; and as one of the outputs
    for rep in in.wav ./in.wav "$PWD/in.wav" hard.wav sym.wav; do
        run --report "$rep" in.wav b.wav -o out/
        expect_status 2
        expect_stderr "tempitch: $rep: the --report file is the input in.wav (refusing to write to it)"
    done
    run --report out/b.wav in.wav b.wav -o out/
    expect_status 2
    expect_stderr "tempitch: out/b.wav: the --report file is the output of b.wav (refusing to write to it)"
    cmp -s in.wav orig.wav || fail "the input was appended to"
    [[ ! -e out ]] || fail "a usage error wrote out/"
    run -q --report r.jsonl in.wav b.wav -o out/
    expect_status 0
    [[ $(wc -l <r.jsonl) -eq 2 ]] || fail "report has $(wc -l <r.jsonl) lines"
}

case_descriptor_names() {
    gen -d 0.3 in.wav
    local n
    n=$(info in.wav frames)
    "$TEMPITCH" -p 2 in.wav -o - >plain.wav
    # A link of ours to /proc/self/fd/1 (what /dev/stdout is) and
    # /dev/fd/1 are -o -: the audio goes to standard output (here a file)
    # and the link stays a link.  Not /dev/stdout itself: a tempitch that
    # got this wrong would replace the system's link.
    ln -s /proc/self/fd/1 so
    ln -s so so2
    for out in so so2 /dev/fd/1; do
        set +e
        "$TEMPITCH" --force -p 2 in.wav -o "$out" >got.wav 2>stderr.txt
        status=$?
        set -e
        last_args="--force -p 2 in.wav -o $out"
        expect_status 0
        cmp -s got.wav plain.wav || fail "-o $out differs from -o -"
    done
    [[ -L so && -L so2 ]] || fail "the link so or so2 was replaced"
    frames_ok got.wav "$n" 1
    # Any other descriptor is refused before anything runs.
    run --force in.wav -o /dev/fd/2
    expect_status 2
    expect_stderr "tempitch: -o /dev/fd/2: names an open file descriptor, not a file"
    ln -s /dev/fd/2 se
    run --force in.wav -o se
    expect_status 2
    expect_stderr "tempitch: -o se: names an open file descriptor"
    [[ -L se ]] || fail "the link se was replaced"
    # As a manifest row's output: that job fails, the others run.
    printf 'input,output\nin.wav,se\nin.wav,m.wav\n' >m.csv
    run -q --force --manifest m.csv
    expect_status 1
    expect_stderr "tempitch: se: names an open file descriptor, not a file"
    [[ -L se ]] || fail "the link se was replaced by the manifest job"
    frames_ok m.wav "$n" 1
    no_temp_files .
}

case_manifest_stdin() {
    gen -d 0.3 in.wav
    local n
    n=$(info in.wav frames)
    printf 'input,output\n-,s1.wav\n-,s2.wav\n' >two.csv
    run --manifest two.csv <in.wav
    expect_status 2
    expect_stderr "tempitch: two.csv:3: '-' (stdin) is already the input of line 2 (stdin can be read once)"
    printf 'input\n-\n' >noout.csv
    run --manifest noout.csv -o o/ <in.wav
    expect_status 2
    expect_stderr "tempitch: noout.csv:2: '-' (stdin) needs an output in its row"
    printf 'input,output\n-,s1.wav\n' >one.csv
    run -p 1,2 --manifest one.csv <in.wav
    expect_status 2
    expect_stderr "tempitch: one.csv:2: '-' (stdin) would be read by several jobs of this row"
    run --normalize --manifest one.csv <in.wav
    expect_status 2
    expect_stderr "tempitch: one.csv:2: --normalize reads the input twice"
    run --manifest - <one.csv
    expect_status 2
    expect_stderr "tempitch: stdin:2: '-' (stdin) cannot be an input: the manifest itself is read from stdin"
    printf 'input,output\nin.wav,-\n' >so.csv
    run --manifest so.csv
    expect_status 2
    expect_stderr "tempitch: so.csv:2: '-' (stdout) cannot be a manifest row's output"
    [[ ! -e s1.wav && ! -e s2.wav && ! -e o ]] || fail "a usage error wrote a file"
    # One row reading stdin, with its output, among others: as the command
    # line's "- -o FILE".
    printf 'input,output\n-,s1.wav\nin.wav,f.wav\n' >ok.csv
    run -q -p 2 --manifest ok.csv <in.wav
    expect_status 0
    run -q -p 2 - -o cl.wav <in.wav
    expect_status 0
    cmp -s s1.wav cl.wav || fail "the manifest's stdin job differs from - -o FILE"
    frames_ok s1.wav "$n" 1
}

case_control_names() {
    gen -d 0.2 b.wav
    local evil=$'evil\e]0;x\a\e[2J.wav' nl=$'two\nlines.wav'
    cp b.wav "$evil"
    run "$evil" "$nl" -o out/
    expect_status 1
    expect_stderr "tempitch: two?lines.wav: No such file or directory"
    ! grep -q $'\e' stderr.txt || fail "an escape character reached stderr"
    ! grep -q $'\a' stderr.txt || fail "a bell character reached stderr"
    [[ $(wc -l <stderr.txt) -eq 1 ]] ||
        fail "one failed file, $(wc -l <stderr.txt) lines: $(cat -v stderr.txt)"
    ! grep -q $'\e' stdout.txt || fail "an escape character reached the table"
    # the verbose lines too
    run -v --force "$evil" -o "$evil.out.wav"
    expect_status 0
    expect_stderr "evil?]0;x??[2J.wav -> evil?]0;x??[2J.wav.out.wav"
    ! grep -q $'\e' stderr.txt || fail "an escape character reached stderr (-v)"
}

case_long_names() {
    gen -d 0.2 b.wav
    local n name
    n=$(info b.wav frames)
    # 255 bytes, the limit of most file systems: the temporary name must
    # still fit.
    for len in 243 244 250 255; do
        name=$(head -c $((len - 4)) /dev/zero | tr '\0' a).wav
        run -q -T 1.25 b.wav -o "$name"
        expect_status 0
        frames_ok "$name" "$n" 1.25
        rm -f "$name"
    done
    no_temp_files .
    # A path of more than 1024 bytes, libsndfile's own limit for names: the
    # input is opened by descriptor, the output needs no libsndfile name.
    local dir=.
    for _ in 1 2 3 4 5 6; do
        dir=$dir/$(head -c 200 /dev/zero | tr '\0' d)
    done
    mkdir -p "$dir"
    cp b.wav "$dir/in.wav"
    [[ ${#dir} -gt 1024 ]] || fail "the test path is only ${#dir} bytes"
    run -q -T 1.25 "$dir/in.wav" -o "$dir/out.wav"
    expect_status 0
    run -q -T 1.25 "$dir/in.wav" -o short.wav
    expect_status 0
    frames_ok short.wav "$n" 1.25
    cmp -s short.wav "$dir/out.wav" || fail "the long path gave other bytes"
}

# le64 N: N (below 2^63) as little-endian bytes in echo -e notation.
le64() {
    printf '%s%s' "$(le32 $(($1 & 0xffffffff)))" "$(le32 $(($1 >> 32)))"
}
# cut FILE PERCENT OUT: the first PERCENT % of FILE's bytes.
cut_to() {
    head -c $(($(wc -c <"$1") * $2 / 100)) "$1" >"$3"
}
# expect_truncated FILE: the run failed on FILE with a truncation
# message and wrote nothing.
expect_truncated() {
    expect_status 1
    grep -qE "^tempitch: $1: truncated: (header says [0-9]+ (frames|bytes of MPEG audio), file holds [0-9]+|the stream ends without its end mark)\$" \
        stderr.txt || fail "$1 not reported truncated: $(cat stderr.txt)"
    [[ ! -e o.wav ]] || fail "$1: an output was written"
}

case_truncated_containers() {
    gen -d 1 -s pcm16 -c 1 one.wav
    local n f
    n=$(info one.wav frames)
    # Every container with a length field, cut to 60 %: AU and W64 were
    # read as complete before (libsndfile logs nothing for them).
    for f in au w64 caf aiff rf64 mp3 ogg; do
        run -q one.wav -o "whole.$f"
        expect_status 0
        cut_to "whole.$f" 60 "cut.$f"
        run -q -T 1.25 "cut.$f" -o o.wav
        expect_truncated "cut.$f"
        run -q -T 1.25 "whole.$f" -o o.wav
        expect_status 0
        [[ $f == mp3 || $f == ogg ]] || frames_ok o.wav "$n" 1.25
        rm o.wav
    done
    # The same from standard input, when it is a regular file.
    run -q -T 1.25 - -o o.wav <cut.au
    expect_truncated -
    # MP3: the Xing header's byte count excludes an ID3v2 tag before it.
    printf 'ID3\x04\x00\x00\x00\x00\x10\x00' >tagged.mp3
    head -c 2048 /dev/zero >>tagged.mp3
    cat whole.mp3 >>tagged.mp3
    run -q -T 1.25 tagged.mp3 -o o.wav
    expect_status 0
    rm o.wav
    cut_to tagged.mp3 90 cut-tagged.mp3
    run -q -T 1.25 cut-tagged.mp3 -o o.wav
    expect_truncated cut-tagged.mp3
    # Two Ogg streams one after another: libsndfile would read the first
    # and report the half as the whole.
    cat whole.ogg whole.ogg >chain.ogg
    run -q -T 1.25 chain.ogg -o o.wav
    expect_status 1
    expect_stderr "tempitch: chain.ogg: chained Ogg file (streams one after another): libsndfile would read only the first"
    [[ ! -e o.wav ]] || fail "chain.ogg: an output was written"
    # Opus: the last page carries the end-of-stream flag.
    gen -d 1 -r 48000 o48.wav
    run -q o48.wav -o whole.opus
    cut_to whole.opus 75 cut.opus
    run -q cut.opus -o o.wav
    expect_truncated cut.opus
    # A WAV declaring 2 GiB of data (a real length, not a placeholder)
    # that holds 1 s was taken for a stream of unknown length.
    cp one.wav big.wav
    poke big.wav 4 "$(le32 $((0x80000000 + 36)))"
    poke big.wav 40 "$(le32 $((0x80000000)))"
    run -q -T 1.25 big.wav -o o.wav
    expect_status 1
    expect_stderr "tempitch: big.wav: truncated: header says 1073741824 frames, file holds $n"
    # RF64 with 2^31 + 100 frames declared in ds64 (libsndfile's log shows
    # the count as a negative 32-bit number).
    cp whole.rf64 big.rf64
    local ds64
    ds64=$(grep -obUaF ds64 big.rf64 | head -n 1 | cut -d: -f1)
    poke big.rf64 $((ds64 + 16)) "$(le64 $(((2147483648 + 100) * 2)))"
    poke big.rf64 $((ds64 + 24)) "$(le64 $((2147483648 + 100)))"
    run -q -T 1.25 big.rf64 -o o.wav
    expect_status 1
    expect_stderr "tempitch: big.rf64: truncated: header says 2147483748 frames, file holds $n"
    # Placeholders from streaming writers are lengths "unknown", not
    # truncations: sox's 0x7ffff000, 0xffffffff; read to the end.
    for v in 0x7ffff000 0xffffffff; do
        cp one.wav ph.wav
        poke ph.wav 40 "$(le32 $((v)))"
        run -q -T 1.25 ph.wav -o o.wav
        expect_status 0
        frames_ok o.wav "$n" 1.25
        rm o.wav
    done
    no_temp_files .
}

case_quiet_libraries() {
    gen -d 1 one.wav
    run -q one.wav -o whole.mp3
    # 5 % more bytes than the Xing header counts: libmpg123 then prints
    # its own "Warning: Xing stream size off by more than 1%" on stderr.
    cp whole.mp3 long.mp3
    head -c $(($(wc -c <whole.mp3) / 20)) /dev/zero >>long.mp3
    cp long.mp3 long2.mp3
    run -q -j 2 -T 1.25 long.mp3 missing.wav long2.mp3 -o out/
    expect_status 1
    [[ $(cat stderr.txt) == "tempitch: missing.wav: No such file or directory" ]] ||
        fail "-q printed more than the error: $(cat stderr.txt)"
    run -q -T 1.25 long.mp3 -o o.wav
    expect_status 0
    [[ ! -s stderr.txt ]] || fail "-q printed: $(cat stderr.txt)"
    # The table and the messages still reach stderr without -q.
    run -T 1.25 long.mp3 missing.wav -o out2/
    expect_stderr "tempitch: missing.wav: No such file or directory"
}

case_stream_inputs() {
    gen -d 0.2 b.wav
    local n
    n=$(info b.wav frames)
    # Two jobs of '-' read one pipe: each got part of it, or nothing.
    set +e
    "$TEMPITCH" -q -p 1,2 - -o out/ <b.wav >stdout.txt 2>stderr.txt
    status=$?
    set -e
    last_args="-q -p 1,2 - -o out/"
    expect_status 2
    expect_stderr "tempitch: '-' (stdin) would be read by several jobs (give it one pitch and one tempo)"
    [[ ! -e out ]] || fail "a usage error wrote out/"
    # The same pipe by other names: the first job reads it, the others
    # fail with the reason instead of reading what it left.
    run_piped b.wav -q -p 1,2 /dev/stdin -o out/
    expect_status 1
    [[ $(cat stderr.txt) == "tempitch: /dev/stdin: a pipe or device can be read only once, and an earlier job reads it (save it to a file for several outputs)" ]] ||
        fail "stderr: $(cat stderr.txt)"
    frames_ok out/stdin.p+1 "$n" 1
    [[ ! -e out/stdin.p+2 ]] || fail "the second job wrote an output"
    # MP3 through a pipe: libsndfile 1.2 reads past a buffer there
    # (AddressSanitizer), so it is refused; redirected from the file it runs.
    run -q b.wav -o b.mp3
    run_piped b.mp3 -q - -o m.wav
    expect_status 1
    expect_stderr "tempitch: -: cannot decode MP3 from a pipe (libsndfile 1.2 reads past its buffer there); give the file by name or redirect it (< file.mp3)"
    [[ ! -e m.wav ]] || fail "the MP3 pipe wrote m.wav"
    run -q - -o m.wav <b.mp3
    expect_status 0
    frames_ok m.wav "$n" 1
    # A regular file behind /dev/stdin can be opened again: both run.
    rm -rf out
    run -q -p 1,2 /dev/stdin -o out/ <b.wav
    expect_status 0
    frames_ok out/stdin.p+1 "$n" 1
    frames_ok out/stdin.p+2 "$n" 1
}

case_output_symlink() {
    gen -d 0.2 b.wav
    echo keep >target.txt
    ln -s target.txt link.wav
    run -q -T 1.25 b.wav -o link.wav
    expect_status 1
    expect_stderr "exists"
    run -q -T 1.25 --force b.wav -o link.wav
    expect_status 0
    [[ ! -L link.wav ]] || fail "link.wav is still a link"
    [[ $(cat target.txt) == keep ]] || fail "the write went through the link"
    frames_ok link.wav "$(info b.wav frames)" 1.25
}

case_json_names() {
    # A Latin-1 name is not UTF-8: the JSON keeps it, as hex bytes.
    gen -d 0.2 b.wav
    local name=$'caf\xe9.wav'
    cp b.wav "$name"
    run -q --report r.jsonl --json "$name" -o out/
    expect_status 0
    command -v python3 >/dev/null 2>&1 || skip "no python3 to read the JSON"
    python3 - "$name" <<'PY' || fail "names in the JSON: $(cat r.jsonl)"
import json, os, sys
name = os.fsencode(sys.argv[1])
line = json.loads(open("r.jsonl", "rb").readline())
doc = json.load(open("stdout.txt", "rb"))
for f in (line, doc["files"][0]):
    assert f["input"] == "caf\ufffd.wav", f
    assert bytes.fromhex(f["input_bytes"]) == name, f
    assert bytes.fromhex(f["output_bytes"]) == b"out/" + name, f
    assert os.path.exists(bytes.fromhex(f["output_bytes"]))
PY
    run -q --report u.jsonl b.wav -o out2/
    grep -q _bytes u.jsonl && fail "a UTF-8 name got a _bytes field: $(cat u.jsonl)"
    return 0
}

case_manifest_bom() {
    gen -d 0.2 b.wav
    # Excel's "CSV UTF-8" starts with a byte order mark.
    printf '\xef\xbb\xbfinput,output,tempo\nb.wav,m.wav,1.25\n' >bom.csv
    run -q --manifest bom.csv
    expect_status 0
    frames_ok m.wav "$(info b.wav frames)" 1.25
    # Only at the very start: elsewhere it is part of a name.
    printf 'input,output\n\xef\xbb\xbfb.wav,n.wav\n' >mid.csv
    run -q --manifest mid.csv
    expect_status 1
    expect_stderr "No such file or directory"
}

case_impossible_subtype() {
    gen -d 0.2 b.wav
    for pair in "wav mp3" "aiff vorbis" "flac opus" "ogg pcm16"; do
        # shellcheck disable=SC2086
        set -- $pair
        run --format "$1" --subtype "$2" b.wav -o "x.$1"
        expect_status 2
        expect_stderr "tempitch: --format $1 cannot store --subtype $2"
        [[ ! -e x.$1 ]] || fail "--format $1 --subtype $2 wrote a file"
    done
    run -q --format wav --subtype ulaw b.wav -o ok.wav
    expect_status 0
}

run_case
