/*
 * jobs.h -- the job list: what to run, before any output is named.
 *
 * Jobs come from the FILE operands (a directory operand, with -r, gives
 * the audio files of its tree: walk.h) or from the rows of a --manifest
 * (manifest.h), never both; or, for a program that embeds the batch
 * (tempitch's Python module), from (input, output) pairs: the options'
 * `inputs` and `outputs`, one job per pair with the options' settings
 * (the lists are not used), each output used as written, as a manifest's
 * is.  Each operand or row becomes one job per combination of
 * the -p/-f and -T/-t lists: inputs outer, then pitch, then tempo, so
 * `-p -2,0,2 -T 0.9,1.1 a.wav` runs a.wav six times, {variant} 0..5.  A
 * manifest row that gives its own pitch or tempo replaces that list for
 * the row.
 */
#ifndef TEMPITCH_CLI_JOBS_H
#define TEMPITCH_CLI_JOBS_H

#include "convert.h"
#include "manifest.h"
#include "naming.h"
#include "options.h"
#include "walk.h"

#include <stddef.h>
#include <sys/stat.h>

struct list_entry {
    const char *input;        /* owned by the list, or argv                   */
    size_t root_len;          /* walked files: input + root_len is the path
                                 below the directory operand; 0 otherwise     */
    const char *output;       /* a manifest row's output, or NULL             */
    unsigned long line;       /* manifest line of the row, the number of a
                                 pair (from 1), or 0                          */
    struct settings settings; /* this job's: its pitch and tempo of
                                 the lists, as spelt (with -D the
                                 plan sets the speed factor)        */
    size_t variant;           /* index of the pitch/tempo combination         */
    int err;                  /* nonzero: a directory of a walked tree that
                                 could not be read (errno); the job fails     */
};

struct job_list {
    struct list_entry *entries;
    size_t n;
    size_t nvariants;        /* combinations per input (the lists' product)   */
    int from_manifest;       /* the jobs are manifest rows                    */
    int from_pairs;          /* the jobs are the options' input/output pairs  */
    int single;              /* one file operand, not walked, one combination:
                                -o may name the output file itself            */
    struct walk_list walked; /* owns the walked paths */
    struct manifest manifest; /* owns the manifest strings */
};

enum jobs_status {
    JOBS_OK,
    JOBS_USAGE, /* a usage error was printed (bad manifest); exit 2     */
    JOBS_FATAL  /* out of memory, printed; exit 1                       */
};

/* Builds the job list of *o (which must outlive it).  `skip` (may be
 * NULL) is a directory walks do not enter: the output directory.  A
 * directory operand whose tree holds no audio file gets a warning on
 * stderr.  On JOBS_OK the caller must jobs_free(l). */
enum jobs_status jobs_build(const struct cli_options *o,
                            const struct stat *skip, struct job_list *l);

void jobs_free(struct job_list *l);

#endif /* TEMPITCH_CLI_JOBS_H */
