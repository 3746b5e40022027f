/* resample.c -- streaming Kaiser-windowed sinc resampler (see resample.h). */
#include "resample.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <stdlib.h>
#include <string.h>

enum {
    BLOCK = 256 /* outputs per push to the next queue */
};
/* Terms of the power series of the modified Bessel function I0. */
enum { BESSEL_TERMS = 60 };

/* I0(x) = sum_k ((x/2)^k / k!)^2; inv_k2[k] = 1 / k^2 turns the division
 * per term into a multiplication (the kernel table needs tens of
 * thousands of these). */
static double bessel_i0(double x, const double *inv_k2)
{
    double sum = 1.0, term = 1.0, q = x * x / 4.0;
    for (int k = 1; k < BESSEL_TERMS; k++) {
        term *= q * inv_k2[k];
        sum += term;
        if (term < sum * 1e-17)
            break;
    }
    return sum;
}

/* Cutoff in cycles per input sample. */
static double cutoff(double step, const tp_resampler_design *g)
{
    return 0.5 * g->rolloff * (step > 1.0 ? 1.0 / step : 1.0);
}

int tp_resampler_taps(double step, const tp_resampler_design *g)
{
    /* A multiple of 8 so the dot products below run in 8 lanes. */
    double half = g->zero_crossings / (2.0 * cutoff(step, g));
    return 8 * (int)ceil(half / 4.0);
}

int tp_resampler_init(tp_resampler *r, int channels, double step, double origin,
                      const tp_resampler_design *design)
{
    memset(r, 0, sizeof *r);
    r->design = *design;
    r->channels = channels;
    r->step = step;
    r->origin = origin;
    r->taps = tp_resampler_taps(step, design);
    r->phases = design->phases;
    int k = r->taps, p = r->phases;
    r->table = malloc(sizeof(float) * (size_t)(p + 1) * (size_t)k);
    r->coef = malloc(sizeof(float) * (size_t)k);
    r->edge = malloc(sizeof(float) * (size_t)k);
    r->scratch = calloc((size_t)channels, sizeof *r->scratch);
    if (!r->table || !r->coef || !r->edge || !r->scratch)
        goto fail;
    for (int c = 0; c < channels; c++)
        if (!(r->scratch[c] = malloc(sizeof(float) * BLOCK)))
            goto fail;

    /* table[ph][j] = h(ph / P + K/2 - 1 - j): the weight of input
     * i0 - K/2 + 1 + j for an output at position i0 + ph / P.  The kernel
     * is even, h(t) = h(-t), so row P - ph is row ph reversed: only the
     * first half of the rows is computed (this table is most of the cost
     * of a new engine, which a short file pays in full). */
    double inv_k2[BESSEL_TERMS];
    for (int i = 1; i < BESSEL_TERMS; i++)
        inv_k2[i] = 1.0 / ((double)i * i);
    const double beta = design->beta;
    double fc = cutoff(step, design), half = k / 2.0;
    double i0b = bessel_i0(beta, inv_k2);
    for (int ph = 0; ph <= p / 2; ph++) {
        float *row = r->table + (size_t)ph * k;
        for (int j = 0; j < k; j++) {
            double t = (double)ph / p + half - 1.0 - j;
            double u = t / half, w = 0.0;
            if (fabs(u) < 1.0)
                w = bessel_i0(beta * sqrt(1.0 - u * u), inv_k2) / i0b;
            double a = 2.0 * M_PI * fc * t;
            double s = fabs(a) < 1e-12 ? 1.0 : sin(a) / a;
            row[j] = (float)(2.0 * fc * s * w);
        }
    }
    for (int ph = p / 2 + 1; ph <= p; ph++) {
        const float *mirror = r->table + (size_t)(p - ph) * k;
        float *row = r->table + (size_t)ph * k;
        for (int j = 0; j < k; j++)
            row[j] = mirror[k - 1 - j];
    }
    tp_resampler_reset(r);
    return 0;
fail:
    tp_resampler_free(r);
    return -1;
}

void tp_resampler_free(tp_resampler *r)
{
    if (r->scratch)
        for (int c = 0; c < r->channels; c++)
            free(r->scratch[c]);
    free(r->scratch);
    free(r->table);
    free(r->coef);
    free(r->edge);
    memset(r, 0, sizeof *r);
}

void tp_resampler_reset(tp_resampler *r)
{
    r->next = 0;
    r->limit = -1;
}

static inline double position(const tp_resampler *r, int64_t m)
{
    return r->origin + (double)m * r->step;
}

int64_t tp_resampler_last_input(const tp_resampler *r, int64_t m)
{
    return (int64_t)floor(position(r, m)) + r->taps / 2;
}

int64_t tp_resampler_natural_length(const tp_resampler *r, int64_t n_in)
{
    /* Output m reads inputs from floor(x) - K/2 + 1; it is silent once
     * that is >= n_in. */
    double x = (double)(n_in + r->taps / 2) - r->origin;
    int64_t m = (int64_t)ceil(x / r->step);
    return m > 0 ? m : 0;
}

/* Eight fixed partial sums: the compiler can keep them in SIMD lanes
 * without reassociating, and the order of additions never depends on the
 * data or on where the samples live. */
static float dot(const float *restrict a, const float *restrict b, int k)
{
    float lane[8] = {0};
    for (int j = 0; j < k; j += 8)
        for (int l = 0; l < 8; l++)
            lane[l] += a[j + l] * b[j + l];
    return ((lane[0] + lane[4]) + (lane[1] + lane[5])) +
           ((lane[2] + lane[6]) + (lane[3] + lane[7]));
}

/* The nearest-row kernel (no interpolation): up to `want` outputs into
 * r->scratch with the queue's bounds read once; returns how many.
 * Positions are never negative (origin >= 0), so truncation is floor. */
static size_t run_nearest(tp_resampler *r, const tp_fifo *in, size_t want)
{
    const int k = r->taps, half = k / 2, nc = r->channels;
    const int64_t base = in->base, end = tp_fifo_end(in);
    const int ended = in->ended;
    const float *table = r->table;
    float **scratch = r->scratch;
    int64_t m = r->next;
    size_t n = 0;
    for (; n < want; n++, m++) {
        double x = position(r, m);
        int64_t i0 = (int64_t)x;
        if (!ended && i0 + half >= end)
            break;
        int ph = (int)((x - (double)i0) * r->phases + 0.5);
        const float *coef = table + (size_t)ph * (size_t)k;
        int64_t first = i0 - half + 1;
        if (first >= base && i0 + half < end) {
            for (int c = 0; c < nc; c++)
                scratch[c][n] = dot(coef, tp_fifo_at(in, c, first), k);
        } else {
            /* Stream edges: outside the window is silence. */
            for (int c = 0; c < nc; c++) {
                tp_fifo_read(in, c, first, (size_t)k, r->edge);
                scratch[c][n] = dot(coef, r->edge, k);
            }
        }
    }
    r->next = m;
    return n;
}

/* The interpolating kernel: up to `want` outputs into r->scratch, each
 * from coefficients interpolated between two table rows; returns how many
 * (fewer when the input runs out). */
static size_t run_interpolated(tp_resampler *r, const tp_fifo *in, size_t want)
{
    const int k = r->taps, half = k / 2;
    size_t n = 0;
    while (n < want) {
        int64_t m = r->next;
        double x = position(r, m);
        double fl = floor(x);
        int64_t i0 = (int64_t)fl;
        if (!in->ended && i0 + half >= tp_fifo_end(in))
            break;
        double a = (x - fl) * r->phases;
        int ph = (int)a;
        if (ph >= r->phases)
            ph = r->phases - 1;
        float t = (float)(a - ph);
        const float *t0 = r->table + (size_t)ph * k;
        const float *t1 = t0 + k;
        float *restrict coef = r->coef;
        for (int j = 0; j < k; j++)
            coef[j] = t0[j] + t * (t1[j] - t0[j]);

        int64_t first = i0 - half + 1;
        int inside = first >= in->base && i0 + half < tp_fifo_end(in);
        for (int c = 0; c < r->channels; c++) {
            const float *src;
            if (inside) {
                src = tp_fifo_at(in, c, first);
            } else {
                /* Stream edges: outside the window is silence. */
                tp_fifo_read(in, c, first, (size_t)k, r->edge);
                src = r->edge;
            }
            float acc = dot(coef, src, k);
            r->scratch[c][n] = acc;
        }
        r->next++;
        n++;
    }
    return n;
}

size_t tp_resampler_run(tp_resampler *r, tp_fifo *in, tp_fifo *out)
{
    const int half = r->taps / 2;
    size_t produced = 0;
    for (;;) {
        size_t room = tp_fifo_space(out);
        size_t want = room < BLOCK ? room : BLOCK;
        if (r->limit >= 0 && (int64_t)want > r->limit - r->next)
            want = r->limit > r->next ? (size_t)(r->limit - r->next) : 0;
        size_t n = r->design.interpolate ? run_interpolated(r, in, want)
                                         : run_nearest(r, in, want);
        if (n == 0)
            break;
        tp_fifo_push_planar(out, r->scratch, 0, n);
        produced += n;
        /* Keep only what the next output still reads. */
        int64_t keep = (int64_t)floor(position(r, r->next)) - half + 1;
        tp_fifo_discard_before(in, keep);
    }
    return produced;
}
