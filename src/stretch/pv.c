/* pv.c -- phase-vocoder stretch with onset locking (see pv.h). */
#include "pv.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <stdlib.h>
#include <string.h>

/* Onset locking needs a lookahead that grows like 1/d and backs off the
 * stretch elsewhere; outside this range of d it is not worth it. */
static const double LOCK_D_MIN = 0.25, LOCK_D_MAX = 4.0;

int tp_pv_fft_size(double sample_rate)
{
    /* The power of two nearest (in log) to 93 ms: 4096 at 44.1/48 kHz. */
    double want = sample_rate * 0.0929;
    int n = 256;
    while ((double)n * 1.41421356 < want)
        n *= 2;
    return n;
}

size_t tp_pv_queue_size(int n)
{
    return (size_t)n * 8;
}

static double zone_half_width(const tp_pv *pv)
{
    return (pv->d > 1.0 ? pv->d : 1.0) * pv->n / 2.0;
}

int tp_pv_init(tp_pv *pv, int channels, double sample_rate, double d,
               int64_t pre)
{
    memset(pv, 0, sizeof *pv);
    pv->channels = channels;
    pv->n = tp_pv_fft_size(sample_rate);
    pv->hop = pv->n / 4;
    pv->bins = pv->n / 2 + 1;
    pv->d = d;
    pv->pre = pre;
    pv->lock = d >= LOCK_D_MIN && d <= LOCK_D_MAX;
    /* Hann analysis x Hann synthesis at 4x overlap sums to 1.5; FFTW's
     * inverse is unnormalised (x n). */
    pv->gain = (float)(1.0 / (1.5 * pv->n));

    int n = pv->n, bins = pv->bins;
    if (tp_fft_init(&pv->fft, n) != 0)
        return -1;
    pv->window = fftwf_alloc_real((size_t)n);
    pv->frame = fftwf_alloc_real((size_t)n);
    pv->rot_re = malloc(sizeof(float) * (size_t)bins);
    pv->rot_im = malloc(sizeof(float) * (size_t)bins);
    pv->mag = malloc(sizeof(float) * (size_t)bins);
    pv->cur = calloc((size_t)channels, sizeof *pv->cur);
    pv->prev = calloc((size_t)channels, sizeof *pv->prev);
    pv->back = calloc((size_t)channels, sizeof *pv->back);
    pv->acc = calloc((size_t)channels, sizeof *pv->acc);
    if (!pv->window || !pv->frame || !pv->rot_re || !pv->rot_im || !pv->mag ||
        !pv->cur || !pv->prev || !pv->back || !pv->acc)
        goto fail;
    for (int c = 0; c < channels; c++) {
        pv->cur[c] = fftwf_alloc_complex((size_t)bins);
        pv->prev[c] = fftwf_alloc_complex((size_t)bins);
        pv->back[c] = fftwf_alloc_complex((size_t)bins);
        pv->acc[c] = fftwf_alloc_real((size_t)n);
        if (!pv->cur[c] || !pv->prev[c] || !pv->back[c] || !pv->acc[c])
            goto fail;
    }
    for (int i = 0; i < n; i++)
        pv->window[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / n));
    double spacing = (d < 1.0 ? 1.0 / d : 1.0) * n + pv->hop;
    if (tp_onset_init(&pv->onset, channels, sample_rate,
                      (int64_t)ceil(spacing)) != 0)
        goto fail;
    tp_pv_reset(pv);
    return 0;
fail:
    tp_pv_free(pv);
    return -1;
}

void tp_pv_free(tp_pv *pv)
{
    for (int c = 0; c < pv->channels; c++) {
        if (pv->cur)
            fftwf_free(pv->cur[c]);
        if (pv->prev)
            fftwf_free(pv->prev[c]);
        if (pv->back)
            fftwf_free(pv->back[c]);
        if (pv->acc)
            fftwf_free(pv->acc[c]);
    }
    free(pv->cur);
    free(pv->prev);
    free(pv->back);
    free(pv->acc);
    free(pv->rot_re);
    free(pv->rot_im);
    free(pv->mag);
    fftwf_free(pv->window);
    fftwf_free(pv->frame);
    tp_onset_free(&pv->onset);
    tp_fft_free(&pv->fft);
    memset(pv, 0, sizeof *pv);
}

void tp_pv_reset(tp_pv *pv)
{
    /* First frame: the earliest one that reaches output index 0. */
    double first = floor((double)(-pv->pre - pv->n / 2) / pv->hop) + 1.0;
    pv->k = (int64_t)first;
    pv->have_prev = 0;
    pv->p_prev = 0;
    pv->emitted = 0;
    pv->limit = -1;
    for (int c = 0; c < pv->channels; c++)
        memset(pv->acc[c], 0, sizeof(float) * (size_t)pv->n);
    for (int j = 0; j < pv->bins; j++) {
        pv->rot_re[j] = 1.0f;
        pv->rot_im[j] = 0.0f;
    }
    tp_onset_reset(&pv->onset);
}

/* Analysis centre of the frame at output time tau, and whether the frame
 * is a locked (verbatim) one. */
static int64_t time_map(tp_pv *pv, int64_t tau, int *locked)
{
    const double d = pv->d, half = pv->n / 2.0;
    int64_t p = (int64_t)floor((double)tau / d + 0.5);
    *locked = 0;
    if (!pv->lock)
        return p;
    double w = zone_half_width(pv);
    int64_t from = (int64_t)ceil(((double)tau - w) / d);
    int64_t to = (int64_t)floor(((double)tau + w) / d) + 1;
    int64_t t0 = tp_onset_find(&pv->onset, from, to);
    if (t0 < 0)
        return p;
    /* Locked frames share one offset tau - p, so they overlap-add into
     * the input itself, with the onset at round(t0 * d). */
    int64_t at = (int64_t)floor((double)t0 * d + 0.5);
    double dt = (double)(tau - at);
    if (fabs(dt) < half) {
        *locked = 1;
        return tau - at + t0;
    }
    /* Unlocked frames must not see the onset: hold them before it, or
     * start them after it. */
    if (dt < 0) {
        int64_t lim = t0 - (int64_t)half;
        return p < lim ? p : lim;
    }
    int64_t lim = t0 + (int64_t)half;
    return p > lim ? p : lim;
}

/* Windowed forward transform of the input frame centred at `centre`. */
static void analyse(tp_pv *pv, const tp_fifo *in, int c, int64_t centre,
                    fftwf_complex *out)
{
    const int n = pv->n;
    float *restrict f = pv->frame;
    const float *restrict w = pv->window;
    int64_t start = centre - n / 2;
    if (start >= in->base && start + n <= tp_fifo_end(in)) {
        const float *restrict src = tp_fifo_at(in, c, start);
        for (int i = 0; i < n; i++)
            f[i] = src[i] * w[i];
    } else {
        tp_fifo_read(in, c, start, (size_t)n, f);
        for (int i = 0; i < n; i++)
            f[i] *= w[i];
    }
    fftwf_execute_dft_r2c(pv->fft.forward, f, out);
}

/* Phase rotation with identity phase locking.
 *
 * A per-bin rotation that drifts freely loses the input's vertical phase
 * structure (which places energy in time within the frame): sines lose
 * level and gain frame-rate sidebands, attacks smear.  So R is advanced
 * only at spectral peaks of the channel-summed power, and every bin takes
 * the rotation of the peak whose region (bounded by the lowest bin
 * between two peaks) it lies in: within a region the output keeps the
 * input's relative phases exactly.
 *
 * A peak's rotation advances by the phase the input turns through from
 * the re-analysed frame (p_k - hop) to the previous frame (p_{k-1}), summed
 * over channels so that all channels share it. */
static void advance_rotation(tp_pv *pv)
{
    const int bins = pv->bins, nc = pv->channels;
    float *restrict mag = pv->mag;
    float *restrict rr = pv->rot_re, *restrict ri = pv->rot_im;

    for (int j = 0; j < bins; j++)
        mag[j] = 0.0f;
    for (int c = 0; c < nc; c++) {
        const fftwf_complex *restrict x = pv->cur[c];
        for (int j = 0; j < bins; j++)
            mag[j] += x[j][0] * x[j][0] + x[j][1] * x[j][1];
    }

    int region_start = 0;
    int peak = -1;
    for (int j = 0; j <= bins; j++) {
        int is_peak = j < bins && (j == 0 || mag[j] > mag[j - 1]) &&
                      (j == bins - 1 || mag[j] >= mag[j + 1]);
        if (j < bins && !is_peak)
            continue;
        /* Close the region of the previous peak at the valley between the
         * two peaks (or at the top of the spectrum). */
        int end = bins;
        if (j < bins && peak >= 0) {
            end = peak + 1;
            for (int i = peak + 1; i < j; i++)
                if (mag[i] < mag[end])
                    end = i;
        }
        if (peak >= 0) {
            float ar = 0.0f, ai = 0.0f;
            for (int c = 0; c < nc; c++) {
                const float *x = pv->prev[c][peak], *b = pv->back[c][peak];
                /* x * conj(b) */
                ar += x[0] * b[0] + x[1] * b[1];
                ai += x[1] * b[0] - x[0] * b[1];
            }
            float nr = rr[peak] * ar - ri[peak] * ai;
            float ni = rr[peak] * ai + ri[peak] * ar;
            float m2 = nr * nr + ni * ni;
            if (m2 > 1e-30f) {
                float inv = 1.0f / sqrtf(m2);
                nr *= inv;
                ni *= inv;
            } else {
                nr = rr[peak];
                ni = ri[peak];
            }
            for (int i = region_start; i < end; i++) {
                rr[i] = nr;
                ri[i] = ni;
            }
            region_start = end;
        }
        peak = j;
    }
}

/* Rotates channel c's spectrum by R, inverts, and overlap-adds. */
static void synthesise(tp_pv *pv, int c, int identity)
{
    const int n = pv->n, bins = pv->bins;
    fftwf_complex *restrict y = pv->fft.freq;
    const fftwf_complex *restrict x = pv->cur[c];
    if (identity) {
        memcpy(y, x, sizeof(fftwf_complex) * (size_t)bins);
    } else {
        const float *restrict rr = pv->rot_re, *restrict ri = pv->rot_im;
        for (int j = 0; j < bins; j++) {
            y[j][0] = x[j][0] * rr[j] - x[j][1] * ri[j];
            y[j][1] = x[j][0] * ri[j] + x[j][1] * rr[j];
        }
    }
    float *restrict t = pv->fft.time;
    fftwf_execute_dft_c2r(pv->fft.inverse, y, t);
    float *restrict a = pv->acc[c];
    const float *restrict w = pv->window;
    const float g = pv->gain;
    for (int i = 0; i < n; i++)
        a[i] += t[i] * w[i] * g;
}

size_t tp_pv_run(tp_pv *pv, tp_fifo *in, tp_fifo *out)
{
    const int n = pv->n, hop = pv->hop, nc = pv->channels;
    size_t produced = 0;
    for (;;) {
        if (pv->limit >= 0 && pv->emitted >= pv->limit)
            break;
        if (tp_fifo_space(out) < (size_t)hop)
            break;
        int64_t tau = pv->k * hop;
        if (pv->lock) {
            tp_onset_scan(&pv->onset, in);
            /* Every onset that could steer this frame must be known. */
            double w = zone_half_width(pv);
            int64_t need = (int64_t)floor(((double)tau + w) / pv->d) + 2;
            if (tp_onset_scanned(&pv->onset) < need)
                break;
        }
        int locked;
        int64_t p = time_map(pv, tau, &locked);
        if (pv->have_prev && p < pv->p_prev)
            p = pv->p_prev;
        if (!in->ended && tp_fifo_end(in) < p + n / 2)
            break;

        for (int c = 0; c < nc; c++)
            analyse(pv, in, c, p, pv->cur[c]);
        if (locked || !pv->have_prev) {
            for (int j = 0; j < pv->bins; j++) {
                pv->rot_re[j] = 1.0f;
                pv->rot_im[j] = 0.0f;
            }
        } else {
            if (p - hop == pv->p_prev) {
                /* The re-analysis is the previous frame: no turn. */
            } else {
                for (int c = 0; c < nc; c++)
                    analyse(pv, in, c, p - hop, pv->back[c]);
                advance_rotation(pv);
            }
        }
        for (int c = 0; c < nc; c++)
            synthesise(pv, c, locked || !pv->have_prev);

        /* The first hop of the accumulator is now complete. */
        int64_t start = tau - n / 2 + pv->pre;
        int64_t lo = start > pv->emitted ? start : pv->emitted;
        int64_t hi = start + hop;
        if (pv->limit >= 0 && hi > pv->limit)
            hi = pv->limit;
        if (hi > lo) {
            tp_fifo_push_planar(out, pv->acc, (size_t)(lo - start),
                                (size_t)(hi - lo));
            produced += (size_t)(hi - lo);
            pv->emitted = hi;
        }
        for (int c = 0; c < nc; c++) {
            float *a = pv->acc[c];
            memmove(a, a + hop, sizeof(float) * (size_t)(n - hop));
            memset(a + n - hop, 0, sizeof(float) * (size_t)hop);
        }
        for (int c = 0; c < nc; c++) {
            fftwf_complex *t = pv->prev[c];
            pv->prev[c] = pv->cur[c];
            pv->cur[c] = t;
        }
        pv->p_prev = p;
        pv->have_prev = 1;
        pv->k++;

        /* Later frames never read before p - hop - n/2 (p only grows);
         * without locking the next frame's position is known exactly,
         * which lets large hops skip input they never read. */
        int64_t keep = p - hop - n / 2;
        if (!pv->lock) {
            int64_t next = (int64_t)floor((double)(tau + hop) / pv->d + 0.5);
            keep = next - hop - n / 2;
        }
        tp_fifo_discard_before(in, keep);
    }
    return produced;
}
