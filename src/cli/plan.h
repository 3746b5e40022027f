/*
 * plan.h -- the batch plan: input files -> jobs.
 *
 * Before any audio is decoded, the main thread turns the job list
 * (jobs.h: operands, walked trees or manifest rows, times the pitch/tempo
 * combinations) into jobs, in that order:
 *   - the output path, by the -o rules, naming.h and --name (template.h);
 *     the directories it needs are created (a walked tree is mirrored
 *     under -o DIR);
 *   - the input's length from its header (open and close, no decoding),
 *     which orders the work longest first and turns -D into a tempo;
 *   - the verdict for files that cannot run (header unreadable, -D out of
 *     range, output is another input of the batch): they fail here, at
 *     their position, without taking a worker.
 * Mistakes that concern the whole batch (an -o that cannot be a
 * directory, two jobs writing the same file) stop everything before any
 * file is touched.
 */
#ifndef TEMPITCH_CLI_PLAN_H
#define TEMPITCH_CLI_PLAN_H

#include "convert.h"
#include "jobs.h"
#include "options.h"

#include <stddef.h>

struct job {
    /* Planned in the main thread, read-only afterwards. */
    const char *input;              /* as given on the command line, in
                                       the manifest, or found by -r      */
    const struct list_entry *entry; /* where the job came from (jobs.h)  */
    char *output;                   /* owned                             */
    double seconds;                 /* input length from its header, or
                                       -1 when unknown (non-seekable)    */
    struct convert_params params;   /* per file: its entry's settings (-D
                                       gives each a tempo), the batch's
                                       policy and format, its stamp     */
    int runs;                       /* 1: goes to a worker; 0: the plan
                                       already decided `result`          */

    /* The outcome: set by the plan when !runs, else by the worker that
     * runs the job (and read by the main thread only after the pool has
     * reported the job done). */
    struct convert_result result;
    double took; /* seconds the worker spent on it (CLOCK_MONOTONIC),
                    or -1 when it did not run                         */
};

struct plan {
    struct job *jobs; /* one per job of `list`, in its order         */
    size_t njobs;
    size_t *order; /* indices of the jobs that run, longest first (ties
                      in command-line order; unknown lengths first)   */
    size_t nrun;
    const char *out_dir;  /* directory all outputs go to, or NULL      */
    int show_outputs;     /* an input may have several jobs: reports
                             name each job by its output              */
    struct job_list list; /* owns the inputs found by -r or a manifest */
};

enum plan_status {
    PLAN_OK,    /* *p is ready to run                                   */
    PLAN_USAGE, /* a usage error was printed; nothing touched; exit 2   */
    PLAN_FATAL  /* an error was printed (out of memory, the output
                   directory cannot be made); exit 1                   */
};

/* Builds the plan for the batch in *o (which must outlive *p).  May create
 * the output directory (mkdir -p) when -o names one that is missing.  On
 * PLAN_OK the caller must plan_free(p); otherwise *p holds nothing. */
enum plan_status plan_build(const struct cli_options *o, struct plan *p);

/* Frees what plan_build allocated; safe on a zeroed plan. */
void plan_free(struct plan *p);

#endif /* TEMPITCH_CLI_PLAN_H */
