/* formant.c -- spectral-envelope correction of vocoder frames (formant.h). */
#include "formant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Bins per envelope group: n / 1024 (4 for 4096-point frames at 44.1
 * kHz, 2 for 2048), so that a group spans about 43 Hz and the cepstrum has
 * 1024 points whatever the vocoder's frame length: its quefrency range
 * must reach the pitch period of low voices (8 ms at 120 Hz). */
static int decimation(int n)
{
    return n >= 2048 ? n / 1024 : 1;
}

/* Limits of the per-bin correction, in power (-40 / +30 dB).  Wide enough
 * for the valleys of a vowel (a male voice shifted down 4 semitones needs
 * boosts beyond +20 dB, or its formants stay half-way); they bound what a
 * sparse spectrum can do to itself (a lone sine's envelope is the sine:
 * its correction would otherwise cut it by 60 dB and the energy rule raise
 * everything else by as much), and how far a quiet band is raised. */
static const float LOG_CUT_MAX = -9.2103404f;  /* ln 1e-4 */
static const float LOG_BOOST_MAX = 6.9077553f; /* ln 1e3  */

/* Groups more than 60 dB under the frame's strongest one hold nothing. */
static const float HOLD_BELOW = 1e-6f;

/* Sparse frames (see envelope): the log spectrum lies on average more than
 * SPARSE_FROM_DB under its running maximum over half a harmonic spacing
 * (fully sparse from SPARSE_FULL_DB); a peak is prominent when it stands
 * 10 dB (PEAK_LOG) over the higher of the minima beside it; one harmonic
 * series has at least ON_GRID of its prominent peaks within GRID_TOL
 * spacings of a multiple of the spacing. */
static const float SPARSE_FROM_DB = 10.0f;
static const float SPARSE_FULL_DB = 20.0f;
static const float PEAK_LOG = 2.3025851f; /* 10 dB in natural log of power */
static const float ON_GRID = 0.85f;
static const float GRID_TOL = 0.2f;

int tp_formant_init(tp_formant *f, int n, double sample_rate, double warp)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    f->bins = n / 2 + 1;
    f->dec = decimation(n);
    f->m = n / f->dec;
    f->groups = f->m / 2 + 1;
    f->warp = warp;
    /* Cepstral sample k is a quefrency of k / rate seconds (pooling the
     * bins shortens the range, not the resolution). */
    f->kmin = (int)ceil(0.001 * sample_rate);
    f->kmax = (int)floor(0.011 * sample_rate);
    if (f->kmax > f->m / 2 - 2)
        f->kmax = f->m / 2 - 2;
    f->qmin = (int)ceil(0.001 * sample_rate);
    f->qmax = (int)floor(0.005 * sample_rate);
    f->qdefault = (int)floor(0.0025 * sample_rate);
    f->kshort = (int)floor(0.003 * sample_rate);
    if (f->qmax > f->kmax)
        f->qmax = f->kmax;
    if (f->qmin > f->qmax)
        f->qmin = f->qmax;
    if (f->qdefault > f->qmax)
        f->qdefault = f->qmax;
    if (f->kmin > f->kmax)
        f->kmin = f->kmax;

    if (tp_fft_init(&f->fft, f->m) != 0)
        return -1;
    f->power = malloc(sizeof(float) * (size_t)f->bins);
    f->lin = malloc(sizeof(float) * (size_t)f->groups);
    f->env = malloc(sizeof(float) * (size_t)f->groups);
    f->logp = malloc(sizeof(float) * (size_t)f->groups);
    f->lift = malloc(sizeof(float) * (size_t)(f->qmax + 1));
    f->ggain = malloc(sizeof(float) * (size_t)(f->groups + 1));
    f->src = malloc(sizeof(int) * (size_t)f->groups);
    f->frac = malloc(sizeof(float) * (size_t)f->groups);
    if (!f->power || !f->lin || !f->env || !f->logp || !f->lift || !f->ggain ||
        !f->src || !f->frac) {
        tp_formant_free(f);
        return -1;
    }
    /* Where each group reads the envelope: at g * warp, held at the last
     * group beyond Nyquist. */
    const int last = f->groups - 1;
    for (int g = 0; g < f->groups; g++) {
        double x = (double)g * warp;
        if (x >= (double)last) {
            f->src[g] = last - 1;
            f->frac[g] = 1.0f;
        } else {
            int i = (int)floor(x);
            f->src[g] = i;
            f->frac[g] = (float)(x - i);
        }
    }
    return 0;
}

void tp_formant_free(tp_formant *f)
{
    tp_fft_free(&f->fft);
    free(f->power);
    free(f->lin);
    free(f->env);
    free(f->logp);
    free(f->lift);
    free(f->ggain);
    free(f->src);
    free(f->frac);
    memset(f, 0, sizeof *f);
}

/* Power of bin j of a spectrum extended evenly around DC and Nyquist. */
static inline float reflected(const float *p, int bins, int j)
{
    if (j < 0)
        j = -j;
    if (j >= bins)
        j = 2 * (bins - 1) - j;
    return p[j];
}

/* Pitch period of the frame, in cepstral samples, from its real cepstrum
 * (x m), or 0 when none stands out.  The strongest peak is taken with the
 * cepstrum weighted by quefrency (the envelope's own part decays about as
 * 1/k and would otherwise win at the short end); a submultiple of it that
 * is at least 0.6 as strong is preferred, because mistaking twice the
 * period for the period is the dangerous error (the lifter would then let
 * the harmonic ripple into the envelope), and taking too short a period
 * only makes the envelope smoother. */
static int pitch_period(const tp_formant *f, const float *cep)
{
    int best = f->kmin;
    float top = cep[best] * (float)best;
    for (int k = f->kmin + 1; k <= f->kmax; k++) {
        float v = cep[k] * (float)k;
        if (v > top) {
            top = v;
            best = k;
        }
    }
    if (!(top > 0.0f))
        return 0;
    for (int j = 4; j >= 2; j--) {
        int lo = (int)(0.94 * best / j), hi = (int)ceil(1.06 * best / j);
        if (lo < f->kmin)
            lo = f->kmin;
        int sub = -1;
        for (int k = lo; k <= hi; k++)
            if (sub < 0 || cep[k] > cep[sub])
                sub = k;
        if (sub >= 0 && hi >= lo && cep[sub] >= 0.6f * cep[best])
            return sub;
    }
    return best;
}

/* Liftered copy of cep (x m) taken back to a log spectrum in f->env. */
static void smooth(tp_formant *f, int q)
{
    const int m = f->m;
    float *restrict cep = f->fft.time;
    const float *restrict lw = f->lift;
    cep[0] *= lw[0];
    for (int k = 1; k < q; k++) {
        cep[k] *= lw[k];
        cep[m - k] *= lw[k];
    }
    for (int k = q; k <= m - q; k++)
        cep[k] = 0.0f;
    fftwf_execute_dft_r2c(f->fft.forward, cep, f->fft.freq);
    for (int g = 0; g < f->groups; g++)
        f->env[g] = f->fft.freq[g][0];
}

static void to_cepstrum(tp_formant *f, const float *logp)
{
    fftwf_complex *restrict spec = f->fft.freq;
    for (int g = 0; g < f->groups; g++) {
        spec[g][0] = logp[g];
        spec[g][1] = 0.0f;
    }
    fftwf_execute_dft_c2r(f->fft.inverse, spec, f->fft.time);
}

/* Spectral envelope of the frame's pooled power into f->env (natural log
 * of power).  Returns 0, or -1 for a silent frame (nothing to correct).
 *
 * A cepstrally smoothed log spectrum follows the mean of harmonic peaks
 * and the valleys between them, which differ from place to place: off by
 * several dB at the harmonics of a voice.  The true-envelope iteration
 * (raise the log spectrum to the smoothed curve wherever it lies below,
 * smooth again) makes the curve ride on the peaks instead; TE_ITER rounds
 * get most of the way. */
enum { TE_ITER = 3 };

/* Log power of the linear group powers lin into logp, held flat outside
 * the band with content (HOLD_BELOW), whose edges are the outermost peaks:
 * an envelope read beyond a sound's last partial must not fall off the
 * cliff (nor down its skirt): those partials would be cut when the pitch
 * goes up (a note's band limit is not a formant), and the empty band
 * boosted when it goes down.  top is the largest of lin.  The band is
 * returned in *lo, *hi. */
static void held_log(const tp_formant *f, const float *lin, float top,
                     int *lo_out, int *hi_out)
{
    const int groups = f->groups;
    float *restrict logp = f->logp;
    /* Floor 90 dB under the strongest group: empty bands stay finite. */
    const float floor_p = top * 1e-9f;
    const float hold = top * HOLD_BELOW;
    int lo = 0, hi = groups - 1;
    while (lo < hi && lin[lo] < hold)
        lo++;
    while (hi > lo && lin[hi] < hold)
        hi--;
    while (hi > lo && lin[hi - 1] >= lin[hi])
        hi--;
    while (lo < hi && lin[lo + 1] >= lin[lo])
        lo++;
    for (int g = lo; g <= hi; g++)
        logp[g] = logf(lin[g] + floor_p);
    for (int g = 0; g < lo; g++)
        logp[g] = logp[lo];
    for (int g = hi + 1; g < groups; g++)
        logp[g] = logp[hi];
    *lo_out = lo;
    *hi_out = hi;
}

/* Mean depth (natural log of power) of x[lo..hi] under its running
 * maximum over +-h groups. */
static float valley_depth(const float *x, int lo, int hi, int h)
{
    double sum = 0.0;
    for (int g = lo; g <= hi; g++) {
        float mx = x[g];
        int a = g - h < lo ? lo : g - h, b = g + h > hi ? hi : g + h;
        for (int t = a; t <= b; t++)
            mx = x[t] > mx ? x[t] : mx;
        sum += (double)(mx - x[g]);
    }
    return (float)(sum / (double)(hi - lo + 1));
}

/* Fraction of the prominent peaks of x[lo..hi] (PEAK_LOG over the higher
 * of the minima beside them) that lie within GRID_TOL of a multiple of
 * `spacing` groups; 1 when there are fewer than 3 of them. */
static float on_grid(const float *x, int lo, int hi, float spacing)
{
    int peaks = 0, on = 0;
    int prev = -1;          /* previous peak, waiting for its right minimum */
    float prev_left = 0.0f; /* its left minimum */
    float curmin = x[lo];
    for (int g = lo + 1; g <= hi; g++) {
        int is_peak = g < hi && x[g] > x[g - 1] && x[g] >= x[g + 1];
        if (x[g] < curmin)
            curmin = x[g];
        if (!is_peak && g < hi)
            continue;
        /* curmin is now the minimum between prev and g (or the tail). */
        if (prev >= 0) {
            float ref = prev_left > curmin ? prev_left : curmin;
            if (x[prev] - ref >= PEAK_LOG) {
                float h = (float)prev / spacing, k = roundf(h);
                peaks++;
                on += k >= 1.0f && fabsf(h - k) <= GRID_TOL;
            }
        }
        if (is_peak) {
            prev = g;
            prev_left = curmin;
            curmin = x[g];
        }
    }
    return peaks < 3 ? 1.0f : (float)on / (float)peaks;
}

/* lin smoothed with a triangle of half-width d (weights d+1-|t|, mirrored
 * at both ends) into out; returns the largest value. */
static float triangle(const float *lin, float *out, int groups, int d)
{
    const float norm = 1.0f / (float)((d + 1) * (d + 1));
    float top = 0.0f;
    for (int g = 0; g < groups; g++) {
        float acc = (float)(d + 1) * lin[g];
        for (int t = 1; t <= d; t++) {
            int a = g - t, b = g + t;
            a = a < 0 ? -a : a;
            b = b >= groups ? 2 * (groups - 1) - b : b;
            acc += (float)(d + 1 - t) * (lin[a] + lin[b]);
        }
        out[g] = acc * norm;
        top = out[g] > top ? out[g] : top;
    }
    return top;
}

/* Pools the power into f->lin, one value per group: triangular weights
 * around bin dec * g (1 2 3 4 3 2 1 / 16 for dec = 4, 1 2 1 / 4 for
 * dec = 2).  Returns the largest. */
static float pool_groups(tp_formant *f)
{
    const int bins = f->bins, groups = f->groups;
    const float *restrict p = f->power;
    float *restrict lin = f->lin;
    const int dec = f->dec;
    const float norm = 1.0f / (float)(dec * dec);
    float top = 0.0f;
    for (int g = 0; g < groups; g++) {
        int c = dec * g;
        float s;
        if (dec == 4 && c >= 3 && c + 3 < bins) {
            s = (p[c - 3] + p[c + 3]) + 2.0f * (p[c - 2] + p[c + 2]) +
                3.0f * (p[c - 1] + p[c + 1]) + 4.0f * p[c];
        } else {
            s = (float)dec * p[c];
            for (int t = 1; t < dec; t++)
                s += (float)(dec - t) *
                     (reflected(p, bins, c - t) + reflected(p, bins, c + t));
        }
        s *= norm;
        lin[g] = s;
        if (s > top)
            top = s;
    }
    return top;
}

/* Sets f->lift for the pitch period found in the cepstrum (0: none) and
 * returns its length q: the lifter ends at 0.7 of the period, flat over
 * its first half, a half-cosine after. */
static int set_lifter(tp_formant *f, int period)
{
    int q = period ? (int)(0.7 * period) : f->qdefault;
    q = q < f->qmin ? f->qmin : q > f->qmax ? f->qmax : q;
    const int flat = q / 2;
    const float scale = 1.0f / (float)f->m;
    for (int k = 0; k < q; k++)
        f->lift[k] =
            k <= flat
                ? scale
                : scale * (0.5f + 0.5f * cosf((float)M_PI * (float)(k - flat) /
                                              (float)(q - flat)));
    return q;
}

static int envelope(tp_formant *f)
{
    const int groups = f->groups, m = f->m;
    float *restrict logp = f->logp;
    float top = pool_groups(f);
    if (!(top > 0.0f))
        return -1;
    int lo, hi;
    held_log(f, f->lin, top, &lo, &hi);
    to_cepstrum(f, logp);

    int period = pitch_period(f, f->fft.time);
    int q = set_lifter(f, period);

    /* Sparse frames: partials far apart with deep valleys between them
     * (clean instruments, high notes, chords).  There the true-envelope
     * rounds stay near the valleys (the lifter is shorter than the spacing
     * and the curve rises only slowly), and in a mixture of notes the
     * curve rides on whichever note is loudest at each place, so the
     * correction becomes a different gain for each partial.  The power is
     * smoothed first, in the linear domain, by a triangle of half-width d =
     * two harmonic spacings: the comb goes (the triangle is two boxes of
     * width d, and each nulls a ripple of period d and its submultiples),
     * and a local sum of the power of several notes keeps their common
     * slope.  Between SPARSE_FROM_DB and SPARSE_FULL_DB the triangle
     * narrows in proportion, so that no frame switches abruptly.  One
     * harmonic series with a period of 3 ms or more (a vowel, a low note)
     * is left to the lifter, which resolves it and keeps its formants
     * sharp. */
    const float spacing = (float)m / (float)(period ? period : q);
    const int half = (int)ceilf(0.5f * spacing);
    float depth = valley_depth(logp, lo, hi, half) * 4.3429448f; /* dB */
    float part = (depth - SPARSE_FROM_DB) / (SPARSE_FULL_DB - SPARSE_FROM_DB);
    part = part > 1.0f ? 1.0f : part;
    const int d = part > 0.0f ? (int)lroundf(2.0f * spacing * part) : 0;
    if (d > 0 && (period == 0 || period < f->kshort ||
                  on_grid(logp, lo, hi, spacing) < ON_GRID)) {
        float top2 = triangle(f->lin, f->env, groups, d);
        memcpy(f->lin, f->env, sizeof(float) * (size_t)groups);
        held_log(f, f->lin, top2, &lo, &hi);
        to_cepstrum(f, logp);
    }
    smooth(f, q);
    for (int it = 0; it < TE_ITER; it++) {
        const float *restrict env = f->env;
        /* Unconditional store: a vector max, not a branch per group. */
        for (int g = 0; g < groups; g++)
            logp[g] = logp[g] < env[g] ? env[g] : logp[g];
        to_cepstrum(f, logp);
        smooth(f, q);
    }
    return 0;
}

void tp_formant_apply(tp_formant *f, fftwf_complex **spec, int channels)
{
    const int bins = f->bins, groups = f->groups;
    float *restrict p = f->power;
    for (int j = 0; j < bins; j++)
        p[j] = 0.0f;
    for (int c = 0; c < channels; c++) {
        const fftwf_complex *restrict x = spec[c];
        for (int j = 0; j < bins; j++)
            p[j] += x[j][0] * x[j][0] + x[j][1] * x[j][1];
    }
    f->power0 = p[0];
    f->powern = p[bins - 1];
    if (envelope(f) != 0)
        return;

    /* Gain per group: E(g * warp) / E(g), as an amplitude. */
    const float *restrict env = f->env;
    float *restrict gg = f->ggain;
    for (int g = 0; g < groups; g++) {
        int i = f->src[g];
        float a = f->frac[g];
        float want = env[i] + a * (env[i + 1] - env[i]);
        float dl = want - env[g];
        dl = dl < LOG_CUT_MAX     ? LOG_CUT_MAX
             : dl > LOG_BOOST_MAX ? LOG_BOOST_MAX
                                  : dl;
        gg[g] = expf(0.5f * dl);
    }
    gg[groups] = gg[groups - 1];

    /* Per-bin gain, interpolated between groups, kept in p (as power is
     * needed once more first): the frame's energy must not change.  Four
     * independent sums let the loop vectorise. */
    double sb[4] = {0}, sa[4] = {0};
    const int dec = f->dec;
    const float inv_dec = 1.0f / (float)dec;
    int j = 0;
    for (; j + 4 <= bins; j += 4)
        for (int l = 0; l < 4; l++) {
            int b = j + l, g = b / dec;
            float a = (float)(b - g * dec) * inv_dec;
            float gain = gg[g] + a * (gg[g + 1] - gg[g]);
            sb[l] += (double)p[b];
            sa[l] += (double)(p[b] * gain * gain);
            p[b] = gain;
        }
    for (; j < bins; j++) {
        int g = j / dec;
        float a = (float)(j - g * dec) * inv_dec;
        float gain = gg[g] + a * (gg[g + 1] - gg[g]);
        sb[0] += (double)p[j];
        sa[0] += (double)(p[j] * gain * gain);
        p[j] = gain;
    }
    /* r2c halves: every bin but DC and Nyquist stands for two. */
    double before = 2.0 * (sb[0] + sb[1] + sb[2] + sb[3]);
    double after = 2.0 * (sa[0] + sa[1] + sa[2] + sa[3]);
    {
        float g0 = p[0], gn = p[bins - 1];
        before -= (double)f->power0 + (double)f->powern;
        after -= (double)f->power0 * g0 * g0 + (double)f->powern * gn * gn;
    }
    if (!(after > 0.0))
        return;
    const float norm = (float)sqrt(before / after);
    for (int j = 0; j < bins; j++)
        p[j] *= norm;
    for (int c = 0; c < channels; c++) {
        fftwf_complex *restrict x = spec[c];
        for (int j = 0; j < bins; j++) {
            x[j][0] *= p[j];
            x[j][1] *= p[j];
        }
    }
}
