/*
 * options.c -- command-line parsing for the tempitch command.
 *
 * Every option is a row of optable.c; this file turns the table into
 * getopt_long's arguments, stores each value as its row says, refuses an
 * option in a mode that does not take it (the batch, FILE... [-o OUTPUT],
 * and --bench) rather than silently ignoring it, and checks what only
 * the whole command line can tell.
 */
#include "options.h"
#include "fdpath.h"
#include "message.h"
#include "optable.h"
#include "optread.h"
#include "sfformat.h"

#include <tempitch/pool.h>
#include <tempitch/stretch.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Most options of the table (it has 35); build_getopt_args stops the
 * program rather than drop one. */
enum { ROWS_MAX = 64 };

/* getopt_long's answer for the n-th long option without a short letter:
 * LONG_ONLY + n, above every character. */
enum { LONG_ONLY = 256 };

/* Longest long option name. */
enum { LONG_NAME_MAX = 32 };

/* getopt_long's arguments, from the table: the long options and the
 * short ones (a leading ':' makes getopt return ':' for a missing value,
 * so the two kinds of mistakes get different messages). */
struct getopt_args {
    struct option longopts[ROWS_MAX + 1];
    char optstring[2 * ROWS_MAX + 2];
    const struct cli_option *row_of[ROWS_MAX]; /* by longopts index */
};

static void build_getopt_args(struct getopt_args *g)
{
    size_t n = 0, len = 0;
    g->optstring[len++] = ':';
    for (size_t i = 0; i < optable_size; i++) {
        const struct cli_option *row = &optable[i];
        if (row->kind == OPT_HELP)
            continue;
        if (n == ROWS_MAX) {
            fputs("tempitch: the options table outgrew ROWS_MAX\n", stderr);
            abort();
        }
        int has_arg =
            row->kind == OPT_FLAG || (row->kind == OPT_CALL && row->arg == NULL)
                ? no_argument
                : required_argument;
        /* Options without a short letter answer by their place. */
        int val = row->key != 0 ? row->key : LONG_ONLY + (int)n;
        g->longopts[n] = (struct option){row->name, has_arg, NULL, val};
        g->row_of[n++] = row;
        if (row->key != 0) {
            g->optstring[len++] = (char)row->key;
            if (has_arg == required_argument)
                g->optstring[len++] = ':';
        }
    }
    g->longopts[n] = (struct option){NULL, 0, NULL, 0};
    g->optstring[len] = '\0';
}

/* The index in g->longopts of getopt_long's answer `c`, or -1. */
static int longopt_index(const struct getopt_args *g, int c)
{
    for (int i = 0; g->longopts[i].name != NULL; i++)
        if (g->longopts[i].val == c)
            return i;
    return -1;
}

/* An option with a value given twice is refused, as --fast with --fine
 * is, rather than letting the last one win: with lists (-p 2,3) a second
 * -p is more likely meant as a second value than as a correction, and a
 * script that appends an option to a command already holding it has a bug
 * worth seeing.  Options without a value may repeat (-q, -v: the last
 * wins).  given[] holds the value each option had, by longopts index.
 * Returns 0, or -1 after the usage error. */
static int check_repeat(const char **given, int i, const struct cli_option *row,
                        const char *value)
{
    if (value == NULL)
        return 0;
    if (given[i] == NULL) {
        given[i] = value;
        return 0;
    }
    char name[64], msg[320];
    optable_spelling(row, name, sizeof name);
    int n = snprintf(msg, sizeof msg, "%s given twice ('%.40s', then '%.40s'); "
                     "give it once", name, given[i], value);
    if (row->take == read_list && n > 0 && (size_t)n < sizeof msg)
        snprintf(msg + n, sizeof msg - (size_t)n,
                 " (for several values, one list: %s %.40s,%.40s)", name,
                 given[i], value);
    usage_error(msg, NULL);
    return -1;
}

/* Edit distance between a[0..la) and b[0..lb) (insertions, deletions,
 * substitutions and swaps of neighbours each count 1), or a number above
 * `cap` once it is certain to exceed it.  Names are short (LONG_NAME_MAX). */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb,
                            size_t cap)
{
    if (la > LONG_NAME_MAX || lb > LONG_NAME_MAX)
        return cap + 1;
    size_t d[LONG_NAME_MAX + 1][LONG_NAME_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* The long option closest to the unknown `name` (len bytes), for "did you
 * mean": within 2 edits, and fewer than half the name's letters, so that
 * a short word is not matched to anything; NULL if none or a tie. */
static const char *closest_long(const struct option *longopts,
                                const char *name, size_t len)
{
    size_t cap = len / 2 < 2 ? len / 2 : 2, best = cap + 1;
    const char *found = NULL;
    for (const struct option *o = longopts; o->name != NULL; o++) {
        size_t dist = edit_distance(name, len, o->name, strlen(o->name), cap);
        if (dist < best) {
            best = dist;
            found = o->name;
        } else if (dist == best) {
            found = NULL; /* two as close: no guess */
        }
    }
    return best <= cap ? found : NULL;
}

/* Stores the value of one option as its row says.  Returns 0, -1 after a
 * usage error, or 1 when the command is done. */
static int take_row(struct option_parse *ps, const struct cli_option *row,
                    const char *value)
{
    char *field = (char *)ps->o + row->at;
    long n;
    char msg[64];
    switch (row->kind) {
    case OPT_FLAG:
        *(int *)field = 1;
        return 0;
    case OPT_NUMBER:
        return parse_ranged(value, row->what, row->unit, row->lo, row->hi,
                            (double *)field);
    case OPT_INT:
        if (parse_int(value, row->what, (long)row->lo, (long)row->hi, &n) != 0)
            return -1;
        *(int *)field = (int)n;
        return 0;
    case OPT_TEXT:
        if (value[0] == '\0') {
            snprintf(msg, sizeof msg, "empty %s name", row->what);
            usage_error(msg, NULL);
            return -1;
        }
        *(const char **)field = value;
        return 0;
    case OPT_CALL:
        return row->take(ps, row, value);
    case OPT_HELP:
        break;
    }
    return 0;
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
static void diagnose_long(const struct option *longopts, const char *word,
                          char *msg, size_t size)
{
    const char *name = word + 2;
    size_t len = strcspn(name, "=");
    const struct option *exact = NULL;
    size_t matches = 0;
    const char *guess;
    char list[256] = "";
    /* The candidates shortest first (the likeliest meant), ties in the
     * table's order. */
    for (size_t want = len; want <= LONG_NAME_MAX; want++) {
        for (const struct option *o = longopts; o->name != NULL; o++) {
            if (strncmp(o->name, name, len) != 0 || strlen(o->name) != want)
                continue;
            if (want == len)
                exact = o;
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s--%s",
                     matches ? ", " : "", o->name);
            matches++;
        }
    }
    if (exact == NULL && matches == 1) {
        /* a unique prefix: getopt took it, so only a value can be wrong */
        for (const struct option *o = longopts; o->name != NULL; o++)
            if (strncmp(o->name, name, len) == 0)
                exact = o;
    }
    if (exact != NULL && name[len] == '=' && exact->has_arg == no_argument)
        snprintf(msg, size, "option '--%s' takes no value", exact->name);
    else if (exact == NULL && matches > 1)
        snprintf(msg, size, "ambiguous option '--%.*s' (could be %s)", (int)len,
                 name, list);
    else if ((guess = closest_long(longopts, name, len)) != NULL)
        snprintf(msg, size, "unknown option '--%.*s' (did you mean --%s?)",
                 (int)len, name, guess);
    else
        snprintf(msg, size, "unknown option '--%.*s'", (int)len, name);
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

/* --bench: the shared settings go into struct bench_options. */
static enum cli_parse_status finish_bench(struct cli_options *o,
                                          const struct option_parse *ps,
                                          char **files, size_t nfiles)
{
    if (o->npitch > 1 || o->ntempo > 1) {
        fputs("tempitch: lists of values cannot be used with --bench\n",
              message_stream());
        return CLI_USAGE;
    }
    /* bench_opts holds the benchmark's defaults and its own options; the
     * shared settings replace its pitch and tempo only when given. */
    struct bench_options *b = &o->bench_opts;
    struct settings own = b->settings;
    b->settings = o->settings;
    if (o->settings.pitch_opt == 0)
        settings_set_pitch(&b->settings, own.pitch_opt, own.pitch_given);
    if (o->settings.tempo_opt == 0)
        settings_set_tempo(&b->settings, own.tempo_opt, own.tempo_given);
    if (ps->threads_given)
        b->threads = o->threads;
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

void options_defaults(struct cli_options *opts)
{
    memset(opts, 0, sizeof *opts);
    settings_defaults(&opts->settings);
    opts->threads = tp_pool_cpu_count();
    if (opts->threads > CLI_THREADS_MAX)
        opts->threads = CLI_THREADS_MAX;
    opts->verbosity = VERBOSITY_NORMAL;
    opts->npitch = opts->ntempo = 1;
    opts->pitches[0] = 0.0;
    opts->tempos[0] = 1.0;
    bench_defaults(&opts->bench_opts);
}

enum cli_parse_status options_parse(int argc, char **argv,
                                    struct cli_options *opts)
{
    options_defaults(opts);

    struct getopt_args g;
    build_getopt_args(&g);
    struct option_parse ps = {.o = opts};
    /* The first option given that each mode refuses. */
    const struct cli_option *not_batch = NULL, *not_bench = NULL;
    char name[64];

    opterr = 0; /* we print our own messages, prefixed "tempitch:" */
    /* 0, not 1: glibc then also forgets a half-read bundle such as -Vq of
     * a previous call, so the parser can run more than once (fuzzing). */
    optind = 0;
    int c;
    const char *given[ROWS_MAX] = {0};
    while ((c = getopt_long(argc, argv, g.optstring, g.longopts, NULL)) != -1) {
        int at = longopt_index(&g, c);
        const struct cli_option *row = at >= 0 ? g.row_of[at] : NULL;
        if (c == ':')
            return usage_error("missing value for option",
                               offending_option(argv, name, sizeof name));
        if (row == NULL && strncmp(argv[optind - 1], "--", 2) == 0) {
            char msg[400];
            diagnose_long(g.longopts, argv[optind - 1], msg, sizeof msg);
            return usage_error(msg, NULL);
        }
        if (row == NULL)
            return usage_error("unknown option",
                               offending_option(argv, name, sizeof name));
        if (check_repeat(given, at, row, optarg) != 0)
            return CLI_USAGE;
        int rc = take_row(&ps, row, optarg);
        if (rc != 0)
            return rc > 0 ? CLI_DONE : CLI_USAGE;
        if (!(row->modes & MODE_BATCH) && not_batch == NULL)
            not_batch = row;
        if (!(row->modes & MODE_BENCH) && not_bench == NULL)
            not_bench = row;
    }

    char **files = argv + optind;
    size_t nfiles = (size_t)(argc - optind);
    for (size_t i = 0; i < nfiles; i++) {
        if (files[i][0] == '\0')
            return usage_error("empty input file name", NULL);
    }
    const struct cli_option *refused = opts->bench ? not_bench : not_batch;
    if (refused != NULL) {
        message(opts->bench ? "tempitch: %s cannot be used with --bench\n"
                            : "tempitch: %s only applies to --bench\n",
                optable_spelling(refused, name, sizeof name));
        return CLI_USAGE;
    }
    if (opts->bench)
        return finish_bench(opts, &ps, files, nfiles);
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
