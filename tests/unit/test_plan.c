/*
 * test_plan.c -- plan_build() (src/cli/plan.c) on files written here:
 * output names (kept in a directory, tagged beside the input, variants),
 * longest-first order, -D turned into each file's tempo, and the whole-
 * batch mistakes it must stop before anything is touched.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sndfile.h>

#include "options.h"
#include "plan.h"
#include "words.h"

static char dir[] = "/tmp/tempitch-plan-XXXXXX";

static void write_wav(const char *name, sf_count_t frames)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = 8000, .channels = 1,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(p, SFM_WRITE, &info);
    assert_non_null(f);
    short *x = calloc((size_t)frames, sizeof *x);
    assert_non_null(x);
    assert_int_equal(sf_writef_short(f, x, frames), frames);
    sf_close(f);
    free(x);
}

/* Parses the words (NULL-terminated) and builds the plan. */
static enum plan_status plan_words(struct cli_options *o, struct plan *p, ...)
{
    static struct words w;
    va_list ap;
    va_start(ap, p);
    words_fill(&w, ap);
    va_end(ap);
    assert_int_equal(options_parse(w.argc, w.argv, o), CLI_RUN);
    return plan_build(o, p);
}

#define PLAN(o, p, ...) plan_words(o, p, __VA_ARGS__, (const char *)NULL)

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL || chdir(dir) != 0)
        return -1;
    write_wav("short.wav", 800);
    write_wav("long.wav", 16000);
    write_wav("mid.wav", 4000);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return chdir("/") == 0 && system(cmd) == 0 ? 0 : -1;
}

static void names_and_order(void **state)
{
    (void)state;
    struct cli_options o;
    struct plan p;
    /* A directory keeps the names; the work runs longest first. */
    assert_int_equal(
        PLAN(&o, &p, "-q", "-T", "1.25", "short.wav", "long.wav", "mid.wav",
             "-o", "out/"),
        PLAN_OK);
    assert_int_equal(p.njobs, 3);
    assert_string_equal(p.jobs[0].output, "out/short.wav");
    assert_string_equal(p.jobs[1].output, "out/long.wav");
    assert_int_equal(p.nrun, 3);
    assert_int_equal(p.order[0], 1); /* long */
    assert_int_equal(p.order[1], 2); /* mid */
    assert_int_equal(p.order[2], 0); /* short */
    assert_true(fabs(p.jobs[1].seconds - 2.0) < 1e-9);
    assert_int_equal(access("out", F_OK), 0); /* the directory is made */
    plan_free(&p);
    /* Variants: tagged names, every combination, input outer. */
    assert_int_equal(PLAN(&o, &p, "-q", "-p", "-2,3", "-T", "1.1", "mid.wav",
                          "-o", "v/"),
                     PLAN_OK);
    assert_int_equal(p.njobs, 2);
    assert_string_equal(p.jobs[0].output, "v/mid.p-2.T1.1.wav");
    assert_string_equal(p.jobs[1].output, "v/mid.p+3.T1.1.wav");
    plan_free(&p);
    /* Without -o the tagged name sits beside the input. */
    assert_int_equal(PLAN(&o, &p, "-q", "-p", "1", "mid.wav"), PLAN_OK);
    assert_string_equal(p.jobs[0].output, "mid.p+1.wav");
    plan_free(&p);
}

static void duration_gives_each_its_tempo(void **state)
{
    (void)state;
    struct cli_options o;
    struct plan p;
    assert_int_equal(
        PLAN(&o, &p, "-q", "-D", "1", "long.wav", "mid.wav", "-o", "d/"),
        PLAN_OK);
    assert_true(fabs(p.jobs[0].params.settings.tempo - 2.0) < 1e-12);
    assert_true(fabs(p.jobs[1].params.settings.tempo - 0.5) < 1e-12);
    plan_free(&p);
    /* 0.1 s to 1 s needs the speed factor 0.1: still in range; 0.1 s to
     * 10 s would need 0.01: that file fails alone, at its place. */
    assert_int_equal(PLAN(&o, &p, "-q", "-D", "10", "short.wav", "long.wav",
                          "-o", "d2/"),
                     PLAN_OK);
    assert_int_equal(p.jobs[0].runs, 0);
    assert_int_equal(p.jobs[0].result.status, CONVERT_FAILED);
    assert_int_equal(p.jobs[1].runs, 1);
    assert_int_equal(p.nrun, 1);
    plan_free(&p);
}

static void whole_batch_mistakes(void **state)
{
    (void)state;
    struct cli_options o;
    struct plan p;
    /* Two inputs of one name into one directory. */
    assert_int_equal(mkdir("sub", 0777) == 0 || access("sub", F_OK) == 0, 1);
    write_wav("sub/mid.wav", 100);
    assert_int_equal(PLAN(&o, &p, "-q", "mid.wav", "sub/mid.wav", "-o", "c/"),
                     PLAN_USAGE);
    assert_int_equal(access("c", F_OK), -1); /* nothing touched */
    /* -o naming an existing file with several inputs. */
    assert_int_equal(PLAN(&o, &p, "-q", "mid.wav", "long.wav", "-o",
                          "short.wav"),
                     PLAN_USAGE);
    /* A name that is the input itself, even with --force: that job fails
     * alone, at its place, with the shared reason. */
    assert_int_equal(PLAN(&o, &p, "-q", "--force", "--name", "{stem}.{ext}",
                          "mid.wav", "long.wav", "-o", "./"),
                     PLAN_OK);
    assert_int_equal(p.jobs[0].runs, 0);
    assert_int_equal(p.jobs[0].result.status, CONVERT_FAILED);
    assert_string_equal(p.jobs[0].result.reason, CONVERT_REASON_IS_INPUT);
    assert_int_equal(p.jobs[1].runs, 0);
    assert_int_equal(p.nrun, 0);
    plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_order),
        cmocka_unit_test(duration_gives_each_its_tempo),
        cmocka_unit_test(whole_batch_mistakes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
