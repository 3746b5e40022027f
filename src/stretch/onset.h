/*
 * onset.h -- attack detector feeding the phase vocoder's time map.
 *
 * The input is cut into short blocks (about 1.5 ms); the energy of each
 * block, summed over channels, is compared with the mean of the blocks of
 * the preceding ~12 ms, both broadband and after a first difference (which
 * weights high frequencies, where clicks live).  A block whose energy jumps
 * by more than a fixed ratio, and is not negligibly quiet, starts an onset;
 * its position is refined to the first sample of the block region that
 * reaches a quarter of the block's peak.  Of two onsets closer than
 * `spacing` samples, only the one with the louder block is kept, so that
 * locked zones never overlap and a quiet start does not mask a hit just
 * after it.  The caller must look at least `spacing` samples ahead of the
 * onsets it consumes, so that a replaced onset was never used.
 *
 * Everything is computed from absolute sample positions, so the result does
 * not depend on how the input arrived.
 */
#ifndef TP_ONSET_H
#define TP_ONSET_H

#include "fifo.h"

enum { TP_ONSET_HISTORY = 8, TP_ONSET_QUEUE = 64 };

typedef struct tp_onset {
    int block;                          /* samples per block                 */
    int64_t spacing;                    /* minimum distance between onsets   */
    int64_t scanned;                    /* blocks complete below this index  */
    double hist_full[TP_ONSET_HISTORY]; /* past broadband energies           */
    double hist_diff[TP_ONSET_HISTORY]; /* past differentiated energies      */
    int hist_count;
    int64_t queue[TP_ONSET_QUEUE]; /* accepted onsets, ascending        */
    int q_head, q_len;
    int64_t last_onset;   /* most recent accepted onset        */
    double last_strength; /* its block energy                  */
    float *prev_x;        /* per channel sample before block   */
    int channels;
    int refine; /* nonzero (set after init): walk each onset back to
                   where the attack leaves the recent level, and let
                   louder blocks within 4 blocks of an onset, the same
                   attack still rising, keep its position            */
} tp_onset;

/* The caller sets o->spacing (samples) before scanning. */
int tp_onset_init(tp_onset *o, int channels, double sample_rate);
void tp_onset_free(tp_onset *o);
void tp_onset_reset(tp_onset *o);

/* Scans every complete block available in `in` (and the final partial
 * block once `in` has ended).  Must see the input before it is
 * discarded. */
void tp_onset_scan(tp_onset *o, const tp_fifo *in);

/* Detection is final for positions below this index. */
static inline int64_t tp_onset_scanned(const tp_onset *o)
{
    return o->scanned;
}

/* First accepted onset >= from and < to, or -1.  Onsets below `from` are
 * forgotten. */
int64_t tp_onset_find(tp_onset *o, int64_t from, int64_t to);

#endif
