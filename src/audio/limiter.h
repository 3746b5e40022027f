/*
 * limiter.h -- a streaming look-ahead peak limiter for outputs that cannot
 * hold more than full scale (integer PCM, u-law, lossy codecs).
 *
 * Pitch shifting and phase changes raise waveform peaks; clipping them
 * gives broadband distortion.  This limiter instead lowers the gain for a
 * few milliseconds around each frame whose peak is above the ceiling:
 *
 *   need[n] = ceiling / max_c |x[n][c]|, or 1 when that peak is within the
 *             ceiling (one gain for all channels, so level ratios between
 *             channels are kept and identical channels stay identical);
 *   hold[n] = min(min(need[n .. n+L]),
 *                 max(min(need[n-H .. n]), min(need[n .. n+H])))
 *             look-ahead of L frames, and gaps of up to H frames between
 *             peaks bridged at the shallower of the two depths;
 *   rel[n]  = min(hold[n], 1 - (1 - rel[n-1]) * a)   release, time
 *             constant LIMITER_RELEASE_MS (a = exp(-1 / (rate * T)));
 *   gain[n] = mean(rel[n-L .. n])           box filter: the gain ramps
 *             down linearly over L+1 frames into each peak;
 *   out[n]  = x[n] * min(gain[n], need[n]).
 *
 * Every rel[m] averaged into gain[n] is at most need[n], so the peak frame
 * lands exactly on the ceiling when nothing deeper is near, and never
 * above it.  L is LIMITER_LOOKAHEAD_MS of the rate (at least 1 frame), H
 * LIMITER_BRIDGE_MS (at least L).
 *
 * Why bridge, then release fast: a gain that recovers between the
 * half-cycles of a loud low note follows its waveform and distorts it,
 * and a gain that stays down long after an isolated peak lowers the level
 * of a loud track whose attacks poke over full scale.  The bridge keeps
 * the gain still while peaks keep coming (a sustained over of a 41 Hz
 * sine, 3 dB: residual -54 dB of the output, against -36 dB with a plain
 * 60 ms release and -22 dB with a plain 4 ms one), and the short release
 * lets it come back as soon as they stop (a hot guitar, strums 20-30 ms
 * apart: -0.36 dB of level, against -0.78 dB with the 60 ms release).
 *
 * Guarantees:
 *  - Every finite output sample has magnitude <= ceiling.
 *  - Transparent below the ceiling: gain[n] is exactly 1.0f, and out[n]
 *    bit-identical to x[n], unless a frame above the ceiling lies within
 *    L frames after n, or frames above it lie both within H before and
 *    within H after n, or the release of an earlier one is still under
 *    way (it ends, exactly, once 1 - rel < LIMITER_RELEASE_SNAP).  A
 *    stream that never exceeds the ceiling passes bit-identically.
 *  - Frames before (first frame above the ceiling) - L are untouched.
 *  - Exact length, aligned start: the look-ahead is an internal delay of
 *    H frames (`delay`).  limiter_process gives out frame n once frame
 *    n + H has come in; limiter_flush gives the last ones.  In all,
 *    exactly as many frames come out as went in, output frame 0 being
 *    input frame 0.
 *  - Deterministic and independent of chunking: the state advances one
 *    frame at a time from absolute frame positions, so the same stream
 *    gives bit-identical output whatever sizes it is pushed in, in any
 *    thread, on every run.
 *  - Constant memory (a few rings of at most H + 2 frames), no allocation
 *    after limiter_init.
 *
 * Not finite input (NaN, infinity) gives no guarantee beyond memory
 * safety: the caller is expected to reject such a stream.
 *
 * Threads: one struct limiter per stream; no shared state.
 */
#ifndef TEMPITCH_AUDIO_LIMITER_H
#define TEMPITCH_AUDIO_LIMITER_H

#include <stddef.h>
#include <stdint.h>

/* Look-ahead (and attack ramp) in milliseconds: long enough that the
 * ramp into a peak adds no audible click, short enough that the gain
 * dip around an isolated peak stays inaudible. */
#define LIMITER_LOOKAHEAD_MS 2.0

/* Longest gap between peaks that the gain bridges, in milliseconds: the
 * half-period of the lowest notes (41 Hz, the low E of a bass guitar). */
#define LIMITER_BRIDGE_MS 12.0

/* Release time constant in milliseconds: the gain recovers 63 % of the
 * way back to 1 in this time after the last peak (and its bridge); as
 * fast as the ramp into a peak. */
#define LIMITER_RELEASE_MS 2.0

/* The release ends (the gain becomes exactly 1) once it is this close
 * to 1 (-0.00001 dB): an exponential alone would never get there. */
#define LIMITER_RELEASE_SNAP 1e-6

/* The state of one stream.  Fields are private except the statistics,
 * which may be read at any time (reset clears them). */
struct limiter {
    /* statistics */
    size_t limited; /* samples (not frames) pushed in above the ceiling */
    float min_gain; /* lowest gain applied to a frame given out; 1: none */

    /* settings (limiter_init) */
    int channels;
    size_t lookahead; /* L, frames                                     */
    size_t delay;     /* H, frames held back (>= L)                    */
    float ceiling;
    double release; /* a: per-frame factor of 1 - rel                  */

    /* private state; rings indexed by frame position modulo their size */
    uint64_t pos;       /* frames pushed in, including flush padding   */
    uint64_t real;      /* frames pushed in by limiter_process         */
    uint64_t last_over; /* the last frame above the ceiling + 1; 0: none */
    float *frames;      /* the last H + 1 frames, interleaved          */
    float *need;        /* need[] of those frames                       */
    /* Minimum need[] over the windows of hold[] (look-ahead, before,
     * after): queues of frames above the ceiling whose need[] may still
     * become the window's minimum, increasing from the head (an empty
     * window's minimum is 1). */
    struct limiter_queue {
        uint64_t *at;
        float *need;
        size_t head, len, cap;
    } ahead, before, after;
    double *rel;        /* rel[] of the last L + 1 frames              */
    double rel_last;    /* rel[] of the step before                    */
    double depth_sum;   /* sum of 1 - rel over the rel ring            */
    size_t depth_count; /* entries of the rel ring below 1             */
};

/* Sets up *l for `channels` (>= 1) of audio at `rate` Hz (> 0), limiting
 * to `ceiling` (0 < ceiling <= 1), in the reset state.  Returns 0, EINVAL
 * for bad arguments or ENOMEM; on failure *l holds nothing to free (but
 * limiter_free may still be called on it). */
int limiter_init(struct limiter *l, int channels, double rate, float ceiling);

/* Frees the buffers of *l (initialised, failed or zeroed); *l may then be
 * initialised again. */
void limiter_free(struct limiter *l);

/* Forgets the stream and the statistics of an initialised *l: the next
 * frame pushed is frame 0 again, and the result is exactly that of a
 * fresh limiter.  No allocation. */
void limiter_reset(struct limiter *l);

/* Pushes `frames` interleaved frames from `in` and writes the frames that
 * become ready to `out`, which has room for `frames` frames and is either
 * `in` itself or does not overlap it (in place is slower: quiet frames
 * are then moved one by one rather than in runs).  Returns how many were
 * written: `frames` in the steady state, fewer while the first H frames fill
 * the look-ahead.  Not after limiter_flush (until a reset). */
size_t limiter_process(struct limiter *l, const float *in, float *out,
                       size_t frames);

/* Ends the stream: writes up to `capacity` of the frames still held back
 * (at most H) to `out` and returns how many; call again until it returns
 * 0.  Then the output holds exactly as many frames as were pushed in. */
size_t limiter_flush(struct limiter *l, float *out, size_t capacity);

#endif /* TEMPITCH_AUDIO_LIMITER_H */
