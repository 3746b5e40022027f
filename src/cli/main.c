/*
 * main.c -- the tempitch command: parse, plan, run, report, exit code.
 *
 * Exit status: 0 every file done (or up to date with --newer), 1 some file
 * failed or was skipped (the others are still written), 2 usage error.
 * With -o - standard output carries the audio and nothing else: the table
 * is left out and --json goes to stderr.  SIGPIPE and SIGXFSZ are ignored,
 * so that a reader that goes away gives "tempitch: -: write error: Broken
 * pipe" and exit 1 rather than a silent death, a file beyond `ulimit -f`
 * fails alone ("write error: File too large"), and a broken stderr only
 * stops the messages (exit 1 at the end).  SIGINT, SIGTERM, SIGHUP and the
 * other signals that would end the process remove the temporary outputs
 * and kill it with the same signal (a shell shows 130, 143, 129, ...);
 * finished outputs stay (outfile.h).  Standard descriptors closed at start
 * are filled with /dev/null first (fds.h).  All the
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
#include "fds.h"
#include "message.h"
#include "options.h"
#include "outfile.h"
#include "plan.h"
#include "report.h"
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    /* Before anything opens a file: a closed stderr would otherwise be
     * the first temporary output, and our messages its audio (fds.h). */
    if (fds_secure_standard() != 0)
        return EXIT_FAILURE;
    struct cli_options opts;
    switch (options_parse(argc, argv, &opts)) {
    case CLI_DONE:
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    case CLI_USAGE:
        return 2;
    case CLI_RUN:
        break;
    }
    /* -q: nothing but errors, also from the libraries (message.h). */
    if (opts.verbosity == VERBOSITY_QUIET)
        message_silence_libraries();
    if (opts.bench)
        return bench_run(&opts.bench_opts);

    /* A write past a broken pipe or past the file size limit must be a
     * write error of that one file or stream (EPIPE, EFBIG), reported and
     * cleaned up like any other, not a death that leaves temporary files
     * and the rest of the batch undone.  Ignored before the workers
     * start, so that they inherit it. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    outfile_install_signal_cleanup();
    int audio_on_stdout = opts.output != NULL && convert_is_stdio(opts.output);

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
            report_json(audio_on_stdout ? message_stream() : stdout, &opts,
                        &plan, &stats);
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
        message("tempitch: stdout: %s\n", strerror(errno));
        status = EXIT_FAILURE;
    }
    /* The same for the messages: once stderr failed (its reader went
     * away: EPIPE) nothing more was printed there, but the batch went on;
     * the exit status is the one word left to say that something meant
     * for the user was lost. */
    if (ferror(message_stream()))
        status = EXIT_FAILURE;
    return status;
}
