/*
 * benchtable.h -- the state of a --bench run (bench.c measures, fills it)
 * and its report, the table or the JSON object (benchtable.c); tempitch's
 * Python module prints its own bench (python3 -m tempitch.bench) with
 * them too.
 */
#ifndef TEMPITCH_CLI_BENCHTABLE_H
#define TEMPITCH_CLI_BENCHTABLE_H

#include "bench.h"

#include <tempitch/pool.h>
#include <tempitch/stretch.h>

#include <stddef.h>
#include <stdio.h>

enum { MODE_SERIAL, MODE_PARALLEL, MODES };

/* "serial", "parallel". */
extern const char *const bench_mode_name[MODES];

struct bench_task {
    const char *name; /* file path, or NULL for generated noise */
    float *in;
    size_t frames; /* input frames */
    int channels;
    int rate;
    size_t fmt; /* index into bench.fmts */
    size_t out_frames;
    float *out[MODES];
};

struct bench_format {
    int channels;
    int rate;
};

struct bench {
    const struct bench_options *o;
    const char *title; /* what ran, at the head of the table; NULL:
                          "tempitch --bench" */
    struct bench_task *tasks; /* what is timed: --bench-jobs of noise, or
                                 one per file                       */
    size_t ntasks;
    struct bench_format *fmts;
    size_t nfmts;
    double audio_seconds; /* sum of the input durations */
    tp_pool *pool[MODES];
    int workers[MODES];
    tp_stretch **eng[MODES]; /* [worker * nfmts + fmt] */
    int *status;             /* per job, of the current run */
    int mode;                /* of the current run */
    double *times[MODES];    /* wall seconds of each timed repetition */
    unsigned char *differ;   /* per job: parallel output differed */
    int progress;
};

struct bench_summary {
    double median[MODES];
    double speedup;
    double efficiency;
    size_t differing;
};

/* Fills *s from the timed runs of *b: the median of each mode's
 * b->times (b->o->reps each), the speedup (serial median / parallel
 * median; 0 when the latter is 0), the efficiency (speedup per parallel
 * worker) and the number of jobs flagged in b->differ. */
void bench_summarize(const struct bench *b, struct bench_summary *s);

/* The table of *b's medians, speedup and efficiency, and the verdict on
 * the outputs' identity, on `out`.  Uses b->o, title, ntasks, tasks (the
 * names of differing jobs), audio_seconds, workers and differ. */
void bench_print_table(FILE *out, const struct bench *b,
                       const struct bench_summary *s);

/* The same as one JSON object (also b->times). */
void bench_print_json(FILE *out, const struct bench *b,
                      const struct bench_summary *s);

#endif /* TEMPITCH_CLI_BENCHTABLE_H */
