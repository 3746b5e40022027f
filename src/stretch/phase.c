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
 *   below     R[j-1] (final) turned by the input's phase difference between
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
 * Details that measurements forced (docs/quality.md):
 *  - FFTW's phases refer to the frame's first sample; interpolating between
 *    bins needs them referred to the centre (bin j times (-1)^j);
 *  - where the two bins interpolated for j - d have opposite centred phase,
 *    a zero of the window's transform lies between them (a sine's lobe edge)
 *    and the interpolated twist would be off by pi: the twist for d = 1
 *    (no turn) is used instead;
 *  - the twist's d is limited to 2: a half-bin interpolation at larger d
 *    broke the purity of sines.
 *
 * Cost: every pass but the last runs over planar arrays and vectorises; the
 * last is one complex multiply-add and one normalisation per bin, serial
 * because R[j] depends on R[j-1].
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
    return 0;
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

void tp_phase_advance(tp_phase *ph, float *restrict rot_re,
                      float *restrict rot_im, fftwf_complex *const *cur,
                      fftwf_complex *const *prev, fftwf_complex *const *back,
                      int channels, double d)
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
        const float *restrict x = cur[c][0], *restrict pr = prev[c][0],
                              *restrict bk = back[c][0];
        for (int j = 0; j < bins; j++) {
            float xr = x[2 * j], xi = x[2 * j + 1];
            float br = bk[2 * j], bi = bk[2 * j + 1];
            float qr = pr[2 * j], qi = pr[2 * j + 1];
            p[j] += xr * xr + xi * xi;
            b[j] += br * br + bi * bi;
            /* the cross-spectrum prev * conj(back), in T for now */
            tr[j] += qr * br + qi * bi;
            ti[j] += qi * br - qr * bi;
        }
        add_twist(ph, x, lo, hi, ioff, frac);
    }

    /* T = R * unit(cross-spectrum), or R where there is none; E falls
     * back to the d = 1 twist outside [lo, hi) and where Z > 0.  Written
     * without branches so that the loops vectorise. */
    for (int j = 0; j < bins; j++) {
        float m2 = tr[j] * tr[j] + ti[j] * ti[j];
        int ok = m2 > 1e-30f;
        float inv = 1.0f / sqrtf(m2 > 1e-30f ? m2 : 1e-30f);
        float ur_ = tr[j] * inv, ui_ = ti[j] * inv;
        float cr = ok ? ur_ : 1.0f, ci = ok ? ui_ : 0.0f;
        float r0 = rot_re[j], r1 = rot_im[j];
        tr[j] = r0 * cr - r1 * ci;
        ti[j] = r0 * ci + r1 * cr;
        int flat = z[j] > 0.0f;
        er[j] = flat ? p[j] : er[j];
        ei[j] = flat ? 0.0f : ei[j];
    }
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
    wo[0] = wo[bins - 1] = 0.0f;
    for (int j = 1; j + 1 < bins; j++) {
        float pj = p[j], bj = b[j];
        int up = pj > bj;
        float hi_ = up ? pj : bj, lo_ = up ? bj : pj;
        float st = lo_ / (hi_ > 1e-30f ? hi_ : 1e-30f);
        float cont = up ? st : 1.0f;
        int peak = pj >= p[j - 1] && pj >= p[j + 1];
        wo[j] = peak ? TONAL_WEIGHT * st * st * cont * pj : 0.0f;
    }
    for (int j = 0; j + 1 < bins; j++) {
        float pj = p[j], pn = p[j + 1], bn = b[j + 1];
        float q0 = bn / (pn > 1e-30f ? pn : 1e-30f);
        float cont = pn > bn ? q0 : 1.0f;
        float wr = cont * sqrtf(pn / (pj > 1e-30f ? pj : 1e-30f));
        float w = pj > 0.0f ? wr : 0.0f;
        /* w * T[j+1] * conj(E[j]) */
        float a = er[j], q = -ei[j];
        ur[j] = w * (tr[j + 1] * a - ti[j + 1] * q);
        ui[j] = w * (tr[j + 1] * q + ti[j + 1] * a);
    }
    ur[bins - 1] = ui[bins - 1] = 0.0f;

    /* The serial pass: R[j] = unit(w T[j] + U[j] + R[j-1] E[j-1]). */
    float lr = 0.0f, li = 0.0f, ler = 0.0f, lei = 0.0f;
    for (int j = 0; j < bins; j++) {
        float sr = wo[j] * tr[j] + ur[j] + (lr * ler - li * lei);
        float si = wo[j] * ti[j] + ui[j] + (lr * lei + li * ler);
        tp_unit_or(&sr, &si, tr[j], ti[j]);
        rot_re[j] = lr = sr;
        rot_im[j] = li = si;
        ler = er[j];
        lei = ei[j];
    }
}
