/*
 * benchtable.h -- the state of a --bench run (bench.c measures, fills it)
 * and its report, the table or the JSON object on stdout (benchtable.c).
 */
#ifndef TEMPITCH_CLI_BENCHTABLE_H
#define TEMPITCH_CLI_BENCHTABLE_H

#include "bench.h"

#include <tempitch/pool.h>
#include <tempitch/stretch.h>

#include <stddef.h>

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

/* The table of *b's medians, speedup and efficiency, and the verdict on
 * the outputs' identity. */
void bench_print_table(const struct bench *b, const struct bench_summary *s);

/* The same as one JSON object. */
void bench_print_json(const struct bench *b, const struct bench_summary *s);

#endif /* TEMPITCH_CLI_BENCHTABLE_H */
