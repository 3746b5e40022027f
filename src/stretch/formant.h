/*
 * formant.h -- spectral-envelope correction of the vocoder's frames
 * (formant preservation and formant shift).
 *
 * The pitch is moved by a resampler, which scales the whole spectrum by
 * the frequency ratio r, spectral envelope included.  Each vocoder frame
 * can undo (or redo differently) that part: its magnitudes are multiplied
 * by E(f * warp) / E(f), where E is the frame's spectral envelope, so the
 * frame's envelope becomes E(f * warp) while its harmonics stay where they
 * are.  Phases are untouched.
 *
 * The warp is the same for both chain orders.  Let the output envelope be
 * the input's scaled by s (s = 1: formants preserved; s = r: formants move
 * with the pitch, which needs no correction):
 *   r > 1, resample -> vocoder: the vocoder sees E_in(f / r) and must give
 *          E_in(f / s) = E_vocoder_in(f * r / s);
 *   r < 1, vocoder -> resample: the resampler maps the vocoder's E_v(f) to
 *          E_v(f / r), which must be E_in(f / s), so E_v(f) = E_in(f r / s)
 *          and the vocoder's input is E_in itself.
 * Either way warp = r / s.
 *
 * Envelope: the channel-summed power is pooled into groups of about 43 Hz
 * (4 bins of a 4096-point frame, 2 of a 2048-point one, with triangular
 * weights, which also keeps the pitch ripple of voices down to about 45 Hz
 * from aliasing in the short cepstrum); its log goes to the real cepstrum
 * by a transform of 1024 points (at 44.1/48 kHz), is liftered
 * and comes back.  The lifter must end before the pitch period, or the
 * harmonic ripple enters the envelope and the correction becomes a comb;
 * the longer it is, the sharper the formants it sees.  So it adapts to
 * the frame: it ends at 0.7 of the pitch period found in the cepstrum
 * (formant.c: pitch_period), within 1..5 ms, and at 2.5 ms when no period
 * is found; flat over its first half, a half-cosine after.  Three
 * true-envelope rounds (the log spectrum is raised to the smoothed curve
 * where it lies below, then smoothed again) make the curve ride on the
 * harmonic peaks rather than on their mean with the valleys: the plain
 * cepstral curve is off by several dB at a voice's harmonics.
 *
 * Outside the band that holds anything the log spectrum is held flat
 * before smoothing; the band ends at its outermost peaks (the first and
 * last local maxima of groups within 60 dB of the frame's strongest): a
 * note's last partial is a band limit, not a formant, and without the
 * hold the partials above it would be cut when the pitch goes up (with
 * the hold at the 60 dB point they read the skirt beyond the last partial
 * and were cut by up to 40 dB).
 *
 * Sparse frames -- partials far apart with deep valleys (clean
 * instruments, high notes, chords) -- are smoothed first, in linear
 * power, by a triangle of half-width two harmonic spacings (formant.c:
 * envelope): there the true-envelope rounds stay near the valleys, and in
 * a mixture the curve rides on whichever note is loudest at each place, so
 * that every partial got a different gain.  A frame is sparse from a mean
 * depth of 10 dB (fully from 20 dB) under its running maximum over half a
 * spacing, unless it is one harmonic series (85 % of its prominent peaks
 * on the grid of the period) with a period of 3 ms or more, which the
 * lifter resolves with its formants sharp (speech, the unit test's vowel).
 *
 * The correction is limited to -40..+30 dB per bin, and the frame is then
 * scaled so that its energy is unchanged: the envelope moves, the loudness
 * does not (and the vocoder's frame gain and level control keep working on
 * the input's energy).  One gain curve for all channels keeps identical
 * channels identical and inverted ones inverted.
 */
#ifndef TP_FORMANT_H
#define TP_FORMANT_H

#include "fft.h"

typedef struct tp_formant {
    int n, bins;          /* vocoder FFT size and its bins (n/2 + 1)         */
    int dec;              /* bins per group: n / 1024 (formant.c)            */
    int m, groups;        /* cepstrum transform size n/dec, groups m/2 + 1    */
    int kmin, kmax;       /* pitch-period search range, cepstral samples    */
    int qmin, qmax;       /* lifter length range, cepstral samples          */
    int qdefault;         /* lifter length when no pitch period is found    */
    int kshort;           /* periods under this (3 ms) are high notes       */
    double warp;          /* the envelope is read at f * warp               */
    tp_fft fft;           /* size m                                         */
    float *power;         /* bins: channel-summed power of the frame        */
    float *lin;           /* groups: pooled power (linear)                  */
    float power0, powern; /* its DC and Nyquist bins (power is reused) */
    float *env;           /* groups: smoothed log power (the envelope)      */
    float *logp;          /* groups: log power, raised by each iteration    */
    float *lift;          /* lifter weights (/ m), qmax + 1                 */
    float *ggain;         /* groups: amplitude gain                         */
    int *src;             /* groups: envelope index read for each group ... */
    float *frac;          /* ... and the interpolation fraction             */
} tp_formant;

/* Prepares the correction for frames of size n (a multiple of 16) at
 * `sample_rate`, reading the envelope at f * warp.  Returns 0, or -1 on
 * allocation or planning failure (then *f holds nothing to free). */
int tp_formant_init(tp_formant *f, int n, double sample_rate, double warp);

/* Frees what tp_formant_init made; a zeroed struct is accepted. */
void tp_formant_free(tp_formant *f);

/* Applies the correction in place to the `channels` spectra spec[c] (n/2+1
 * bins each) of one frame.  No allocation, no state kept between frames. */
void tp_formant_apply(tp_formant *f, fftwf_complex **spec, int channels);

#endif
