/*
 * harmonic.h -- the vocoder's harmonic lock: keeps the partials of a steady
 * periodic sound in the input's waveform shape (see phase.h, pv.h).
 *
 * A phase vocoder advances each partial by its own frequency, which keeps
 * every partial continuous but leaves the relations between them to
 * whatever they were when the note settled.  Where a note starts with a
 * glide or a soft attack, the stretched output freezes relations that
 * differ from the input's: the same spectrum with another waveform, whose
 * peaks are several dB higher (a trumpet note at -4 semitones: crest 6.4 ->
 * 9.7 dB, so an integer output's limiter took 2.2 dB off the level).
 *
 * In a stretched steady periodic sound every output frame may be a
 * time-shifted copy of the input frame: rotation R[j] = exp(-i w_j D) for
 * one delay D.  This module finds, in frames dominated by one harmonic
 * series, the delay D that best fits the series' time candidates, and
 * turns each member's time candidate part of the way towards exp(-i w_j D)
 * when its residual has been steady, so that the relations converge to the
 * input's within a few hops and stay there.  Polyphony, noise, vibrato and
 * d near 1 (where frames stay near copies anyway) are left alone; the
 * scheme and its measurements are described at the top of harmonic.c.
 *
 * Contract: tp_harmonic_pull reads the powers and weights of the frame,
 * rewrites the time candidates of the members of a locked series and
 * updates its own per-bin history; it allocates nothing and uses the FFT's
 * buffers as scratch.  The result depends only on the sequence of frames
 * since the last reset (deterministic, chunking-independent).
 */
#ifndef TP_HARMONIC_H
#define TP_HARMONIC_H

#include "fft.h"

typedef struct tp_harmonic {
    int bins;
    /* Scratch: the member's refined bin this frame (0: not a member), and
     * each steady peak's refined bin (negative: none). */
    float *member, *freq;
    int *list, count;   /* scratch: the members' bins, ascending */
    int *peaks, npeaks; /* scratch: the steady peaks' bins, ascending */
    /* State: the refined bins of the last frame's steady peaks, each
     * peak's frequency motion (largest change per hop, decaying), and each
     * member's residual against the common delay (or a sentinel). */
    float *prev, *motion, *resid;
    float *motion_next, *resid_next; /* scratch: the ones being computed */
    int idle; /* the history is reset (no tonal frame since) */
} tp_harmonic;

/* Allocates the arrays for `bins` bins and resets.  Returns 0, or -1
 * (nothing to free). */
int tp_harmonic_init(tp_harmonic *h, int bins);
void tp_harmonic_free(tp_harmonic *h);

/* Forgets the history (a fresh start). */
void tp_harmonic_reset(tp_harmonic *h);

/* One frame.  p: the channel-summed power of the frame per bin; weight:
 * the weight of each steady peak's own time candidate (0 elsewhere);
 * (t_re, t_im): the unit time candidates, rewritten for the members of a
 * locked series; d: the stretch (output hop / input hop).  fft: an FFT of
 * the frame size whose buffers are free to overwrite. */
void tp_harmonic_pull(tp_harmonic *h, const tp_fft *fft, const float *p,
                      const float *weight, float *t_re, float *t_im,
                      double d);

#endif
