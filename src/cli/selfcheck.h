/*
 * selfcheck.h -- the test suite's read-back of every output reported ok.
 *
 * tempitch promises that an output reported ok holds exactly
 * round(N / tempo) frames (round(D x rate) with -D) of finite samples.
 * With the environment variable TEMPITCH_TEST_SELFCHECK set (the test
 * scripts set it for every run), each such output is opened again when
 * the batch is done and read to its end; any difference is printed
 * as "tempitch: selfcheck: ..." and the process aborts, so that no test
 * can pass over a wrong file, whatever the test itself looks at.  Unset,
 * this costs one getenv per run.  Main thread only.
 */
#ifndef TEMPITCH_CLI_SELFCHECK_H
#define TEMPITCH_CLI_SELFCHECK_H

#include "options.h"
#include "plan.h"

/* Checks the output of job *j if it was converted, written to a file and
 * the self-check is on; returns only if it is right. */
void selfcheck_job(const struct cli_options *o, const struct job *j);

#endif /* TEMPITCH_CLI_SELFCHECK_H */
