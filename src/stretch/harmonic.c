/*
 * harmonic.c -- the harmonic lock (see harmonic.h).
 *
 * Why: on a steady harmonic tone the vocoder's horizontal phase advance is
 * exact (phase.c takes it from a re-analysis of the input, not from a
 * frequency estimate), so whatever relation between the harmonics holds
 * when the note settles is kept for the rest of the note.  When the input
 * reaches its note through a glide or a soft attack, the vocoder integrates
 * the harmonics' small departures from the series over d times as long, and
 * the relation it freezes is not the input's: measured on the trumpet of
 * lmms-common (f0 438.7 Hz, harmonics within 0.1 % of the series), the
 * output's harmonics 4 to 8 sat 1 to 3 rad from the input's relation, the
 * best time-shifted copy of the input matched the output with correlation
 * 0.69, and the crest factor rose from 6.4 to 9.7 dB.  Nothing pulls the
 * relation back: a steady partial's own time candidate outweighs the
 * vertical chain (which reaches the next harmonic through the valley).
 *
 * What: a time-shifted copy of the input frame is a valid output frame of
 * a steady periodic sound, and it keeps the waveform: R[j] = exp(-i w_j D).
 * Each frame, where one harmonic series dominates,
 *
 *  1. the series: the circular autocorrelation of the steady peaks'
 *     weights (one inverse FFT) peaks at the period; its height relative to
 *     lag 0 is the share of weight on that period's harmonics
 *     (harmonicity).  The shortest lag within 5 % of the best is taken, so
 *     that a subharmonic does not win.  Members are the steady peaks
 *     within HARM_TOL of a harmonic of that period; the spacing is then
 *     refined over them (least squares through zero, from the peaks'
 *     interpolated positions) and members must lie within MEMBER_BINS of their
 *     harmonic.  The members must hold MEMBER_SHARE of all steady weight:
 *     a chord (two series) is not locked, since one delay cannot fit both
 *     and pulling one series' partials towards the other's delay damaged
 *     a generated two-note phrase (LSD vs truth 1.34 -> 1.79 dB);
 *  2. the delay: D within half a period of 0 that maximises
 *     sum(w Re(T exp(i w D))) over the members, from the candidates the
 *     strongest member allows, refined by two Newton steps;
 *  3. the pull: each member's residual r = arg(T exp(i w D)) is removed by
 *     the fraction PULL x min(1, |ln d| / ln D_FULL) when the member's
 *     frequency has not moved (motion below STILL_BINS per hop, with a
 *     memory that decays by MOTION_DECAY per hop: vibrato moves the
 *     harmonics across the bins, and pulling them then raised the LSD of a
 *     generated 20-cent vibrato note vs truth, 1.817 -> 1.843 dB; 1.824 with
 *     the gate) and its residual is within RESID_STEADY of the last
 *     frame's (an unrelated partial that happens to fall on a harmonic
 *     turns relative to the series).  Near d = 1 the frames are near
 *     copies of the input already, and the pull's estimation noise would
 *     only move them away (orchestral excerpts at d 0.99: round-trip LSD
 *     +0.1 to +0.3 dB at full strength).
 *
 * The relations then converge to the input's within about 150 ms of the
 * note settling.  On the trumpet: best copy correlation 0.69 -> 0.999, the
 * crest back to the input's 6.4 dB, the -4 semitone output's level change
 * -2.2 -> -0.3 dB (docs/dev/issue10-findings.md).
 *
 * Cost: frames whose weight is spread over many peaks (noise: an effective
 * number of peaks above SPREAD_MAX) stop after one vectorised pass, which
 * keeps the engine's reference job within 1 % of the engine without the
 * lock.  Tonal frames pay one inverse FFT and a few passes over the steady
 * peaks (15-30 % more CPU time on a held note, the most on --fine, whose
 * hops are twice as many).
 */
#include "harmonic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

/* Fraction of a steady residual removed per hop at full strength. */
static const float PULL = 0.5f;
/* The pull reaches full strength at stretches d with |ln d| >= ln D_FULL. */
static const double D_FULL = 1.15;
/* Series: least harmonicity; candidate members within this fraction of the
 * harmonic spacing, kept members within this many bins of their harmonic;
 * share of the steady weight the members must hold. */
static const double HARM_MIN = 0.6, HARM_TOL = 0.06, MEMBER_BINS = 0.35,
                    MEMBER_SHARE = 0.85;
/* Effective number of peaks above which the frame is not tonal. */
static const double SPREAD_MAX = 64.0;
/* A member is pulled when its frequency motion is below STILL_BINS per hop
 * and its residual changed by less than RESID_STEADY rad since the last
 * frame. */
static const float STILL_BINS = 0.03f, MOTION_DECAY = 0.6f,
                   RESID_STEADY = 0.05f;
/* Motion given to a peak that has just appeared, and the sentinels. */
static const float MOTION_NEW = 0.5f, MOTION_NONE = 10.0f, FREQ_NONE = -10.0f,
                   RESID_NONE = 100.0f;

int tp_harmonic_init(tp_harmonic *h, int bins)
{
    memset(h, 0, sizeof *h);
    h->bins = bins;
    float **arrays[] = {&h->member,      &h->freq,  &h->prev,
                        &h->motion,      &h->resid, &h->motion_next,
                        &h->resid_next};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        *arrays[i] = malloc(sizeof(float) * (size_t)bins);
        if (!*arrays[i]) {
            tp_harmonic_free(h);
            return -1;
        }
    }
    h->list = malloc(sizeof(int) * (size_t)bins);
    h->peaks = malloc(sizeof(int) * (size_t)bins);
    if (!h->list || !h->peaks) {
        tp_harmonic_free(h);
        return -1;
    }
    tp_harmonic_reset(h);
    return 0;
}

void tp_harmonic_free(tp_harmonic *h)
{
    free(h->member);
    free(h->freq);
    free(h->prev);
    free(h->motion);
    free(h->resid);
    free(h->list);
    free(h->peaks);
    free(h->motion_next);
    free(h->resid_next);
    memset(h, 0, sizeof *h);
}

void tp_harmonic_reset(tp_harmonic *h)
{
    h->idle = 1;
    for (int j = 0; j < h->bins; j++) {
        h->freq[j] = h->prev[j] = FREQ_NONE;
        h->motion[j] = MOTION_NONE;
        h->resid[j] = RESID_NONE;
    }
}

/* The peak at bin j (a local maximum of p, 0 < j < bins - 1) refined from
 * the amplitude ratio to its larger neighbour, exact for a sinusoid under
 * the Hann analysis window (Grandke's estimator): a ratio r gives an offset
 * of (2r - 1) / (r + 1) bins towards that neighbour.  No logarithms: every
 * steady peak of a tonal frame is refined, and they are many. */
static float refined_bin(const float *p, int j)
{
    float lo = p[j - 1], hi = p[j + 1], c = p[j] > 1e-30f ? p[j] : 1e-30f;
    int up = hi > lo;
    float r = sqrtf((up ? hi : lo) / c);
    float off = (2.0f * r - 1.0f) / (r + 1.0f);
    off = off < 0.0f ? 0.0f : off > 0.5f ? 0.5f : off;
    return (float)j + (up ? off : -off);
}

static float wrap_pi(float a)
{
    while (a > (float)PI)
        a -= (float)(2.0 * PI);
    while (a < -(float)PI)
        a += (float)(2.0 * PI);
    return a;
}

/* Of j - 1, j and j + 1 (a peak may move by a bin between frames), the
 * index whose `key` is nearest `target`, as plain values or, with
 * `angular`, as angles; keys equal to `none` never win (j is returned when
 * all are). */
static int nearest(const float *key, int j, int bins, float target, float none,
                   int angular)
{
    int best = -1;
    float bd = 0.0f;
    for (int k = j > 0 ? j - 1 : j; k <= j + 1 && k < bins; k++) {
        if (key[k] == none)
            continue;
        float dist = angular ? fabsf(wrap_pi(key[k] - target))
                             : fabsf(key[k] - target);
        if (best < 0 || dist < bd) {
            best = k;
            bd = dist;
        }
    }
    return best < 0 ? j : best;
}

/* Lists the steady peaks, refines them into freq and updates their motion
 * from the last frame's (both double-buffered).  Even the weakest steady peaks
 * are tracked: leaving out those 50 dB below the strongest let a generated
 * tone's crest overshoot by 0.7 dB in --fast. */
static void track_motion(tp_harmonic *h, const float *p, const float *weight)
{
    const int bins = h->bins;
    /* last frame's refined bins become prev; freq is rewritten */
    float *restrict fq = h->prev, *restrict mo = h->motion_next;
    const float *restrict old = h->motion, *restrict prev = h->freq;
    h->prev = h->freq;
    h->freq = fq;
    int np = 0;
    for (int j = 0; j < bins; j++) {
        fq[j] = FREQ_NONE;
        mo[j] = MOTION_NONE;
    }
    /* written without a branch: which bins are peaks is unpredictable */
    for (int j = 1; j + 1 < bins; j++) {
        h->peaks[np] = j;
        np += weight[j] > 0.0f;
    }
    h->npeaks = np;
    for (int q = 0; q < np; q++) {
        int j = h->peaks[q];
        float f = refined_bin(p, j);
        int k = nearest(prev, j, bins, f, FREQ_NONE, 0);
        float moved = fabsf(prev[k] - f);
        float mem = moved > 1.0f ? MOTION_NEW : old[k];
        mem *= MOTION_DECAY;
        fq[j] = f;
        mo[j] = moved > mem ? moved : mem;
    }
    h->motion_next = h->motion;
    h->motion = mo;
}

/* The period (in samples, fractional) of the series that carries most of
 * the weight, and its harmonicity (0 when there is no candidate). */
static double find_period(const tp_fft *fft, const float *weight, int bins,
                          double *harmonicity)
{
    const int n = fft->n;
    fftwf_complex *restrict z = fft->freq;
    for (int j = 0; j < bins; j++) {
        z[j][0] = weight[j];
        z[j][1] = 0.0f;
    }
    fftwf_execute_dft_c2r(fft->inverse, z, fft->time);
    const float *restrict ac = fft->time;
    /* Lags 16 .. n/4: f0 from sr/(n/4) (86 Hz at 44.1 kHz, 2048) up. */
    int lo = 16, hi = n / 4, best = lo;
    for (int i = lo; i <= hi; i++)
        best = ac[i] > ac[best] ? i : best;
    for (int i = lo + 1; i < best; i++)
        if (ac[i] >= 0.95f * ac[best] && ac[i] >= ac[i - 1] &&
            ac[i] >= ac[i + 1]) {
            best = i;
            break;
        }
    *harmonicity = ac[0] > 0.0f ? ac[best] / ac[0] : 0.0;
    double a = ac[best - 1], b = ac[best], c = ac[best + 1];
    double den = a - 2.0 * b + c;
    return best + (den < 0.0 ? 0.5 * (a - c) / den : 0.0);
}

/* Marks the members (their refined bins into h->member, 0 elsewhere; their
 * bins, ascending, into h->list) and returns the strongest one, or -1 when
 * the series does not dominate. */
static int find_members(tp_harmonic *h, const float *weight, double period,
                        double total)
{
    const int bins = h->bins, n = 2 * (bins - 1);
    float *restrict mb = h->member;
    const float *restrict fq = h->freq;
    double num = 0.0, den = 0.0;
    for (int j = 0; j < bins; j++)
        mb[j] = 0.0f;
    for (int q = 0; q < h->npeaks; q++) {
        int j = h->peaks[q];
        double hn = fq[j] * period / n, r = (double)(long)(hn + 0.5);
        if (r < 1.0 || fabs(hn - r) > HARM_TOL)
            continue;
        mb[j] = fq[j];
        num += weight[j] * fq[j] * r;
        den += weight[j] * r * r;
    }
    if (den <= 0.0)
        return -1;
    double spacing = num / den, held = 0.0;
    int strongest = -1;
    h->count = 0;
    for (int q = 0; q < h->npeaks; q++) {
        int j = h->peaks[q];
        if (mb[j] <= 0.0f)
            continue;
        double r = (double)(long)(mb[j] / spacing + 0.5);
        if (r < 1.0 || fabs(mb[j] - r * spacing) > MEMBER_BINS) {
            mb[j] = 0.0f;
            continue;
        }
        h->list[h->count++] = j;
        held += weight[j];
        if (strongest < 0 || weight[j] > weight[strongest])
            strongest = j;
    }
    return held >= MEMBER_SHARE * total ? strongest : -1;
}

/* The common delay D (samples) of the members' time candidates. */
static double fit_delay(const tp_harmonic *h, const float *weight,
                        const float *tr, const float *ti, int strongest,
                        double period)
{
    const float w0 = (float)(2.0 * PI / (2 * (h->bins - 1)));
    const float *restrict mb = h->member;
    const int *restrict list = h->list, count = h->count;
    /* Every D within half a period of 0 that puts the strongest member
     * exactly on its time candidate, scored over the members within 20 dB
     * of it (the others hardly move the score; the trigonometry is the
     * cost); Newton then refines D over all members. */
    const float strong = 0.01f * weight[strongest];
    double ws = w0 * mb[strongest];
    double th = atan2(ti[strongest], tr[strongest]);
    double dl = 0.0, best = -HUGE_VAL;
    int m_max = (int)(0.5 * period * ws / (2.0 * PI)) + 1;
    for (int m = -m_max; m <= m_max; m++) {
        double dc = (2.0 * PI * m - th) / ws;
        if (fabs(dc) > 0.5 * period + 1.0)
            continue;
        float score = 0.0f;
        for (int q = 0; q < count; q++) {
            int j = list[q];
            if (weight[j] < strong)
                continue;
            float a = w0 * mb[j] * (float)dc;
            score += weight[j] * (tr[j] * cosf(a) - ti[j] * sinf(a));
        }
        if (score > best) {
            best = score;
            dl = dc;
        }
    }
    /* Newton on C(D) = sum w Re(T exp(i w D)), steps limited to a sample. */
    for (int it = 0; it < 2; it++) {
        float c1 = 0.0f, c2 = 0.0f;
        for (int q = 0; q < count; q++) {
            int j = list[q];
            float om = w0 * mb[j], a = om * (float)dl;
            float cs = cosf(a), sn = sinf(a);
            float re = tr[j] * cs - ti[j] * sn, im = tr[j] * sn + ti[j] * cs;
            c1 -= weight[j] * om * im;
            c2 -= weight[j] * om * om * re;
        }
        if (c2 >= 0.0f)
            break;
        double step = -(double)c1 / c2;
        dl += step > 1.0 ? 1.0 : step < -1.0 ? -1.0 : step;
    }
    return dl;
}

/* Turns the steady members towards exp(-i w D) and records every member's
 * residual (RESID_NONE elsewhere). */
static void pull_members(tp_harmonic *h, float *restrict tr, float *restrict ti,
                         double dl, double d)
{
    const int bins = h->bins;
    const double w0 = 2.0 * PI / (2 * (bins - 1));
    const double ld = fabs(log(d)) / log(D_FULL);
    const float gain = PULL * (float)(ld < 1.0 ? ld : 1.0);
    const float *restrict mb = h->member, *restrict mo = h->motion;
    const float *restrict last = h->resid;
    float *restrict rs = h->resid_next;
    for (int j = 0; j < bins; j++)
        rs[j] = RESID_NONE;
    for (int q = 0; q < h->count; q++) {
        int j = h->list[q];
        float a = (float)w0 * mb[j] * (float)dl;
        float cs = cosf(a), sn = sinf(a);
        float r = atan2f(tr[j] * sn + ti[j] * cs, tr[j] * cs - ti[j] * sn);
        float was = last[nearest(last, j, bins, r, RESID_NONE, 1)];
        if (mo[j] < STILL_BINS && was != RESID_NONE &&
            fabsf(wrap_pi(r - was)) < RESID_STEADY) {
            float turn = -gain * r, ct = cosf(turn), st = sinf(turn);
            float x = tr[j], y = ti[j];
            tr[j] = x * ct - y * st;
            ti[j] = x * st + y * ct;
            r += turn;
        }
        rs[j] = r;
    }
    h->resid_next = h->resid;
    h->resid = rs;
}

static void forget_residuals(tp_harmonic *h)
{
    for (int j = 0; j < h->bins; j++)
        h->resid[j] = RESID_NONE;
}

/* Sum and sum of squares of the weights, and how many are positive: in
 * eight independent lanes, so that the loop vectorises (it runs on every
 * frame, tonal or not). */
static int weight_sums(const float *restrict w, int bins, double *total,
                       double *sq)
{
    float s1[8] = {0}, s2[8] = {0}, nz[8] = {0};
    int j = 0;
    for (; j + 8 <= bins; j += 8)
        for (int l = 0; l < 8; l++) {
            float v = w[j + l];
            s1[l] += v;
            s2[l] += v * v;
            nz[l] += v > 0.0f ? 1.0f : 0.0f;
        }
    double a = 0.0, b = 0.0, c = 0.0;
    for (int l = 0; l < 8; l++) {
        a += s1[l];
        b += s2[l];
        c += nz[l];
    }
    for (; j < bins; j++) {
        a += w[j];
        b += (double)w[j] * w[j];
        c += w[j] > 0.0f;
    }
    *total = a;
    *sq = b;
    return (int)c;
}

void tp_harmonic_pull(tp_harmonic *h, const tp_fft *fft, const float *p,
                      const float *weight, float *t_re, float *t_im, double d)
{
    const int bins = h->bins;
    /* Tonal frames only: the weight on few peaks.  Other frames cost one
     * pass; the history is dropped once when they begin. */
    double total, sq;
    int count = weight_sums(weight, bins, &total, &sq);
    if (count < 2 || d == 1.0 || total * total > SPREAD_MAX * sq) {
        if (!h->idle)
            tp_harmonic_reset(h);
        h->idle = 1;
        return;
    }
    h->idle = 0;
    track_motion(h, p, weight);

    double harmonicity;
    double period = find_period(fft, weight, bins, &harmonicity);
    int strongest =
        harmonicity >= HARM_MIN ? find_members(h, weight, period, total) : -1;
    if (strongest < 0) {
        forget_residuals(h);
        return;
    }
    double dl = fit_delay(h, weight, t_re, t_im, strongest, period);
    pull_members(h, t_re, t_im, dl, d);
}
