#!/usr/bin/env bash
# Regenerates the seed corpora in tests/fuzz/corpus/ (committed; run this
# only to change them).  Needs a build directory with gen_signal and
# tempitch; uses sox, when installed, for a few more WAV codecs.
#
#   tests/fuzz/make-corpus.sh BUILDDIR
#
# fuzz_convert seeds are a 4-byte prefix (tempo, pitch, extensions,
# flags; see fuzz_convert.c) followed by a file; fuzz_engine seeds are
# crafted byte strings (layout in fuzz_engine.c); fuzz_options seeds are
# argument lists separated by NUL bytes.
set -euo pipefail

build=${1:?usage: make-corpus.sh BUILDDIR}
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
gen=$build/gen_signal
tempitch=$build/tempitch
[[ -x $gen && -x $tempitch ]] || {
    echo "make-corpus.sh: $build has no gen_signal/tempitch" >&2
    exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- fuzz_convert -------------------------------------------------------
out=$here/corpus/fuzz_convert
rm -rf "$out"
mkdir -p "$out"

# seed NAME PREFIX-HEX FILE: writes the prefix bytes, then the file.
seed() {
    local name=$1 prefix=$2 file=${3:-}
    {
        # shellcheck disable=SC2001
        printf '%b' "$(sed 's/../\\x&/g' <<<"$prefix")"
        if [[ -n $file ]]; then cat "$file"; fi
    } >"$out/$name"
}

# Prefix bytes: [0] tempo selector, [1] pitch selector (odd: a ratio),
# [2] output extension << 4 | input extension, [3] flags.  In fuzz_convert.c
# tempo 00=1.25 01=0.8 02=1.0 04=2.0 05=0.5 08=3.0; pitch 00=0 02=+3
# 04=-3 06=+12 0c=-7 03=ratio 2 05=ratio 0.5; input ext 0=wav 4=aiff
# 5=flac 6=ogg 8=au 10=vox; output ext 0=wav 5=flac 7=aiff 8=au 9=caf
# 13=ogg 14=opus.
"$gen" -r 16000 -d 0.3 -c 1 -s pcm16 "$work/mono16.wav"
"$gen" -r 16000 -d 0.2 -c 2 -s pcm24 "$work/stereo24.wav"
"$gen" -r 22050 -d 0.15 -c 2 -s float -a 1.5 "$work/stereo_float.wav"
"$gen" -r 8000 -d 0.4 -c 1 -s pcm16 "$work/mono8k.wav"
"$gen" -r 48000 -d 0.05 -c 3 -s pcm16 "$work/three48k.wav"
"$gen" -r 6000 -d 0.1 -c 1 -s pcm16 "$work/rate6k.wav"
"$tempitch" -q "$work/mono16.wav" -o "$work/mono16.flac"
"$tempitch" -q "$work/stereo24.wav" -o "$work/stereo24.aiff"
"$tempitch" -q "$work/mono8k.wav" -o "$work/mono8k.ogg"
"$tempitch" -q "$work/mono8k.wav" -o "$work/mono8k.au"

seed wav_mono16 00020001 "$work/mono16.wav"
seed wav_stereo24_to_flac 01055000 "$work/stereo24.wav"
seed wav_float_copy 02000002 "$work/stereo_float.wav"
seed wav_8k_to_aiff 04047008 "$work/mono8k.wav"
seed wav_3ch_48k 08060000 "$work/three48k.wav"
seed wav_rate6k 00020000 "$work/rate6k.wav"
seed flac_mono 05030005 "$work/mono16.flac"
seed aiff_stereo 00029404 "$work/stereo24.aiff"
seed ogg_mono 000c0006 "$work/mono8k.ogg"
seed au_mono 01028808 "$work/mono8k.au"
seed wav_to_ogg 0002d000 "$work/mono8k.wav"
seed wav_to_opus 0002e000 "$work/mono16.wav"
seed wav_exists_force 0002000c "$work/mono8k.wav"

# Broken files.
head -c 3000 "$work/mono16.wav" >"$work/truncated.wav"
seed wav_truncated 00020000 "$work/truncated.wav"
seed empty 00020000
for ch in 2 0 300; do
    cp "$work/mono8k.wav" "$work/ch$ch.wav"
    # WAV fmt chunk: channel count at byte 22, little endian.
    printf '%b' "$(printf '\\x%02x\\x%02x' $((ch & 255)) $((ch >> 8)))" |
        dd of="$work/ch$ch.wav" bs=1 seek=22 conv=notrunc status=none
    seed "wav_channels_$ch" 00020000 "$work/ch$ch.wav"
done
printf 'This is a text file, not audio.\n' >"$work/text.txt"
seed text 00020000 "$work/text.txt"
head -c 2000 "$work/mono8k.wav" | tail -c 1900 >"$work/headerless.vox"
seed vox_headerless 0002000a "$work/headerless.vox"

# Other WAV codecs (block-based ADPCM, mu-law, GSM), if sox is here.
if command -v sox >/dev/null 2>&1; then
    sox "$work/mono8k.wav" -e ima-adpcm "$work/ima.wav"
    sox "$work/mono8k.wav" -e ms-adpcm "$work/ms.wav"
    sox "$work/mono8k.wav" -e u-law "$work/ulaw.wav"
    sox "$work/mono8k.wav" -e gsm-full-rate "$work/gsm.wav"
    seed wav_ima_adpcm 00020000 "$work/ima.wav"
    seed wav_ms_adpcm 01040000 "$work/ms.wav"
    seed wav_ulaw 00020000 "$work/ulaw.wav"
    seed wav_gsm 00020000 "$work/gsm.wav"
fi

# ---- fuzz_engine --------------------------------------------------------
out=$here/corpus/fuzz_engine
rm -rf "$out"
mkdir -p "$out"
# Header: channels-1, rate sel, tempo sel, pitch sel, flags, signal kind,
# frames (LE16), K; then signal bytes; then 2*K chunk-plan bytes.
# Rates 00=8000 06=44100 08=48000 0e=384000; tempos 00=1 01=1.25 02=0.8
# 0b=20 11=0.05; pitch 02=+3 st, 08=-12 st, 03=ratio 2; kinds 0 pcm16,
# 2 raw float, 3 huge, 4 tones, 6 clicks, 7 loud.
engine() {
    # shellcheck disable=SC2001
    printf '%b' "$(sed 's/../\\x&/g' <<<"$2")" >"$out/$1"
}
sig=0102030405060708090a0b0c0d0e0f10f0e0d0c0b0a090807060504030201
engine mono_44k_plus3 000601020104a00f04${sig}0410f0ff0001ff40
engine stereo_48k_ratio2 010802030704401f02${sig}ff0310
engine eight_384k 070e0108030430750300ffff0a0a
engine mono_8k_fast 00000b080104881303${sig}000a0a00ff05
engine slow_005 00061102410464000101ff
engine copy_chunks 03060000480010270300010203ff04
engine raw_float_nan 0106010200020010017fc000007f80000000000000ff0100
engine huge_values 0006010201030010007f7fffff
engine loud 01060204010720270000ff7f0080
engine clicks_late_eoi 00060102a106e80300ffffff00
engine null_buffers 00060102400000080def
engine bad_channels f80601020000001000
engine bad_rate 00e001020000001000
engine bad_tempo 0006e2020000001000
engine bad_pitch 000601e10000001000
engine raw_params 00f0f0f00000001000${sig}${sig}

# ---- fuzz_options -------------------------------------------------------
out=$here/corpus/fuzz_options
rm -rf "$out"
mkdir -p "$out"
n=0
args() {
    n=$((n + 1))
    local first=1 a
    for a in "$@"; do
        ((first)) || printf '\0'
        printf '%s' "$a"
        first=0
    done >"$out/args_$n"
}
args -p 3 -T 1.25 in.wav
args --pitch=-12 --tempo=120:150 -o out/ a.wav b.flac
args -f 1.5 -t 0.8 -j 2 -q x.wav
args --bench --seconds 1 --channels 1 --rate 8000 --reps 1 -f 16
args -D 10 --force -v --json song.wav
args -qv -j4 -- -weird.wav
args --help
args --version
args -T ' 20' in.wav
args -p 48 -f 2 a.wav
args --time=20 --frequency=0.0625 --output= a
args --bench --bench-jobs=3 -T 0.05 -p -48 -j 1024 --json
args --re 8000 --bench
args -p
args -x -p 1e309 -T nan
args ''
echo "seeds written under $here/corpus"
