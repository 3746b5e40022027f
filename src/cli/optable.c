/*
 * optable.c -- the command's options; see optable.h.
 *
 * One row per option, in --help's order; the help text reads as it
 * prints (one source line per output line), with every range printed
 * from the row's own lo..hi, the numbers the parser checks against.
 */
#include "optable.h"
#include "optread.h"

#include <tempitch/stretch.h>

#include <math.h>
#include <stdio.h>

#define AT(field) offsetof(struct cli_options, field)

/* clang-format off */
const struct cli_option optable[] = {
    {.kind = OPT_HELP, .help =
"The change (the same for every file; -p -f -T -t also take lists A,B,C:\n"
"each combination is a job, inputs outer, then pitch, then tempo):"},
    {"pitch", 'p', OPT_CALL, MODE_BOTH, .take = read_list,
     .what = "pitch", .unit = "semitones",
     .lo = TP_SEMITONES_MIN, .hi = TP_SEMITONES_MAX, .arg = "SEMITONES",
     .help =
"pitch shift in semitones, fractional allowed\n"
"(%g..%g; default 0)"},
    {"frequency", 'f', OPT_CALL, MODE_BOTH, .take = read_list,
     .what = "frequency ratio", .unit = "a ratio",
     .lo = TP_SEMITONES_MIN, .hi = TP_SEMITONES_MAX, .scale = SCALE_RATIO,
     .arg = "RATIO", .help =
"pitch shift as a frequency ratio (%g..%g;\n"
"2 = one octave up); another spelling of -p"},
    {"tempo", 'T', OPT_CALL, MODE_BOTH, .take = read_list,
     .lo = TP_TEMPO_MIN, .hi = TP_TEMPO_MAX, .arg = "SPEED", .help =
"tempo as a SPEED factor (%g..%g; default 1):\n"
"1.25 plays 25%% faster, so the output lasts\n"
"0.8 x as long"},
    {.kind = OPT_HELP, .arg = "-T, --tempo=X:Y", .help =
"tempo from X to Y BPM: the SPEED factor Y/X"},
    {"time", 't', OPT_CALL, MODE_BOTH, .take = read_list,
     .what = "time ratio", .unit = "a duration multiple",
     .lo = TP_TEMPO_MIN, .hi = TP_TEMPO_MAX, .scale = SCALE_INVERSE,
     .arg = "X", .help =
"tempo as a DURATION multiple (%g..%g), the\n"
"inverse of -T, as in rubberband: -t 0.8 is\n"
"the same as -T 1.25"},
    {"duration", 'D', OPT_CALL, MODE_BATCH, .take = read_duration,
     .lo = TP_TEMPO_MIN, .hi = TP_TEMPO_MAX, .arg = "SECONDS", .help =
"target DURATION of each output: every file gets\n"
"the SPEED factor (its length / SECONDS), which\n"
"must lie in %g..%g, else that file fails"},
    {"formant", 'F', OPT_FLAG, MODE_BOTH, AT(settings.formant), .help =
"keep the formants (the spectral envelope, a\n"
"voice's timbre) in place while the pitch moves;\n"
"without it they move with the pitch.  No effect\n"
"without a pitch shift"},
    {"formant-semitones", 0, OPT_CALL, MODE_BOTH,
     .take = read_formant_semitones, .what = "formant shift",
     .unit = "semitones", .lo = TP_FORMANT_SEMITONES_MIN,
     .hi = TP_FORMANT_SEMITONES_MAX, .arg = "N", .help =
"move the formants by N semitones from their\n"
"place in the input (%g..%g), whatever the pitch\n"
"does (voice character); implies -F"},

    {.kind = OPT_HELP, .help = "\nOutputs:"},
    {"output", 'o', OPT_TEXT, MODE_BATCH, AT(output), .what = "output",
     .arg = "PATH", .help =
"one FILE: the output file, or a directory to\n"
"write into (existing, or a name ending in /);\n"
"several FILEs: a directory, created if missing\n"
"(mkdir -p).  In a directory an output keeps\n"
"its input's name.  Without -o each output goes\n"
"next to its input, named after the change:\n"
"song.wav -> song.p+3.T1.25.wav\n"
"(song.copy.wav when nothing changes)"},
    {.kind = OPT_HELP, .arg = "-o -", .help =
"write the one output to stdout, as WAV (the\n"
"input's sample format where WAV has it); the\n"
"table is then left out and --json goes to\n"
"stderr.  FILE - reads stdin (WAV, AU, AIFF,\n"
"W64, Ogg Vorbis, Opus; not FLAC, CAF, RF64, MP3:\n"
"libsndfile cannot read those from a pipe) and\n"
"needs -o FILE or -o -.  Streams are processed as\n"
"they come, in constant memory; --normalize and\n"
"-D cannot be used with them"},
    {"force", 0, OPT_FLAG, MODE_BATCH, AT(policy.force), .help =
"replace existing outputs (never an input);\n"
"without it an existing output is skipped"},
    {"normalize", 0, OPT_FLAG, MODE_BATCH, AT(policy.normalize),
     .help =
"scale an output that would exceed full scale\n"
"down as a whole, to a peak of 0.999; costs a\n"
"second pass over just those files"},
    {"clip", 0, OPT_FLAG, MODE_BATCH, AT(policy.clip), .help =
"clip integer and lossy outputs at full scale\n"
"(and count the samples) instead of limiting\n"
"their peaks (see below)"},
    {"dither", 0, OPT_CALL, MODE_BATCH, .take = read_dither, .arg = "MODE",
     .help =
"how 8- and 16-bit outputs are rounded: tpdf\n"
"(default: triangular noise of +-1 step, so that\n"
"quiet passages get a flat noise floor instead of\n"
"distortion), shaped (the same noise moved to\n"
"high frequencies) or none; a copy (no change)\n"
"of an input with no more bits is never dithered"},
    {"no-dither", 0, OPT_CALL, MODE_BATCH, .take = read_dither, .help =
"the same as --dither none"},
    {"sync", 0, OPT_FLAG, MODE_BATCH, AT(policy.sync), .help =
"flush each output to disk (fsync) before it is\n"
"renamed into place, so it also survives a\n"
"crash of the machine (slower)"},

    {.kind = OPT_HELP, .help =
"\nQuality (one of them; default: balanced; --bench takes them too):"},
    {"fast", 0, OPT_CALL, MODE_BOTH, .take = read_quality, .help =
"about twice as fast, a little less clean: a\n"
"shorter resampling filter and 2x overlap"},
    {"fine", 0, OPT_CALL, MODE_BOTH, .take = read_quality, .help =
"slower (about 1.6x the time), for the cleanest\n"
"transients and tones: a longer filter, 8x\n"
"overlap"},

    {.kind = OPT_HELP, .help = "Job list:"},
    {"recursive", 'r', OPT_FLAG, MODE_BATCH, AT(recursive), .help =
"a DIR operand means the audio files of its tree\n"
"(by extension, sorted; names starting with '.'\n"
"skipped; directory symlinks not followed); under\n"
"-o OUTDIR the tree is mirrored"},
    {"name", 0, OPT_CALL, MODE_BATCH, .take = read_name,
     .arg = "TEMPLATE", .help =
"output names from fields: {stem} {ext} {tag}\n"
"{pitch} {tempo} {variant}, e.g.\n"
"'{stem}_{variant}.{ext}'; may contain '/';\n"
"default {stem}.{tag}.{ext}, or {stem}.{ext} in\n"
"an -o directory (one combination, no manifest)"},
    {"format", 0, OPT_CALL, MODE_BATCH, .take = read_format,
     .arg = "FMT", .help =
"output format: wav flac ogg opus aiff caf mp3\n"
"au w64 rf64 (default: from the output's\n"
"extension, else the input's); {ext} is FMT"},
    {"subtype", 0, OPT_CALL, MODE_BATCH, .take = read_subtype,
     .arg = "SUB", .help =
"sample format: pcm8 pcmu8 pcm16 pcm24 pcm32\n"
"float double ulaw alaw vorbis opus mp3\n"
"(default: the input's where the format allows)"},
    {"flac-level", 0, OPT_CALL, MODE_BATCH, .take = read_encoder,
     .what = "FLAC level", .lo = 0, .hi = 8, .arg = "N", .help =
"FLAC compression level (%g..%g; default 5): higher\n"
"is smaller and slower to write, the samples the\n"
"same at every level"},
    {"lossy-quality", 0, OPT_CALL, MODE_BATCH, .take = read_encoder,
     .what = "lossy quality", .lo = 0, .hi = 10, .arg = "Q", .help =
"MP3, Vorbis and Opus quality (%g..%g, 10 the best;\n"
"default: libsndfile's, about 4 for Vorbis)"},
    {"bitrate-mode", 0, OPT_CALL, MODE_BATCH, .take = read_encoder,
     .arg = "MODE", .help =
"MP3 and Opus: constant, average or variable\n"
"(default: libsndfile's, constant)"},
    {"manifest", 0, OPT_TEXT, MODE_BATCH, AT(manifest),
     .what = "manifest", .arg = "CSV", .help =
"jobs from a CSV file ('-': stdin) with a header\n"
"of columns input,output,pitch,tempo (input\n"
"required; empty fields: the command line's);\n"
"quote fields with '\"'; '#' lines are comments;\n"
"not combined with FILE operands"},

    {.kind = OPT_HELP, .help = "\nBatch:"},
    {"jobs", 'j', OPT_CALL, MODE_BOTH, .take = read_threads,
     .what = "thread count", .lo = 1, .hi = CLI_THREADS_MAX, .arg = "N",
     .help =
"worker threads (%g..%g; default: the number of\n"
"online CPUs, %g here); -j 1 runs serially"},
    {"quiet", 'q', OPT_CALL, MODE_BOTH, .take = read_verbosity, .help =
"print nothing but errors: no progress, no table"},
    {"verbose", 'v', OPT_CALL, MODE_BATCH, .take = read_verbosity, .help =
"also print the settings and a line per file"},
    {"json", 0, OPT_FLAG, MODE_BOTH, AT(json), .help =
"print the timing table as one JSON object"},

    {.kind = OPT_HELP, .help = "\nPipelines and clusters:"},
    {"newer", 0, OPT_FLAG, MODE_BATCH, AT(newer), .help =
"Make-style: skip a file whose output exists, is\n"
"not older than its input and was made with the\n"
"same settings (stamped in the output); redo it\n"
"otherwise, replacing the stale output (no\n"
"--force needed).  Such files are reported 'up\n"
"to date' and keep the exit status 0"},
    {"include-outputs", 0, OPT_FLAG, MODE_BATCH, AT(include_outputs), .help =
"also process inputs that are outputs of tempitch\n"
"(they hold its stamp): without it, and without\n"
"-o, they are skipped, so that a second run beside\n"
"the first one's outputs does not process them"},
    {"shard", 0, OPT_CALL, MODE_BATCH, .take = read_shard,
     .lo = 1, .hi = CLI_SHARDS_MAX, .arg = "K/N", .help =
"process only share K of N of the files\n"
"(%g <= K <= N <= %.0f), chosen by a hash of each\n"
"output's path inside the -o directory (else of\n"
"the input path as given): N processes with the\n"
"same arguments and K = 1..N do every file once"},
    {"report", 0, OPT_TEXT, MODE_BATCH, AT(report_path),
     .what = "report file", .arg = "FILE", .help =
"append one JSON line per file to FILE (JSON\n"
"Lines; one write per line, so concurrent runs\n"
"can share it)"},

    {.kind = OPT_HELP, .help =
"\nBenchmark (tempitch --bench; no input files needed):"},
    {"bench", 0, OPT_FLAG, MODE_BOTH, AT(bench), .help =
"time the same jobs serially and on the pool,\n"
"and print speedup and parallel efficiency;\n"
"FILEs, if given, are used instead of noise"},
    {"bench-jobs", 0, OPT_CALL, MODE_BENCH,
     .take = read_bench_jobs, .what = "job count", .lo = 1,
     .hi = BENCH_JOBS_MAX, .arg = "N", .help =
"generated jobs (%g..%g; default 8)"},
    {"seconds", 0, OPT_NUMBER, MODE_BENCH, AT(bench_opts.seconds),
     .what = "length", .unit = "seconds", .lo = BENCH_SECONDS_MIN,
     .hi = BENCH_SECONDS_MAX, .arg = "S", .help =
"length of each generated job (%g..%g; default 4)"},
    {"channels", 0, OPT_INT, MODE_BENCH, AT(bench_opts.channels),
     .what = "channel count", .lo = 1, .hi = TP_CHANNELS_MAX, .arg = "C",
     .help =
"channels of generated jobs (%g..%g; default 2)"},
    {"rate", 0, OPT_INT, MODE_BENCH, AT(bench_opts.rate),
     .what = "sample rate", .lo = TP_RATE_MIN, .hi = TP_RATE_MAX,
     .arg = "HZ", .help =
"rate of generated jobs (%g..%g; default 44100)"},
    {"reps", 0, OPT_INT, MODE_BENCH, AT(bench_opts.reps),
     .what = "repetition count", .lo = 1, .hi = BENCH_REPS_MAX, .arg = "N",
     .help =
"runs of each mode, medians reported (%g..%g;\n"
"default 5)"},
    {.kind = OPT_HELP, .arg = "", .help =
"-p/-f (default +3), -T/-t (default 1.25), -F,\n"
"--formant-semitones, -j, --json and -q apply\n"
"to the benchmark too"},

    {.kind = OPT_HELP, .help = ""},
    {"help", 'h', OPT_CALL, MODE_BOTH, .take = read_help, .help =
"show this help and exit"},
    {"version", 'V', OPT_CALL, MODE_BOTH, .take = read_version, .help =
"show version information and exit"},
};
/* clang-format on */

const size_t optable_size = sizeof optable / sizeof optable[0];

void optable_range(const struct cli_option *row, double *lo, double *hi)
{
    switch (row->scale) {
    case SCALE_RATIO:
        *lo = exp2(row->lo / 12.0);
        *hi = exp2(row->hi / 12.0);
        return;
    case SCALE_INVERSE:
        *lo = 1.0 / row->hi;
        *hi = 1.0 / row->lo;
        return;
    case SCALE_AS_IS:
        break;
    }
    *lo = row->lo;
    *hi = row->hi;
}

const char *optable_spelling(const struct cli_option *row, char *buf,
                             size_t size)
{
    if (row->key != 0)
        snprintf(buf, size, "-%c", row->key);
    else
        snprintf(buf, size, "--%s", row->name);
    return buf;
}
