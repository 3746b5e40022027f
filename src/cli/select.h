/*
 * select.h -- which planned jobs this process runs: the settings stamp,
 * --shard and --newer.
 *
 * Called once, at the end of plan building, over the final job list (each
 * job with its input, output and parameters), before the jobs are put in
 * start order.  Whatever builds the list (command line, folders, ...),
 * the selection rules stay here:
 *
 *   1. Every job gets its settings stamp (params.stamp, stored in the
 *      output; see stamp.h), settings_stamp of its settings and its
 *      full-scale policy (settings.h gives the grammar).
 *   2. --shard K/N keeps the jobs whose key hashes to share K and drops
 *      the others from the plan (they are neither run nor reported).  The
 *      key is the output's path inside the -o directory when there is one
 *      (so hosts that mount the shared folders at different places still
 *      agree), else the input path as given (with leading "./" removed).
 *      The hash is FNV-1a 64 of the key's bytes with a final bit mix; the
 *      job is in share (hash mod N) + 1.  So the split depends neither on
 *      the order of the arguments nor on the process, and N processes
 *      given the same files and K = 1..N together do each job exactly once.
 *   3. --newer (Make-style): a job whose output exists as a regular file,
 *      is not older than its input (modification times, to the
 *      nanosecond where the file system keeps them; equal counts as
 *      current, as in make) and holds this job's stamp is not run and is
 *      reported up to date.  An output in a format that keeps no stamp
 *      (W64, AU, ...; see stamp.h) cannot be shown current: it is made
 *      again, and one line says how many were.  Any other existing output
 *      is stale and is replaced, as with --force.
 */
#ifndef TEMPITCH_CLI_SELECT_H
#define TEMPITCH_CLI_SELECT_H

#include "options.h"
#include "plan.h"

#include <stddef.h>
#include <stdint.h>

/* The share (0..n-1) of a job whose shard key is `key`. n >= 1. */
unsigned long select_share(const char *key, unsigned long n);

/* Applies 1-3 above to the jobs of *p (p->order is not built yet).  Jobs
 * dropped by --shard are removed from p->jobs (their outputs freed), the
 * others keep their relative order.  Returns PLAN_OK, or PLAN_FATAL after
 * printing that memory ran out. */
enum plan_status select_jobs(const struct cli_options *o, struct plan *p);

#endif /* TEMPITCH_CLI_SELECT_H */
