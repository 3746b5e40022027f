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

#include <tempitch/error.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes: TP_POOL_ERR_ARG, _THREAD, _BUSY and TP_ERR_NOMEM, in
 * tempitch/error.h with the engine's; tp_strerror() describes them. */

typedef struct tp_pool tp_pool;

/* Runs job `job` on worker `worker`.  Called concurrently from different
 * workers with different jobs.  Returns the job's status: 0 for success,
 * anything else for failure (passed to `done` unchanged). */
typedef int (*tp_pool_job_fn)(void *user, size_t job, int worker);

/* Called once per job, in increasing job order, as soon as that job and
 * every job before it have finished.  After a cancel it is called for
 * exactly the finished jobs whose predecessors all finished: never for a
 * job that was not started, nor for a finished job after one that was
 * not. */
typedef void (*tp_pool_done_fn)(void *user, size_t job, int status);

/* Called after completions (several completions close together may be
 * covered by one call) and at least every `tick_ms` milliseconds while
 * jobs run, with the number of finished jobs so far: nondecreasing within
 * a run, and total in the last call of a run that was not cancelled.  For
 * progress displays. */
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

/* Most workers a pool may have. */
#define TP_POOL_THREADS_MAX 1024

/* Starts `threads` workers (1..TP_POOL_THREADS_MAX).  Returns 0 and stores the pool in
 * *out, or TP_POOL_ERR_ARG / TP_POOL_ERR_THREAD / TP_ERR_NOMEM with *out
 * set to NULL (no thread left running).  The workers block asynchronous
 * signals (SIGINT, SIGTERM, ...; not SIGSEGV, SIGPIPE and the other
 * thread-directed ones), so handlers run in the program's own threads. */
int tp_pool_create(tp_pool **out, int threads);

/* Stops and joins the workers and frees the pool.  A run in progress in
 * another thread is cancelled (tp_pool_cancel) and waited for: its
 * running jobs finish and its tp_pool_run returns first.  Must not be
 * called from a callback of the pool (it would wait for itself), nor
 * overlap any other call on the pool than that run.  NULL is ignored. */
void tp_pool_destroy(tp_pool *p);

/* Number of worker threads (0 for NULL). */
int tp_pool_threads(const tp_pool *p);

/* Runs all jobs and returns when every started job has finished and every
 * `done` call has been made.  Returns the number of finished jobs whose
 * status was nonzero (>= 0, at most INT_MAX; after a cancel this includes
 * finished jobs that got no `done`), or a negative error code with
 * nothing run: TP_POOL_ERR_ARG (p, args or args->job NULL, or `order` not
 * a permutation of 0..n-1), TP_ERR_NOMEM (a run allocates O(jobs)),
 * TP_POOL_ERR_BUSY (another run is in progress, from another thread or
 * from a callback of this one, or the pool is being destroyed).  A run of
 * 0 jobs returns 0 at once: no callback, cancel flag unchanged.  Not
 * reentrant: one run at a time per pool. */
int tp_pool_run(tp_pool *p, const tp_pool_run_args *args);

/* Asks the current run to stop: jobs not yet started are not started (their
 * `done` is not called), running jobs finish (a job may poll
 * tp_pool_cancelled() to stop early).  tp_pool_run notices it at its next
 * completion or tick period and returns once the running jobs finish.
 * Safe to call from any thread, including from callbacks, and from a
 * signal handler (it only stores to a lock-free atomic flag).  NULL is
 * ignored.  Every run clears the flag when it starts, so a cancel made
 * while no run is in progress is forgotten: a signal handler should also
 * set a flag of the program's own that the program checks (before the
 * run and, to close the race, in its jobs). */
void tp_pool_cancel(tp_pool *p);

/* 1 if tp_pool_cancel() was called since the current (or, between runs,
 * the last) run started; 0 otherwise and for NULL. */
int tp_pool_cancelled(const tp_pool *p);

/* Number of CPUs online (at least 1, at most 1024): the default thread
 * count. */
int tp_pool_cpu_count(void);

#ifdef __cplusplus
}
#endif

#endif /* TEMPITCH_POOL_H */
