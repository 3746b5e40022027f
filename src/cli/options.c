/*
 * options.c -- command-line parsing for the tempitch command.
 *
 * Two modes share one option table: the batch (FILE... [-o OUTPUT]) and
 * --bench.  Options that only mean something in one mode are refused in
 * the other rather than silently ignored.
 */
#include "options.h"
#include "message.h"
#include "fdpath.h"
#include "help.h"
#include "sfformat.h"
#include "template.h"

#include <tempitch/pool.h>
#include <tempitch/stretch.h>

#include <sndfile.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_FORCE = 256,
    OPT_NORMALIZE,
    OPT_CLIP,
    OPT_SYNC,
    OPT_JSON,
    OPT_BENCH,
    OPT_BENCH_JOBS,
    OPT_SECONDS,
    OPT_CHANNELS,
    OPT_RATE,
    OPT_REPS,
    /* Job selection (see the block "Pipelines" below). */
    OPT_NEWER,
    OPT_SHARD,
    OPT_REPORT,
    /* The job list (see the block "Job list options" below). */
    OPT_NAME,
    OPT_FORMAT,
    OPT_SUBTYPE,
    OPT_MANIFEST,
    /* formants (issue 6) */
    OPT_FORMANT_SEMITONES,
    /* quality modes (issue 6) */
    OPT_FAST,
    OPT_FINE,
};

static const struct option long_options[] = {
    {"pitch", required_argument, NULL, 'p'},
    {"frequency", required_argument, NULL, 'f'},
    {"tempo", required_argument, NULL, 'T'},
    {"time", required_argument, NULL, 't'},
    {"duration", required_argument, NULL, 'D'},
    {"output", required_argument, NULL, 'o'},
    {"jobs", required_argument, NULL, 'j'},
    {"force", no_argument, NULL, OPT_FORCE},
    {"normalize", no_argument, NULL, OPT_NORMALIZE},
    {"clip", no_argument, NULL, OPT_CLIP},
    {"sync", no_argument, NULL, OPT_SYNC},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"json", no_argument, NULL, OPT_JSON},
    {"bench", no_argument, NULL, OPT_BENCH},
    {"bench-jobs", required_argument, NULL, OPT_BENCH_JOBS},
    {"seconds", required_argument, NULL, OPT_SECONDS},
    {"channels", required_argument, NULL, OPT_CHANNELS},
    {"rate", required_argument, NULL, OPT_RATE},
    {"reps", required_argument, NULL, OPT_REPS},
    {"newer", no_argument, NULL, OPT_NEWER},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"report", required_argument, NULL, OPT_REPORT},
    /* The job list. */
    {"recursive", no_argument, NULL, 'r'},
    {"name", required_argument, NULL, OPT_NAME},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"subtype", required_argument, NULL, OPT_SUBTYPE},
    {"manifest", required_argument, NULL, OPT_MANIFEST},
    /* formants (issue 6) */
    {"formant", no_argument, NULL, 'F'},
    {"formant-semitones", required_argument, NULL, OPT_FORMANT_SEMITONES},
    /* quality modes (issue 6) */
    {"fast", no_argument, NULL, OPT_FAST},
    {"fine", no_argument, NULL, OPT_FINE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Leading ':' makes getopt return ':' for a missing value, so the two
 * kinds of mistakes get different messages. */
static const char short_options[] = ":p:f:T:t:D:o:j:qvhVrF";

static int take_pipeline_option(int c, struct cli_options *o);
static const char *pipeline_option_name(int c);

/* Usage mistakes that are about syntax rather than values get a pointer
 * to --help; value errors already say the valid range.  `arg` may be NULL. */
static enum cli_parse_status usage_error(const char *msg, const char *arg)
{
    if (arg != NULL)
        message("tempitch: %s '%s'\n", msg, arg);
    else
        message("tempitch: %s\n", msg);
    fputs("Try 'tempitch --help' for more information.\n", message_stream());
    return CLI_USAGE;
}

/* The option getopt just complained about, as the user spelt it.  A long
 * option always advances optind past its own word; a short one may sit in
 * a bundle ("-qx"), so it is rebuilt from optopt. */
static const char *offending_option(char **argv, char *buf, size_t size)
{
    const char *word = argv[optind - 1];
    if (optopt == 0 || strncmp(word, "--", 2) == 0) {
        snprintf(buf, size, "%.*s", (int)strcspn(word, "="), word);
    } else {
        snprintf(buf, size, "-%c", optopt);
    }
    return buf;
}

/* What getopt_long's '?' meant for a long option `word` ("--name" or
 * "--name=value"; getopt's own messages are off): a value given to an
 * option that takes none, a prefix of several options, or an unknown
 * name.  The message goes into msg[size]. */
static void diagnose_long(const char *word, char *msg, size_t size)
{
    const char *name = word + 2;
    size_t len = strcspn(name, "=");
    const struct option *exact = NULL;
    size_t matches = 0;
    char list[256] = "";
    for (const struct option *o = long_options; o->name != NULL; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (strlen(o->name) == len)
            exact = o;
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s--%s",
                 matches ? ", " : "", o->name);
        matches++;
    }
    if (exact == NULL && matches == 1) {
        /* a unique prefix: getopt took it, so only a value can be wrong */
        for (const struct option *o = long_options; o->name != NULL; o++)
            if (strncmp(o->name, name, len) == 0)
                exact = o;
    }
    if (exact != NULL && name[len] == '=' && exact->has_arg == no_argument)
        snprintf(msg, size, "option '--%s' takes no value", exact->name);
    else if (exact == NULL && matches > 1)
        snprintf(msg, size, "ambiguous option '--%.*s' (could be %s)",
                 (int)len, name, list);
    else
        snprintf(msg, size, "unknown option '--%.*s'", (int)len, name);
}

/* Strict number: the whole string must be consumed and the value finite
 * (strtod alone would accept "1.5x", "nan", "inf" and overflow to inf). */
static int parse_number(const char *text, double *value)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v))
        return -1;
    *value = v;
    return 0;
}

/* Parses `text` into *value, which must lie in [lo, hi].  On failure
 * prints "invalid WHAT 'TEXT' (expected KIND in LO..HI)" and returns -1. */
static int parse_ranged(const char *text, const char *what, const char *kind,
                        double lo, double hi, double *value)
{
    double v;
    if (parse_number(text, &v) == 0 && v >= lo && v <= hi) {
        *value = v;
        return 0;
    }
    message("tempitch: invalid %s '%s' (expected %s in %g..%g)\n", what, text,
            kind, lo, hi);
    return -1;
}

/* Strict integer in [lo, hi]: digits only (an optional sign), no spaces,
 * no fraction, no overflow. */
static int parse_int(const char *text, const char *what, long lo, long hi,
                     long *value)
{
    char *end = NULL;
    errno = 0;
    long v = 0;
    int ok = (isdigit((unsigned char)text[0]) ||
              ((text[0] == '-' || text[0] == '+') &&
               isdigit((unsigned char)text[1])));
    if (ok) {
        v = strtol(text, &end, 10);
        ok = *end == '\0' && errno == 0 && v >= lo && v <= hi;
    }
    if (!ok) {
        message("tempitch: invalid %s '%s' (expected an integer in %ld..%ld)\n",
                what, text, lo, hi);
        return -1;
    }
    *value = v;
    return 0;
}

/* -T takes a speed factor or X:Y, a change from X to Y BPM, which is the
 * speed factor Y/X.  Returns 0 with the factor in *tempo, or -1 after a
 * message that gives both forms and the range. */
static int parse_tempo(const char *text, double *tempo)
{
    const char *colon = strchr(text, ':');
    double v = NAN;
    if (colon == NULL) {
        if (parse_number(text, &v) != 0)
            v = NAN;
    } else {
        char from[64];
        size_t n = (size_t)(colon - text);
        double x, y;
        if (n < sizeof from) {
            memcpy(from, text, n);
            from[n] = '\0';
            if (parse_number(from, &x) == 0 &&
                parse_number(colon + 1, &y) == 0 && x > 0 && y > 0)
                v = y / x;
        }
    }
    /* !(v >= lo) also catches NaN. */
    if (!(v >= TP_TEMPO_MIN && v <= TP_TEMPO_MAX)) {
        message("tempitch: invalid tempo '%s' (expected a speed factor in "
                "%g..%g, or X:Y BPM with Y/X in that range)\n",
                text, TP_TEMPO_MIN, TP_TEMPO_MAX);
        return -1;
    }
    *tempo = v;
    return 0;
}

/* Two spellings of one setting (-T/-t/-D, -p/-f) are refused together
 * rather than silently letting one win: a script mixing them is likely
 * wrong. */
static int check_spelling(int *seen, int opt, const char *setting)
{
    if (*seen != 0 && *seen != opt) {
        message("tempitch: -%c and -%c both set the %s; give only one\n", *seen,
                opt, setting);
        return -1;
    }
    *seen = opt;
    return 0;
}

/* ==== Job list options: value lists, -r, --name, --format, --subtype,
 * --manifest.  Kept together here; take_option calls in for -p -f -T -t
 * and job_option handles the rest. ==== */

/* One value of a list: parses `text` into *v or prints why not. */
typedef int value_fn(const char *text, double *v);

static int semitones_value(const char *text, double *v)
{
    return parse_ranged(text, "pitch", "semitones", TP_SEMITONES_MIN,
                        TP_SEMITONES_MAX, v);
}

static int ratio_value(const char *text, double *v)
{
    return parse_ranged(text, "frequency ratio", "a ratio", RATIO_MIN,
                        RATIO_MAX, v);
}

static int time_value(const char *text, double *v)
{
    /* A duration multiple X is the speed factor 1/X; the range is the
     * tempo range inverted. */
    return parse_ranged(text, "time ratio", "a duration multiple",
                        1.0 / TP_TEMPO_MAX, 1.0 / TP_TEMPO_MIN, v);
}

/* "A,B,C": each value through `parse`, at most CLI_VALUES_MAX.  A later
 * use of the same option replaces the whole list. */
static int parse_list(const char *text, value_fn *parse, double *values,
                      size_t *count)
{
    size_t n = 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (n == CLI_VALUES_MAX) {
            message("tempitch: too many values in '%s' (at most %d)\n", text,
                    CLI_VALUES_MAX);
            return -1;
        }
        char *piece = malloc(len + 1);
        if (piece == NULL) {
            fputs("tempitch: out of memory\n", message_stream());
            return -1;
        }
        memcpy(piece, p, len);
        piece[len] = '\0';
        int rc = parse(piece, &values[n]);
        free(piece);
        if (rc != 0)
            return -1;
        n++;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    *count = n;
    return 0;
}

/* --format NAME: the major format, its implied subtype as a hint, and the
 * extension output names get. */
static int take_format(const char *text, struct cli_options *o)
{
    const struct sfformat_name *f = sfformat_major_named(text);
    if (f == NULL) {
        message("tempitch: unknown format '%s' (expected one of: %s)\n", text,
                sfformat_major_names());
        return -1;
    }
    o->format.major = f->format;
    o->format.hint = f->subtype;
    o->format_ext = f->ext;
    return 0;
}

static int take_subtype(const char *text, struct cli_options *o)
{
    const struct sfformat_name *f = sfformat_subtype_named(text);
    if (f == NULL) {
        message("tempitch: unknown subtype '%s' (expected one of: %s)\n", text,
                sfformat_subtype_names());
        return -1;
    }
    o->format.subtype = f->format;
    return 0;
}

/* -r, --name, --format, --subtype, --manifest.  Returns 0, -1 after a
 * usage error, or 1 when `c` is none of them. */
static int job_option(int c, struct cli_options *o, const char **batch_only)
{
    char why[160];
    switch (c) {
    case 'r':
        o->recursive = 1;
        *batch_only = *batch_only ? *batch_only : "-r";
        return 0;
    case OPT_NAME:
        if (template_check(optarg, why, sizeof why) != 0) {
            message("tempitch: invalid --name '%s': %s\n", optarg, why);
            return -1;
        }
        o->name_template = optarg;
        *batch_only = *batch_only ? *batch_only : "--name";
        return 0;
    case OPT_FORMAT:
        *batch_only = *batch_only ? *batch_only : "--format";
        return take_format(optarg, o);
    case OPT_SUBTYPE:
        *batch_only = *batch_only ? *batch_only : "--subtype";
        return take_subtype(optarg, o);
    case OPT_MANIFEST:
        if (optarg[0] == '\0') {
            usage_error("empty manifest name", NULL);
            return -1;
        }
        o->manifest = optarg;
        *batch_only = *batch_only ? *batch_only : "--manifest";
        return 0;
    }
    return 1;
}

/* Checks across the job list options, once all are read. */
static int finish_job_options(const struct cli_options *o, size_t nfiles)
{
    int major = o->format.major, sub = o->format.subtype;
    /* The rate and channels are unknown until the files are opened; a
     * combination no common shape can use is wrong whatever they are. */
    static const int shapes[][2] = {{44100, 1}, {48000, 1}, {48000, 2}};
    int usable = major == 0 || sub == 0;
    for (size_t i = 0; !usable && i < sizeof shapes / sizeof *shapes; i++) {
        int f = sfformat_explicit(major, sub, shapes[i][0], shapes[i][1]);
        usable = f != 0 && sfformat_can_write(f, shapes[i][0], shapes[i][1]);
    }
    if (!usable) {
        message("tempitch: --format %s cannot store --subtype %s\n",
                o->format_ext, sfformat_subtype_short(sub));
        return -1;
    }
    if (o->manifest != NULL && nfiles > 0) {
        usage_error("--manifest and FILE operands cannot be combined (put "
                    "the files in the manifest)",
                    NULL);
        return -1;
    }
    if (o->manifest != NULL && o->recursive) {
        usage_error("-r does not apply to --manifest (list the files in it)",
                    NULL);
        return -1;
    }
    return 0;
}

/* ==== end of the job list options ==== */

/* The parser's scratch state: what was given, before the mode is known. */
struct seen {
    const char *bench_only; /* first --bench-only option given, or NULL */
    const char *batch_only; /* first batch-only option given, or NULL   */
    int jobs_given;
    long bench_jobs, channels, rate, reps;
    double seconds;
};

/* Handles one option of the batch/benchmark table.  Returns 0, or -1 after
 * printing a usage error. */
static int take_option(int c, struct cli_options *o, struct seen *s)
{
    double v;
    long n;
    switch (c) {
    /* -p -f -T -t take lists (A,B,C): see parse_list. */
    case 'p':
    case 'f':
        if (check_spelling(&o->settings.pitch_opt, c, "pitch") != 0 ||
            parse_list(optarg, c == 'p' ? semitones_value : ratio_value,
                       o->pitches, &o->npitch) != 0)
            return -1;
        settings_set_pitch(&o->settings, c, o->pitches[0]);
        return 0;
    case 'T':
    case 't':
        if (check_spelling(&o->settings.tempo_opt, c, "tempo") != 0 ||
            parse_list(optarg, c == 'T' ? parse_tempo : time_value, o->tempos,
                       &o->ntempo) != 0)
            return -1;
        settings_set_tempo(&o->settings, c, o->tempos[0]);
        return 0;
    case 'D':
        if (check_spelling(&o->settings.tempo_opt, c, "tempo") != 0)
            return -1;
        if (parse_number(optarg, &v) != 0 || !(v > 0)) {
            message("tempitch: invalid duration '%s' (expected seconds > 0)\n",
                    optarg);
            return -1;
        }
        settings_set_tempo(&o->settings, c, v);
        s->batch_only = s->batch_only ? s->batch_only : "-D";
        return 0;
    case 'o':
        if (optarg[0] == '\0') {
            usage_error("empty output name", NULL);
            return -1;
        }
        o->output = optarg;
        s->batch_only = s->batch_only ? s->batch_only : "-o";
        return 0;
    case 'j':
        if (parse_int(optarg, "thread count", 1, CLI_JOBS_MAX, &n) != 0)
            return -1;
        o->jobs = (int)n;
        s->jobs_given = 1;
        return 0;
    case OPT_FORCE:
        o->policy.force = 1;
        s->batch_only = s->batch_only ? s->batch_only : "--force";
        return 0;
    case OPT_NORMALIZE:
        o->policy.normalize = 1;
        s->batch_only = s->batch_only ? s->batch_only : "--normalize";
        return 0;
    case OPT_CLIP:
        o->policy.clip = 1;
        s->batch_only = s->batch_only ? s->batch_only : "--clip";
        return 0;
    case OPT_SYNC:
        o->policy.sync = 1;
        s->batch_only = s->batch_only ? s->batch_only : "--sync";
        return 0;
    case 'q':
        o->verbosity = VERBOSITY_QUIET;
        return 0;
    case 'v':
        o->verbosity = VERBOSITY_VERBOSE;
        s->batch_only = s->batch_only ? s->batch_only : "-v";
        return 0;
    case OPT_JSON:
        o->json = 1;
        return 0;
    case OPT_BENCH:
        o->bench = 1;
        return 0;
    case OPT_NEWER:
    case OPT_SHARD:
    case OPT_REPORT:
        if (s->batch_only == NULL)
            s->batch_only = pipeline_option_name(c);
        return take_pipeline_option(c, o);
    /* formants (issue 6) */
    case 'F':
        o->settings.formant = 1;
        return 0;
    case OPT_FORMANT_SEMITONES:
        if (parse_ranged(optarg, "formant shift", "semitones",
                         TP_FORMANT_SEMITONES_MIN, TP_FORMANT_SEMITONES_MAX,
                         &v) != 0)
            return -1;
        o->settings.formant = 1;
        o->settings.formant_semitones = v;
        return 0;
    }
    int job = job_option(c, o, &s->batch_only);
    if (job <= 0)
        return job;

    /* Quality modes: both batch and --bench.  --fast and --fine together
     * are a usage error, not "the last wins": a script that appends one
     * to a command that already has the other has a bug worth seeing. */
    if (c == OPT_FAST || c == OPT_FINE) {
        enum tp_quality q = c == OPT_FAST ? TP_QUALITY_FAST : TP_QUALITY_FINE;
        if (o->settings.quality != TP_QUALITY_BALANCED &&
            o->settings.quality != q) {
            message("tempitch: --fast and --fine both set the "
                    "quality; give only one\n");
            return -1;
        }
        o->settings.quality = q;
        return 0;
    }

    /* The rest are --bench settings. */
    int rc = 0;
    switch (c) {
    case OPT_BENCH_JOBS:
        rc = parse_int(optarg, "job count", 1, BENCH_JOBS_MAX, &s->bench_jobs);
        s->bench_only = s->bench_only ? s->bench_only : "--bench-jobs";
        break;
    case OPT_SECONDS:
        rc = parse_ranged(optarg, "length", "seconds", BENCH_SECONDS_MIN,
                          BENCH_SECONDS_MAX, &s->seconds);
        s->bench_only = s->bench_only ? s->bench_only : "--seconds";
        break;
    case OPT_CHANNELS:
        rc = parse_int(optarg, "channel count", 1, TP_CHANNELS_MAX,
                       &s->channels);
        s->bench_only = s->bench_only ? s->bench_only : "--channels";
        break;
    case OPT_RATE:
        rc = parse_int(optarg, "sample rate", (long)TP_RATE_MIN,
                       (long)TP_RATE_MAX, &s->rate);
        s->bench_only = s->bench_only ? s->bench_only : "--rate";
        break;
    case OPT_REPS:
        rc = parse_int(optarg, "repetition count", 1, BENCH_REPS_MAX, &s->reps);
        s->bench_only = s->bench_only ? s->bench_only : "--reps";
        break;
    }
    return rc;
}

/* --bench: the shared settings go into struct bench_options, whose own
 * pitch and tempo stand where none was given. */
static enum cli_parse_status finish_bench(struct cli_options *o,
                                          const struct seen *s, char **files,
                                          size_t nfiles)
{
    if (s->batch_only != NULL) {
        message("tempitch: %s cannot be used with --bench\n", s->batch_only);
        return CLI_USAGE;
    }
    if (o->npitch > 1 || o->ntempo > 1) {
        fputs("tempitch: lists of values cannot be used with --bench\n",
              message_stream());
        return CLI_USAGE;
    }
    struct bench_options *b = &o->bench_opts;
    bench_defaults(b);
    /* The benchmark's own pitch and tempo unless they were given. */
    struct settings own = b->settings;
    b->settings = o->settings;
    if (o->settings.pitch_opt == 0)
        settings_set_pitch(&b->settings, own.pitch_opt, own.pitch_given);
    if (o->settings.tempo_opt == 0)
        settings_set_tempo(&b->settings, own.tempo_opt, own.tempo_given);
    if (s->jobs_given)
        b->threads = o->jobs;
    if (s->bench_jobs > 0)
        b->jobs = (size_t)s->bench_jobs;
    if (s->seconds > 0)
        b->seconds = s->seconds;
    if (s->channels > 0)
        b->channels = (int)s->channels;
    if (s->rate > 0)
        b->rate = (int)s->rate;
    if (s->reps > 0)
        b->reps = (int)s->reps;
    b->json = o->json;
    b->quiet = o->verbosity == VERBOSITY_QUIET;
    b->files = files;
    b->nfiles = nfiles;
    return CLI_RUN;
}

/* -o naming a descriptor (fdpath.h): standard output's own names
 * (/dev/stdout, /dev/fd/1, /proc/self/fd/1) are -o -; any other one is
 * refused.  Returns 0, or -1 after printing the usage error. */
static int output_descriptor(struct cli_options *o)
{
    int own = 0;
    int fd = o->output != NULL && !convert_is_stdio(o->output)
                 ? fdpath_descriptor(o->output, &own)
                 : -1;
    if (fd == STDOUT_FILENO && own)
        o->output = CONVERT_STDIO;
    else if (fd >= 0) {
        message("tempitch: -o %s: names an open file descriptor, not a file "
                "(standard output is -o - or -o /dev/stdout)\n",
                o->output);
        return -1;
    }
    return 0;
}

/* The rules of "-" (standard input as the input, standard output as -o):
 * what the streams cannot do is refused here, before anything runs.
 * Returns 0, or -1 after printing the usage error. */
static int check_streams(const struct cli_options *o)
{
    size_t stdin_count = 0;
    for (size_t i = 0; i < o->ninputs; i++)
        stdin_count += convert_is_stdio(o->inputs[i]);
    int to_stdout = o->output != NULL && convert_is_stdio(o->output);
    const char *msg = NULL;
    if (stdin_count > 1)
        msg = "'-' (stdin) given more than once";
    else if (to_stdout && o->ninputs != 1)
        msg = "-o - (stdout) takes exactly one input file";
    else if (stdin_count == 1 && o->ninputs != 1)
        /* With several inputs -o is a directory, and stdin has no name
         * to give its output there. */
        msg = "'-' (stdin) must be the only input";
    else if (stdin_count == 1 && o->output == NULL)
        msg = "reading stdin needs -o FILE or -o -";
    else if (stdin_count == 1 && o->npitch * o->ntempo > 1)
        msg = "'-' (stdin) would be read by several jobs (give it one pitch "
              "and one tempo)";
    else if (stdin_count == 1 && o->policy.normalize)
        msg = CONVERT_REASON_NORMALIZE_STDIN;
    else if (to_stdout && o->policy.normalize)
        msg = CONVERT_REASON_NORMALIZE_STDOUT;
    else if (stdin_count == 1 && settings_duration(&o->settings) > 0)
        msg = CLI_REASON_DURATION_STDIN;
    if (msg == NULL)
        return 0;
    usage_error(msg, NULL);
    return -1;
}

enum cli_parse_status options_parse(int argc, char **argv,
                                    struct cli_options *opts)
{
    memset(opts, 0, sizeof *opts);
    settings_defaults(&opts->settings);
    opts->jobs = tp_pool_cpu_count();
    if (opts->jobs > CLI_JOBS_MAX)
        opts->jobs = CLI_JOBS_MAX;
    opts->verbosity = VERBOSITY_NORMAL;
    opts->npitch = opts->ntempo = 1;
    opts->pitches[0] = 0.0;
    opts->tempos[0] = 1.0;

    struct seen seen = {0};
    char name[64];

    opterr = 0; /* we print our own messages, prefixed "tempitch:" */
    /* 0, not 1: glibc then also forgets a half-read bundle such as -Vq of
     * a previous call, so the parser can run more than once (fuzzing). */
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) !=
           -1) {
        switch (c) {
        case 'h':
            help_print();
            return CLI_DONE;
        case 'V':
            help_print_version();
            return CLI_DONE;
        case ':':
            return usage_error("missing value for option",
                               offending_option(argv, name, sizeof name));
        case '?':
            if (strncmp(argv[optind - 1], "--", 2) == 0) {
                char msg[400];
                diagnose_long(argv[optind - 1], msg, sizeof msg);
                return usage_error(msg, NULL);
            }
            return usage_error("unknown option",
                               offending_option(argv, name, sizeof name));
        default:
            if (take_option(c, opts, &seen) != 0)
                return CLI_USAGE;
        }
    }

    char **files = argv + optind;
    size_t nfiles = (size_t)(argc - optind);
    for (size_t i = 0; i < nfiles; i++) {
        if (files[i][0] == '\0')
            return usage_error("empty input file name", NULL);
    }
    if (opts->bench)
        return finish_bench(opts, &seen, files, nfiles);
    if (seen.bench_only != NULL) {
        message("tempitch: %s only applies to --bench\n", seen.bench_only);
        return CLI_USAGE;
    }
    if (finish_job_options(opts, nfiles) != 0)
        return CLI_USAGE;
    if (nfiles == 0 && opts->manifest == NULL)
        return usage_error("no input file given", NULL);
    opts->inputs = files;
    opts->ninputs = nfiles;
    if (output_descriptor(opts) != 0)
        return CLI_USAGE;
    if (check_streams(opts) != 0)
        return CLI_USAGE;
    return CLI_RUN;
}

/* ---- Pipelines: --newer, --shard, --report (select.c, jsonl.c) ---------
 * Kept together here so that the job-selection options read as one unit
 * and the rest of the parser does not need to know about them. */

/* "K/N": two strict decimal integers, 1 <= K <= N <= CLI_SHARDS_MAX. */
static int parse_shard(const char *text, unsigned long *k, unsigned long *n)
{
    char *end = NULL;
    unsigned long a = 0, b = 0;
    int ok = isdigit((unsigned char)text[0]);
    if (ok) {
        errno = 0;
        a = strtoul(text, &end, 10);
        ok = errno == 0 && *end == '/' && isdigit((unsigned char)end[1]);
    }
    if (ok) {
        const char *rest = end + 1;
        b = strtoul(rest, &end, 10);
        ok = errno == 0 && *end == '\0' && a >= 1 && a <= b &&
             b <= CLI_SHARDS_MAX;
    }
    if (!ok) {
        message("tempitch: invalid shard '%s' (expected K/N with 1 <= K <= N "
                "<= %lu)\n",
                text, CLI_SHARDS_MAX);
        return -1;
    }
    *k = a;
    *n = b;
    return 0;
}

/* For "--newer cannot be used with --bench". */
static const char *pipeline_option_name(int c)
{
    return c == OPT_NEWER ? "--newer" : c == OPT_SHARD ? "--shard" : "--report";
}

/* Handles one of OPT_NEWER, OPT_SHARD, OPT_REPORT.  Returns 0, or -1
 * after printing a usage error. */
static int take_pipeline_option(int c, struct cli_options *o)
{
    switch (c) {
    case OPT_NEWER:
        o->newer = 1;
        return 0;
    case OPT_SHARD:
        return parse_shard(optarg, &o->shard_k, &o->shard_n);
    case OPT_REPORT:
        if (optarg[0] == '\0') {
            usage_error("empty report file name", NULL);
            return -1;
        }
        o->report_path = optarg;
        return 0;
    }
    return 0;
}
