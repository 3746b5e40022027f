/*
 * main.c -- the tempitch command: parse, plan, run, report, exit code.
 *
 * Exit status: 0 every file done (or up to date with --newer), 1 some file
 * failed or was skipped (the others are still written), 2 usage error.
 * With -o - standard output carries the audio and nothing else: the table
 * is left out and --json goes to stderr, and SIGPIPE is ignored, so that a
 * reader that goes away gives "tempitch: -: write error: Broken pipe" and
 * exit 1 rather than a silent death.  SIGINT, SIGTERM and SIGHUP remove
 * the temporary outputs and kill the process with the same signal (a
 * shell shows 130, 143, 129); finished outputs stay (outfile.h).  All the
 * work lives in the modules; this file only wires them:
 *   options.c  argv -> struct cli_options (help.c: the --help text)
 *   plan.c     inputs -> jobs (output names, lengths, start order)
 *   select.c   the plan's jobs -> this process's (--shard, --newer)
 *   run.c      jobs -> worker pool -> per-file reports in input order
 *   jsonl.c    --report: one JSON line per job
 *   report.c   the timing table or JSON
 *   bench.c    --bench
 */
#include "bench.h"
#include "options.h"
#include "outfile.h"
#include "plan.h"
#include "report.h"
#include "run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    struct cli_options opts;
    switch (options_parse(argc, argv, &opts)) {
    case CLI_DONE:
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    case CLI_USAGE:
        return 2;
    case CLI_RUN:
        break;
    }
    if (opts.bench)
        return bench_run(&opts.bench_opts);

    outfile_install_signal_cleanup();
    int audio_on_stdout = opts.output != NULL && convert_is_stdio(opts.output);
    if (audio_on_stdout)
        signal(SIGPIPE, SIG_IGN);

    struct plan plan;
    switch (plan_build(&opts, &plan)) {
    case PLAN_USAGE:
        return 2;
    case PLAN_FATAL:
        return EXIT_FAILURE;
    case PLAN_OK:
        break;
    }

    struct batch_stats stats;
    int status = EXIT_FAILURE;
    if (run_batch(&plan, &opts, &stats) == 0) {
        if (opts.json)
            report_json(audio_on_stdout ? stderr : stdout, &opts, &plan,
                        &stats);
        else if (opts.verbosity != VERBOSITY_QUIET && !audio_on_stdout)
            report_table(stdout, &plan, &stats);
        /* A skipped file is a file not processed, as in zstd and pigz;
         * one that is up to date (--newer) needed no processing, as in
         * make. */
        status = stats.failed + stats.skipped > 0 || stats.report_failed
                     ? EXIT_FAILURE
                     : EXIT_SUCCESS;
    }
    plan_free(&plan);
    /* The outputs are already in place; a broken stdout only loses the
     * table, but the exit status should still say so. */
    if (fflush(stdout) != 0) {
        perror("tempitch: stdout");
        status = EXIT_FAILURE;
    }
    return status;
}
