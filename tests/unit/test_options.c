/*
 * test_options.c -- options_parse() (src/cli/options.c, over the table of
 * optable.c) on argument
 * vectors: the values it stores, the canonical forms it turns spellings
 * into, and the usage errors (CLI_USAGE) it must give before anything
 * runs.  The messages themselves are checked by the shell tests; here
 * only what the rest of the command relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "optable.h"
#include "options.h"
#include "words.h"

#include <tempitch/stretch.h>

/* Parses the NULL-terminated words after "tempitch" into *o. */
static enum cli_parse_status parse_words(struct cli_options *o, ...)
{
    static struct words w;
    va_list ap;
    va_start(ap, o);
    words_fill(&w, ap);
    va_end(ap);
    return options_parse(w.argc, w.argv, o);
}

#define PARSE(o, ...) parse_words(o, __VA_ARGS__, (const char *)NULL)

static void defaults(void **state)
{
    (void)state;
    struct cli_options o;
    assert_int_equal(PARSE(&o, "in.wav", "-o", "out.wav"), CLI_RUN);
    assert_true(o.settings.tempo == 1.0);
    assert_true(o.settings.semitones == 0.0);
    assert_int_equal(o.npitch, 1);
    assert_int_equal(o.ntempo, 1);
    assert_int_equal(o.ninputs, 1);
    assert_string_equal(o.inputs[0], "in.wav");
    assert_string_equal(o.output, "out.wav");
    assert_int_equal(o.verbosity, VERBOSITY_NORMAL);
    assert_true(o.threads >= 1 && o.threads <= CLI_THREADS_MAX);
    assert_int_equal(o.settings.quality, TP_QUALITY_BALANCED);
}

static void values_and_spellings(void **state)
{
    (void)state;
    struct cli_options o;
    assert_int_equal(PARSE(&o, "-p", "3", "-T", "1.25", "a.wav", "-o", "b"),
                     CLI_RUN);
    assert_true(o.settings.semitones == 3.0 && o.settings.pitch_given == 3.0);
    assert_true(o.settings.tempo == 1.25);
    assert_int_equal(o.settings.pitch_opt, 'p');
    assert_int_equal(o.settings.tempo_opt, 'T');
    /* -t is a duration multiple: the speed factor is its inverse */
    assert_int_equal(PARSE(&o, "-t", "0.8", "a.wav", "-o", "b"), CLI_RUN);
    assert_true(o.settings.tempo == 1.25 && o.settings.tempo_given == 0.8);
    assert_int_equal(o.settings.tempo_opt, 't');
    /* X:Y BPM is the speed factor Y/X */
    assert_int_equal(PARSE(&o, "-T", "120:150", "a.wav", "-o", "b"), CLI_RUN);
    assert_true(o.settings.tempo == 1.25);
    /* -f is a frequency ratio */
    assert_int_equal(PARSE(&o, "-f", "2", "a.wav", "-o", "b"), CLI_RUN);
    assert_int_equal(o.settings.pitch_opt, 'f');
    assert_true(o.settings.pitch_given == 2.0 && o.settings.semitones == 12.0);
    /* lists: every value kept, the first one in the settings */
    assert_int_equal(PARSE(&o, "-p", "-2,0,2", "-T", "0.9,1.1", "a.wav", "-o",
                           "d/"),
                     CLI_RUN);
    assert_int_equal(o.npitch, 3);
    assert_int_equal(o.ntempo, 2);
    assert_true(o.pitches[0] == -2.0 && o.pitches[2] == 2.0);
    assert_true(o.tempos[1] == 1.1 && o.settings.tempo == 0.9);
    /* modes, verbosity: the last of -q/-v wins */
    assert_int_equal(PARSE(&o, "--fine", "-q", "-v", "a.wav", "-o", "b"),
                     CLI_RUN);
    assert_int_equal(o.settings.quality, TP_QUALITY_FINE);
    assert_int_equal(o.verbosity, VERBOSITY_VERBOSE);
    /* a unique prefix of a long option is that option */
    assert_int_equal(PARSE(&o, "--qui", "a.wav", "-o", "b"), CLI_RUN);
    assert_int_equal(o.verbosity, VERBOSITY_QUIET);
    assert_int_equal(PARSE(&o, "-j", "3", "--shard", "2/5", "a.wav", "-o", "b"),
                     CLI_RUN);
    assert_int_equal(o.threads, 3);
    assert_int_equal(o.shard_k, 2);
    assert_int_equal(o.shard_n, 5);
}

static void usage_errors(void **state)
{
    (void)state;
    struct cli_options o;
    /* out of range or not a number */
    assert_int_equal(PARSE(&o, "-T", "0", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-T", "1.5x", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-p", "49", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-p", "nan", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-j", "0", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-j", "1025", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--shard", "3/2", "a.wav", "-o", "b"),
                     CLI_USAGE);
    /* two spellings of one thing */
    assert_int_equal(PARSE(&o, "-T", "1.1", "-t", "0.9", "a.wav", "-o", "b"),
                     CLI_USAGE);
    assert_int_equal(PARSE(&o, "-p", "1", "-f", "1.1", "a.wav", "-o", "b"),
                     CLI_USAGE);
    assert_int_equal(PARSE(&o, "--fast", "--fine", "a.wav", "-o", "b"),
                     CLI_USAGE);
    /* getopt's distinctions */
    assert_int_equal(PARSE(&o, "--form", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--force=yes", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--bogus", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "a.wav", "-o", "b", "-T"), CLI_USAGE);
    /* the rules of '-' */
    assert_int_equal(PARSE(&o, "-", "-", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-", "a.wav", "-o", "d/"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-p", "1,2", "-", "-o", "d/"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--normalize", "-", "-o", "b.wav"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-D", "3", "-", "-o", "b.wav"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "a.wav", "c.wav", "-o", "-"), CLI_USAGE);
    /* --bench options outside --bench */
    assert_int_equal(PARSE(&o, "--reps", "3", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "", "-o", "b"), CLI_USAGE);
}

/* The parser keeps no state between calls (the fuzzer runs it again and
 * again): an error leaves the next parse unaffected. */
static void repeatable(void **state)
{
    (void)state;
    struct cli_options o;
    assert_int_equal(PARSE(&o, "-Vq"), CLI_DONE);
    assert_int_equal(PARSE(&o, "-qx", "a.wav", "-o", "b"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "-q", "a.wav", "-o", "b"), CLI_RUN);
    assert_int_equal(o.verbosity, VERBOSITY_QUIET);
    assert_int_equal(o.ninputs, 1);
}

/* Every option without a value, by its long name, in each mode: taken
 * where its row's modes say, refused in the other mode (the table is the
 * only place that says). */
static void table_modes(void **state)
{
    (void)state;
    struct cli_options o;
    size_t flags = 0;
    for (size_t i = 0; i < optable_size; i++) {
        const struct cli_option *row = &optable[i];
        int no_value =
            row->kind == OPT_FLAG || (row->kind == OPT_CALL && !row->arg);
        if (row->name == NULL || !no_value || row->key == 'h' ||
            row->key == 'V' || strcmp(row->name, "bench") == 0)
            continue;
        char name[64];
        snprintf(name, sizeof name, "--%s", row->name);
        assert_int_equal(PARSE(&o, name, "a.wav", "-o", "b.wav"),
                         (row->modes & MODE_BATCH) ? CLI_RUN : CLI_USAGE);
        assert_int_equal(PARSE(&o, "--bench", name),
                         (row->modes & MODE_BENCH) ? CLI_RUN : CLI_USAGE);
        flags++;
    }
    assert_true(flags >= 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(values_and_spellings),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(repeatable),
        cmocka_unit_test(table_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
