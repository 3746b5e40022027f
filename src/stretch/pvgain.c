/*
 * pvgain.c -- the vocoder's energy restoration (see pvgain.h).
 */
#include "pvgain.h"

#include <math.h>
#include <string.h>

/* pv.c builds the windows (see the comment above tp_pv_init). */
double tp_pv_ola_gain(const tp_pv *pv)
{
    if (pv->design.overlap == 2)
        return 1.0;
    return 0.375 * (double)pv->len / (double)pv->hop;
}

/* Adds the energy of x (times w, unless w is NULL) over n samples (a
 * multiple of 8) to *acc, in eight lanes so that the loop vectorises. */
void tp_pv_add_energy(double *acc, const float *restrict x,
                      const float *restrict w, int n)
{
    float lane[8] = {0};
    if (w) {
        for (int i = 0; i < n; i += 8)
            for (int l = 0; l < 8; l++) {
                float v = x[i + l] * w[i + l];
                lane[l] += v * v;
            }
    } else {
        for (int i = 0; i < n; i += 8)
            for (int l = 0; l < 8; l++)
                lane[l] += x[i + l] * x[i + l];
    }
    for (int l = 0; l < 8; l++)
        *acc += lane[l];
}

/* Frame gain that restores the energy the synthesis window would see in
 * the unrotated frame.  Rotating regions by different angles moves energy
 * in time within the frame (circularly), towards the edges where the
 * synthesis window discards it: on noise that costs up to 3 dB.  Tonal
 * frames, whose rotation is near a pure time shift, get a gain near 1.
 * One gain for all channels keeps their level ratios. */
float tp_pv_frame_gain(const tp_pv *pv)
{
    const int n = pv->n;
    const float *restrict w = pv->synth;
    double syn = 0.0;
    for (int c = 0; c < pv->channels; c++)
        tp_pv_add_energy(&syn, pv->syn[c], w, n);
    /* syn is in FFTW's unnormalised scale (x n). */
    double ref = pv->frame_energy * (double)n * (double)n;
    if (syn <= 0.0 || ref <= 0.0)
        return 1.0f;
    return (float)sqrt(ref / syn);
}

/* Spreads the frame's input power over the frame like its squared window:
 * for a stationary input of power s the sum over frames is s. */
void tp_pv_add_target(tp_pv *pv)
{
    const int n = pv->n;
    const float *restrict w = pv->window, *restrict ws = pv->synth;
    float *restrict pa = pv->pacc;
    /* sum(w^2) = 3 len / 8, and the window products overlap-add to
     * ola_gain (1.5 at 4x) */
    float k = (float)(pv->frame_power / (0.375 * pv->len * tp_pv_ola_gain(pv)));
    for (int i = 0; i < n; i++)
        pa[i] += k * w[i] * ws[i];
}

/* Level control on the completed hop.
 *
 * Frames whose phases are not mutually coherent (noise, dense partials)
 * overlap-add in power rather than in amplitude and come out quieter than
 * the input; the loss depends on the material and on d (up to 1.6 dB on
 * white noise).  The target is the input power the frames carry, spread
 * over each frame like its squared window (pacc: smooth, so a low sine's
 * power ripple does not leak into it).  Output and target are compared
 * over the last four hops under a Hann weight, which averages out the
 * ripple of the output's instantaneous power; the gain ramps linearly
 * across the hop so that it never steps.  Where a verbatim frame
 * contributes the output is the input: gain 1, and the hop enters the
 * history as on target. */
void tp_pv_level_control(tp_pv *pv, float *restrict power)
{
    const int n = pv->n, hop = pv->hop;
    float *restrict ho = pv->hist_out, *restrict ht = pv->hist_tgt;
    memmove(ho, ho + hop, sizeof(float) * (size_t)(n - hop));
    memmove(ht, ht + hop, sizeof(float) * (size_t)(n - hop));
    for (int i = 0; i < hop; i++)
        power[i] = 0.0f;
    for (int c = 0; c < pv->channels; c++) {
        const float *restrict a = pv->acc[c];
        for (int i = 0; i < hop; i++)
            power[i] += a[i] * a[i];
    }
    int verbatim = pv->locked_hist != 0;
    for (int i = 0; i < hop; i++) {
        ht[n - hop + i] = pv->pacc[i];
        ho[n - hop + i] = verbatim ? pv->pacc[i] : power[i];
    }
    float g = 1.0f;
    if (!verbatim) {
        const float *restrict w = pv->window;
        float lo[8] = {0}, lt[8] = {0};
        for (int i = 0; i < n; i += 8)
            for (int l = 0; l < 8; l++) {
                lo[l] += w[i + l] * ho[i + l];
                lt[l] += w[i + l] * ht[i + l];
            }
        double o = 0.0, t = 0.0;
        for (int l = 0; l < 8; l++) {
            o += lo[l];
            t += lt[l];
        }
        if (o > 1e-20 && t > 1e-20) {
            g = (float)sqrt(t / o);
            g = g < 0.7f ? 0.7f : g > 2.0f ? 2.0f : g;
        }
    }
    float g0 = pv->level, step = (g - g0) / (float)hop;
    if (g0 != 1.0f || g != 1.0f)
        for (int c = 0; c < pv->channels; c++) {
            float *restrict a = pv->acc[c];
            for (int i = 0; i < hop; i++)
                a[i] *= g0 + step * (float)(i + 1);
        }
    pv->level = g;
}
