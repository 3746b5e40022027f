/*
 * help.c -- the text of --help and --version.
 *
 * One source line per output line, so the text reads as it prints; every
 * range is printed from the constant the parser checks against, so the
 * help cannot drift from what options.c accepts.
 */
#include "help.h"
#include "limiter.h"
#include "options.h"

#include <tempitch/pool.h>
#include <tempitch/stretch.h>

#include <sndfile.h>

#include <math.h>
#include <stdio.h>


/* The block of --newer, --shard and --report. */
static void print_pipelines(void)
{
    /* clang-format off */
    printf(
"Pipelines and clusters:\n"
"      --newer             Make-style: skip a file whose output exists, is\n"
"                          not older than its input and was made with the\n"
"                          same settings (stamped in the output); redo it\n"
"                          otherwise, replacing the stale output (no\n"
"                          --force needed).  Such files are reported 'up\n"
"                          to date' and keep the exit status 0\n"
"      --shard=K/N         process only share K of N of the files\n"
"                          (1 <= K <= N <= %lu), chosen by a hash of each\n"
"                          output's path inside the -o directory (else of\n"
"                          the input path as given): N processes with the\n"
"                          same arguments and K = 1..N do every file once\n"
"      --report=FILE       append one JSON line per file to FILE (JSON\n"
"                          Lines; one write per line, so concurrent runs\n"
"                          can share it)\n"
"\n",
        CLI_SHARDS_MAX);
    /* clang-format on */
}

void help_print(void)
{
    /* One source line per output line, so the text reads as it prints. */
    /* clang-format off */
    printf(
"Usage: tempitch [OPTION]... FILE... [-o OUTPUT]\n"
"       tempitch [OPTION]... -r DIR... [-o OUTDIR]\n"
"       tempitch [OPTION]... --manifest CSV [-o OUTDIR]\n"
"       tempitch --bench [OPTION]... [FILE]...\n"
"Change the pitch and the tempo of audio files independently, on a pool\n"
"of worker threads, and print how long each file took.\n"
"\n"
"The change (the same for every file; -p -f -T -t also take lists A,B,C:\n"
"each combination is a job, inputs outer, then pitch, then tempo):\n"
"  -p, --pitch=SEMITONES   pitch shift in semitones, fractional allowed\n"
"                          (%g..%g; default 0)\n"
"  -f, --frequency=RATIO   pitch shift as a frequency ratio (%g..%g;\n"
"                          2 = one octave up); another spelling of -p\n"
"  -T, --tempo=SPEED       tempo as a SPEED factor (%g..%g; default 1):\n"
"                          1.25 plays 25%% faster, so the output lasts\n"
"                          0.8 x as long\n"
"  -T, --tempo=X:Y         tempo from X to Y BPM: the SPEED factor Y/X\n"
"  -t, --time=X            tempo as a DURATION multiple (%g..%g), the\n"
"                          inverse of -T, as in rubberband: -t 0.8 is\n"
"                          the same as -T 1.25\n"
"  -D, --duration=SECONDS  target DURATION of each output: every file gets\n"
"                          the SPEED factor (its length / SECONDS), which\n"
"                          must lie in %g..%g, else that file fails\n"
"  -F, --formant           keep the formants (the spectral envelope, a\n"
"                          voice's timbre) in place while the pitch moves;\n"
"                          without it they move with the pitch.  No effect\n"
"                          without a pitch shift\n"
"      --formant-semitones=N\n"
"                          move the formants by N semitones from their\n"
"                          place in the input (%g..%g), whatever the pitch\n"
"                          does (voice character); implies -F\n"
"\n"
"Outputs:\n"
"  -o, --output=PATH       one FILE: the output file, or a directory to\n"
"                          write into (existing, or a name ending in /);\n"
"                          several FILEs: a directory, created if missing\n"
"                          (mkdir -p).  In a directory an output keeps\n"
"                          its input's name.  Without -o each output goes\n"
"                          next to its input, named after the change:\n"
"                          song.wav -> song.p+3.T1.25.wav\n"
"                          (song.copy.wav when nothing changes)\n"
"  -o -                    write the one output to stdout, as WAV (the\n"
"                          input's sample format where WAV has it); the\n"
"                          table is then left out and --json goes to\n"
"                          stderr.  FILE - reads stdin (WAV, AU, AIFF,\n"
"                          W64, Ogg Vorbis, Opus; not FLAC, CAF, RF64, MP3:\n"
"                          libsndfile cannot read those from a pipe) and\n"
"                          needs -o FILE or -o -.  Streams are processed as\n"
"                          they come, in constant memory; --normalize and\n"
"                          -D cannot be used with them\n"
"      --force             replace existing outputs (never an input);\n"
"                          without it an existing output is skipped\n"
"      --normalize         scale an output that would exceed full scale\n"
"                          down as a whole, to a peak of 0.999; costs a\n"
"                          second pass over just those files\n"
"      --clip              clip integer and lossy outputs at full scale\n"
"                          (and count the samples) instead of limiting\n"
"                          their peaks (see below)\n"
"      --sync              flush each output to disk (fsync) before it is\n"
"                          renamed into place, so it also survives a\n"
"                          crash of the machine (slower)\n"
"\n"
"Quality (one of them; default: balanced; --bench takes them too):\n"
"      --fast              about twice as fast, a little less clean: a\n"
"                          shorter resampling filter and 2x overlap\n"
"      --fine              slower (about 1.6x the time), for the cleanest\n"
"                          transients and tones: a longer filter, 8x\n"
"                          overlap\n"

"Job list:\n"
"  -r, --recursive         a DIR operand means the audio files of its tree\n"
"                          (by extension, sorted; names starting with '.'\n"
"                          skipped; directory symlinks not followed); under\n"
"                          -o OUTDIR the tree is mirrored\n"
"      --name=TEMPLATE     output names from fields: {stem} {ext} {tag}\n"
"                          {pitch} {tempo} {variant}, e.g.\n"
"                          '{stem}_{variant}.{ext}'; may contain '/';\n"
"                          default {stem}.{tag}.{ext}, or {stem}.{ext} in\n"
"                          an -o directory (one combination, no manifest)\n"
"      --format=FMT        output format: wav flac ogg opus aiff caf mp3\n"
"                          au w64 rf64 (default: from the output's\n"
"                          extension, else the input's); {ext} is FMT\n"
"      --subtype=SUB       sample format: pcm8 pcmu8 pcm16 pcm24 pcm32\n"
"                          float double ulaw alaw vorbis opus mp3\n"
"                          (default: the input's where the format allows)\n"
"      --manifest=CSV      jobs from a CSV file ('-': stdin) with a header\n"
"                          of columns input,output,pitch,tempo (input\n"
"                          required; empty fields: the command line's);\n"
"                          quote fields with '\"'; '#' lines are comments;\n"
"                          not combined with FILE operands\n"
"\n"
"Batch:\n"
"  -j, --jobs=N            worker threads (1..%d; default: the number of\n"
"                          online CPUs, %d here); -j 1 runs serially\n"
"  -q, --quiet             print nothing but errors: no progress, no table\n"
"  -v, --verbose           also print the settings and a line per file\n"
"      --json              print the timing table as one JSON object\n"
"\n",
        TP_SEMITONES_MIN, TP_SEMITONES_MAX, RATIO_MIN, RATIO_MAX,
        TP_TEMPO_MIN, TP_TEMPO_MAX, 1.0 / TP_TEMPO_MAX, 1.0 / TP_TEMPO_MIN,
        TP_TEMPO_MIN, TP_TEMPO_MAX,
        TP_FORMANT_SEMITONES_MIN, TP_FORMANT_SEMITONES_MAX,
        CLI_JOBS_MAX, tp_pool_cpu_count());
    print_pipelines();
    printf(
"Benchmark (tempitch --bench; no input files needed):\n"
"      --bench             time the same jobs serially and on the pool,\n"
"                          and print speedup and parallel efficiency;\n"
"                          FILEs, if given, are used instead of noise\n"
"      --bench-jobs=N      generated jobs (1..%d; default 8)\n"
"      --seconds=S         length of each generated job (%g..%g; default 4)\n"
"      --channels=C        channels of generated jobs (1..%d; default 2)\n"
"      --rate=HZ           rate of generated jobs (%g..%g; default 44100)\n"
"      --reps=N            runs of each mode, medians reported (1..%d;\n"
"                          default 5)\n"
"                          -p/-f (default +3), -T/-t (default 1.25), -F,\n"
"                          --formant-semitones, -j, --json and -q apply\n"
"                          to the benchmark too\n"
"\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show version information and exit\n"
"\n"
"An output keeps its input's sample rate, channel count, sample format\n"
"and metadata strings (title, artist, ...) when the output's format\n"
"allows it; --format or the extension picks the format (.wav .flac .ogg\n"
".aiff ...; unknown: the input's).  Integer and lossy (MP3, Ogg)\n"
"outputs cannot hold more than full scale: where a peak would exceed\n"
"it, a look-ahead limiter lowers the gain smoothly from %g ms before\n"
"the peak, to put it at %g, and lets it recover in about %g ms.  The\n"
"number of limited samples is reported; an output that never gets\n"
"there is untouched.  --clip clips instead, --normalize scales the\n"
"whole output.  Input samples that are NaN, infinite or beyond 1e12\n"
"are replaced by 0, with a warning.  Outputs are\n"
"byte-identical whatever -j is.  Each is written to a temporary file\n"
"beside it and renamed into place when complete: an error or a signal\n"
"never leaves a partial output.\n"
"A progress line is shown on stderr when it is a terminal; the timing\n"
"table goes to stdout.  Errors read 'tempitch: FILE: reason'; a bad file\n"
"does not stop the others.\n"
"\n"
"Exit status: 0 every file done (or up to date with --newer), 1 some\n"
"file failed or was skipped (the others are still written), 2 usage\n"
"error (nothing written); killed by SIGINT, SIGTERM or SIGHUP: finished\n"
"outputs stay, no partial one, and the signal is the cause of death\n"
"(130, 143, 129 in a shell).\n",
        BENCH_JOBS_MAX, BENCH_SECONDS_MIN, BENCH_SECONDS_MAX,
        TP_CHANNELS_MAX, TP_RATE_MIN, TP_RATE_MAX, BENCH_REPS_MAX,
        LIMITER_LOOKAHEAD_MS, CONVERT_LIMIT_CEILING, LIMITER_RELEASE_MS);
    /* clang-format on */
}

void help_print_version(void)
{
    printf("tempitch %s (engine %s, %s)\n", TP_VERSION_STRING, tp_version(),
           sf_version_string());
}
