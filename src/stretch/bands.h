/*
 * bands.h -- per-band energy restoration for the phase vocoder (pv.h).
 *
 * A rotated frame loses energy in two ways that the rotation alone decides:
 * within the frame (bins turned by different angles move energy towards the
 * frame's edges, where the synthesis window discards it) and between frames
 * (frames whose phases do not agree overlap-add in power, not in amplitude).
 * Both losses depend on frequency: a decaying piano loses at its dense low
 * partials while its coherent highs and its hiss lose nothing.  A broadband
 * gain that restores the total lifts whatever did not lose (the highs of a
 * piano tail by 3-9 dB over a round trip), so both corrections are made per
 * band, about half an octave wide:
 *
 *   frame gain: the energy of a frame under a Hann synthesis window can be
 *     measured per band without a transform, because the spectrum of
 *     (frame x Hann) is the three-tap convolution 0.5 Y[j] - 0.25 (Y[j-1] +
 *     Y[j+1]).  Each band of the rotated frame Y = X R is scaled so that its
 *     windowed energy is that of X (feedforward, exact per frame);
 *   level: the last n output samples (channels summed) are analysed once per
 *     hop and compared, band by band, with the input frame centred on them;
 *     each band's level correction moves a fraction of the way towards
 *     equality (feedback, slow: it corrects a loss that depends on the
 *     material, not on the single frame).
 *
 * Bands weaker than BANDS_FLOOR of the frame's total keep a gain near 1:
 * their measured ratio is the leakage of stronger bands, not their own.
 * The level correction is piecewise constant over bands (an interpolated
 * one lets two neighbouring bands' loops trade a sine's level between
 * them); the frame gain is interpolated between band centres.
 *
 * Contract: deterministic (the state advances once per frame and hop, from
 * the spectra and samples given); channels share every gain, so
 * inter-channel relations survive exactly; no allocation after init.
 * Requires a Hann synthesis window (overlap 3 and more, see pv.c).
 */
#ifndef TP_BANDS_H
#define TP_BANDS_H

#include "fft.h"

#include <stdint.h>

typedef struct tp_bands {
    int n, bins, count, overlap;
    int *edge;        /* band b: bins [edge[b], edge[b + 1])            */
    int *seg;         /* bins [seg[i], seg[i + 1]): from band i's centre
                         to the next one's (frame gain interpolation)   */
    float *frac;      /* per bin: position within its segment, 0..1     */
    float *yr, *yi;   /* scratch per bin: the input's channel sum       */
    float *rows;      /* scratch: 2 rows of bins (add_hann_energies)    */
    float *ex, *ey;   /* scratch per bin: windowed energies of X and Y  */
    double *ref, *syn; /* per band windowed energies of X and Y         */
    float *gain;      /* per bin output: frame gain x level correction  */
    float *level;     /* per band level correction                      */
    double *ring;     /* input band powers of the last `overlap` frames */
    double *sx, *so;  /* smoothed band powers: input, output            */
    float *hist;      /* last n output samples, channels summed         */
    float *frame;     /* n samples of scratch (FFT input)               */
    int64_t frames;   /* frames since reset                             */
} tp_bands;

/* Sets up bands for an n-point frame and `overlap` frames per window.
 * Returns 0, or -1 (then tp_bands_free is still safe). */
int tp_bands_init(tp_bands *b, int n, int overlap);
void tp_bands_free(tp_bands *b);
/* Back to the state after init. */
void tp_bands_reset(tp_bands *b);

/* Frame k's input spectra x (per channel, bins each).  Records its band
 * powers for tp_bands_hop; if `rotated`, also fills b->gain for the frame
 * X R with R = (rr, ri). */
void tp_bands_frame(tp_bands *b, int64_t k, fftwf_complex *const *x,
                    int channels, const float *rr, const float *ri,
                    int rotated);

/* The first `hop` samples of acc (per channel) are complete output of
 * frame k.  Adds them to the history and, if `steady` (no verbatim frame
 * contributes to the last n samples), updates the level correction.
 * `window` is the n-point Hann; `fft` supplies the forward plan and its
 * output buffer. */
void tp_bands_hop(tp_bands *b, int64_t k, float *const *acc, int channels,
                  int hop, const float *window, tp_fft *fft, int steady);

#endif
