/*
 * pool_util.c -- the recording harness of test_pool.c (see pool_util.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pool_util.h"

void sleep_us(long us)
{
    struct timespec t = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&t, NULL);
}

uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: deterministic, enough to scramble sleeps and orders */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* Polls until *v >= want or WAIT_MS passes; returns whether it got there. */
int wait_for(atomic_int *v, int want)
{
    for (int ms = 0; ms < WAIT_MS; ms++) {
        if (atomic_load(v) >= want)
            return 1;
        sleep_us(1000);
    }
    return atomic_load(v) >= want;
}

void rec_init(struct rec *r, tp_pool *p, size_t jobs, uint64_t seed)
{
    memset(r, 0, sizeof *r);
    r->pool = p;
    r->threads = tp_pool_threads(p);
    r->jobs = jobs;
    r->caller = pthread_self();
    r->cancel_at = SIZE_MAX;
    for (size_t j = 0; j < jobs; j++)
        r->sleep_us[j] = (long)(rng_next(&seed) % 3001);
}

int rec_job(void *user, size_t j, int w)
{
    struct rec *r = user;
    if (w < 0 || w >= r->threads || w >= MAX_WORKERS) {
        atomic_fetch_add(&r->bad_worker, 1);
        return -1;
    }
    if (atomic_exchange(&r->busy[w], 1) != 0)
        atomic_fetch_add(&r->overlap, 1);
    r->start_seq[atomic_fetch_add(&r->started, 1)] = j;
    atomic_fetch_add(&r->runs[j], 1);
    if (j == r->cancel_at)
        tp_pool_cancel(r->pool);
    sleep_us(r->sleep_us[j]);
    r->done_seq[atomic_fetch_add(&r->completed, 1)] = j;
    atomic_store(&r->busy[w], 0);
    return r->want_status[j];
}

void rec_done(void *user, size_t j, int status)
{
    struct rec *r = user;
    if (!pthread_equal(pthread_self(), r->caller))
        r->callback_off_thread = 1;
    if (j != r->done_next)
        r->done_out_of_order = 1;
    r->done_next = j + 1;
    if (j < MAX_JOBS) {
        r->done_count[j]++;
        r->done_status[j] = status;
    }
}

void rec_tick(void *user, size_t finished, size_t total)
{
    struct rec *r = user;
    if (!pthread_equal(pthread_self(), r->caller))
        r->callback_off_thread = 1;
    if (finished < r->last_finished || finished > total || total != r->jobs)
        r->tick_errors++;
    r->last_finished = finished;
    r->ticks++;
}

int rec_run(struct rec *r, const size_t *order)
{
    tp_pool_run_args a = {.jobs = r->jobs,
                          .order = order,
                          .job = rec_job,
                          .done = rec_done,
                          .tick = rec_tick,
                          .tick_ms = 1,
                          .user = r};
    return tp_pool_run(r->pool, &a);
}

/* Every job ran once, `done` once each in order with its status, the
 * workers behaved. */
void check_complete_run(const struct rec *r)
{
    for (size_t j = 0; j < r->jobs; j++) {
        CHECK(atomic_load(&r->runs[j]) == 1, "job %zu ran %d times", j,
              atomic_load(&r->runs[j]));
        CHECK(r->done_count[j] == 1, "done(%zu) called %d times", j,
              r->done_count[j]);
        CHECK(r->done_status[j] == r->want_status[j],
              "done(%zu) got status %d, job returned %d", j, r->done_status[j],
              r->want_status[j]);
    }
    CHECK(!r->done_out_of_order, "done called out of job order");
    CHECK(r->done_next == r->jobs, "done stopped at %zu", r->done_next);
    CHECK(atomic_load(&r->bad_worker) == 0, "worker index out of range");
    CHECK(atomic_load(&r->overlap) == 0, "a worker ran two jobs at once");
    CHECK(!r->callback_off_thread, "done/tick ran outside the caller");
}

/* Jobs started and completed in some order that is not the index order:
 * otherwise the ordering tests prove nothing. */
int completed_out_of_order(const struct rec *r)
{
    for (size_t i = 1; i < r->jobs; i++)
        if (r->done_seq[i] < r->done_seq[i - 1])
            return 1;
    return 0;
}

void shuffle(size_t *v, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        v[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t k = (size_t)(rng_next(&seed) % (i + 1));
        size_t t = v[i];
        v[i] = v[k];
        v[k] = t;
    }
}
