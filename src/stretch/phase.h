/*
 * phase.h -- the phase vocoder's per-bin phase rotation (see pv.h).
 *
 * Every output frame is the input frame's spectrum X_c[j] (for each channel
 * c) multiplied by one unit rotation R[j] per bin, shared by all channels so
 * that every inter-channel phase and level relation survives exactly.  This
 * module computes R for the next frame from the three spectra the vocoder
 * analyses: `cur` (the frame at p_k), `prev` (at p_{k-1}) and `back` (the
 * input re-analysed one output hop before p_k).  The scheme is described at
 * the top of phase.c.
 *
 * Contract: tp_phase_advance reads the spectra and R, writes R; it allocates
 * nothing, and its only state is the harmonic lock's per-bin history, so
 * the result depends only on its arguments and the frames since the last
 * reset (deterministic, chunking-independent).
 */
#ifndef TP_PHASE_H
#define TP_PHASE_H

#include <fftw3.h>
#include <math.h>

#include "fft.h"
#include "harmonic.h"

typedef struct tp_phase {
    int bins;
    /* Scratch, one value per bin (phase.c names them): channel-summed
     * powers P of cur and B of back, the time candidate T, the vertical
     * twist E, the zero test Z, the weight of the own time candidate and
     * the weighted candidate U from the bin above. */
    float *p, *b, *t_re, *t_im, *e_re, *e_im, *z, *w_own, *u_re, *u_im;
    tp_harmonic harmonic; /* the harmonic lock's history (harmonic.h) */
} tp_phase;

/* Scales (*re, *im) to unit magnitude, or replaces it with (fr, fi) when
 * it is too small to have a direction. */
static inline void tp_unit_or(float *re, float *im, float fr, float fi)
{
    float m2 = *re * *re + *im * *im;
    if (m2 > 1e-30f) {
        float inv = 1.0f / sqrtf(m2);
        *re *= inv;
        *im *= inv;
    } else {
        *re = fr;
        *im = fi;
    }
}

/* Allocates the scratch for `bins` bins.  Returns 0, or -1 (nothing to
 * free). */
int tp_phase_init(tp_phase *ph, int bins);
void tp_phase_free(tp_phase *ph);
/* Forgets the harmonic lock's history (a fresh start). */
void tp_phase_reset(tp_phase *ph);

/* Replaces R (rot_re, rot_im: `bins` values, unit magnitude) with the
 * rotation of the next frame, for a stretch of d (output hop / input hop).
 * fft: an FFT of the frame size whose buffers are free to overwrite. */
void tp_phase_advance(tp_phase *ph, float *rot_re, float *rot_im,
                      fftwf_complex *const *cur, fftwf_complex *const *prev,
                      fftwf_complex *const *back, int channels, double d,
                      const tp_fft *fft);

#endif
