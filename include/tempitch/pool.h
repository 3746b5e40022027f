/*
 * tempitch/pool.h -- a fixed pool of worker threads that runs numbered
 * jobs and hands their results back in job order.
 *
 * The batch runner under the tempitch command, in the manner of pigz:
 *   - N threads are started once and reused for every run (and across
 *     runs), so nothing is set up per job;
 *   - jobs are the indices 0..n-1; the caller says in which order to START
 *     them (e.g. longest first), but completion is always REPORTED in index
 *     order, so what the user sees never depends on scheduling;
 *   - per-worker state (one stretcher per worker, say) belongs to the
 *     caller: each job is told which worker (0..threads-1) runs it, and a
 *     worker runs one job at a time;
 *   - a job's failure is just its status: the other jobs go on.
 *
 * The pool does no I/O and prints nothing.  All callbacks except `job` run
 * in the thread that called tp_pool_run().
 */
#ifndef TEMPITCH_POOL_H
#define TEMPITCH_POOL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes (negative), shared with tp_strerror() in stretch.h. */
#define TP_POOL_ERR_ARG (-20)     /* invalid argument                   */
#define TP_POOL_ERR_THREAD (-21)  /* a thread could not be started      */
#define TP_POOL_ERR_BUSY (-22)    /* tp_pool_run called while running   */

typedef struct tp_pool tp_pool;

/* Runs job `job` on worker `worker`.  Called concurrently from different
 * workers with different jobs.  Returns the job's status: 0 for success,
 * anything else for failure (passed to `done` unchanged). */
typedef int (*tp_pool_job_fn)(void *user, size_t job, int worker);

/* Called once per job, in increasing job order, as soon as that job and
 * every job before it have finished. */
typedef void (*tp_pool_done_fn)(void *user, size_t job, int status);

/* Called after every completion (in any order) and at least every
 * `tick_ms` milliseconds while jobs run, with the number of finished
 * jobs.  For progress displays. */
typedef void (*tp_pool_tick_fn)(void *user, size_t finished, size_t total);

typedef struct tp_pool_run_args {
    size_t jobs;            /* number of jobs, n                          */
    const size_t *order;    /* start order: a permutation of 0..n-1, or
                               NULL for 0, 1, ..., n-1                     */
    tp_pool_job_fn job;     /* required                                   */
    tp_pool_done_fn done;   /* optional                                   */
    tp_pool_tick_fn tick;   /* optional                                   */
    unsigned tick_ms;       /* tick period; 0 means 250                    */
    void *user;             /* passed to every callback                   */
} tp_pool_run_args;

/* Starts `threads` workers (1..1024).  Returns 0 and stores the pool in
 * *out, or TP_POOL_ERR_ARG / TP_POOL_ERR_THREAD / TP_ERR_NOMEM with *out
 * set to NULL (no thread left running). */
int tp_pool_create(tp_pool **out, int threads);

/* Stops and joins the workers (waiting for a run in progress to finish
 * its running jobs) and frees the pool.  NULL is ignored. */
void tp_pool_destroy(tp_pool *p);

/* Number of worker threads. */
int tp_pool_threads(const tp_pool *p);

/* Runs all jobs and returns when every started job has finished and every
 * `done` call has been made.  Returns the number of jobs whose status was
 * nonzero (>= 0), or a negative error code (nothing run).  Not reentrant:
 * one run at a time per pool. */
int tp_pool_run(tp_pool *p, const tp_pool_run_args *args);

/* Asks the current run to stop: jobs not yet started are not started (their
 * `done` is not called), running jobs finish (a job may poll
 * tp_pool_cancelled() to stop early).  Safe to call from any thread, and
 * from a signal handler (it only stores to an atomic flag). */
void tp_pool_cancel(tp_pool *p);

/* 1 if tp_pool_cancel() was called since the current run started. */
int tp_pool_cancelled(const tp_pool *p);

/* Number of CPUs online (at least 1): the default thread count. */
int tp_pool_cpu_count(void);

#ifdef __cplusplus
}
#endif

#endif /* TEMPITCH_POOL_H */
