/*
 * fuzz_options.c -- libFuzzer target for the option parser, options_parse().
 *
 * The bytes, split on NUL, are the arguments after argv[0] = "tempitch".
 * Each argument is its own allocation, so AddressSanitizer sees any read
 * past its end.  options_parse must never crash, must return one of the
 * three statuses, and on CLI_RUN every value must lie in its documented
 * range -- and the engine must accept the tempo and pitch it was given
 * (checked with tp_stretch setters, which have the authoritative ranges).
 *
 * --help and --version print on stdout and usage errors on stderr: both
 * go to /dev/null while options_parse runs, so the log stays readable and
 * the checks' own messages still show.
 */
#define _GNU_SOURCE
#include "options.h"

#include <tempitch/stretch.h>

#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_ARGS = 256, MAX_BYTES = 4096 };

#define FUZZ_NAME "fuzz_options"
#include "fuzz_check.h"

/* One engine, never run, only asked whether it accepts parameters. */
static tp_stretch *engine;

/* options_parse sets optind = 1, which in glibc does not clear getopt's
 * private state (the position inside a bundle like "-qv" of the previous
 * argv).  The command parses once per process, so that is harmless there;
 * here every input is a new argv, so reinitialise getopt fully first:
 * optind = 0 plus one call. */
static void reset_getopt(void)
{
    static char arg0[] = "tempitch";
    char *argv[] = {arg0, NULL};
    optind = 0;
    opterr = 0;
    while (getopt(1, argv, "") != -1) {
    }
}

/* quiet(1) sends stdout and stderr (--help, usage errors) to /dev/null;
 * quiet(0) brings them back for the checks' messages. */
static void quiet(int on)
{
    static int saved_out = -1, saved_err = -1, null_fd = -1;
    fflush(stdout);
    fflush(stderr);
    if (saved_out < 0) {
        null_fd = open("/dev/null", O_WRONLY);
        saved_out = dup(1);
        saved_err = dup(2);
        CHECK(null_fd >= 0 && saved_out >= 0 && saved_err >= 0, "dup");
    }
    dup2(on ? null_fd : saved_out, 1);
    dup2(on ? null_fd : saved_err, 2);
}

/* 1 when p is one of argv[1 .. argc). */
static int in_argv(const char *p, char **argv, int argc)
{
    for (int i = 1; i < argc; i++) {
        if (argv[i] == p)
            return 1;
    }
    return 0;
}

static void check_engine_accepts(const struct settings *s)
{
    CHECK(isfinite(s->tempo) && s->tempo >= TP_TEMPO_MIN &&
              s->tempo <= TP_TEMPO_MAX,
          "tempo %.17g", s->tempo);
    CHECK(s->semitones >= TP_SEMITONES_MIN && s->semitones <= TP_SEMITONES_MAX,
          "semitones %.17g", s->semitones);
    int rc = settings_apply(s, engine);
    CHECK(rc == TP_OK, "engine refuses tempo %.17g, pitch %.17g (-%c): %s",
          s->tempo, s->pitch_given, s->pitch_opt ? s->pitch_opt : '0',
          tp_strerror(rc));
}

static void check_run(const struct cli_options *o, char **argv, int argc)
{
    CHECK(o->threads >= 1 && o->threads <= CLI_THREADS_MAX, "jobs %d",
          o->threads);
    CHECK(o->verbosity == VERBOSITY_QUIET || o->verbosity == VERBOSITY_NORMAL ||
              o->verbosity == VERBOSITY_VERBOSE,
          "verbosity %d", (int)o->verbosity);
    const struct settings *s = &o->settings;
    CHECK(s->pitch_opt == 0 || s->pitch_opt == 'p' || s->pitch_opt == 'f',
          "pitch_opt %d", s->pitch_opt);
    CHECK(s->tempo_opt == 0 || s->tempo_opt == 'T' || s->tempo_opt == 't' ||
              s->tempo_opt == 'D',
          "tempo_opt %d", s->tempo_opt);

    if (o->bench) {
        const struct bench_options *b = &o->bench_opts;
        CHECK(b->tasks >= 1 && b->tasks <= 1024, "bench tasks %zu", b->tasks);
        CHECK(b->seconds >= 0.01 && b->seconds <= 600.0, "seconds %.17g",
              b->seconds);
        CHECK(b->channels >= 1 && b->channels <= TP_CHANNELS_MAX, "channels %d",
              b->channels);
        CHECK(b->rate >= TP_RATE_MIN && b->rate <= TP_RATE_MAX, "rate %d",
              b->rate);
        CHECK(b->reps >= 1 && b->reps <= 100, "reps %d", b->reps);
        CHECK(b->threads >= 1 && b->threads <= CLI_THREADS_MAX, "threads %d",
              b->threads);
        check_engine_accepts(&b->settings);
        for (size_t i = 0; i < b->nfiles; i++)
            CHECK(in_argv(b->files[i], argv, argc) && b->files[i][0] != '\0',
                  "bench file %zu", i);
        return;
    }

    /* A manifest brings its own inputs, and forbids FILE operands. */
    if (o->manifest != NULL)
        CHECK(o->ninputs == 0 && o->manifest[0] != '\0',
              "manifest with %zu FILE operands", o->ninputs);
    else
        CHECK(o->ninputs >= 1 && o->ninputs < (size_t)argc, "ninputs %zu",
              o->ninputs);
    /* Every value of the -p/-f and -T/-t lists is one the engine takes. */
    CHECK(o->npitch >= 1 && o->ntempo >= 1, "lists %zu x %zu", o->npitch,
          o->ntempo);
    for (size_t i = 0; i < o->npitch; i++) {
        struct settings v = *s;
        settings_set_pitch(&v, s->pitch_opt, o->pitches[i]);
        check_engine_accepts(&v);
    }
    for (size_t i = 0; i < o->ntempo && s->tempo_opt != 'D'; i++) {
        struct settings v = *s;
        settings_set_tempo(&v, s->tempo_opt, o->tempos[i]);
        check_engine_accepts(&v);
    }
    for (size_t i = 0; i < o->ninputs; i++)
        CHECK(in_argv(o->inputs[i], argv, argc) && o->inputs[i][0] != '\0',
              "input %zu", i);
    CHECK(o->output == NULL || o->output[0] != '\0', "empty output name");
    check_engine_accepts(s);
    if (s->pitch_opt == 'p')
        CHECK(s->semitones == s->pitch_given, "semitones %.17g vs -p %.17g",
              s->semitones, s->pitch_given);
    switch (s->tempo_opt) {
    case 'T':
        CHECK(s->tempo == s->tempo_given, "-T %.17g vs %.17g", s->tempo,
              s->tempo_given);
        break;
    case 't':
        CHECK(isfinite(s->tempo_given) && s->tempo_given > 0, "-t %.17g",
              s->tempo_given);
        break;
    case 'D':
        CHECK(isfinite(s->tempo_given) && s->tempo_given > 0 &&
                  settings_duration(s) == s->tempo_given,
              "-D %.17g", s->tempo_given);
        break;
    default:
        CHECK(s->tempo == 1.0 && settings_duration(s) == 0.0,
              "tempo %.17g without a tempo option", s->tempo);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    CHECK(tp_stretch_create(&engine, 1, 44100.0) == TP_OK, "create");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_BYTES)
        return 0;
    char *args[MAX_ARGS + 2];
    char *copy[MAX_ARGS + 2]; /* getopt_long permutes args[] */
    static char arg0[] = "tempitch";
    int argc = 0;
    args[argc++] = arg0;
    size_t start = 0;
    for (size_t i = 0; size > 0 && i <= size && argc <= MAX_ARGS; i++) {
        if (i == size || data[i] == '\0') {
            size_t len = i - start;
            char *a = malloc(len + 1);
            CHECK(a, "malloc");
            memcpy(a, data + start, len);
            a[len] = '\0';
            args[argc++] = a;
            start = i + 1;
        }
    }
    args[argc] = NULL;
    memcpy(copy, args, sizeof(char *) * (size_t)(argc + 1));

    reset_getopt();
    struct cli_options o;
    quiet(1);
    enum cli_parse_status st = options_parse(argc, args, &o);
    quiet(0);
    CHECK(st == CLI_RUN || st == CLI_DONE || st == CLI_USAGE, "status %d",
          (int)st);
    if (st == CLI_RUN)
        check_run(&o, args, argc);
    fflush(stdout);

    for (int i = 1; i < argc; i++)
        free(copy[i]);
    return 0;
}
