/* pv.c -- phase-vocoder stretch with onset locking (see pv.h). */
#include "pv.h"
#include "formant.h"
#include "pvgain.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <stdlib.h>
#include <string.h>

/* Onset locking needs a lookahead that grows like 1/d and backs off the
 * stretch elsewhere; outside this range of d it is not worth it. */
static const double LOCK_D_MIN = 0.25, LOCK_D_MAX = 4.0;

int tp_pv_fft_size(double sample_rate, const tp_pv_design *design)
{
    /* The power of two nearest (in log) to 46 ms (2048 at 44.1/48 kHz).
     * With the blended rotation (phase.c) it beats the 93 ms of 0.1.0's
     * identity locking on most real recordings: attacks and note changes
     * are resolved twice as finely, and the vertical chain keeps partials
     * coherent where shorter frames no longer resolve them one by one.
     * Every design uses it. */
    (void)design;
    double want = sample_rate * 0.0464;
    int n = 256;
    while ((double)n * 1.41421356 < want)
        n *= 2;
    return n;
}

size_t tp_pv_queue_size(int n)
{
    /* Enough for the back frame, the frame, and the onset lookahead at
     * the most extreme d that uses locking (see tp_pv_run). */
    return (size_t)n * 12;
}

static double zone_half_width(const tp_pv *pv)
{
    return (pv->d > 1.0 ? pv->d : 1.0) * pv->n / 2.0;
}

/* The parts of the state that depend on d and pre. */
static void set_target(tp_pv *pv, double d, int64_t pre)
{
    pv->d = d;
    pv->pre = pre;
    /* At d = 1 (only used for a formant correction) every frame is read
     * at its own output time: nothing to lock. */
    pv->lock = d >= LOCK_D_MIN && d <= LOCK_D_MAX && d != 1.0;
    /* Beyond the same range consecutive frames share little or no input
     * (at d = 1/16 the input hop is four frames long): the vertical twist
     * then says nothing about time placement, and identity phase locking
     * keeps waveform peaks lower (a square wave at -48 st: 4.4 against
     * under 4 times full scale). */
    pv->blend = d >= LOCK_D_MIN && d <= LOCK_D_MAX;
    /* Onsets closer than this share a locked zone (see onset.h). */
    double spacing = (d < 1.0 ? 1.0 / d : 1.0) * pv->n + pv->hop;
    pv->onset.spacing = (int64_t)ceil(spacing);
}

int tp_pv_retarget(tp_pv *pv, double d, int64_t pre)
{
    set_target(pv, d, pre);
    tp_pv_reset(pv);
    return 0;
}

/* Windows.  Analysis: periodic Hann of length len (sum of squares
 * 3 len / 8).  Synthesis: the same Hann for overlap 3 and more, where
 * Hann x Hann overlap-adds to a constant (3 len / 8 / hop: 1.5 at 4x).  At
 * 2x it does not, and the synthesis window is Hann divided by the
 * overlap-added squared Hann, which makes the product overlap-add to
 * exactly 1 and still tapers to 0 at the frame edges. */
int tp_pv_init(tp_pv *pv, int channels, double sample_rate, double d,
               int64_t pre, const tp_pv_design *design)
{
    memset(pv, 0, sizeof *pv);
    pv->design = *design;
    pv->channels = channels;
    pv->n = tp_pv_fft_size(sample_rate, design);
    /* The window is the longest multiple of the overlap that fits the FFT
     * (n itself for 2x, 4x and 8x), so that the hop is an integer and the
     * windows overlap-add to a constant. */
    const int ov = design->overlap;
    pv->hop = pv->n / ov;
    pv->len = pv->hop * ov;
    pv->hist_mask = (1u << ov) - 1u;
    pv->bins = pv->n / 2 + 1;
    /* Hann analysis x Hann synthesis (1.5 at 4x); FFTW's inverse is
     * unnormalised (x n). */
    pv->gain = (float)(1.0 / (tp_pv_ola_gain(pv) * pv->n));

    int n = pv->n, bins = pv->bins;
    if (tp_fft_init(&pv->fft, n) != 0)
        return -1;
    pv->window = fftwf_alloc_real((size_t)n);
    pv->synth = pv->window;
    pv->frame = fftwf_alloc_real((size_t)n);
    pv->rot_re = malloc(sizeof(float) * (size_t)bins);
    pv->rot_im = malloc(sizeof(float) * (size_t)bins);
    pv->mag = malloc(sizeof(float) * (size_t)bins);
    pv->before = malloc(sizeof(float) * (size_t)bins);
    pv->regions = malloc(sizeof(struct tp_region) * (size_t)bins);
    pv->syn = calloc((size_t)channels, sizeof *pv->syn);
    pv->pacc = fftwf_alloc_real((size_t)n);
    pv->hist_out = fftwf_alloc_real((size_t)n);
    pv->hist_tgt = fftwf_alloc_real((size_t)n);
    pv->cur = calloc((size_t)channels, sizeof *pv->cur);
    pv->prev = calloc((size_t)channels, sizeof *pv->prev);
    pv->back = calloc((size_t)channels, sizeof *pv->back);
    pv->acc = calloc((size_t)channels, sizeof *pv->acc);
    if (!pv->window || !pv->frame || !pv->rot_re || !pv->rot_im || !pv->mag ||
        !pv->before || !pv->regions || !pv->syn || !pv->pacc || !pv->hist_out ||
        !pv->hist_tgt || !pv->cur || !pv->prev || !pv->back || !pv->acc)
        goto fail;
    for (int c = 0; c < channels; c++) {
        pv->cur[c] = fftwf_alloc_complex((size_t)bins);
        pv->prev[c] = fftwf_alloc_complex((size_t)bins);
        pv->back[c] = fftwf_alloc_complex((size_t)bins);
        pv->acc[c] = fftwf_alloc_real((size_t)n);
        pv->syn[c] = fftwf_alloc_real((size_t)n);
        if (!pv->cur[c] || !pv->prev[c] || !pv->back[c] || !pv->acc[c] ||
            !pv->syn[c])
            goto fail;
    }
    for (int i = 0; i < n; i++)
        pv->window[i] = i < pv->len
                            ? (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / pv->len))
                            : 0.0f;
    if (ov == 2) {
        float *ws = fftwf_alloc_real((size_t)n);
        if (!ws)
            goto fail;
        for (int i = 0; i < n; i++) {
            double a = pv->window[i], b = pv->window[(i + pv->hop) % pv->len];
            ws[i] = i < pv->len ? (float)(a / (a * a + b * b)) : 0.0f;
        }
        pv->synth = ws;
    }
    /* Per-band restoration needs the Hann synthesis window (bands.h). */
    pv->per_band = pv->synth == pv->window;
    if (pv->per_band && tp_bands_init(&pv->bands, n, ov) != 0)
        goto fail;
    if (tp_onset_init(&pv->onset, channels, sample_rate) != 0 ||
        tp_phase_init(&pv->phase, bins) != 0)
        goto fail;
    pv->onset.refine = design->onset_refine;
    set_target(pv, d, pre);
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
        if (pv->syn)
            fftwf_free(pv->syn[c]);
    }
    free(pv->cur);
    free(pv->prev);
    free(pv->back);
    free(pv->acc);
    free(pv->syn);
    fftwf_free(pv->pacc);
    fftwf_free(pv->hist_out);
    fftwf_free(pv->hist_tgt);
    free(pv->rot_re);
    free(pv->rot_im);
    free(pv->mag);
    free(pv->before);
    free(pv->regions);
    if (pv->synth != pv->window)
        fftwf_free(pv->synth);
    fftwf_free(pv->window);
    fftwf_free(pv->frame);
    tp_onset_free(&pv->onset);
    tp_phase_free(&pv->phase);
    tp_bands_free(&pv->bands);
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
    memset(pv->pacc, 0, sizeof(float) * (size_t)pv->n);
    pv->locked_hist = pv->hist_mask;
    pv->zone_onset = -1;
    pv->level = 1.0f;
    memset(pv->hist_out, 0, sizeof(float) * (size_t)pv->n);
    memset(pv->hist_tgt, 0, sizeof(float) * (size_t)pv->n);
    for (int j = 0; j < pv->bins; j++) {
        pv->rot_re[j] = 1.0f;
        pv->rot_im[j] = 0.0f;
    }
    tp_onset_reset(&pv->onset);
    if (pv->per_band)
        tp_bands_reset(&pv->bands);
    tp_phase_reset(&pv->phase);
}

/* Analysis centre of the frame at output time tau, whether the frame is a
 * locked (verbatim) one, and the onset steering it (-1 if none). */
static int64_t time_map(tp_pv *pv, int64_t tau, int *locked, int64_t *onset)
{
    const double d = pv->d, half = pv->n / 2.0;
    int64_t p = (int64_t)floor((double)tau / d + 0.5);
    *locked = 0;
    *onset = -1;
    if (!pv->lock)
        return p;
    double w = zone_half_width(pv);
    int64_t from = (int64_t)ceil(((double)tau - w) / d);
    int64_t to = (int64_t)floor(((double)tau + w) / d) + 1;
    int64_t t0 = tp_onset_find(&pv->onset, from, to);
    if (t0 < 0)
        return p;
    *onset = t0;
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
static double analyse(tp_pv *pv, const tp_fifo *in, int c, int64_t centre,
                      fftwf_complex *out, int target)
{
    const int n = pv->n;
    float *restrict f = pv->frame;
    const float *restrict w = pv->window, *restrict ws = pv->synth;
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
    /* Energy of the frame as the synthesis window will weigh it, for
     * frame_gain() (only without per-band restoration, which measures it
     * per band). */
    double e = 0.0;
    if (target && !pv->per_band)
        tp_pv_add_energy(&e, f, ws, n);
    if (target)
        tp_pv_add_energy(&pv->frame_power, f, NULL, n);
    fftwf_execute_dft_r2c(pv->fft.forward, f, out);
    return e;
}

/* Splits the spectrum into peak regions and returns how many: region r
 * covers bins [start, end) around the local maximum `peak` of `mag`, and
 * ends at the lowest bin between its peak and the next. */
static int find_regions(const float *restrict mag, int bins,
                        struct tp_region *restrict regions)
{
    int count = 0, region_start = 0, peak = -1;
    for (int j = 0; j <= bins; j++) {
        int is_peak = j < bins && (j == 0 || mag[j] > mag[j - 1]) &&
                      (j == bins - 1 || mag[j] >= mag[j + 1]);
        if (j < bins && !is_peak)
            continue;
        if (peak >= 0) {
            int end = bins;
            if (j < bins) {
                end = peak + 1;
                for (int i = peak + 1; i < j; i++)
                    if (mag[i] < mag[end])
                        end = i;
            }
            regions[count].peak = peak;
            regions[count].start = region_start;
            regions[count].end = end;
            count++;
            region_start = end;
        }
        peak = j;
    }
    return count;
}

static void fill_rotation(tp_pv *pv, const struct tp_region *r, float re,
                          float im)
{
    for (int i = r->start; i < r->end; i++) {
        pv->rot_re[i] = re;
        pv->rot_im[i] = im;
    }
}

/* Channel-summed power spectrum of the input frame centred at `centre`
 * (uses pv->back as scratch). */
static void power_spectrum(tp_pv *pv, const tp_fifo *in, int64_t centre,
                           float *restrict power)
{
    const int bins = pv->bins;
    for (int j = 0; j < bins; j++)
        power[j] = 0.0f;
    for (int c = 0; c < pv->channels; c++) {
        (void)analyse(pv, in, c, centre, pv->back[c], 0);
        const fftwf_complex *restrict x = pv->back[c];
        for (int j = 0; j < bins; j++)
            power[j] += x[j][0] * x[j][0] + x[j][1] * x[j][1];
    }
}

/* Phase rotation with identity phase locking.
 *
 * A per-bin rotation that drifts freely loses the input's vertical phase
 * structure (which places energy in time within the frame): sines lose
 * level and gain frame-rate sidebands, attacks smear.  So R is advanced
 * only at spectral peaks of the channel-summed power, and every bin takes
 * the rotation of the peak whose region it lies in: within a region the
 * output keeps the input's relative phases exactly.
 *
 * A peak's rotation advances by the phase the input turns through from
 * the re-analysed frame (p_k - hop) to the previous frame (p_{k-1}), summed
 * over channels so that all channels share it. */
static void advance_rotation(tp_pv *pv)
{
    const int bins = pv->bins, nc = pv->channels;
    float *restrict mag = pv->mag;
    const float *restrict rr = pv->rot_re, *restrict ri = pv->rot_im;

    for (int j = 0; j < bins; j++)
        mag[j] = 0.0f;
    for (int c = 0; c < nc; c++) {
        const fftwf_complex *restrict x = pv->cur[c];
        for (int j = 0; j < bins; j++)
            mag[j] += x[j][0] * x[j][0] + x[j][1] * x[j][1];
    }
    int count = find_regions(mag, bins, pv->regions);

    /* Regions are visited in order and each one's peak lies inside it, so
     * a peak's old rotation is read before its region is overwritten. */
    for (int r = 0; r < count; r++) {
        int q = pv->regions[r].peak;
        float ar = 0.0f, ai = 0.0f;
        for (int c = 0; c < nc; c++) {
            const float *x = pv->prev[c][q], *b = pv->back[c][q];
            /* x * conj(b) */
            ar += x[0] * b[0] + x[1] * b[1];
            ai += x[1] * b[0] - x[0] * b[1];
        }
        float tr = rr[q] * ar - ri[q] * ai;
        float ti = rr[q] * ai + ri[q] * ar;
        tp_unit_or(&tr, &ti, rr[q], ri[q]);
        fill_rotation(pv, &pv->regions[r], tr, ti);
    }
}

/* Entering the locked zone of the onset at t0.
 *
 * The zone's frames are the input verbatim up to R, and consecutive ones
 * are exactly one hop apart, so any R held constant through the zone
 * overlap-adds coherently.  Regions where the attack dominates (their peak
 * gains more than 6 dB from just before the onset to across it) are reset
 * to R = 1, which rebuilds the attack exactly; regions where a sustained
 * sound dominates keep their R, so that sound goes through the zone
 * without a phase step. */
static void enter_zone(tp_pv *pv, const tp_fifo *in, int64_t t0)
{
    const int n = pv->n, bins = pv->bins;
    float *restrict across = pv->mag, *restrict before = pv->before;
    power_spectrum(pv, in, t0 - n / 2 - n / 8, before);
    power_spectrum(pv, in, t0 + n / 8, across);
    int count = find_regions(across, bins, pv->regions);
    for (int r = 0; r < count; r++) {
        int q = pv->regions[r].peak;
        if (across[q] > 4.0f * before[q])
            fill_rotation(pv, &pv->regions[r], 1.0f, 0.0f);
    }
}

/* Rotates every channel's spectrum by R (and scales it by gain, unless
 * NULL) and inverts it into pv->syn. */
static void rotate_and_invert(tp_pv *pv, int identity, const float *gain)
{
    const int bins = pv->bins;
    fftwf_complex *restrict y = pv->fft.freq;
    const float *restrict rr = pv->rot_re, *restrict ri = pv->rot_im;
    for (int c = 0; c < pv->channels; c++) {
        const fftwf_complex *restrict x = pv->cur[c];
        if (identity) {
            memcpy(y, x, sizeof(fftwf_complex) * (size_t)bins);
        } else {
            if (gain)
                for (int j = 0; j < bins; j++) {
                    float a = rr[j] * gain[j], b = ri[j] * gain[j];
                    y[j][0] = x[j][0] * a - x[j][1] * b;
                    y[j][1] = x[j][0] * b + x[j][1] * a;
                }
            else
                for (int j = 0; j < bins; j++) {
                    y[j][0] = x[j][0] * rr[j] - x[j][1] * ri[j];
                    y[j][1] = x[j][0] * ri[j] + x[j][1] * rr[j];
                }
        }
        fftwf_execute_dft_c2r(pv->fft.inverse, y, pv->syn[c]);
    }
}

/* Windows the synthesised channels and overlap-adds them. */
static void overlap_add(tp_pv *pv, float frame_gain_value)
{
    const int n = pv->n;
    const float *restrict w = pv->synth;
    const float g = pv->gain * frame_gain_value;
    for (int c = 0; c < pv->channels; c++) {
        float *restrict a = pv->acc[c];
        const float *restrict t = pv->syn[c];
        for (int i = 0; i < n; i++)
            a[i] += t[i] * w[i] * g;
    }
}

/* Where frame k reads the input (*p), whether it is a zone frame and the
 * onset steering it; 0 when it cannot be made yet (onsets that could
 * steer it not final, or its input not there). */
static int frame_position(tp_pv *pv, tp_fifo *in, int64_t tau, int64_t *p,
                          int *locked, int64_t *onset)
{
    if (pv->lock) {
        tp_onset_scan(&pv->onset, in);
        /* Every onset that could steer this frame must be known, and
         * final: a louder one up to `spacing` later may replace it. */
        double w = zone_half_width(pv);
        int64_t need =
            (int64_t)floor(((double)tau + w) / pv->d) + pv->onset.spacing + 2;
        if (tp_onset_scanned(&pv->onset) < need)
            return 0;
    }
    *p = time_map(pv, tau, locked, onset);
    if (pv->have_prev && *p < pv->p_prev)
        *p = pv->p_prev;
    return in->ended || tp_fifo_end(in) >= *p + pv->n / 2;
}

/* Analyses the frame at p and sets R for it. */
static void choose_rotation(tp_pv *pv, const tp_fifo *in, int64_t p, int locked,
                            int64_t onset)
{
    const int hop = pv->hop, nc = pv->channels;
    pv->frame_energy = 0.0;
    pv->frame_power = 0.0;
    for (int c = 0; c < nc; c++)
        pv->frame_energy += analyse(pv, in, c, p, pv->cur[c], 1);
    if (!pv->have_prev) {
        for (int j = 0; j < pv->bins; j++) {
            pv->rot_re[j] = 1.0f;
            pv->rot_im[j] = 0.0f;
        }
    } else {
        /* Inside a zone frames are one hop apart: the re-analysis is
         * the previous frame and R does not turn. */
        if (p - hop != pv->p_prev) {
            for (int c = 0; c < nc; c++)
                (void)analyse(pv, in, c, p - hop, pv->back[c], 0);
            if (pv->blend)
                tp_phase_advance(&pv->phase, pv->rot_re, pv->rot_im, pv->cur,
                                 pv->prev, pv->back, nc, pv->d, &pv->fft);
            else
                advance_rotation(pv);
        }
        if (locked && onset != pv->zone_onset)
            enter_zone(pv, in, onset);
    }
    pv->zone_onset = locked ? onset : -1;
}

/* Rotates, restores and overlap-adds the frame, then sets the level of
 * the accumulator's completed first hop. */
static void synthesise(tp_pv *pv, int locked)
{
    const int nc = pv->channels;
    if (pv->formant)
        tp_formant_apply(pv->formant, pv->cur, nc);
    /* Zone frames overlap-add coherently: no energy to restore; nor
     * do all frames at d = 1, where R never turns. */
    int verbatim = locked || !pv->have_prev || pv->d == 1.0;
    tp_pv_add_target(pv);
    if (pv->per_band) {
        tp_bands_frame(&pv->bands, pv->k, pv->cur, nc, pv->rot_re, pv->rot_im,
                       !verbatim);
        rotate_and_invert(pv, !pv->have_prev, verbatim ? NULL : pv->bands.gain);
        overlap_add(pv, 1.0f);
    } else {
        rotate_and_invert(pv, !pv->have_prev, NULL);
        overlap_add(pv, verbatim ? 1.0f : tp_pv_frame_gain(pv));
    }

    pv->locked_hist =
        (pv->locked_hist << 1 | (unsigned)verbatim) & pv->hist_mask;
    /* The band levels see the hop before the broadband level control,
     * which then takes up what is left (fast changes, the total). */
    if (pv->per_band)
        tp_bands_hop(&pv->bands, pv->k, pv->acc, nc, pv->hop, pv->window,
                     &pv->fft, pv->locked_hist == 0);
    tp_pv_level_control(pv, pv->frame);
}

/* Pushes what the output needs of the accumulator's completed first hop
 * (frame k at output time tau), shifts the accumulators by a hop and
 * makes this frame the previous one.  Returns the frames pushed. */
static size_t emit_hop(tp_pv *pv, tp_fifo *out, int64_t tau, int64_t p)
{
    const int n = pv->n, hop = pv->hop, nc = pv->channels;
    size_t produced = 0;
    int64_t start = tau - n / 2 + pv->pre;
    int64_t lo = start > pv->emitted ? start : pv->emitted;
    int64_t hi = start + hop;
    if (pv->limit >= 0 && hi > pv->limit)
        hi = pv->limit;
    if (hi > lo) {
        tp_fifo_push_planar(out, pv->acc, (size_t)(lo - start),
                            (size_t)(hi - lo));
        produced = (size_t)(hi - lo);
        pv->emitted = hi;
    }
    for (int c = 0; c < nc; c++) {
        float *a = pv->acc[c];
        memmove(a, a + hop, sizeof(float) * (size_t)(n - hop));
        memset(a + n - hop, 0, sizeof(float) * (size_t)hop);
    }
    memmove(pv->pacc, pv->pacc + hop, sizeof(float) * (size_t)(n - hop));
    memset(pv->pacc + n - hop, 0, sizeof(float) * (size_t)hop);
    for (int c = 0; c < nc; c++) {
        fftwf_complex *t = pv->prev[c];
        pv->prev[c] = pv->cur[c];
        pv->cur[c] = t;
    }
    pv->p_prev = p;
    pv->have_prev = 1;
    pv->k++;
    return produced;
}

size_t tp_pv_run(tp_pv *pv, tp_fifo *in, tp_fifo *out)
{
    const int n = pv->n, hop = pv->hop;
    size_t produced = 0;
    for (;;) {
        if (pv->limit >= 0 && pv->emitted >= pv->limit)
            break;
        if (tp_fifo_space(out) < (size_t)hop)
            break;
        int64_t tau = pv->k * hop, p, onset;
        int locked;
        if (!frame_position(pv, in, tau, &p, &locked, &onset))
            break;
        choose_rotation(pv, in, p, locked, onset);
        synthesise(pv, locked);
        produced += emit_hop(pv, out, tau, p);

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
