/*
 * limiter.c -- streaming look-ahead peak limiter; see limiter.h for the
 * gain law and what it guarantees.
 *
 * One step per frame, in input order, from state that depends only on
 * the frames before it: that is what makes the output independent of the
 * chunk sizes.  Frame pos comes in and frame n = pos - H goes out.  The
 * three window minima of hold[n] are monotone queues that hold only the
 * frames above the ceiling (a frame within it needs 1, which is never
 * below a minimum and is what an empty window gives), so each such frame
 * is queued and dropped once per queue and the cost does not grow with L
 * or H; the box filter is a running sum.  While no frame near the current
 * one exceeds the ceiling a step is only a copy through the delay line,
 * and stretches of such frames are copied in runs (pass_quiet), which
 * gives the same bytes.
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

static int queue_init(struct limiter_queue *q, size_t cap)
{
    q->at = malloc(cap * sizeof *q->at);
    q->need = malloc(cap * sizeof *q->need);
    q->cap = cap;
    q->head = q->len = 0;
    return q->at != NULL && q->need != NULL;
}

static void queue_free(struct limiter_queue *q)
{
    free(q->at);
    free(q->need);
}

/* Queues frame `at` (positions increase from push to push) with its
 * need (< 1), dropping the frames behind that need no less: `at` stays
 * in every later window longer than they do. */
static void queue_push(struct limiter_queue *q, uint64_t at, float need)
{
    while (q->len > 0 && q->need[(q->head + q->len - 1) % q->cap] >= need)
        q->len--;
    size_t i = (q->head + q->len) % q->cap;
    q->at[i] = at;
    q->need[i] = need;
    q->len++;
}

/* Minimum need over the frames >= from that were pushed (1 if none),
 * forgetting the frames before `from`: windows only move forward. */
static float queue_min(struct limiter_queue *q, uint64_t from)
{
    while (q->len > 0 && q->at[q->head] < from) {
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    return q->len > 0 ? q->need[q->head] : 1.0f;
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
    double bridge = round(rate * LIMITER_BRIDGE_MS / 1000.0);
    l->delay = bridge < (double)l->lookahead ? l->lookahead : (size_t)bridge;
    l->channels = channels;
    l->ceiling = ceiling;
    l->release = exp(-1000.0 / (rate * LIMITER_RELEASE_MS));

    /* A queue holds frames of one window: at most H + 1 of them. */
    size_t n = l->delay + 1, q = l->delay + 2;
    l->frames = malloc(n * (size_t)channels * sizeof *l->frames);
    l->need = malloc(n * sizeof *l->need);
    l->rel = malloc((l->lookahead + 1) * sizeof *l->rel);
    int ok = queue_init(&l->ahead, q) & queue_init(&l->before, q) &
             queue_init(&l->after, q);
    if (!ok || l->frames == NULL || l->need == NULL || l->rel == NULL) {
        limiter_free(l);
        return ENOMEM;
    }
    limiter_reset(l);
    return 0;
}

void limiter_free(struct limiter *l)
{
    free(l->frames);
    free(l->need);
    free(l->rel);
    queue_free(&l->ahead);
    queue_free(&l->before);
    queue_free(&l->after);
    memset(l, 0, sizeof *l);
}

void limiter_reset(struct limiter *l)
{
    size_t n = l->delay + 1;
    l->limited = 0;
    l->min_gain = 1.0f;
    l->pos = l->real = 0;
    l->last_over = 0;
    /* Before frame 0 there is silence that needs no gain: the delay line
     * holds zeros and every gain is 1. */
    memset(l->frames, 0, n * (size_t)l->channels * sizeof *l->frames);
    for (size_t i = 0; i < n; i++)
        l->need[i] = 1.0f;
    for (size_t i = 0; i <= l->lookahead; i++)
        l->rel[i] = 1.0;
    l->ahead.head = l->ahead.len = 0;
    l->before.head = l->before.len = 0;
    l->after.head = l->after.len = 0;
    l->rel_last = 1.0;
    l->depth_sum = 0.0;
    l->depth_count = 0;
}

/* hold[n] of the frame n = pos - H leaving the delay line, frame pos
 * having just come in (with `need`); 1 while n is one of the silent
 * frames before 0. */
static float hold_of(struct limiter *l, uint64_t pos, float need)
{
    const uint64_t H = l->delay, L = l->lookahead, size = H + 1;
    if (need < 1.0f)
        queue_push(&l->after, pos, need); /* windows n .. n + H */
    if (pos < H)
        return 1.0f;
    const uint64_t n = pos - H;
    float at_n = l->need[n % size];
    if (at_n < 1.0f)
        queue_push(&l->before, n, at_n); /* windows n - H .. n */
    float at_end = l->need[(n + L) % size];
    if (at_end < 1.0f)
        queue_push(&l->ahead, n + L, at_end); /* windows n .. n + L */
    float ahead = queue_min(&l->ahead, n);
    float after = queue_min(&l->after, n);
    float bridged = queue_min(&l->before, n >= H ? n - H : 0);
    if (after > bridged)
        bridged = after;
    return ahead < bridged ? ahead : bridged;
}

/* The gain for frame n leaving the delay line, from its hold[]; advances
 * the release and the box filter. */
static float next_gain(struct limiter *l, float hold, uint64_t n)
{
    double rel = 1.0 - (1.0 - l->rel_last) * l->release;
    if (1.0 - rel < LIMITER_RELEASE_SNAP)
        rel = 1.0;
    if (hold < rel)
        rel = hold;
    l->rel_last = rel;

    size_t slot = (size_t)(n % (l->lookahead + 1));
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

/* 1 when no frame in the delay line, in the windows of hold[] or in the
 * box filter needs a gain, so that the next frames within the ceiling
 * leave exactly as they came.  A frame above the ceiling at q shapes
 * hold[] of frames up to q + H, which leave when frame q + 2H comes in. */
static int idle(const struct limiter *l)
{
    return l->depth_count == 0 && l->rel_last == 1.0 &&
           (l->last_over == 0 || l->pos - (l->last_over - 1) > 2 * l->delay);
}


/* One frame in (`x`, or silence when NULL), at most one frame out to
 * `out`.  Returns the number of frames written (0 or 1).  The ring holds
 * frames pos - H .. pos: the one coming in takes the slot of pos - H - 1,
 * which has left. */
static size_t step(struct limiter *l, const float *x, float *out)
{
    const size_t ch = (size_t)l->channels, size = l->delay + 1;
    const uint64_t pos = l->pos++;
    const size_t slot = (size_t)(pos % size);
    float *frame = l->frames + slot * ch;
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

    float gain = 1.0f;
    if (peak <= l->ceiling && idle(l)) {
        /* Nothing near needs a gain: what the full step below would
         * compute, without the arithmetic (every queue is empty by then,
         * or holds only frames its next query forgets). */
        l->need[slot] = 1.0f;
    } else {
        float need = peak > l->ceiling ? need_for(peak, l->ceiling) : 1.0f;
        if (need < 1.0f)
            l->last_over = pos + 1;
        l->need[slot] = need;
        float hold = hold_of(l, pos, need);
        if (pos >= l->delay)
            gain = next_gain(l, hold, pos - l->delay);
    }

    if (pos < l->delay)
        return 0; /* the frame leaving is one of the silent ones before 0 */
    const size_t leave = (size_t)((pos - l->delay) % size);
    /* Rounding in the running sum must not lift the gain above what the
     * frame itself needs. */
    if (gain > l->need[leave])
        gain = l->need[leave];
    const float *src = l->frames + leave * ch;
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
    const size_t ch = (size_t)l->channels, n = l->delay + 1;
    while (count > 0) {
        size_t part = n - slot < count ? n - slot : count;
        float *ring = l->frames + slot * ch;
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
    const size_t ch = (size_t)l->channels, n = l->delay + 1;
    const size_t D = l->delay;
    const size_t slot = (size_t)(l->pos % n);
    /* Frame t of the run lets frame pos + t - D out: from the ring while
     * t < D, else frame t - D of the run itself.  None before frame 0. */
    size_t first = l->pos < D ? (size_t)(D - l->pos) : 0;
    size_t from_ring = r < D ? r : D;
    size_t written = 0;
    if (first < from_ring) {
        ring_copy(l, (slot + first + 1) % n, out, NULL, from_ring - first, 0);
        written = from_ring - first;
    }
    if (r > D) {
        memcpy(out + written * ch, x, (r - D) * ch * sizeof *out);
        written += r - D;
    }
    /* The ring keeps the last n frames, each in its slot; their need[]
     * is 1, as every entry of need[] is while idle. */
    size_t keep = r < n ? r : n;
    ring_copy(l, (slot + (r - keep)) % n, NULL, x + (r - keep) * ch, keep, 1);
    l->pos += r;
    l->real += r;
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
    const uint64_t end = l->real + l->delay;
    size_t written = 0;
    while (written < capacity && l->pos < end)
        written += step(l, NULL, out + written * ch);
    return written;
}
