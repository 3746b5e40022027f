/*
 * resample.h -- streaming band-limited resampler stage.
 *
 * Output sample m is the input evaluated at position origin + m * step
 * (input samples), through a Kaiser-windowed sinc whose cutoff follows the
 * lower of the two Nyquist frequencies.  Positions are computed from m, not
 * accumulated, so there is no drift however long the stream.  The kernel
 * is tabulated at `phases` sub-sample offsets and linearly interpolated
 * between them (error well under -90 dB), or, in a design without
 * interpolation, read at the nearest offset.
 *
 * Pitch shifting uses it around the phase vocoder: playing a stretched
 * signal `step` times faster multiplies every frequency by `step`.
 */
#ifndef TP_RESAMPLE_H
#define TP_RESAMPLE_H

#include "fifo.h"

/* Kernel design: zero crossings per side of the sinc (the transition band
 * narrows as they grow), cutoff as a fraction of the lower Nyquist
 * frequency, Kaiser beta (stopband depth), table resolution, and whether
 * coefficients are interpolated between table rows (else the nearest row
 * is used: a position error of at most 1 / (2 phases) sample). */
typedef struct tp_resampler_design {
    int zero_crossings;
    double rolloff;
    double beta;
    int phases;
    int interpolate;
} tp_resampler_design;

typedef struct tp_resampler {
    tp_resampler_design design;
    int channels;
    double step;     /* input samples per output sample                 */
    double origin;   /* input position of output sample 0               */
    int taps;        /* kernel length K (even)                          */
    int phases;      /* table resolution P                              */
    float *table;    /* (P + 1) x K coefficients                        */
    float *coef;     /* K interpolated coefficients for one output      */
    float *edge;     /* K input samples, zero-padded at stream edges    */
    float **scratch; /* per-channel output block                        */
    int64_t next;    /* next output index                               */
    int64_t limit;   /* outputs to produce; -1 while unknown            */
} tp_resampler;

/* Largest kernel used for a given step (to size queues). */
int tp_resampler_taps(double step, const tp_resampler_design *design);

int tp_resampler_init(tp_resampler *r, int channels, double step, double origin,
                      const tp_resampler_design *design);
void tp_resampler_free(tp_resampler *r);
void tp_resampler_reset(tp_resampler *r);

/* Index of the last input sample output m reads (inclusive). */
int64_t tp_resampler_last_input(const tp_resampler *r, int64_t m);

/* Output count that covers every input sample < n_in (the natural end of
 * the resampled stream). */
int64_t tp_resampler_natural_length(const tp_resampler *r, int64_t n_in);

/* Produces outputs from `in` into `out` while input and room allow and the
 * limit is not reached.  Returns the number of outputs produced. */
size_t tp_resampler_run(tp_resampler *r, tp_fifo *in, tp_fifo *out);

#endif
