/*
 * pool_util.h -- the recording harness of test_pool.c: a job that sleeps,
 * returns a chosen status and records what the pool did (which jobs ran,
 * in which order, on which worker), with `done` and `tick` callbacks that
 * check their own contract as they are called.
 */
#ifndef TEMPITCH_TEST_POOL_UTIL_H
#define TEMPITCH_TEST_POOL_UTIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "tempitch/pool.h"

/* CHECK (fail_msg): include <cmocka.h> first. */
#include "check.h"

#define MAX_JOBS 256
#define MAX_WORKERS 16
#define WAIT_MS 5000

/* Shared state of one run, checked by the callbacks and after the run. */
struct rec {
    tp_pool *pool;
    int threads;
    size_t jobs;
    pthread_t caller;
    long sleep_us[MAX_JOBS];   /* how long job j sleeps */
    int want_status[MAX_JOBS]; /* what job j returns */
    atomic_int runs[MAX_JOBS]; /* times job j ran */
    atomic_int busy[MAX_WORKERS];
    atomic_int overlap;         /* a worker ran two jobs at once */
    atomic_int bad_worker;      /* a worker index out of range */
    atomic_int started;         /* jobs started so far */
    atomic_int completed;       /* jobs completed so far */
    size_t start_seq[MAX_JOBS]; /* job started n-th (by `started`) */
    size_t done_seq[MAX_JOBS];  /* job completed n-th */
    int done_count[MAX_JOBS];
    int done_status[MAX_JOBS];
    size_t done_next; /* the job `done` should see next */
    int done_out_of_order;
    int callback_off_thread; /* done/tick ran outside the caller thread */
    size_t ticks, last_finished, tick_errors;
    size_t cancel_at; /* this job cancels the run (SIZE_MAX: none) */
};

/* Sleeps `us` microseconds. */
void sleep_us(long us);
/* xorshift64*: the next pseudo-random number of the sequence in *s. */
uint64_t rng_next(uint64_t *s);
/* Polls until *v >= want or WAIT_MS passes; returns whether it got there. */
int wait_for(atomic_int *v, int want);
/* v = a permutation of 0..n-1, shuffled from `seed`. */
void shuffle(size_t *v, size_t n, uint64_t seed);

/* Resets *r for a run of `jobs` jobs on p, each sleeping 0..3 ms (drawn
 * from `seed`) and returning 0; no job cancels. */
void rec_init(struct rec *r, tp_pool *p, size_t jobs, uint64_t seed);
int rec_job(void *user, size_t j, int w);
void rec_done(void *user, size_t j, int status);
void rec_tick(void *user, size_t finished, size_t total);
/* Runs r's jobs in `order` with tick_ms 1; returns tp_pool_run's result. */
int rec_run(struct rec *r, const size_t *order);

/* Fails the test unless every job ran once, `done` came once per job in
 * order with its status, and workers and callbacks behaved. */
void check_complete_run(const struct rec *r);
/* 1 if the jobs completed in some order other than the index order. */
int completed_out_of_order(const struct rec *r);

#endif
