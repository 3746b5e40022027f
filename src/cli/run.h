/*
 * run.h -- runs a batch plan on the worker pool.
 *
 * The parallel design, in the manner of pigz:
 *   - one pool of N worker threads (tempitch/pool.h), N = min(-j, number of
 *     jobs that run); each worker owns one converter (engine + I/O
 *     buffers), made once and reused for every file it takes, so an engine
 *     is only rebuilt when the channel count or rate changes;
 *   - jobs start longest first (the plan's order), so a long file does not
 *     start last and hold the batch up alone;
 *   - every file is reported in command-line order, whatever order the
 *     workers finish in: the pool hands back completions in job order,
 *     and the files the plan already refused are reported in between;
 *   - a failing file is only its own status; the others go on;
 *   - workers print nothing; reporting happens in the main thread, which
 *     also appends each job's --report line (jsonl.h) as it is reported.
 * Output bytes never depend on which worker ran a file or when.
 */
#ifndef TEMPITCH_CLI_RUN_H
#define TEMPITCH_CLI_RUN_H

#include "options.h"
#include "plan.h"
#include "report.h"

/* Runs every job of *p that the plan left to run, filling each job's
 * outcome, calling report_file() for every job (run or refused) in input
 * order as soon as it and all before it are done, and showing the
 * progress line when stderr is a terminal and not -q.  With --report the
 * report file is opened first and gets one line per job.  Returns 0 with
 * *st filled, or -1 after printing why the workers could not start or the
 * report file could not be opened (no job has run then). */
int run_batch(struct plan *p, const struct cli_options *o,
              struct batch_stats *st);

/* run_batch, asking stop(arg) about four times a second, in the calling
 * thread, whether to stop: once it returns nonzero no further file is
 * started, the running ones finish (their outputs complete, as ever),
 * and the files that never started fail with CONVERT_REASON_STOPPED;
 * st->stopped is then set.  (The Python module's Ctrl-C.) */
int run_batch_until(struct plan *p, const struct cli_options *o,
                    struct batch_stats *st, int (*stop)(void *arg), void *arg);

#endif /* TEMPITCH_CLI_RUN_H */
