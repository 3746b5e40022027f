#!/usr/bin/env bash
# How the job list is built: -r folders (sorted walk, hidden and temporary
# files skipped, the tree mirrored under -o, symlink loops), --name
# templates and their errors, --format/--subtype, metadata strings carried
# over, value lists as variants, and --manifest.
#
# usage: jobs.sh CASE TEMPITCH GEN_SIGNAL WAVINFO
#
# Each CASE is registered as its own meson test.  Exit 0 pass, 1 fail,
# 77 skip.

# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PYTHON=$(command -v python3 || true)

# files_under DIR: every file (and symlink) below DIR, sorted, one a line.
files_under() {
    (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
}
# expect_files DIR LIST...: the files below DIR are exactly LIST.
expect_files() {
    local dir=$1
    shift
    local want got
    want=$(printf '%s\n' "$@" | LC_ALL=C sort)
    got=$(files_under "$dir")
    [[ $got == "$want" ]] ||
        fail "files under $dir:"$'\n'"$got"$'\n'"expected:"$'\n'"$want"
}
# expect_stderr_line LINE: stderr.txt has exactly this line.
expect_stderr_line() {
    grep -qxF -- "$1" stderr.txt ||
        fail "stderr of '$last_args' lacks the line '$1': $(cat stderr.txt)"
}
# frames_are FILE N: FILE decodes to N frames.
frames_are() {
    local got
    got=$(info "$1" frames)
    [[ $got -eq $2 ]] || fail "$1: $got frames, expected $2"
}
# snapshot FILE: the audio files below the current directory, into FILE
# (the test's own .txt files left out).
snapshot() {
    files_under . | grep -v '\.txt$' >"$1" || true
}

# A tree with audio at several depths, things that must be skipped, and
# symlinks that must not make the walk loop.
make_tree() {
    mkdir -p music/rock/live music/jazz music/.cache music/empty
    gen -n 4410 music/top.wav
    gen -n 2205 -s pcm16 music/rock/a.wav
    gen -n 3000 music/rock/live/b.wav
    gen -n 1000 music/jazz/c.wav
    "$TEMPITCH" -q music/jazz/c.wav -o music/jazz/d.flac
    gen -n 1000 music/.hidden.wav          # hidden file
    gen -n 1000 music/.cache/e.wav         # hidden directory
    cp music/top.wav music/.top.wav.tmp.AbC123   # a temporary output
    echo "not audio" >music/notes.txt      # not an audio extension
    cp music/top.wav music/cover.jpg       # audio, but not by its name
    ln -s .. music/rock/up                 # a loop through a symlink
    ln -s ../jazz music/rock/jazzlink      # a directory symlink
    ln -s ../top.wav music/rock/toplink.wav # a file symlink: taken
}

case_recursive_tree() {
    make_tree
    files_under music >before.txt
    # Without -r a directory operand is an error, as before.
    run -q music -o out
    expect_status 1
    expect_stderr_line "tempitch: music: is a directory"

    run -q -r -p 2 music -o out
    expect_status 0
    expect_no_stderr
    expect_files out top.wav rock/a.wav rock/live/b.wav rock/toplink.wav \
        jazz/c.wav jazz/d.flac
    # The format follows the extension; the length is kept.
    [[ $(info out/jazz/d.flac major) == 0x170000 ]] || fail "d.flac is not FLAC"
    frames_are out/rock/live/b.wav 3000
    frames_are out/rock/a.wav 2205
    [[ $(info out/rock/a.wav subtype) == 0x0002 ]] || fail "pcm16 not kept"
    # Nothing was written into the input tree.
    files_under music >after.txt
    cmp -s before.txt after.txt ||
        fail "input tree changed: $(diff before.txt after.txt)"

    # Jobs are in sorted, depth-first order: the table lists them so.
    run -r -p 2 --force music -o out
    expect_status 0
    local rows
    rows=$(awk '/^input /{on=1; next} /^files: /{on=0} on {print $1}' stdout.txt)
    [[ $rows == $'music/jazz/c.wav\nmusic/jazz/d.flac\nmusic/rock/a.wav\nmusic/rock/live/b.wav\nmusic/rock/toplink.wav\nmusic/top.wav' ]] ||
        fail "job order: $rows"

    # Without -o, outputs go beside their inputs, with the tagged name.
    rm -rf out
    # (d.flac is a tempitch output, which a run without -o skips unless
    # asked)
    run -q -r -T 2 --include-outputs music
    expect_status 0
    [[ -f music/rock/live/b.T2.wav && -f music/jazz/d.T2.flac &&
        -f music/top.T2.wav && -f music/rock/toplink.T2.wav ]] ||
        fail "beside names: $(files_under music)"
    frames_are music/rock/live/b.T2.wav 1500
    [[ ! -e music/.cache/e.T2.wav && ! -e music/.hidden.T2.wav ]] ||
        fail "hidden files were processed"
    no_temp_files music/rock
}

case_recursive_skips() {
    # Hidden files, hidden directories, temporary outputs, FIFOs and names
    # libsndfile does not know are not jobs; the output directory inside
    # the tree is not walked, so a second run does not take the first
    # run's outputs as inputs.
    mkdir -p t/.git t/sub
    gen -n 500 t/a.wav
    gen -n 500 t/sub/b.wav
    gen -n 500 t/.h.wav
    gen -n 500 t/.git/c.wav
    cp t/a.wav t/.a.wav.tmp.XyZ987
    cp t/a.wav t/sub/.b.wav.tmp.000000
    cp t/a.wav t/a.wav.bak
    mkfifo t/sub/pipe.wav # would block the batch if it were a job
    run -q -r t -o t/out
    expect_status 0
    expect_files t/out a.wav sub/b.wav
    run -r t -o t/out --force
    expect_status 0
    grep -q "out/" stdout.txt && fail "the output directory was walked: $(cat stdout.txt)"
    expect_stdout "files: 2 ok, 0 failed, 0 skipped (2 in all)"
    # A directory with nothing to do says so and is not an error.
    mkdir -p nothing/.x
    gen -n 10 nothing/.x/z.wav
    run -q -r nothing
    expect_status 0
    expect_stderr_line "tempitch: nothing: no audio files found"
}

case_recursive_loop() {
    # Directory symlinks are not followed: a link to an ancestor cannot
    # make the walk hang (the timeout would catch it) or repeat files.
    mkdir -p d/a/b
    gen -n 100 d/a/b/x.wav
    ln -s ../.. d/a/b/back
    ln -s "$PWD/d" d/a/abs
    run -q -r d -o o
    expect_status 0
    expect_files o a/b/x.wav
}

case_recursive_unreadable() {
    [[ $(id -u) -ne 0 ]] || skip "root reads any directory"
    mkdir -p r/ok r/locked
    gen -n 100 r/ok/x.wav
    gen -n 100 r/locked/y.wav
    chmod 000 r/locked
    run -q -r r -o o
    chmod 755 r/locked
    expect_status 1
    expect_stderr_line "tempitch: r/locked: Permission denied"
    expect_files o ok/x.wav
}

case_name_template() {
    gen -n 1000 song.wav
    cp song.wav noext
    run -q -p 3 -T 1.25 --name '{stem}-{pitch}-{tempo}-{variant}.{ext}' song.wav
    expect_status 0
    [[ -f song-+3-1.25-0.wav ]] || fail "fields: $(ls)"
    run -q -t 2 --name '{stem}_{tag}.{ext}' song.wav noext
    expect_status 0
    [[ -f song_t2.wav && -f noext_t2 ]] || fail "tag/no extension: $(ls)"
    frames_are song_t2.wav 2000
    # Subdirectories in the template are created; {{ }} are braces.
    run -q -p 1 --name 'aug/{{x}}{stem}.{ext}' song.wav -o out/
    expect_status 0
    [[ -f 'out/aug/{x}song.wav' ]] || fail "subdirectory: $(files_under out)"
    # --format gives {ext} its extension.
    run -q --format flac --name '{stem}.{ext}' song.wav -o fl/
    expect_status 0
    [[ -f fl/song.flac && $(info fl/song.flac major) == 0x170000 ]] ||
        fail "--format and {ext}: $(files_under fl)"
    # A template that names the input itself is refused for that file.
    run -q --name '{stem}.{ext}' song.wav
    expect_status 1
    expect_stderr_line "tempitch: song.wav: is the input file (refusing to overwrite it)"
    # A field that expands to nothing cannot make an absolute name.
    run -q --name '{ext}/x' noext
    expect_status 1
    expect_stderr_line "tempitch: noext: --name gives the unusable name /x"
}

case_name_errors() {
    gen -n 100 a.wav
    snapshot before.txt
    local spec t msg
    for spec in "{stem|unbalanced '{'" "x}|unbalanced '}'" \
        "{stem}.{exe}|unknown field '{exe}' (fields: {stem} {ext} {tag} {pitch} {tempo} {variant})" \
        "{}|unknown field '{}' (fields: {stem} {ext} {tag} {pitch} {tempo} {variant})" \
        "|empty template" "/abs/{stem}|must be a relative name (no leading '/')" \
        "../{stem}|empty, '.' or '..' path component (outputs stay in their directory)"; do
        t=${spec%%|*}
        msg=${spec#*|}
        run --name "$t" a.wav
        expect_status 2
        expect_stderr_line "tempitch: invalid --name '$t': $msg"
    done
    snapshot after.txt
    cmp -s before.txt after.txt || fail "files written after a usage error"
}

case_name_duplicates() {
    gen -n 100 a.wav
    mkdir x y
    gen -n 100 x/s.wav
    gen -n 100 y/s.wav
    # Two variants, one name.
    run -p 1,2 --name '{stem}.{ext}' a.wav -o out
    expect_status 2
    expect_stderr_line "tempitch: a.wav (variant 0) and a.wav (variant 1) would both be written to out/a.wav"
    expect_stderr_line "tempitch: --name '{stem}.{ext}' gives several jobs the same output (use fields that tell them apart: {stem}, {tag}, {variant}, ...)"
    # Two inputs, one name.
    run --name 'fixed.wav' x/s.wav y/s.wav -o out
    expect_status 2
    expect_stderr_line "tempitch: x/s.wav and y/s.wav would both be written to out/fixed.wav"
    [[ ! -e out ]] || fail "output directory made for a refused batch"
    # {variant} tells the variants apart.
    run -q -p 1,2 --name '{stem}.{variant}.{ext}' a.wav -o out
    expect_status 0
    expect_files out a.0.wav a.1.wav
}

# The encoders' settings: the FLAC level changes the size, not the
# samples; the lossy quality and the MP3 bitrate mode change the size and
# are in the stamp (so --newer redoes a file made with another).
case_encoder_settings() {
    gen -d 2 in.wav
    run -q -p 2 --flac-level 0 in.wav -o l0.flac
    expect_status 0
    run -q -p 2 --flac-level 8 in.wav -o l8.flac
    expect_status 0
    [[ $(info l0.flac hash) == $(info l8.flac hash) ]] ||
        fail "the FLAC level changed the samples"
    (($(stat -c %s l8.flac) < $(stat -c %s l0.flac) * 9 / 10)) ||
        fail "level 8 is not smaller: $(stat -c %s l0.flac l8.flac)"
    local ext
    for ext in ogg mp3; do
        run -q -p 2 --lossy-quality 1 in.wav -o q1.$ext
        expect_status 0
        run -q -p 2 --lossy-quality 9 in.wav -o q9.$ext
        expect_status 0
        (($(stat -c %s q1.$ext) * 3 / 2 < $(stat -c %s q9.$ext))) ||
            fail "$ext: quality 1 is not much smaller than 9: $(stat -c %s q1.$ext q9.$ext)"
    done
    [[ $(info q9.ogg str_software) == *" --lossy-quality 9 ("* ]] ||
        fail "stamp: $(info q9.ogg str_software)"
    run -q -p 2 --bitrate-mode constant in.wav -o cbr.mp3
    run -q -p 2 --bitrate-mode variable in.wav -o vbr.mp3
    expect_status 0
    cmp -s cbr.mp3 vbr.mp3 && fail "--bitrate-mode changed nothing"
    run -q --newer -p 2 --lossy-quality 9 in.wav -o q9.mp3
    expect_status 0
    run --newer -p 2 --lossy-quality 5 in.wav -o q9.mp3
    expect_stdout "1 ok"
    run --flac-level 9 in.wav -o x.flac
    expect_status 2
    expect_stderr "tempitch: invalid FLAC level '9' (expected an integer in 0..8)"
    run --bitrate-mode fast in.wav -o x.mp3
    expect_status 2
    expect_stderr "tempitch: invalid bitrate mode 'fast' (expected constant, average or variable)"
}

case_format_subtype() {
    gen -n 2000 in.wav
    gen -n 2000 -s pcm16 in16.wav
    check() { # FILE MAJOR SUBTYPE
        [[ $(info "$1" major) == "$2" ]] || fail "$1: major $(info "$1" major), expected $2"
        [[ $(info "$1" subtype) == "$3" ]] || fail "$1: subtype $(info "$1" subtype), expected $3"
    }
    run -q --format flac --subtype pcm16 in.wav -o a.bin
    expect_status 0
    check a.bin 0x170000 0x0002
    run -q --format flac --subtype pcm16 in.wav -o b.bin
    cmp -s a.bin b.bin || fail "two runs gave different FLAC bytes"
    run -q --format aiff --subtype pcm24 in16.wav -o c.x
    check c.x 0x020000 0x0003
    run -q --format wav --subtype ulaw in.wav -o d.wav
    check d.wav 0x010000 0x0010
    run -q --format caf --subtype double in16.wav -o e.caf
    check e.caf 0x180000 0x0007
    run -q --subtype float in16.wav -o f.wav     # format from the extension
    check f.wav 0x010000 0x0006
    frames_are f.wav 2000
    run -q --format w64 in16.wav -o g         # subtype from the input
    check g 0x0b0000 0x0002
    run -q --format ogg in.wav -o h.ogg
    check h.ogg 0x200000 0x0060
    # With neither, an unknown or missing extension keeps the input's format.
    run -q e.caf -o keep.unknown
    check keep.unknown 0x180000 0x0007
    # Mistakes: unknown names (exit 2), impossible pairs (exit 2), a
    # subtype the extension's format cannot hold (that file fails).
    run --format mp4 in.wav
    expect_status 2
    expect_stderr_line "tempitch: unknown format 'mp4' (expected one of: wav, flac, ogg, opus, aiff, caf, mp3, au, w64, rf64)"
    run --subtype pcm12 in.wav
    expect_status 2
    expect_stderr_line "tempitch: unknown subtype 'pcm12' (expected one of: pcm8, pcmu8, pcm16, pcm24, pcm32, float, double, ulaw, alaw, vorbis, opus, mp3)"
    run --format flac --subtype float in.wav
    expect_status 2
    expect_stderr_line "tempitch: --format flac cannot store --subtype float"
    run --format wav --subtype vorbis in.wav
    expect_status 2
    expect_stderr_line "tempitch: --format wav cannot store --subtype vorbis"
    run -q --subtype float in.wav -o z.flac
    expect_status 1
    expect_stderr_line "tempitch: z.flac: FLAC (Free Lossless Audio Codec) cannot store 32 bit float samples (2 channels at 44100 Hz)"
    [[ ! -e z.flac ]] || fail "z.flac written"
    no_temp_files .
}

case_metadata() {
    gen -n 3000 -m title='A Song, Live' -m artist='The Band' -m album=Album \
        -m comment='take 2' -m date=1999-12-31 -m genre=Jazz -m tracknumber=7 \
        meta.wav
    local out
    for out in o.wav o.flac; do
        run -q -p 2 meta.wav -o "$out"
        expect_status 0
        "$WAVINFO" "$out" | grep '^str_' | grep -v '^str_software=' >"$out.txt"
        for kv in "title=A Song, Live" "artist=The Band" "album=Album" \
            "comment=take 2" "date=1999-12-31" "genre=Jazz"; do
            grep -qxF "str_$kv" "$out.txt" || fail "$out lacks $kv: $(cat "$out.txt")"
        done
    done
    # Byte-identical from run to run: no timestamp is added.
    run -q -p 2 meta.wav -o again.wav
    cmp -s o.wav again.wav || fail "metadata made two runs differ"
    run -q -p 2 meta.wav -o again.flac
    cmp -s o.flac again.flac || fail "FLAC metadata made two runs differ"
    # A file without strings gets none.
    gen -n 3000 plain.wav
    run -q plain.wav -o p.wav
    [[ -z $("$WAVINFO" p.wav | grep '^str_' | grep -v '^str_software=') ]] ||
        fail "strings appeared: $("$WAVINFO" p.wav)"
}

case_variants() {
    gen -n 10000 a.wav
    gen -n 7001 -s pcm16 b.wav
    run -p -2,0,2 -T 0.9,1.1 a.wav b.wav -o out
    expect_status 0
    expect_files out a.T0.9.wav a.T1.1.wav a.p-2.T0.9.wav a.p-2.T1.1.wav \
        a.p+2.T0.9.wav a.p+2.T1.1.wav b.T0.9.wav b.T1.1.wav b.p-2.T0.9.wav \
        b.p-2.T1.1.wav b.p+2.T0.9.wav b.p+2.T1.1.wav
    local f n t
    for f in out/*.wav; do
        n=10000
        [[ $f == out/b.* ]] && n=7001
        t=${f##*.T}
        t=${t%.wav}
        frames_are "$f" "$(expected_frames "$n" "$t")"
    done
    # One table row per job, inputs outer, then pitch, then tempo.
    local rows
    rows=$(awk '/^output /{on=1; next} /^files: /{on=0} on {print $1}' stdout.txt)
    [[ $rows == $'out/a.p-2.T0.9.wav\nout/a.p-2.T1.1.wav\nout/a.T0.9.wav\nout/a.T1.1.wav\nout/a.p+2.T0.9.wav\nout/a.p+2.T1.1.wav\nout/b.p-2.T0.9.wav\nout/b.p-2.T1.1.wav\nout/b.T0.9.wav\nout/b.T1.1.wav\nout/b.p+2.T0.9.wav\nout/b.p+2.T1.1.wav' ]] ||
        fail "table rows: $rows"
    expect_stdout "files: 12 ok, 0 failed, 0 skipped (12 in all)"
    # {variant} numbers the combinations the same way; -t and -f lists.
    run -q -f 0.5,2 -t 1.5,2 --name '{stem}.{variant}.{ext}' a.wav
    expect_status 0
    frames_are a.0.wav 15000
    frames_are a.1.wav 20000
    frames_are a.2.wav 15000
    frames_are a.3.wav 20000
    [[ $(info a.0.wav hash) != $(info a.2.wav hash) ]] || fail "-f list ignored"
    # JSON: one object per job, with its tempo.
    if [[ -n $PYTHON ]]; then
        run --json -T 1,2 b.wav -o js
        expect_status 0
        "$PYTHON" -c 'import json, sys
d = json.load(sys.stdin)
f = d["files"]
assert [x["output"] for x in f] == ["js/b.copy.wav", "js/b.T2.wav"], f
assert [x["settings"]["tempo"] for x in f] == [1, 2], f' <stdout.txt || fail "JSON: $(cat stdout.txt)"
        # Every value of the lists in the settings, each file's own pitch
        # (-f ratios shown in semitones) in its entry.
        run --json -f 2,0.5 -t 0.5,1 b.wav -o js2
        expect_status 0
        "$PYTHON" -c 'import json, sys
d = json.load(sys.stdin)
s, f = d["settings"], d["files"]
assert s["semitones_list"] == [12, -12] and s["tempo_list"] == [2, 1], s
assert [x["settings"]["semitones"] for x in f] == [12, 12, -12, -12], f
assert [x["settings"]["tempo"] for x in f] == [2, 1, 2, 1], f' <stdout.txt || fail "JSON lists: $(cat stdout.txt)"
        run -v -p -2,0,2 -T 0.5,2 b.wav -o js3
        expect_status 0
        expect_stderr_line "pitch: every one of -2, +0, +2 semitones"
        expect_stderr_line "tempo: every one of 0.5, 2 (speed factors)"
    fi
    # Errors in a list, and lists with --bench.
    run -p 1,x a.wav
    expect_status 2
    expect_stderr_line "tempitch: invalid pitch 'x' (expected semitones in -48..48)"
    run -T 1, a.wav
    expect_status 2
    expect_stderr "invalid tempo ''"
    run --bench -p 1,2
    expect_status 2
    expect_stderr_line "tempitch: lists of values cannot be used with --bench"
}

case_manifest() {
    gen -n 8000 a.wav
    gen -n 6000 'b, c.wav'
    mkdir sub
    cat >jobs.csv <<'CSV'
# input, output, pitch, tempo
input,output,pitch,tempo
a.wav,out/a-fast.wav,2,2
"b, c.wav",,,0.5
a.wav,,-3,
a.wav,sub/a.flac,,120:240
CSV
    run -T 1.25 --manifest jobs.csv
    expect_status 0
    frames_are out/a-fast.wav 4000
    frames_are 'b, c.T0.5.wav' 12000
    frames_are a.p-3.T1.25.wav 6400     # empty tempo: the command line's
    frames_are sub/a.flac 4000
    [[ $(info sub/a.flac major) == 0x170000 ]] || fail "sub/a.flac not FLAC"
    expect_stdout "files: 4 ok, 0 failed, 0 skipped (4 in all)"
    # From standard input, with -o DIR for rows without an output.
    printf 'input,tempo\na.wav,4\n' | "$TEMPITCH" -q --manifest - -o dir ||
        fail "--manifest - failed"
    frames_are dir/a.T4.wav 2000
}

case_manifest_errors() {
    gen -n 100 a.wav
    snapshot before.txt
    local spec text msg
    while IFS='|' read -r text msg; do
        printf "$text" >m.csv
        run --manifest m.csv
        expect_status 2
        expect_stderr_line "tempitch: $msg"
        [[ $(wc -l <stderr.txt) -eq 1 ]] || fail "more than one line: $(cat stderr.txt)"
    done <<'CASES'
input,pitch\na.wav,1\na.wav,high\n|m.csv:3: invalid pitch 'high' (expected semitones in -48..48)
# c\n\ninput,tempo\na.wav,0\n|m.csv:4: invalid tempo '0' (expected a speed factor in 0.05..20, or X:Y BPM)
input,pitch\na.wav,1,2\n|m.csv:2: 3 fields, the header has 2
input,pitch\na.wav\n|m.csv:2: 1 field, the header has 2
output,pitch\nx.wav,1\n|m.csv:1: no 'input' column in the header
input,size\n|m.csv:1: unknown column 'size' in the header (expected input, output, pitch, tempo)
input\n"a.wav\n|m.csv:2: unterminated quoted field
input,pitch\n,1\n|m.csv:2: empty input
input\n|m.csv: no rows after the header (nothing to do)
|m.csv: no header line (expected e.g. 'input,output,pitch,tempo')
CASES
    run --manifest missing.csv
    expect_status 2
    expect_stderr_line "tempitch: missing.csv: No such file or directory"
    printf 'input\na.wav\n' >ok.csv
    run --manifest ok.csv a.wav
    expect_status 2
    expect_stderr_line "tempitch: --manifest and FILE operands cannot be combined (put the files in the manifest)"
    run -r --manifest ok.csv
    expect_status 2
    expect_stderr_line "tempitch: -r does not apply to --manifest (list the files in it)"
    printf 'input,output\na.wav,x.wav\na.wav,./x.wav\n' >dup.csv
    run --manifest dup.csv
    expect_status 2
    expect_stderr_line "tempitch: a.wav (manifest line 2) and a.wav (manifest line 3) would both be written to ./x.wav"
    rm -f m.csv ok.csv dup.csv
    snapshot after.txt
    cmp -s before.txt after.txt || fail "files written after a manifest error"
}

run_case
