/*
 * pool.c -- a fixed set of worker threads that runs numbered jobs and
 * reports them in job order (contract in include/tempitch/pool.h).
 *
 * The design, after pigz:
 *
 * Jobs.  A run is the indices 0..n-1; the caller owns whatever they refer
 * to, so nothing is queued but a cursor.  `order` only decides the order
 * in which jobs START: an idle worker takes order[next++] under the pool
 * mutex.  Per job the run keeps a state (waiting, running, finished) and
 * the status the job returned: O(n) memory, allocated per run.
 *
 * Workers.  tp_pool_create starts all threads once; they live until
 * tp_pool_destroy and sleep on `work_cv` between runs, so a run costs one
 * broadcast, not N thread creations.  Worker k always passes k to the
 * job, and runs one job at a time, so the caller can keep per-worker
 * state (one stretcher each) indexed by k without locking.  Workers are
 * started with the asynchronous signals blocked: a SIGINT or SIGTERM
 * handler then runs in another thread (normally the one waiting in
 * tp_pool_run), and a job's I/O is never interrupted by it.
 *
 * Start order vs. reporting order.  The calling thread never runs jobs:
 * it waits on `done_cv`, which a worker signals when a job finishes.  It
 * keeps `reported`, the number of jobs already passed to `done`, and on
 * each wake-up extends that prefix over every finished job, so `done`
 * sees 0, 1, 2, ... whatever order the jobs completed in (pigz's sequence
 * numbers), each as soon as it and all jobs before it have finished.
 * Callbacks run with the mutex released: a slow `done` (printing, say)
 * never stalls the workers, and any callback may call tp_pool_cancel.
 *
 * Ticks.  The wait is pthread_cond_timedwait on CLOCK_MONOTONIC (a
 * wall-clock step must neither stall nor rush a progress display), at
 * most tick_ms at a time.  `tick` follows every wake-up that saw new
 * completions and every timeout, so a progress line moves even while one
 * long job runs.  Nothing spins: every thread sleeps on a condition
 * variable until there is something to do.
 *
 * Cancellation.  tp_pool_cancel may run in a signal handler, where locks
 * and condition variable signals are not allowed, so it only stores an
 * atomic flag.  Workers test the flag under the mutex before taking a
 * job, so once it is set no job starts.  The caller notices it at its
 * next wake-up (a completion, or at the latest one tick period later),
 * waits until no job is running, reports the finished prefix and
 * returns.  A job that finished after a job before it was never started
 * gets no `done` (reporting it would break the order) but its status
 * still counts in the return value.  The next run clears the flag.
 *
 * Shutdown.  tp_pool_destroy refuses new runs, cancels a run in progress
 * and waits (`idle_cv`) until it has returned, then sets `shutdown`,
 * wakes the workers and joins them.
 */
#define _POSIX_C_SOURCE 200809L

#include "tempitch/pool.h"
#include "tempitch/stretch.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { DEFAULT_TICK_MS = 250 };

enum { JOB_WAITING = 0, JOB_RUNNING, JOB_FINISHED };

/* A store to a lock-free atomic is async-signal-safe; a locked one is not. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "tp_pool_cancel needs a "
                                          "lock-free atomic_int");

struct worker {
    tp_pool *pool;
    int index;
    pthread_t thread;
};

struct tp_pool {
    int threads;
    struct worker *workers;
    pthread_mutex_t lock;
    pthread_cond_t work_cv; /* workers: a run started, or shutdown */
    pthread_cond_t done_cv; /* caller: a job finished (CLOCK_MONOTONIC) */
    pthread_cond_t idle_cv; /* tp_pool_destroy: the run has returned */
    atomic_int cancel;
    bool running;  /* a run is in progress (TP_POOL_ERR_BUSY) */
    bool closing;  /* tp_pool_destroy has begun: no new runs */
    bool shutdown; /* workers must exit */
    /* The current run; all under `lock`, meaningful while `running`. */
    size_t jobs, next, active, finished;
    const size_t *order;
    tp_pool_job_fn job;
    void *user;
    int *status;
    unsigned char *state;
};

/* Under the lock: may a worker start another job now? */
static bool job_available(const tp_pool *p)
{
    return p->running && p->next < p->jobs && !atomic_load(&p->cancel);
}

/* Under the lock: nothing is running and nothing more will start. */
static bool run_over(const tp_pool *p)
{
    return p->active == 0 && (p->next == p->jobs || atomic_load(&p->cancel));
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    tp_pool *p = w->pool;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->shutdown && !job_available(p))
            pthread_cond_wait(&p->work_cv, &p->lock);
        if (p->shutdown)
            break;
        size_t pos = p->next++;
        size_t j = p->order ? p->order[pos] : pos;
        tp_pool_job_fn fn = p->job;
        void *user = p->user;
        p->state[j] = JOB_RUNNING;
        p->active++;
        pthread_mutex_unlock(&p->lock);

        int status = fn(user, j, w->index);

        pthread_mutex_lock(&p->lock);
        p->status[j] = status;
        p->state[j] = JOB_FINISHED;
        p->active--;
        p->finished++;
        pthread_cond_signal(&p->done_cv); /* only the caller waits on it */
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* The signals a worker blocks: all but those the kernel sends to the
 * thread that caused them (blocking those would kill the process at
 * once, or change how a failed write reports itself). */
static void async_signals(sigset_t *set)
{
    static const int synchronous[] = {SIGSEGV, SIGBUS, SIGFPE,  SIGILL, SIGTRAP,
                                      SIGABRT, SIGSYS, SIGPIPE, SIGXFSZ};
    sigfillset(set);
    for (size_t i = 0; i < sizeof synchronous / sizeof *synchronous; i++)
        sigdelset(set, synchronous[i]);
}

static int init_sync(tp_pool *p)
{
    pthread_condattr_t attr;
    int err = pthread_mutex_init(&p->lock, NULL);
    if (err)
        goto fail;
    if ((err = pthread_cond_init(&p->work_cv, NULL)))
        goto fail_lock;
    if ((err = pthread_cond_init(&p->idle_cv, NULL)))
        goto fail_work;
    if ((err = pthread_condattr_init(&attr)))
        goto fail_idle;
    err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (!err)
        err = pthread_cond_init(&p->done_cv, &attr);
    pthread_condattr_destroy(&attr);
    if (!err)
        return 0;
fail_idle:
    pthread_cond_destroy(&p->idle_cv);
fail_work:
    pthread_cond_destroy(&p->work_cv);
fail_lock:
    pthread_mutex_destroy(&p->lock);
fail:
    return err == ENOMEM ? TP_ERR_NOMEM : TP_POOL_ERR_THREAD;
}

static void destroy_sync(tp_pool *p)
{
    pthread_cond_destroy(&p->done_cv);
    pthread_cond_destroy(&p->idle_cv);
    pthread_cond_destroy(&p->work_cv);
    pthread_mutex_destroy(&p->lock);
}

/* Tells the workers to exit and joins the first `count` of them. */
static void stop_workers(tp_pool *p, int count)
{
    pthread_mutex_lock(&p->lock);
    p->shutdown = true;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < count; i++)
        pthread_join(p->workers[i].thread, NULL);
}

int tp_pool_create(tp_pool **out, int threads)
{
    if (!out)
        return TP_POOL_ERR_ARG;
    *out = NULL;
    if (threads < 1 || threads > TP_POOL_THREADS_MAX)
        return TP_POOL_ERR_ARG;

    tp_pool *p = calloc(1, sizeof *p);
    struct worker *w = calloc((size_t)threads, sizeof *w);
    if (!p || !w) {
        free(w);
        free(p);
        return TP_ERR_NOMEM;
    }
    p->threads = threads;
    p->workers = w;
    atomic_init(&p->cancel, 0);
    int rc = init_sync(p);
    if (rc) {
        free(w);
        free(p);
        return rc;
    }

    /* New threads inherit the creator's mask; restore ours afterwards. */
    sigset_t block, old;
    async_signals(&block);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int started = 0;
    for (; started < threads; started++) {
        w[started].pool = p;
        w[started].index = started;
        if (pthread_create(&w[started].thread, NULL, worker_main,
                           &w[started]) != 0)
            break;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    if (started < threads) {
        stop_workers(p, started);
        destroy_sync(p);
        free(w);
        free(p);
        return TP_POOL_ERR_THREAD;
    }
    *out = p;
    return 0;
}

void tp_pool_destroy(tp_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->closing = true;
    if (p->running)
        atomic_store(&p->cancel, 1);
    while (p->running)
        pthread_cond_wait(&p->idle_cv, &p->lock);
    pthread_mutex_unlock(&p->lock);

    stop_workers(p, p->threads);
    destroy_sync(p);
    free(p->workers);
    free(p);
}

int tp_pool_threads(const tp_pool *p)
{
    return p ? p->threads : 0;
}

/* 0 if order[0..n-1] holds each of 0..n-1 exactly once. */
static int check_order(const size_t *order, size_t n)
{
    uint64_t *seen = calloc(n / 64 + 1, sizeof *seen);
    if (!seen)
        return TP_ERR_NOMEM;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = order[i];
        uint64_t bit = UINT64_C(1) << (j % 64);
        if (j >= n || (seen[j / 64] & bit)) {
            rc = TP_POOL_ERR_ARG;
            break;
        }
        seen[j / 64] |= bit;
    }
    free(seen);
    return rc;
}

static struct timespec deadline_after(unsigned ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += (time_t)(ms / 1000);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* The calling thread's part of a run: wait, report the finished prefix to
 * `done`, tick, until nothing runs and nothing more will start.  Called
 * and returns without the lock. */
static void report(tp_pool *p, const tp_pool_run_args *a)
{
    const unsigned period = a->tick_ms ? a->tick_ms : DEFAULT_TICK_MS;
    const int *status = p->status; /* ours for the whole run */
    size_t reported = 0, seen = 0;
    struct timespec deadline = deadline_after(period);

    pthread_mutex_lock(&p->lock);
    for (;;) {
        bool timed_out = false;
        while (p->finished == seen && !run_over(p) && !timed_out)
            timed_out = pthread_cond_timedwait(&p->done_cv, &p->lock,
                                               &deadline) == ETIMEDOUT;
        /* Once over, no worker touches the run again: this snapshot is
         * final.  Jobs below `ready` are finished and their statuses
         * will not change, so they can be read without the lock. */
        const bool over = run_over(p);
        const size_t finished = p->finished;
        size_t ready = reported;
        while (ready < p->jobs && p->state[ready] == JOB_FINISHED)
            ready++;
        pthread_mutex_unlock(&p->lock);

        for (; reported < ready; reported++)
            if (a->done)
                a->done(a->user, reported, status[reported]);
        if (finished != seen || timed_out) {
            if (a->tick)
                a->tick(a->user, finished, a->jobs);
            deadline = deadline_after(period);
        }
        seen = finished;
        if (over)
            return;
        pthread_mutex_lock(&p->lock);
    }
}

int tp_pool_run(tp_pool *p, const tp_pool_run_args *a)
{
    if (!p || !a || !a->job)
        return TP_POOL_ERR_ARG;
    if (a->jobs == 0)
        return 0;
    if (a->order) {
        int rc = check_order(a->order, a->jobs);
        if (rc)
            return rc;
    }
    /* Allocated before taking the lock, and before knowing whether we
     * are busy, so that no malloc happens under the mutex. */
    int *status = calloc(a->jobs, sizeof *status);
    unsigned char *state = calloc(a->jobs, sizeof *state);
    if (!status || !state) {
        free(state);
        free(status);
        return TP_ERR_NOMEM;
    }

    pthread_mutex_lock(&p->lock);
    if (p->running || p->closing) {
        pthread_mutex_unlock(&p->lock);
        free(state);
        free(status);
        return TP_POOL_ERR_BUSY;
    }
    p->running = true;
    p->jobs = a->jobs;
    p->next = p->active = p->finished = 0;
    p->order = a->order;
    p->job = a->job;
    p->user = a->user;
    p->status = status;
    p->state = state;
    atomic_store(&p->cancel, 0);
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->lock);

    report(p, a);

    /* The run is over (see report): the arrays are ours again. */
    size_t failed = 0;
    for (size_t i = 0; i < a->jobs; i++)
        failed += state[i] == JOB_FINISHED && status[i] != 0;

    pthread_mutex_lock(&p->lock);
    p->running = false;
    p->order = NULL;
    p->job = NULL;
    p->user = NULL;
    p->status = NULL;
    p->state = NULL;
    pthread_cond_broadcast(&p->idle_cv);
    pthread_mutex_unlock(&p->lock);
    /* After this unlock tp_pool_destroy may free p: do not touch it. */

    free(state);
    free(status);
    return failed > INT_MAX ? INT_MAX : (int)failed;
}

void tp_pool_cancel(tp_pool *p)
{
    if (p)
        atomic_store(&p->cancel, 1);
}

int tp_pool_cancelled(const tp_pool *p)
{
    return p ? atomic_load(&p->cancel) != 0 : 0;
}

int tp_pool_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > TP_POOL_THREADS_MAX ? TP_POOL_THREADS_MAX : (int)n;
}
