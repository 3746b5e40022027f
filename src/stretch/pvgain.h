/*
 * pvgain.h -- restoring the energy the phase vocoder's rotation loses.
 *
 * A rotated frame can lose energy two ways: the rotation moves some of it
 * in time within the frame, towards the edges where the synthesis window
 * discards it, and frames whose phases are not mutually coherent (noise,
 * dense partials) overlap-add in power rather than in amplitude.  These
 * are the broadband parts of the restoration (the per-band part is
 * bands.h): a gain per frame at 2x overlap, and a level control on every
 * completed hop against the input power the frames carry.  All of them
 * act on a tp_pv's buffers (pv.h) and keep the channels' level ratios (one
 * gain for all channels).  Internal to pv.c.
 */
#ifndef TP_PVGAIN_H
#define TP_PVGAIN_H

#include "pv.h"

/* The constant that analysis x synthesis windows overlap-add to: 1 at 2x
 * (the least-squares synthesis window), 3 len / 8 / hop (1.5 at 4x) for
 * Hann x Hann. */
double tp_pv_ola_gain(const tp_pv *pv);

/* Adds the energy of x (times w, unless w is NULL) over n samples (a
 * multiple of 8) to *acc. */
void tp_pv_add_energy(double *acc, const float *restrict x,
                      const float *restrict w, int n);

/* The gain that gives the synthesised frame (pv->syn) the energy the
 * synthesis window saw in the unrotated one (pv->frame_energy). */
float tp_pv_frame_gain(const tp_pv *pv);

/* Adds the frame's input power (pv->frame_power) to the target pv->pacc,
 * spread over the frame like its squared window. */
void tp_pv_add_target(tp_pv *pv);

/* Scales the completed first hop of pv->acc towards the target, ramping
 * from the previous hop's gain; `power` is scratch of hop floats. */
void tp_pv_level_control(tp_pv *pv, float *restrict power);

#endif /* TP_PVGAIN_H */
