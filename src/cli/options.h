/*
 * options.h -- command-line parsing for the tempitch command.
 *
 * The command is a thin shim: parsing fills this struct, and everything
 * after that works from the struct alone.  Parsing only checks syntax and
 * ranges; whether files exist is the batch plan's business (plan.h).
 */
#ifndef TEMPITCH_CLI_OPTIONS_H
#define TEMPITCH_CLI_OPTIONS_H

#include "bench.h"
#include "convert.h"

#include <tempitch/pool.h>

#include <stddef.h>

/* Most values in one -p/-f/-T/-t list. */
#define CLI_VALUES_MAX 64

/* How much the command prints besides errors.  -q and -v set it; when
 * both are given the last one wins. */
enum cli_verbosity {
    VERBOSITY_QUIET,   /* -q: errors only (and --json if asked for)       */
    VERBOSITY_NORMAL,  /* progress on a terminal, the table at the end    */
    VERBOSITY_VERBOSE, /* -v: also the settings and a line per file       */
};

struct cli_options {
    /* What to do to every file.  settings holds the first value of each
     * list below (with -D a speed factor of 1: each file gets its own, see
     * plan.h); the policy and the format are the same for every file. */
    struct settings settings;
    struct convert_policy policy;
    struct convert_format format;

    char *const *inputs; /* the FILE operands, in command-line order     */
    size_t ninputs;
    const char *output; /* -o PATH, or NULL                              */
    int threads;        /* -j: worker threads, 1..CLI_THREADS_MAX        */
    enum cli_verbosity verbosity;
    int json; /* --json: JSON on stdout instead of the table            */

    /* Job selection and the JSON Lines report (select.h, jsonl.h). */
    int newer;               /* --newer: skip outputs that are current   */
    int include_outputs;     /* --include-outputs: take inputs that are
                                outputs of tempitch (plan.h)            */
    unsigned long shard_k;   /* --shard K/N: this process takes share K  */
    unsigned long shard_n;   /* of N (1 <= K <= N); 0 when not given     */
    const char *report_path; /* --report FILE: append JSON lines, or NULL */

    int bench;                       /* --bench: run the benchmark instead */
    struct bench_options bench_opts; /* filled when `bench` is set        */

    /* ---- the job list: folders, names, formats, variants, manifest ----
     * -p/-f and -T/-t take comma-separated lists; every combination is a
     * job (inputs outer, then pitch, then tempo), spelt with
     * settings.pitch_opt and settings.tempo_opt. */
    size_t npitch;                  /* values in pitches[], >= 1       */
    double pitches[CLI_VALUES_MAX]; /* as given: semitones for -p (and
                                       0 by default), ratios for -f    */
    size_t ntempo;                  /* values in tempos[], >= 1        */
    double tempos[CLI_VALUES_MAX];  /* as given: speed factors for -T
                                       (1 by default), multiples for -t */
    int recursive;                  /* -r: walk directory operands     */
    const char *name_template;      /* --name, or NULL: built-in names */
    const char *format_ext;         /* --format: extension for output
                                       names ("flac"), or NULL         */
    const char *manifest;           /* --manifest FILE, "-" for stdin,
                                       or NULL                         */
    /* Not an option: for a program that embeds the batch (tempitch's
     * Python module), the output of each of the `inputs`, so that the
     * pairs are the jobs (jobs.h), or NULL. */
    char *const *outputs;
};

/* Largest N of --shard K/N. */
#define CLI_SHARDS_MAX 1000000UL

/* Frequency-ratio range equivalent to the engine's semitone range, so -f
 * and -p accept exactly the same shifts. */
#define RATIO_MIN exp2(TP_SEMITONES_MIN / 12.0)
#define RATIO_MAX exp2(TP_SEMITONES_MAX / 12.0)

/* --bench ranges: generous, but small enough that a typo cannot ask for
 * gigabytes of generated noise. */
#define BENCH_JOBS_MAX 1024
#define BENCH_SECONDS_MIN 0.01
#define BENCH_SECONDS_MAX 600.0
#define BENCH_REPS_MAX 100

/* Why -D cannot apply to stdin: the command line and a manifest row. */
#define CLI_REASON_DURATION_STDIN                                              \
    "-D needs the input's length, which stdin does not give"

/* Largest -j: the pool's limit. */
#define CLI_THREADS_MAX TP_POOL_THREADS_MAX

enum cli_parse_status {
    CLI_RUN,  /* *opts is filled; go and do the work          */
    CLI_DONE, /* --help or --version was printed; exit 0      */
    CLI_USAGE /* a usage error was printed on stderr; exit 2  */
};

/* Parses argv (which getopt_long may permute).  Every value is checked
 * strictly: a number must be consumed entirely, be finite and lie in the
 * engine's range (TP_* in tempitch/stretch.h); each error message states
 * the valid range.  Returns a cli_parse_status; *opts is only meaningful
 * for CLI_RUN, and then points into argv (keep argv alive). */
enum cli_parse_status options_parse(int argc, char **argv,
                                    struct cli_options *opts);

/* Fills *opts with what options_parse starts from: no inputs, the
 * settings' defaults (settings_defaults), one worker per online CPU,
 * normal verbosity, one-value pitch and tempo lists at their defaults,
 * --bench's defaults.  For a program that fills the options itself. */
void options_defaults(struct cli_options *opts);

#endif /* TEMPITCH_CLI_OPTIONS_H */
