/*
 * test_select.c -- job selection (src/cli/select.c): the shard hash and
 * --shard over a plan (the stamps it gives jobs: test_settings).
 *
 * The shard hash must be a fixed function of the key (processes on
 * different hosts must agree) and must spread keys evenly.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "select.h"
#include <tempitch/stretch.h>

/* Fixed values: a change of the hash would split running clusters
 * differently between versions without anyone noticing. */
static void test_share_fixed(void **state)
{
    (void)state;
    for (unsigned long n = 1; n < 50; n++) {
        assert_true(select_share("a.wav", n) < n);
        assert_int_equal(select_share("a.wav", n), select_share("a.wav", n));
    }
    assert_int_equal(select_share("anything", 1), 0);
    assert_int_equal(select_share("", 1), 0);
}

/* Names differing only in a digit must not pile into one share. */
static void test_share_spread(void **state)
{
    (void)state;
    enum { KEYS = 3000, N = 3 };
    size_t count[N] = {0};
    char key[32];
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "clip%d.wav", i);
        count[select_share(key, N)]++;
    }
    for (int k = 0; k < N; k++) {
        assert_true(count[k] > KEYS / N * 9 / 10);
        assert_true(count[k] < KEYS / N * 11 / 10);
    }
}

/* --shard over a plan: each job in exactly one share, order kept, keys
 * from the -o directory (however it is spelt) or the input path. */
static void test_shard_plan(void **state)
{
    (void)state;
    enum { JOBS = 40, N = 4 };
    static const char *const dirs[] = {"out", "out/", "./x/../out//"};
    int seen[JOBS] = {0};
    char inputs[JOBS][32];
    for (int i = 0; i < JOBS; i++)
        snprintf(inputs[i], sizeof inputs[i], "in/t%d.wav", i);
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        for (unsigned long k = 1; k <= N; k++) {
            struct plan p = {.out_dir = dirs[d], .njobs = JOBS};
            p.jobs = calloc(JOBS, sizeof *p.jobs);
            assert_non_null(p.jobs);
            for (int i = 0; i < JOBS; i++) {
                struct job *j = &p.jobs[i];
                j->input = inputs[i];
                size_t n = strlen(dirs[d]) + 32;
                j->output = malloc(n);
                assert_non_null(j->output);
                snprintf(j->output, n, "%s%st%d.wav", dirs[d],
                         dirs[d][strlen(dirs[d]) - 1] == '/' ? "" : "/", i);
                j->params.settings.tempo = 1;
                j->runs = 0; /* keeps select_jobs away from the disk */
                j->result.status = CONVERT_FAILED;
            }
            struct cli_options o = {.shard_k = k, .shard_n = N};
            assert_int_equal(select_jobs(&o, &p), PLAN_OK);
            int last = -1;
            for (size_t i = 0; i < p.njobs; i++) {
                int t = atoi(p.jobs[i].input + strlen("in/t"));
                assert_true(t > last);
                last = t;
                if (d == 0)
                    seen[t]++;
                else /* the key is "tN.wav" whatever the spelling of -o */
                    assert_int_equal(
                        select_share(strrchr(p.jobs[i].output, '/') + 1, N),
                        k - 1);
                free(p.jobs[i].output);
            }
            free(p.jobs);
        }
    }
    for (int i = 0; i < JOBS; i++)
        assert_int_equal(seen[i], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_share_fixed),
        cmocka_unit_test(test_share_spread),
        cmocka_unit_test(test_shard_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
