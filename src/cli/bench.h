/*
 * bench.h -- `tempitch --bench`: the built-in multi-threaded speedup
 * benchmark.
 *
 * By default it reproduces the reference experiment: 8 independent jobs of
 * 4.0 s stereo white noise at 44.1 kHz (fixed seed), +3 semitones, tempo
 * 1.25.  The jobs run serially (one worker, one job after another) and in
 * parallel (all jobs on the pool), `reps` times each; the table gives the
 * medians, the speedup and the parallel efficiency, then whether every
 * parallel output is bit-identical to its serial counterpart.  With files,
 * the same runs use the decoded files (decoding happens before timing).
 */
#ifndef TEMPITCH_CLI_BENCH_H
#define TEMPITCH_CLI_BENCH_H

#include "settings.h"

#include <stddef.h>

struct bench_options {
    size_t tasks;             /* --bench-jobs: independent tasks (default 8);
                                 ignored with files: one task per file        */
    double seconds;           /* length of each generated job (default 4.0)  */
    int channels;             /* channels of generated jobs (default 2)      */
    int rate;                 /* sample rate of generated jobs (44100)       */
    struct settings settings; /* the engine's (default: -p 3 -T 1.25)      */
    int threads;              /* parallel workers (default: online CPUs)     */
    int reps;                 /* repetitions of each mode (default 5)        */
    int json;                 /* nonzero: JSON on stdout instead of a table  */
    int quiet;                /* nonzero: no progress on stderr              */
    char *const *files;       /* --bench FILE...: decoded before timing      */
    size_t nfiles;
};

/* Fills *o with the defaults above. */
void bench_defaults(struct bench_options *o);

/* Runs the benchmark and prints its table (or JSON) on stdout.  *o holds
 * values the options table (optable.c) has checked against its ranges
 * (BENCH_*_MAX, CLI_THREADS_MAX, the engine's limits): they are not checked
 * again here. Returns the exit status: 0 when every parallel output was
 * bit-identical to its serial counterpart, 1 when one differed or a file could
 * not be read (with a `tempitch: FILE: reason` message on stderr). */
int bench_run(const struct bench_options *o);

#endif /* TEMPITCH_CLI_BENCH_H */
