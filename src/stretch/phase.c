/*
 * phase.c -- the per-bin phase rotation of the vocoder (see phase.h).
 *
 * A phase vocoder must choose, per bin and frame, the output phase.  Two
 * constraints pull apart when the stretch d is not 1:
 *
 *   horizontal: a partial's phase must advance by its own frequency over
 *     each output hop, or overlapping frames cancel (phasiness, level loss);
 *   vertical: the phase differences between neighbouring bins place energy
 *     in time within the frame; they must stay the input's (scaled by d), or
 *     attacks smear and the harmonics of a new note start with unrelated
 *     phases (the "swirl" of identity phase locking on dense music).
 *
 * 0.1.0 solved the conflict with hard peak regions (identity phase locking):
 * each region took its peak's rotation.  On real recordings that was the
 * largest source of damage: regions that split and merge from frame to frame
 * (bass partials), attacks spread over a region's extent.  Here every bin's
 * rotation R[j] is instead a blend, the normalised sum of candidates weighted
 * by the energy behind them:
 *
 *   T[j]      time candidate: the previous R[j] advanced by the phase the
 *             input turns through over one output hop (the channel-summed
 *             cross-spectrum of prev and back).  Its weight is the bin's
 *             power times a continuity factor min(1, B / P): a bin whose
 *             energy has just risen is not continued in time.  Only steady
 *             spectral peaks (power within a factor from back to now) use
 *             their own time candidate, with weight 4 x (steadiness)^2;
 *             other bins follow their neighbours (giving every bin its own
 *             candidate made decaying tails drift and lifted their highs);
 *   below     R[j-1] (already chosen) turned by the phase difference between
 *             bin j-1 and the fractional bin j-d: an event off the frame
 *             centre then lands at its stretched position in every frame,
 *             so frames agree about it (the idea of Signalsmith Stretch);
 *   above     T[j+1] turned by the phase difference between j+1-d and j,
 *             weighted by the energy of bin j+1 (the bin it borrows from)
 *             and its continuity.
 *
 * At a transient the time candidates are weak (energy just rose), and the
 * vertical chain makes the frame a coherent copy of the input's; on a steady
 * partial its peak's time candidate dominates and the lobe's bins follow it.
 *
 * Details that measurements forced (docs/dev/issue10-findings.md):
 *  - FFTW's phases refer to the frame's first sample; interpolating between
 *    bins needs them referred to the centre (bin j times (-1)^j);
 *  - where the two bins interpolated for j - d have opposite centred phase,
 *    a zero of the window's transform lies between them (a sine's lobe edge)
 *    and the interpolated twist would be off by pi: the twist for d = 1
 *    (no turn) is used instead;
 *  - the twist's d is limited to 2: a half-bin interpolation at larger d
 *    broke the purity of sines;
 *  - the upper candidate's weight carries the energy of bin j+1: with bin
 *    j's, the random time candidates of the exact zeros beside a
 *    bin-centred sine got real weight (purity 33 dB).
 *
 * Cost: every pass but one runs over planar arrays and vectorises; the
 * chain from below is serial (R[j] depends on R[j-1]) and is therefore run
 * as an unnormalised linear recurrence, two complex multiply-adds per bin
 * (see tp_phase_advance), with the normalisation in a vectorised pass.
 */
#include "phase.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Weight of a steady peak's own time candidate, relative to its power. */
static const float TONAL_WEIGHT = 4.0f;
/* The vertical twist uses min(d, this). */
static const double TWIST_D_MAX = 2.0;

int tp_phase_init(tp_phase *ph, int bins)
{
    memset(ph, 0, sizeof *ph);
    ph->bins = bins;
    float **arrays[] = {&ph->p,    &ph->b, &ph->t_re,  &ph->t_im, &ph->e_re,
                        &ph->e_im, &ph->z, &ph->w_own, &ph->u_re, &ph->u_im};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        *arrays[i] = malloc(sizeof(float) * (size_t)bins);
        if (!*arrays[i]) {
            tp_phase_free(ph);
            return -1;
        }
    }
    if (tp_harmonic_init(&ph->harmonic, bins) != 0) {
        tp_phase_free(ph);
        return -1;
    }
    return 0;
}

void tp_phase_reset(tp_phase *ph)
{
    tp_harmonic_reset(&ph->harmonic);
}

void tp_phase_free(tp_phase *ph)
{
    free(ph->p);
    free(ph->b);
    free(ph->t_re);
    free(ph->t_im);
    free(ph->e_re);
    free(ph->e_im);
    free(ph->z);
    free(ph->w_own);
    free(ph->u_re);
    free(ph->u_im);
    tp_harmonic_free(&ph->harmonic);
    memset(ph, 0, sizeof *ph);
}

/* Adds channel c's share of E[j] = X'[j] conj(X'(j + off)) for j in
 * [lo, hi), where X' is X referred to the frame centre and X'(j + off) is
 * interpolated between k0 = j + ioff and k1 = k0 + 1 (both valid in
 * [lo, hi)), and of the zero test Z[j] = Re(X[k0] conj(X[k1])) (> 0: the
 * centred phases of k0 and k1 are opposite). */
static void add_twist(tp_phase *ph, const float *restrict x, int lo, int hi,
                      int ioff, float frac)
{
    float *restrict er = ph->e_re, *restrict ei = ph->e_im, *restrict z = ph->z;
    /* (-1)^(j + k0) = (-1)^ioff; k1 has the other sign. */
    const float s0 = (ioff & 1) ? -(1.0f - frac) : 1.0f - frac;
    const float s1 = (ioff & 1) ? frac : -frac;
    const float *restrict y = x + 2 * ioff;
    for (int j = lo; j < hi; j++) {
        float ar = y[2 * j], ai = y[2 * j + 1];
        float cr = y[2 * j + 2], ci = y[2 * j + 3];
        float xr = x[2 * j], xi = x[2 * j + 1];
        float yr = s0 * ar + s1 * cr, yi = s0 * ai + s1 * ci;
        er[j] += xr * yr + xi * yi;
        ei[j] += xi * yr - xr * yi;
        z[j] += ar * cr + ai * ci;
    }
}

/* Adds one channel's powers of cur (P) and back (B), and its cross-spectrum
 * prev * conj(back) (into T, before T becomes the time candidate). */
static void add_powers(float *restrict p, float *restrict b, float *restrict tr,
                       float *restrict ti, const float *restrict x,
                       const float *restrict pr, const float *restrict bk,
                       int bins)
{
    for (int j = 0; j < bins; j++) {
        float xr = x[2 * j], xi = x[2 * j + 1];
        float br = bk[2 * j], bi = bk[2 * j + 1];
        float qr = pr[2 * j], qi = pr[2 * j + 1];
        p[j] += xr * xr + xi * xi;
        b[j] += br * br + bi * bi;
        tr[j] += qr * br + qi * bi;
        ti[j] += qi * br - qr * bi;
    }
}

/* (x, y) / |(x, y)| into (ux, uy), and 1; or 0 where |(x, y)| is ~0 (the
 * quotient is then finite but meaningless).  The 1 or 0 is for products
 * that select exactly, which keep the callers' loops free of branches so
 * that they vectorise. */
static inline float unit_of(float x, float y, float *ux, float *uy)
{
    float m2 = x * x + y * y;
    float inv = 1.0f / sqrtf(m2 > 1e-30f ? m2 : 1e-30f);
    *ux = x * inv;
    *uy = y * inv;
    return m2 > 1e-30f ? 1.0f : 0.0f;
}

/* T = R * unit(T) (T holds the cross-spectrum), or R where it is ~0; and
 * E = P (the d = 1 twist) where Z > 0. */
static void time_candidates(float *restrict tr, float *restrict ti,
                            float *restrict er, float *restrict ei,
                            const float *restrict rr, const float *restrict ri,
                            const float *restrict p, const float *restrict z,
                            int bins)
{
    for (int j = 0; j < bins; j++) {
        float ur, ui;
        float ok = unit_of(tr[j], ti[j], &ur, &ui);
        float r0 = rr[j], r1 = ri[j];
        float cr = ok * ur + (1.0f - ok), ci = ok * ui;
        tr[j] = r0 * cr - r1 * ci;
        ti[j] = r0 * ci + r1 * cr;
        float flat = z[j] > 0.0f ? 1.0f : 0.0f;
        er[j] = flat * p[j] + (1.0f - flat) * er[j];
        ei[j] = (1.0f - flat) * ei[j];
    }
}

/* The weight of each steady peak's own time candidate (0 elsewhere). */
static void own_weights(float *restrict wo, const float *restrict p,
                        const float *restrict b, int bins)
{
    wo[0] = wo[bins - 1] = 0.0f;
    for (int j = 1; j + 1 < bins; j++) {
        float pj = p[j], bj = b[j];
        int up = pj > bj;
        float hi = up ? pj : bj, lo = up ? bj : pj;
        float st = lo / (hi > 1e-30f ? hi : 1e-30f);
        float cont = up ? st : 1.0f;
        int peak = (pj >= p[j - 1]) & (pj >= p[j + 1]);
        float w = TONAL_WEIGHT * st * st * cont * pj;
        wo[j] = peak ? w : 0.0f;
    }
}

/* U[j] = w T[j+1] conj(E[j]): the candidate from the bin above, weighted by
 * that bin's continuity and by its amplitude relative to bin j. */
static void upper_candidates(float *restrict ur, float *restrict ui,
                             const float *restrict p, const float *restrict b,
                             const float *restrict tr, const float *restrict ti,
                             const float *restrict er, const float *restrict ei,
                             int bins)
{
    for (int j = 0; j + 1 < bins; j++) {
        float pj = p[j], pn = p[j + 1], bn = b[j + 1];
        float q0 = bn / (pn > 1e-30f ? pn : 1e-30f);
        float cont = pn > bn ? q0 : 1.0f;
        float wr = cont * sqrtf(pn / (pj > 1e-30f ? pj : 1e-30f));
        float w = pj > 0.0f ? wr : 0.0f;
        float a = er[j], q = -ei[j];
        ur[j] = w * (tr[j + 1] * a - ti[j + 1] * q);
        ui[j] = w * (tr[j + 1] * q + ti[j + 1] * a);
    }
    ur[bins - 1] = ui[bins - 1] = 0.0f;
}

/* The chain's inputs (see the chain in tp_phase_advance): A = w T + U
 * into U, the bound S[j] = |A[j]| + |E[j-1]| into s, then
 * c[j] = E[j-1] / S[j-1] into (cr, ci). */
static void chain_coefficients(const float *restrict wo, float *restrict ur,
                               float *restrict ui, const float *restrict er,
                               const float *restrict ei,
                               const float *restrict tr,
                               const float *restrict ti, float *restrict s,
                               float *restrict cr, float *restrict ci, int bins)
{
    for (int j = 0; j < bins; j++) {
        float ar = wo[j] * tr[j] + ur[j], ai = wo[j] * ti[j] + ui[j];
        ur[j] = ar;
        ui[j] = ai;
        s[j] = sqrtf(ar * ar + ai * ai);
    }
    for (int j = 1; j < bins; j++)
        s[j] += sqrtf(er[j - 1] * er[j - 1] + ei[j - 1] * ei[j - 1]);
    cr[0] = ci[0] = 0.0f;
    for (int j = 1; j < bins; j++) {
        float sp = s[j - 1], ok = sp > 1e-30f ? 1.0f : 0.0f;
        float inv = ok / (sp > 1e-30f ? sp : 1e-30f);
        cr[j] = er[j - 1] * inv;
        ci[j] = ei[j - 1] * inv;
    }
}

/* R = unit(V), or T where V is ~0. */
static void normalise(float *restrict rr, float *restrict ri,
                      const float *restrict vr, const float *restrict vi,
                      const float *restrict tr, const float *restrict ti,
                      int bins)
{
    for (int j = 0; j < bins; j++) {
        float ux, uy;
        float ok = unit_of(vr[j], vi[j], &ux, &uy);
        rr[j] = ok * ux + (1.0f - ok) * tr[j];
        ri[j] = ok * uy + (1.0f - ok) * ti[j];
    }
}

void tp_phase_advance(tp_phase *ph, float *restrict rot_re,
                      float *restrict rot_im, fftwf_complex *const *cur,
                      fftwf_complex *const *prev, fftwf_complex *const *back,
                      int channels, double d, const tp_fft *fft)
{
    const int bins = ph->bins;
    float *restrict p = ph->p, *restrict b = ph->b;
    float *restrict tr = ph->t_re, *restrict ti = ph->t_im;
    float *restrict er = ph->e_re, *restrict ei = ph->e_im;
    float *restrict z = ph->z, *restrict wo = ph->w_own;
    float *restrict ur = ph->u_re, *restrict ui = ph->u_im;

    /* E[j] twists by the phase difference from bin j to j + 1 - d. */
    double off = 1.0 - (d < TWIST_D_MAX ? d : TWIST_D_MAX);
    int ioff = (int)floor(off);
    float frac = (float)(off - ioff);
    /* Bins whose k0 = j + ioff and k1 = k0 + 1 are both in range; E at the
     * few bins outside stays the d = 1 twist. */
    int lo = ioff < 0 ? -ioff : 0, hi = bins - 1 - ioff;

    memset(p, 0, sizeof(float) * (size_t)bins);
    memset(b, 0, sizeof(float) * (size_t)bins);
    memset(tr, 0, sizeof(float) * (size_t)bins);
    memset(ti, 0, sizeof(float) * (size_t)bins);
    memset(er, 0, sizeof(float) * (size_t)bins);
    memset(ei, 0, sizeof(float) * (size_t)bins);
    memset(z, 0, sizeof(float) * (size_t)bins);
    for (int c = 0; c < channels; c++) {
        const float *x = cur[c][0];
        add_powers(p, b, tr, ti, x, prev[c][0], back[c][0], bins);
        add_twist(ph, x, lo, hi, ioff, frac);
    }

    /* T = R * unit(cross-spectrum), or R where there is none; E falls
     * back to the d = 1 twist outside [lo, hi) and where Z > 0.  Written
     * without branches so that the loops vectorise. */
    time_candidates(tr, ti, er, ei, rot_re, rot_im, p, z, bins);
    for (int j = 0; j < lo; j++) {
        er[j] = p[j];
        ei[j] = 0.0f;
    }
    for (int j = hi; j < bins; j++) {
        er[j] = p[j];
        ei[j] = 0.0f;
    }

    /* Weights.  cont(j) = min(1, B / P); a peak's steadiness is
     * min(P, B) / max(P, B). */
    own_weights(wo, p, b, bins);
    /* A steady harmonic series: its members' time candidates turn towards
     * one time-shifted copy of the input frame (harmonic.c). */
    tp_harmonic_pull(&ph->harmonic, fft, p, wo, tr, ti, d);
    upper_candidates(ur, ui, p, b, tr, ti, er, ei, bins);

    /* The chain from below, R[j] = unit(A[j] + R[j-1] E[j-1]) with
     * A = w T + U, is serial and its normalisation (a square root and a
     * division per bin) would dominate the cost.  Instead the unnormalised
     * V[j] = A[j] + c[j] V[j-1] runs serially (two multiply-adds), with
     * c[j] = E[j-1] / S[j-1]: S[j] = w + |U[j]| + |E[j-1]| bounds |V[j]|,
     * reached when the candidates agree, so c V[j-1] weighs at most what
     * R[j-1] E[j-1] would.  R = unit(V) follows in a vectorised pass. */
    float *restrict cr = z, *restrict ci = b; /* free again */
    chain_coefficients(wo, ur, ui, er, ei, tr, ti, p, cr, ci, bins);
    float vr = 0.0f, vi = 0.0f;
    for (int j = 0; j < bins; j++) {
        float nr = ur[j] + (cr[j] * vr - ci[j] * vi);
        float ni = ui[j] + (cr[j] * vi + ci[j] * vr);
        vr = nr;
        vi = ni;
        ur[j] = vr;
        ui[j] = vi;
    }
    normalise(rot_re, rot_im, ur, ui, tr, ti, bins);
}
