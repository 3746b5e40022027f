/*
 * test_pool.c -- the batch runner: reporting order, every job once, worker
 * identity and reuse, failures, start order, cancellation, ticks, real
 * parallelism, argument errors and lifecycle.
 *
 * Jobs sleep for pseudo-random 0..3 ms (fixed seed) so that they finish
 * out of order; every test states what a wrong pool would get wrong.
 * Waits between threads are bounded (WAIT_MS) so that a broken pool
 * fails a test instead of hanging it.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pool_util.h"
#include "tempitch/pool.h"
#include "tempitch/stretch.h"

/* ---- ordering ----------------------------------------------------------- */

static void test_done_in_order_reversed(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 4), 0);
    static struct rec r;
    rec_init(&r, p, 64, 1);
    size_t order[64];
    for (size_t i = 0; i < 64; i++)
        order[i] = 63 - i;
    assert_int_equal(rec_run(&r, order), 0);
    check_complete_run(&r);
    CHECK(completed_out_of_order(&r), "jobs completed in index order");
    CHECK(r.last_finished == 64, "last tick saw %zu", r.last_finished);
    tp_pool_destroy(p);
}

static void test_done_in_order_shuffled(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 3), 0);
    static struct rec r;
    size_t order[100];
    shuffle(order, 100, 7);
    rec_init(&r, p, 100, 2);
    assert_int_equal(rec_run(&r, order), 0);
    check_complete_run(&r);
    CHECK(completed_out_of_order(&r), "jobs completed in index order");
    tp_pool_destroy(p);
}

/* Identity order (NULL) with more workers than jobs, then more jobs than
 * workers: every job exactly once, none twice on a worker. */
static void test_every_job_once(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 8), 0);
    static struct rec r;
    rec_init(&r, p, 5, 3);
    assert_int_equal(rec_run(&r, NULL), 0);
    check_complete_run(&r);
    rec_init(&r, p, MAX_JOBS, 4);
    assert_int_equal(rec_run(&r, NULL), 0);
    check_complete_run(&r);
    tp_pool_destroy(p);
}

/* `done` for job 0 must come while job 1 is still running, not at the
 * end of the run (nor at the next tick: the period is 10 s). */
struct prompt {
    atomic_int done0;
};

static int prompt_job(void *user, size_t j, int w)
{
    (void)w;
    struct prompt *s = user;
    if (j == 0)
        return 0;
    return wait_for(&s->done0, 1) ? 0 : 1;
}

static void prompt_done(void *user, size_t j, int status)
{
    (void)status;
    struct prompt *s = user;
    if (j == 0)
        atomic_store(&s->done0, 1);
}

static void test_done_is_prompt(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 2), 0);
    struct prompt s = {0};
    tp_pool_run_args a = {.jobs = 2,
                          .job = prompt_job,
                          .done = prompt_done,
                          .tick_ms = 10000,
                          .user = &s};
    CHECK(tp_pool_run(p, &a) == 0, "done(0) waited for the whole run");
    tp_pool_destroy(p);
}

/* ---- workers ------------------------------------------------------------ */

/* `threads` jobs that each wait until all are running: each worker then
 * runs exactly one, which shows which thread is worker w. */
static _Thread_local int thread_serial; /* 0 in every new thread */

struct ident {
    int threads;
    atomic_int arrived;
    atomic_int serials;
    pthread_t tid[MAX_WORKERS];
    int serial[MAX_WORKERS];
};

static int ident_job(void *user, size_t j, int w)
{
    (void)j;
    struct ident *s = user;
    if (w < 0 || w >= s->threads)
        return 1;
    if (thread_serial == 0)
        thread_serial = atomic_fetch_add(&s->serials, 1) + 1;
    s->tid[w] = pthread_self();
    s->serial[w] = thread_serial;
    atomic_fetch_add(&s->arrived, 1);
    return wait_for(&s->arrived, s->threads) ? 0 : 1;
}

static void test_threads_reused(void **state)
{
    (void)state;
    enum { T = 4 };
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, T), 0);
    assert_int_equal(tp_pool_threads(p), T);
    static struct ident s;
    memset(&s, 0, sizeof s);
    s.threads = T;
    tp_pool_run_args a = {.jobs = T, .job = ident_job, .user = &s};
    assert_int_equal(tp_pool_run(p, &a), 0);
    pthread_t tid1[T];
    int serial1[T];
    memcpy(tid1, s.tid, sizeof tid1);
    memcpy(serial1, s.serial, sizeof serial1);

    atomic_store(&s.arrived, 0);
    assert_int_equal(tp_pool_run(p, &a), 0);
    int distinct = 0;
    for (int w = 0; w < T; w++) {
        CHECK(pthread_equal(tid1[w], s.tid[w]),
              "worker %d is another thread in run 2", w);
        /* pthread_t values can be recycled by a new thread; a fresh
         * thread-local serial cannot. */
        CHECK(serial1[w] == s.serial[w],
              "worker %d: thread serial %d then %d (new thread)", w, serial1[w],
              s.serial[w]);
        CHECK(!pthread_equal(s.tid[w], pthread_self()),
              "worker %d is the calling thread", w);
        int dup = 0;
        for (int k = 0; k < w; k++)
            dup |= pthread_equal(s.tid[k], s.tid[w]);
        distinct += !dup;
    }
    assert_int_equal(distinct, T);
    assert_int_equal(atomic_load(&s.serials), T);
    tp_pool_destroy(p);
}

/* With one worker the start order is exactly `order`, worker always 0. */
static void test_single_thread_start_order(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 1), 0);
    static struct rec r;
    size_t order[40];
    shuffle(order, 40, 11);
    rec_init(&r, p, 40, 5);
    for (size_t j = 0; j < 40; j++)
        r.sleep_us[j] /= 10;
    assert_int_equal(rec_run(&r, order), 0);
    check_complete_run(&r);
    for (size_t i = 0; i < 40; i++)
        CHECK(r.start_seq[i] == order[i], "start %zu was job %zu, not %zu", i,
              r.start_seq[i], order[i]);
    tp_pool_destroy(p);
}

/* Two jobs that each wait for the other: only a pool that runs them at
 * the same time finishes them (a serial one fails after WAIT_MS). */
static int meet_job(void *user, size_t j, int w)
{
    (void)j;
    (void)w;
    atomic_int *arrived = user;
    atomic_fetch_add(arrived, 1);
    return wait_for(arrived, 2) ? 0 : 1;
}

static void test_two_threads_overlap(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 2), 0);
    atomic_int arrived = 0;
    tp_pool_run_args a = {.jobs = 2, .job = meet_job, .user = &arrived};
    CHECK(tp_pool_run(p, &a) == 0, "the two jobs never ran at once");
    tp_pool_destroy(p);
}

/* ---- failures ----------------------------------------------------------- */

static void test_failures_counted_and_passed(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 3), 0);
    static struct rec r;
    rec_init(&r, p, 50, 6);
    int want = 0;
    for (size_t j = 0; j < 50; j++) {
        r.want_status[j] = j % 7 == 3 ? 100 + (int)j : 0;
        r.want_status[j] = j == 20 ? -5 : r.want_status[j];
        want += r.want_status[j] != 0;
    }
    assert_int_equal(want, 8);
    size_t order[50];
    shuffle(order, 50, 3);
    assert_int_equal(rec_run(&r, order), want);
    check_complete_run(&r); /* statuses passed through, the rest ran */
    tp_pool_destroy(p);
}

/* ---- cancellation ------------------------------------------------------- */

/* One worker, identity order: job 5 cancels, so 6.. never start. */
static void test_cancel_from_job_single(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 1), 0);
    static struct rec r;
    rec_init(&r, p, 20, 8);
    r.cancel_at = 5;
    r.want_status[2] = 1;
    assert_int_equal(rec_run(&r, NULL), 1);
    assert_int_equal(tp_pool_cancelled(p), 1);
    for (size_t j = 0; j < 20; j++) {
        int ran = j <= 5;
        CHECK(atomic_load(&r.runs[j]) == ran, "job %zu ran %d times", j,
              atomic_load(&r.runs[j]));
        CHECK(r.done_count[j] == ran, "done(%zu) called %d times", j,
              r.done_count[j]);
    }
    CHECK(!r.done_out_of_order, "done out of order");

    /* The next run starts uncancelled and runs everything. */
    rec_init(&r, p, 20, 9);
    assert_int_equal(rec_run(&r, NULL), 0);
    assert_int_equal(tp_pool_cancelled(p), 0);
    check_complete_run(&r);
    tp_pool_destroy(p);
}

/* A finished job after an unstarted one gets no `done`, but its failure
 * counts: order 2, 0, 1 with job 0 cancelling leaves 1 unstarted. */
static void test_cancel_reports_prefix_only(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 1), 0);
    static struct rec r;
    rec_init(&r, p, 3, 10);
    r.cancel_at = 0;
    r.want_status[2] = 9;
    const size_t order[3] = {2, 0, 1};
    assert_int_equal(rec_run(&r, order), 1);
    assert_int_equal(atomic_load(&r.runs[2]), 1);
    assert_int_equal(atomic_load(&r.runs[0]), 1);
    assert_int_equal(atomic_load(&r.runs[1]), 0);
    assert_int_equal(r.done_count[0], 1);
    assert_int_equal(r.done_count[1], 0);
    assert_int_equal(r.done_count[2], 0);
    tp_pool_destroy(p);
}

/* Several workers: jobs already taken may finish, but at most the
 * threads-1 others in flight; `done` covers exactly the finished prefix. */
static void test_cancel_from_job_parallel(void **state)
{
    (void)state;
    enum { T = 4, N = 200, AT = 10 };
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, T), 0);
    static struct rec r;
    rec_init(&r, p, N, 12);
    r.cancel_at = AT;
    int failed = rec_run(&r, NULL);
    size_t ran = 0, prefix = 0, want_failed = 0;
    for (size_t j = 0; j < N; j++) {
        int n = atomic_load(&r.runs[j]);
        CHECK(n <= 1, "job %zu ran %d times", j, n);
        ran += (size_t)n;
        want_failed += n && r.want_status[j];
    }
    while (prefix < N && atomic_load(&r.runs[prefix]))
        prefix++;
    CHECK(ran <= AT + T, "%zu jobs ran after a cancel at job %d", ran, AT);
    CHECK(atomic_load(&r.runs[AT]) == 1, "the cancelling job did not run");
    for (size_t j = 0; j < N; j++)
        CHECK(r.done_count[j] == (j < prefix), "done(%zu) called %d times", j,
              r.done_count[j]);
    CHECK(!r.done_out_of_order, "done out of order");
    assert_int_equal(failed, (int)want_failed);
    tp_pool_destroy(p);
}

/* ---- ticks -------------------------------------------------------------- */

static void test_ticks_nondecreasing_final_total(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 2), 0);
    static struct rec r;
    rec_init(&r, p, 30, 13);
    assert_int_equal(rec_run(&r, NULL), 0);
    CHECK(r.tick_errors == 0, "%zu bad tick calls", r.tick_errors);
    CHECK(r.ticks >= 1, "tick never called");
    CHECK(r.last_finished == 30, "last tick saw %zu of 30", r.last_finished);
    CHECK(!r.callback_off_thread, "tick ran outside the caller");
    tp_pool_destroy(p);
}

/* While one long job runs, ticks come from timeouts: several at 5 ms; at
 * the default period (tick_ms 0: 250 ms) about two in 600 ms -- a pool
 * that spins would call it thousands of times. */
struct timed {
    long sleep_us;
    size_t early_ticks; /* ticks with finished == 0 */
};

static int timed_job(void *user, size_t j, int w)
{
    (void)j;
    (void)w;
    sleep_us(((struct timed *)user)->sleep_us);
    return 0;
}

static void timed_tick(void *user, size_t finished, size_t total)
{
    (void)total;
    struct timed *s = user;
    s->early_ticks += finished == 0;
}

static void test_ticks_on_timeout(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 1), 0);
    struct timed s = {200000, 0};
    tp_pool_run_args a = {
        .jobs = 1, .job = timed_job, .tick = timed_tick, .tick_ms = 5};
    a.user = &s;
    assert_int_equal(tp_pool_run(p, &a), 0);
    CHECK(s.early_ticks >= 3 && s.early_ticks <= 1000,
          "%zu ticks at 5 ms during a 200 ms job", s.early_ticks);

    s = (struct timed){600000, 0};
    a.tick_ms = 0;
    assert_int_equal(tp_pool_run(p, &a), 0);
    CHECK(s.early_ticks >= 1 && s.early_ticks <= 4,
          "%zu ticks at the default period during a 600 ms job", s.early_ticks);
    tp_pool_destroy(p);
}

/* ---- errors and lifecycle ----------------------------------------------- */

static int count_job(void *user, size_t j, int w)
{
    (void)j;
    (void)w;
    atomic_fetch_add((atomic_int *)user, 1);
    return 0;
}

static void test_argument_errors(void **state)
{
    (void)state;
    tp_pool *p = (tp_pool *)&p; /* must be reset to NULL */
    assert_int_equal(tp_pool_create(NULL, 2), TP_POOL_ERR_ARG);
    assert_int_equal(tp_pool_create(&p, 0), TP_POOL_ERR_ARG);
    assert_null(p);
    assert_int_equal(tp_pool_create(&p, -3), TP_POOL_ERR_ARG);
    assert_int_equal(tp_pool_create(&p, 1025), TP_POOL_ERR_ARG);
    assert_null(p);
    assert_non_null(tp_strerror(TP_POOL_ERR_ARG));
    CHECK(tp_pool_cpu_count() >= 1 && tp_pool_cpu_count() <= 1024,
          "cpu count %d", tp_pool_cpu_count());
    assert_int_equal(tp_pool_threads(NULL), 0);
    assert_int_equal(tp_pool_cancelled(NULL), 0);
    tp_pool_cancel(NULL);

    assert_int_equal(tp_pool_create(&p, 2), 0);
    atomic_int ran = 0;
    tp_pool_run_args a = {.jobs = 4, .job = count_job, .user = &ran};
    assert_int_equal(tp_pool_run(NULL, &a), TP_POOL_ERR_ARG);
    assert_int_equal(tp_pool_run(p, NULL), TP_POOL_ERR_ARG);
    tp_pool_run_args no_job = a;
    no_job.job = NULL;
    assert_int_equal(tp_pool_run(p, &no_job), TP_POOL_ERR_ARG);
    const size_t dup[4] = {0, 1, 1, 3}, big[4] = {0, 1, 2, 4},
                 ok[4] = {3, 1, 0, 2};
    a.order = dup;
    assert_int_equal(tp_pool_run(p, &a), TP_POOL_ERR_ARG);
    a.order = big;
    assert_int_equal(tp_pool_run(p, &a), TP_POOL_ERR_ARG);
    assert_int_equal(atomic_load(&ran), 0);
    a.order = ok;
    assert_int_equal(tp_pool_run(p, &a), 0);
    assert_int_equal(atomic_load(&ran), 4);

    tp_pool_run_args zero = {.jobs = 0, .job = count_job, .user = &ran};
    assert_int_equal(tp_pool_run(p, &zero), 0);
    assert_int_equal(atomic_load(&ran), 4);
    tp_pool_destroy(p);
}

/* A second run while one is in progress: from a job of the run, and from
 * another thread. */
struct busy {
    tp_pool *pool;
    atomic_int started, release, nested;
    int inner_rc;
    int outer_rc;
};

static int busy_job(void *user, size_t j, int w)
{
    (void)j;
    (void)w;
    struct busy *s = user;
    if (atomic_exchange(&s->nested, 1) == 0) { /* once: no recursion */
        tp_pool_run_args a = {.jobs = 1, .job = busy_job, .user = s};
        s->inner_rc = tp_pool_run(s->pool, &a);
    }
    atomic_store(&s->started, 1);
    return wait_for(&s->release, 1) ? 0 : 1;
}

static void *busy_thread(void *arg)
{
    struct busy *s = arg;
    tp_pool_run_args a = {.jobs = 1, .job = busy_job, .user = s};
    s->outer_rc = tp_pool_run(s->pool, &a);
    return NULL;
}

static void test_busy(void **state)
{
    (void)state;
    static struct busy s;
    memset(&s, 0, sizeof s);
    assert_int_equal(tp_pool_create(&s.pool, 2), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, busy_thread, &s), 0);
    CHECK(wait_for(&s.started, 1), "the run never started");
    tp_pool_run_args a = {.jobs = 1, .job = count_job, .user = &s.release};
    assert_int_equal(tp_pool_run(s.pool, &a), TP_POOL_ERR_BUSY);
    assert_int_equal(atomic_load(&s.release), 0); /* its job never ran */
    atomic_store(&s.release, 1);
    pthread_join(t, NULL);
    assert_int_equal(s.outer_rc, 0);
    assert_int_equal(s.inner_rc, TP_POOL_ERR_BUSY);
    tp_pool_destroy(s.pool);
}

static void test_destroy_idle(void **state)
{
    (void)state;
    tp_pool *p;
    tp_pool_destroy(NULL);
    assert_int_equal(tp_pool_create(&p, 16), 0);
    tp_pool_destroy(p); /* never ran: workers still waiting */
    assert_int_equal(tp_pool_create(&p, 3), 0);
    atomic_int ran = 0;
    tp_pool_run_args a = {.jobs = 7, .job = count_job, .user = &ran};
    assert_int_equal(tp_pool_run(p, &a), 0);
    assert_int_equal(atomic_load(&ran), 7);
    sleep_us(2000); /* let the workers go back to sleep */
    tp_pool_destroy(p);
}

/* tp_pool_destroy from another thread during a run cancels it: the run
 * returns, jobs not started never run. */
struct racing {
    tp_pool *pool;
    atomic_int started;
    int rc;
};

static int racing_job(void *user, size_t j, int w)
{
    (void)j;
    (void)w;
    atomic_fetch_add(&((struct racing *)user)->started, 1);
    sleep_us(2000);
    return 0;
}

static void *racing_thread(void *arg)
{
    struct racing *s = arg;
    tp_pool_run_args a = {.jobs = 500, .job = racing_job, .user = s};
    s->rc = tp_pool_run(s->pool, &a);
    return NULL;
}

static void test_destroy_cancels_run(void **state)
{
    (void)state;
    static struct racing s;
    memset(&s, 0, sizeof s);
    assert_int_equal(tp_pool_create(&s.pool, 2), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, racing_thread, &s), 0);
    CHECK(wait_for(&s.started, 3), "the run never started");
    tp_pool_destroy(s.pool);
    pthread_join(t, NULL);
    assert_int_equal(s.rc, 0);
    int started = atomic_load(&s.started);
    CHECK(started < 500, "all %d jobs ran despite destroy", started);
}

/* Many short runs on one pool: no hang, no leak, every run complete. */
static void test_many_runs(void **state)
{
    (void)state;
    tp_pool *p;
    assert_int_equal(tp_pool_create(&p, 3), 0);
    static struct rec r;
    for (int run = 0; run < 200; run++) {
        size_t n = 1 + (size_t)run % 9;
        rec_init(&r, p, n, (uint64_t)run + 100);
        for (size_t j = 0; j < n; j++) {
            r.sleep_us[j] /= 30;
            r.want_status[j] = (j + (size_t)run) % 11 == 0;
        }
        int want = 0;
        for (size_t j = 0; j < n; j++)
            want += r.want_status[j];
        CHECK(rec_run(&r, NULL) == want, "run %d miscounted failures", run);
        check_complete_run(&r);
    }
    tp_pool_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_done_in_order_reversed),
        cmocka_unit_test(test_done_in_order_shuffled),
        cmocka_unit_test(test_every_job_once),
        cmocka_unit_test(test_done_is_prompt),
        cmocka_unit_test(test_threads_reused),
        cmocka_unit_test(test_single_thread_start_order),
        cmocka_unit_test(test_two_threads_overlap),
        cmocka_unit_test(test_failures_counted_and_passed),
        cmocka_unit_test(test_cancel_from_job_single),
        cmocka_unit_test(test_cancel_reports_prefix_only),
        cmocka_unit_test(test_cancel_from_job_parallel),
        cmocka_unit_test(test_ticks_nondecreasing_final_total),
        cmocka_unit_test(test_ticks_on_timeout),
        cmocka_unit_test(test_argument_errors),
        cmocka_unit_test(test_busy),
        cmocka_unit_test(test_destroy_idle),
        cmocka_unit_test(test_destroy_cancels_run),
        cmocka_unit_test(test_many_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
