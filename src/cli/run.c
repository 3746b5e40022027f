/*
 * run.c -- runs a batch plan on the worker pool; see run.h.
 *
 * Pool slot k (the pool's "job" k) is the k-th job of the plan that runs
 * (in input order), so the pool's in-order completions are input order
 * too; the jobs the plan refused sit between them and are reported as the
 * completions pass them.
 */
#include "run.h"
#include "message.h"
#include "clock.h"
#include "fds.h"
#include "jsonl.h"
#include "progress.h"
#include "selfcheck.h"

#include <tempitch/pool.h>
#include <tempitch/stretch.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Longest pause between tries of a file that found no free descriptor
 * (1, 2, 4, ... ms: about a second in all). */
#define RETRY_MAX_MS 512

/* A pool slot's status, from its job's convert_status. */
enum { JOB_OK = 0, JOB_FAILED = 1, JOB_SKIPPED = 2 };

struct run {
    struct plan *plan;
    const struct cli_options *opts;
    struct converter **conv; /* one per worker                        */
    size_t *slot_job;        /* pool slot k -> plan job (increasing)   */
    size_t next_report;      /* first plan job not yet reported        */
    struct batch_stats *st;
    struct progress progress;
    double shown_fraction; /* the largest fraction drawn so far         */
    size_t refused;     /* jobs the plan refused (never in the pool) */
    double total_audio; /* seconds of audio of the jobs that run      */
    int lengths_known;  /* every job that runs has a known length     */

    /* Written by the workers, read by the progress display. */
    atomic_size_t *running;   /* per worker: plan job + 1, 0 when idle */
    atomic_ullong audio_done; /* microseconds of audio finished        */

    struct jsonl *jsonl; /* --report, or NULL */

    int (*stop)(void *arg); /* asked at each tick, or NULL (run.h)   */
    void *stop_arg;
    tp_pool *pool;
};

static int run_job(void *user, size_t k, int worker)
{
    struct run *r = user;
    size_t ji = r->slot_job[k];
    struct job *j = &r->plan->jobs[ji];
    atomic_store(&r->running[worker], ji + 1);

    double t0 = clock_seconds();
    enum convert_status s = convert_file(r->conv[worker], j->input, j->output,
                                         &j->params, &j->result);
    /* The workers are fewer than the descriptor limit allows (fds.h), so
     * this is a shortage from elsewhere (another program, the system's
     * table): wait for descriptors to come free and try the file again,
     * for about a second in all, before it fails "Too many open files".
     * Nothing of the file was written, so it starts afresh. */
    for (long ms = 1;
         ms <= RETRY_MAX_MS && convert_lacked_descriptor(&j->result); ms *= 2) {
        struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
        s = convert_file(r->conv[worker], j->input, j->output, &j->params,
                         &j->result);
    }
    j->took = clock_seconds() - t0;

    /* Not running first, then done: a display in between counts the
     * file in neither rather than in both (it never goes back: on_tick). */
    atomic_store(&r->running[worker], 0);
    if (j->seconds > 0)
        atomic_fetch_add(&r->audio_done,
                         (unsigned long long)(j->seconds * 1e6));
    return s == CONVERT_OK       ? JOB_OK
           : s == CONVERT_EXISTS ? JOB_SKIPPED
                                 : JOB_FAILED;
}

/* Reports plan job `ji` (whose outcome is final) and counts it. */
static void report_job(struct run *r, size_t ji)
{
    const struct job *j = &r->plan->jobs[ji];
    if (report_file_prints(j, r->opts->verbosity)) {
        progress_clear(&r->progress);
        report_file(j, r->opts->verbosity);
    }
    switch (j->result.status) {
    case CONVERT_OK:
        r->st->ok++;
        break;
    case CONVERT_EXISTS:
    case CONVERT_OURS:
        r->st->skipped++;
        break;
    case CONVERT_FAILED:
        r->st->failed++;
        break;
    case CONVERT_UP_TO_DATE:
        r->st->up_to_date++;
        break;
    }
    if (r->jsonl != NULL && jsonl_job(r->jsonl, r->opts, j) != 0)
        r->st->report_failed = 1;
    if (j->took >= 0)
        r->st->sum += j->took;
}

/* Reports every plan job before `end` not reported yet. */
static void report_until(struct run *r, size_t end)
{
    while (r->next_report < end)
        report_job(r, r->next_report++);
}

static void on_done(void *user, size_t k, int status)
{
    (void)status; /* the job's own result says more */
    struct run *r = user;
    report_until(r, r->slot_job[k] + 1);
}

static void on_tick(void *user, size_t finished, size_t total)
{
    (void)total;
    struct run *r = user;
    if (r->stop != NULL && !r->st->stopped && r->stop(r->stop_arg)) {
        r->st->stopped = 1;
        tp_pool_cancel(r->pool);
    }
    size_t files = r->plan->njobs;
    size_t done = r->refused + finished;
    /* By audio when every length is known (long files weigh more), by
     * file count otherwise.  The audio counts the part of each running
     * file read so far, so that a long file moves the line while it runs. */
    double fraction = files > 0 ? (double)done / files : 1.0;
    double audio = (double)atomic_load(&r->audio_done) * 1e-6;
    /* The running file that comes first in input order: the one the
     * in-order reports are waiting for. */
    size_t first = 0;
    for (int w = 0; w < r->st->threads; w++) {
        size_t ji = atomic_load(&r->running[w]);
        if (ji != 0 && (first == 0 || ji < first))
            first = ji;
        if (ji != 0)
            audio += converter_seconds_read(r->conv[w]);
    }
    if (r->lengths_known && r->total_audio > 0)
        fraction = audio / r->total_audio;
    /* A pass of --normalize read again, or a file between its last read
     * and its report, would move the line back: it only goes forward. */
    /* All read is not all done (the engine's tail, the limiter, the
     * encoder): 100 % only once every file is. */
    double most = done < files ? 0.999 : 1.0;
    if (fraction > most)
        fraction = most;
    if (fraction < r->shown_fraction)
        fraction = r->shown_fraction;
    r->shown_fraction = fraction;
    const char *name = first > 0 ? r->plan->jobs[first - 1].input : NULL;
    progress_update(&r->progress, done, files, fraction, name);
}

/* Runs the pool part; r->st->threads > 0. */
static int run_pool(struct run *r)
{
    struct plan *p = r->plan;
    int threads = r->st->threads;
    size_t *slot_of = malloc(p->njobs * sizeof *slot_of);
    size_t *start = malloc(p->nrun * sizeof *start);
    r->slot_job = malloc(p->nrun * sizeof *r->slot_job);
    r->conv = calloc((size_t)threads, sizeof *r->conv);
    r->running = malloc((size_t)threads * sizeof *r->running);
    int rc = TP_ERR_NOMEM;
    tp_pool *pool = NULL;
    if (slot_of == NULL || start == NULL || r->slot_job == NULL ||
        r->conv == NULL || r->running == NULL)
        goto out;
    for (int w = 0; w < threads; w++)
        atomic_init(&r->running[w], 0);
    for (int w = 0; w < threads; w++) {
        if ((r->conv[w] = converter_new()) == NULL)
            goto out;
    }
    r->lengths_known = 1;
    for (size_t ji = 0, k = 0; ji < p->njobs; ji++) {
        if (p->jobs[ji].runs) {
            slot_of[ji] = k;
            r->slot_job[k++] = ji;
            if (p->jobs[ji].seconds >= 0)
                r->total_audio += p->jobs[ji].seconds;
            else
                r->lengths_known = 0;
        }
    }
    /* The plan orders plan jobs; the pool wants its own numbering. */
    for (size_t i = 0; i < p->nrun; i++)
        start[i] = slot_of[p->order[i]];

    rc = tp_pool_create(&pool, threads);
    if (rc != 0)
        goto out;
    r->pool = pool;
    tp_pool_run_args args = {
        .jobs = p->nrun,
        .order = start,
        .job = run_job,
        .done = on_done,
        .tick = r->progress.enabled || r->stop != NULL ? on_tick : NULL,
        .tick_ms = 250,
        .user = r,
    };
    double t0 = clock_seconds();
    rc = tp_pool_run(pool, &args);
    r->st->wall = clock_seconds() - t0;
    if (rc > 0)
        rc = 0; /* a count of failed jobs: they are reported already */
    /* After a stop the jobs that never started have no outcome yet. */
    for (size_t k = 0; r->st->stopped && k < p->nrun; k++) {
        struct job *j = &p->jobs[r->slot_job[k]];
        if (j->took < 0) {
            j->result.status = CONVERT_FAILED;
            j->result.about = j->input;
            snprintf(j->result.reason, sizeof j->result.reason, "%s",
                     CONVERT_REASON_STOPPED);
        }
    }

out:
    if (rc != 0)
        message("tempitch: cannot run %d worker thread%s: %s\n", threads,
                threads == 1 ? "" : "s", tp_strerror(rc));
    tp_pool_destroy(pool);
    for (int w = 0; r->conv != NULL && w < threads; w++)
        converter_free(r->conv[w]);
    free(r->conv);
    free(r->running);
    free(r->slot_job);
    free(start);
    free(slot_of);
    return rc == 0 ? 0 : -1;
}

int run_batch(struct plan *p, const struct cli_options *o,
              struct batch_stats *st)
{
    return run_batch_until(p, o, st, NULL, NULL);
}

int run_batch_until(struct plan *p, const struct cli_options *o,
                    struct batch_stats *st, int (*stop)(void *arg), void *arg)
{
    *st = (struct batch_stats){0};
    struct run r = {
        .plan = p, .opts = o, .st = st, .stop = stop, .stop_arg = arg};
    atomic_init(&r.audio_done, 0);
    r.refused = p->njobs - p->nrun;
    progress_start(&r.progress,
                   o->verbosity != VERBOSITY_QUIET && isatty(STDERR_FILENO));

    /* Opened before any job runs: a report that cannot be written stops
     * the batch while nothing is done yet. */
    if (o->report_path != NULL &&
        (r.jsonl = jsonl_open(o->report_path)) == NULL)
        return -1;

    size_t threads =
        p->nrun < (size_t)o->threads ? p->nrun : (size_t)o->threads;
    /* No more workers than the descriptor limit leaves room for (after
     * the report file, opened above): under `ulimit -n 16` the files
     * then wait for a worker instead of failing "Too many open files". */
    if (threads > 0)
        threads = (size_t)fds_worker_limit((int)threads);
    st->threads = (int)threads;
    if (o->verbosity == VERBOSITY_VERBOSE)
        report_settings(o, p, st->threads);
    if (threads > 0 && run_pool(&r) != 0) {
        jsonl_close(r.jsonl);
        return -1;
    }
    report_until(&r, p->njobs);
    progress_clear(&r.progress);
    if (jsonl_close(r.jsonl) != 0)
        st->report_failed = 1;
    /* After the workers, whose descriptors a read-back would compete
     * with under a small `ulimit -n`. */
    for (size_t i = 0; i < p->njobs; i++)
        selfcheck_job(o, &p->jobs[i]);
    return 0;
}
