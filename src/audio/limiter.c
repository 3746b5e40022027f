/*
 * limiter.c -- streaming look-ahead peak limiter; see limiter.h for the
 * gain law and what it guarantees.
 *
 * One step per frame, in input order, from state that depends only on
 * the frames before it: that is what makes the output independent of the
 * chunk sizes.  The look-ahead minimum is a monotone queue (each frame is
 * queued and dropped once, so O(1) per frame whatever L is) and the box
 * filter a running sum, so the cost does not grow with the look-ahead.
 * While no frame near the current one exceeds the ceiling a step is only
 * a copy through the delay line, and stretches of such frames are copied
 * in runs (pass_quiet), which gives the same bytes.
 */
#include "limiter.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The largest gain that keeps a frame whose peak is `peak` (> ceiling)
 * within the ceiling: rounding of the division may land one ulp too high,
 * and since float multiplication is monotonic, a gain g with
 * fl(peak * g) <= ceiling keeps every sample of the frame there. */
static float need_for(float peak, float ceiling)
{
    float r = ceiling / peak;
    while (r > 0.0f && peak * r > ceiling)
        r = nextafterf(r, 0.0f);
    return r;
}

int limiter_init(struct limiter *l, int channels, double rate, float ceiling)
{
    memset(l, 0, sizeof *l);
    /* Written so that NaN fails the tests too. */
    if (channels < 1 || !(rate > 0.0 && rate < 1e9) ||
        !(ceiling > 0.0f && ceiling <= 1.0f))
        return EINVAL;
    double frames = round(rate * LIMITER_LOOKAHEAD_MS / 1000.0);
    l->lookahead = frames < 1.0 ? 1 : (size_t)frames;
    l->channels = channels;
    l->ceiling = ceiling;
    l->release = exp(-1000.0 / (rate * LIMITER_RELEASE_MS));

    size_t n = l->lookahead + 1;
    l->delay = malloc(n * (size_t)channels * sizeof *l->delay);
    l->need = malloc(n * sizeof *l->need);
    l->window_pos = malloc(n * sizeof *l->window_pos);
    l->window_need = malloc(n * sizeof *l->window_need);
    l->rel = malloc(n * sizeof *l->rel);
    if (l->delay == NULL || l->need == NULL || l->window_pos == NULL ||
        l->window_need == NULL || l->rel == NULL) {
        limiter_free(l);
        return ENOMEM;
    }
    limiter_reset(l);
    return 0;
}

void limiter_free(struct limiter *l)
{
    free(l->delay);
    free(l->need);
    free(l->window_pos);
    free(l->window_need);
    free(l->rel);
    memset(l, 0, sizeof *l);
}

void limiter_reset(struct limiter *l)
{
    size_t n = l->lookahead + 1;
    l->limited = 0;
    l->min_gain = 1.0f;
    l->pos = l->real = 0;
    l->slot = 0;
    /* Before frame 0 there is silence that needs no gain: the delay line
     * holds zeros and every gain is 1. */
    memset(l->delay, 0, n * (size_t)l->channels * sizeof *l->delay);
    for (size_t i = 0; i < n; i++) {
        l->need[i] = 1.0f;
        l->rel[i] = 1.0;
    }
    l->win_head = l->win_len = 0;
    l->rel_last = 1.0;
    l->depth_sum = 0.0;
    l->depth_count = 0;
}

/* Index `k` entries after the head of the window queue. */
static size_t win_at(const struct limiter *l, size_t k)
{
    size_t i = l->win_head + k, n = l->lookahead + 1;
    return i >= n ? i - n : i;
}

/* Queues frame `pos` with its need and drops what can no longer be the
 * look-ahead minimum: frames older than pos - L, and frames that need no
 * less than this one (this one stays in the window longer).  Returns the
 * minimum need over frames pos - L .. pos. */
static float window_push(struct limiter *l, uint64_t pos, float need)
{
    if (l->win_len > 0 && l->window_pos[l->win_head] + l->lookahead < pos) {
        l->win_head = win_at(l, 1);
        l->win_len--;
    }
    while (l->win_len > 0 && l->window_need[win_at(l, l->win_len - 1)] >= need)
        l->win_len--;
    size_t at = win_at(l, l->win_len);
    l->window_pos[at] = pos;
    l->window_need[at] = need;
    l->win_len++;
    return l->window_need[l->win_head];
}

/* The gain for the frame leaving the delay line, from the look-ahead
 * minimum `hold` of the frame entering it; advances the release and the
 * box filter.  `slot` is the ring slot of the entering frame. */
static float next_gain(struct limiter *l, float hold, size_t slot)
{
    double rel = 1.0 - (1.0 - l->rel_last) * l->release;
    if (1.0 - rel < LIMITER_RELEASE_SNAP)
        rel = 1.0;
    if (hold < rel)
        rel = hold;
    l->rel_last = rel;

    double old = l->rel[slot];
    l->rel[slot] = rel;
    l->depth_sum += (1.0 - rel) - (1.0 - old);
    l->depth_count += rel < 1.0;
    l->depth_count -= old < 1.0;
    if (l->depth_count == 0) {
        /* Back to exactly 1: also wipes the rounding the running sum
         * gathered, so the next peak starts from the same state. */
        l->depth_sum = 0.0;
        return 1.0f;
    }
    double g = 1.0 - l->depth_sum / (double)(l->lookahead + 1);
    return g < 0.0 ? 0.0f : (float)g;
}

/* 1 when no frame in the look-ahead or the box filter needs a gain, so
 * that the next frames within the ceiling leave exactly as they came. */
static int idle(const struct limiter *l)
{
    return l->depth_count == 0 && l->rel_last == 1.0 &&
           (l->win_len == 0 || l->window_need[l->win_head] == 1.0f);
}

/* One frame in (`x`, or silence when NULL), at most one frame out to
 * `out`.  Returns the number of frames written (0 or 1). */
static size_t step(struct limiter *l, const float *x, float *out)
{
    const size_t ch = (size_t)l->channels, n = l->lookahead + 1;
    const uint64_t pos = l->pos++;
    const size_t slot = l->slot;
    /* The frame leaving is pos - L, in the slot after this one. */
    const size_t leave = slot + 1 == n ? 0 : slot + 1;
    l->slot = leave;

    float *frame = l->delay + slot * ch;
    float peak = 0.0f;
    if (x != NULL) {
        for (size_t c = 0; c < ch; c++) {
            float a = fabsf(x[c]);
            frame[c] = x[c];
            if (a > peak)
                peak = a;
            l->limited += a > l->ceiling;
        }
    } else {
        memset(frame, 0, ch * sizeof *frame);
    }

    float gain;
    if (peak <= l->ceiling && idle(l)) {
        /* Nothing near needs a gain: what the full step below would
         * compute, without the arithmetic. */
        l->need[slot] = 1.0f;
        l->win_head = 0;
        l->win_len = 1;
        l->window_pos[0] = pos;
        l->window_need[0] = 1.0f;
        gain = 1.0f;
    } else {
        float need = peak > l->ceiling ? need_for(peak, l->ceiling) : 1.0f;
        l->need[slot] = need;
        gain = next_gain(l, window_push(l, pos, need), slot);
    }

    if (pos < l->lookahead)
        return 0; /* the frame leaving is one of the silent ones before 0 */
    /* Rounding in the running sum must not lift the gain above what the
     * frame itself needs. */
    if (gain > l->need[leave])
        gain = l->need[leave];
    const float *src = l->delay + leave * ch;
    if (gain == 1.0f) {
        memcpy(out, src, ch * sizeof *out);
    } else {
        for (size_t c = 0; c < ch; c++)
            out[c] = src[c] * gain;
        if (gain < l->min_gain)
            l->min_gain = gain;
    }
    return 1;
}

/* Frames from `x` (at most `frames`) before the first sample above the
 * ceiling. */
static size_t quiet_run(const struct limiter *l, const float *x, size_t frames)
{
    const size_t ch = (size_t)l->channels;
    for (size_t i = 0; i < frames * ch; i++)
        if (fabsf(x[i]) > l->ceiling)
            return i / ch;
    return frames;
}

/* Copies `count` frames from the delay ring, starting at `slot`, to
 * `out` (or from `in` into the ring when `to_ring`). */
static void ring_copy(struct limiter *l, size_t slot, float *out,
                      const float *in, size_t count, int to_ring)
{
    const size_t ch = (size_t)l->channels, n = l->lookahead + 1;
    while (count > 0) {
        size_t part = n - slot < count ? n - slot : count;
        float *ring = l->delay + slot * ch;
        /* Only the pointer in use moves: the other may be NULL. */
        if (to_ring) {
            memcpy(ring, in, part * ch * sizeof *ring);
            in += part * ch;
        } else {
            memcpy(out, ring, part * ch * sizeof *ring);
            out += part * ch;
        }
        count -= part;
        slot = 0;
    }
}

/* `r` frames of `x`, all within the ceiling, pushed while idle: every gain
 * is 1, so `step` would only move frames through the delay line.  This
 * does the same in whole runs, with `out` apart from `x` (in place the
 * delayed frames would overwrite input not yet read).  Returns the frames
 * written to `out`. */
static size_t pass_quiet(struct limiter *l, const float *x, float *out,
                         size_t r)
{
    const size_t ch = (size_t)l->channels, n = l->lookahead + 1;
    const size_t L = l->lookahead;
    /* Frame t of the run lets frame pos + t - L out: from the ring while
     * t < L, else frame t - L of the run itself.  None before frame 0. */
    size_t first = l->pos < L ? (size_t)(L - l->pos) : 0;
    size_t from_ring = r < L ? r : L;
    size_t written = 0;
    if (first < from_ring) {
        size_t slot = (l->slot + first + 1) % n;
        ring_copy(l, slot, out, NULL, from_ring - first, 0);
        written = from_ring - first;
    }
    if (r > L) {
        memcpy(out + written * ch, x, (r - L) * ch * sizeof *out);
        written += r - L;
    }
    /* The ring keeps the last n frames, each in its slot. */
    size_t keep = r < n ? r : n;
    ring_copy(l, (l->slot + (r - keep)) % n, NULL, x + (r - keep) * ch, keep,
              1);
    l->pos += r;
    l->real += r;
    l->slot = (l->slot + r) % n;
    /* What `step` leaves behind: every need[] is 1, the queue holds the
     * last frame only. */
    l->win_head = 0;
    l->win_len = 1;
    l->window_pos[0] = l->pos - 1;
    l->window_need[0] = 1.0f;
    return written;
}

size_t limiter_process(struct limiter *l, const float *in, float *out,
                       size_t frames)
{
    if (l->pos != l->real)
        return 0; /* flushed: the stream has ended */
    const size_t ch = (size_t)l->channels;
    size_t written = 0;
    /* Quiet stretches go through in runs when out is not in; in place,
     * frame by frame, each frame k being read before output frame k is
     * stored. */
    const int runs = out != in;
    for (size_t k = 0; k < frames;) {
        size_t r = runs && idle(l) ? quiet_run(l, in + k * ch, frames - k) : 0;
        if (r > 0) {
            written += pass_quiet(l, in + k * ch, out + written * ch, r);
            k += r;
        } else {
            l->real++;
            written += step(l, in + k * ch, out + written * ch);
            k++;
        }
    }
    return written;
}

size_t limiter_flush(struct limiter *l, float *out, size_t capacity)
{
    const size_t ch = (size_t)l->channels;
    const uint64_t end = l->real + l->lookahead;
    size_t written = 0;
    while (written < capacity && l->pos < end)
        written += step(l, NULL, out + written * ch);
    return written;
}
