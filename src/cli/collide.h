/*
 * collide.h -- the mistakes about outputs that concern the whole batch,
 * found before any file is touched (plan.h, step 3): two jobs that would
 * write the same file, and a --report file that is an input or an output
 * of the batch, and an output given as the last operand, as sox and
 * rubberband take it.  Outputs are compared by the real path of their
 * directory plus their name, so that two spellings of one file ("a/x.wav",
 * "./a/../a/x.wav", a symlinked directory) compare equal; inputs by
 * device and inode.  Jobs the plan already refused (a missing input, say)
 * write nothing and take no part.
 */
#ifndef TEMPITCH_CLI_COLLIDE_H
#define TEMPITCH_CLI_COLLIDE_H

#include "plan.h"

#include <sys/stat.h>

/* 1 when a and b are the same file (device and inode). */
int collide_same_file(const struct stat *a, const struct stat *b);

/* Prints one line per pair of jobs that would write one file ("A and B
 * would both be written to OUT") and returns PLAN_USAGE when there is
 * one; PLAN_OK, or PLAN_FATAL when memory ran out. */
enum plan_status collide_outputs(const struct plan *p);

/* With --report: the report is appended to, so it must be neither an
 * input (st[i], valid where st_ok[i]) nor one of the outputs.  Prints one
 * line and returns PLAN_USAGE on a clash. */
enum plan_status collide_report(const struct cli_options *o,
                                const struct plan *p, const struct stat *st,
                                const int *st_ok);

/* `tempitch -p 2 in.wav out.wav` in sox's order makes out.wav a second
 * input.  Without -o, --manifest or pairs (options.h: every output
 * named), with exactly two operands of which the first exists: when the
 * second does not exist, or is an output of tempitch (stamp.h) and
 * --include-outputs is not given, prints "did you mean -o out.wav?" and
 * returns PLAN_USAGE; else PLAN_OK. */
enum plan_status collide_output_operand(const struct cli_options *o);

#endif /* TEMPITCH_CLI_COLLIDE_H */
