/*
 * pv.h -- the phase-vocoder time stretcher stage.
 *
 * Output frames are centred every `hop` samples (tau_k = k * hop); frame k
 * analyses the input around p_k, where the time map p(tau) is tau / d
 * (d = output duration / input duration) except near detected onsets.
 * Each frame is resynthesised with the input's magnitudes and phases,
 * rotated per bin by R_k.  R_k blends two predictions (phase.c explains
 * the scheme): in time, the previous R advanced by the phase the input
 * itself turns through over exactly one output hop, measured by
 * re-analysing the input one hop before p_k (two forward FFTs per frame,
 * no frequency estimation and no phase unwrapping); and across frequency,
 * the neighbouring bins' R turned so that the input's phase differences
 * between bins (the time placement of energy within the frame) survive,
 * scaled by d.  One R per bin is shared by all channels, computed from
 * channel sums, so every inter-channel phase and level relation of the
 * input survives exactly.  In frames that one steady harmonic series
 * dominates, the series' time predictions are turned towards one
 * time-shifted copy of the input frame (harmonic.h), so that a held note
 * keeps the input's waveform shape.
 *
 * The energy a rotated frame loses (moved out of the synthesis window, or
 * cancelled where frames overlap-add incoherently) is restored per band
 * (bands.h) and then by a broadband level control; at 2x overlap, whose
 * synthesis window is not a Hann, by one frame gain and the level control.
 *
 * Near an onset the time map runs at slope 1 through the onset's ideal
 * output time and R is reset to 1: those frames are verbatim input, so the
 * attack is not smeared or pre-echoed and lands on time; the stretch is
 * taken up by the frames in between.
 *
 * Output index o corresponds to time tau = o - pre, so a following stage
 * can read a little before time 0.
 */
#ifndef TP_PV_H
#define TP_PV_H

#include "bands.h"
#include "fft.h"
#include "fifo.h"
#include "onset.h"
#include "phase.h"

struct tp_formant;

/* Bins [start, end) share the phase rotation of bin `peak`. */
struct tp_region {
    int peak, start, end;
};

/* Frame design (see the quality modes in stretch.c). */
typedef struct tp_pv_design {
    int overlap;      /* frames per window length: 2, or 3 and more      */
    int onset_refine; /* place onsets at the attack's start (onset.h)     */
} tp_pv_design;

typedef struct tp_pv {
    tp_pv_design design;
    int channels;
    int n, hop, bins;   /* FFT size, output hop, n/2 + 1             */
    int len;            /* window length: overlap x hop, <= n        */
    unsigned hist_mask; /* one bit per frame covering a sample     */
    double d;           /* output duration per input duration        */
    int64_t pre;        /* output index of tau = 0                   */
    float *window;      /* analysis: Hann of length len, 0 beyond: n */
    float *synth;       /* synthesis window (== window but at 2x)    */
    float gain;         /* 1 / (overlap-add gain x n)                */
    tp_fft fft;
    float *frame;              /* n samples of windowed input               */
    fftwf_complex **cur;       /* per channel spectrum at p_k               */
    fftwf_complex **prev;      /* per channel spectrum at p_{k-1}           */
    fftwf_complex **back;      /* per channel spectrum at p_k - hop         */
    float *rot_re, *rot_im;    /* R per bin                                 */
    float *mag;                /* channel-summed power of the frame         */
    float *before;             /* power just before an onset (enter_zone)   */
    struct tp_region *regions; /* peak regions of the current spectrum      */
    float **syn;               /* per channel inverse transform, n          */
    double frame_energy;       /* input frame energy under both windows     */
    float *pacc;               /* overlap-added input power (target), n     */
    unsigned locked_hist;      /* verbatim flags of the last overlap frames */
    float level;               /* gain applied at the end of the last hop   */
    float *hist_out,
        *hist_tgt;      /* output / target power of the last n samples */
    double frame_power; /* input power under the analysis window     */
    float **acc;        /* per channel overlap-add accumulator, n    */
    int per_band;       /* energy restored per band (bands.h); 0: one
                           frame gain and one level for all (2x)     */
    tp_bands bands;
    int lock;           /* onset locking enabled for this d          */
    int blend;          /* blended rotation used for this d          */
    tp_onset onset;     /* onset detector on the input               */
    tp_phase phase;     /* the rotation's scratch (phase.h)          */
    struct tp_formant *formant; /* envelope correction (formant.h), or NULL:
                                   owned by the caller, set after init       */

    int64_t k;      /* next frame                                */
    int64_t p_prev; /* p of frame k - 1                          */
    int have_prev;
    int64_t emitted;    /* next output index to emit                 */
    int64_t limit;      /* outputs to produce; -1 while unknown      */
    int64_t zone_onset; /* onset of the zone being locked, or -1 */
} tp_pv;

/* FFT size a design uses at a sample rate (46 ms, see pv.c). */
int tp_pv_fft_size(double sample_rate, const tp_pv_design *design);

/* Input queue capacity the stage needs. */
size_t tp_pv_queue_size(int n);

int tp_pv_init(tp_pv *pv, int channels, double sample_rate, double d,
               int64_t pre, const tp_pv_design *design);
void tp_pv_free(tp_pv *pv);

/* Changes d and pre of an initialised stage without allocating, and resets
 * it.  Returns 0. */
int tp_pv_retarget(tp_pv *pv, double d, int64_t pre);
void tp_pv_reset(tp_pv *pv);

/* Runs frames while input and room allow; returns outputs produced. */
size_t tp_pv_run(tp_pv *pv, tp_fifo *in, tp_fifo *out);

#endif
