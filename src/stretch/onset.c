/* onset.c -- block-energy attack detector (see onset.h). */
#include "onset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A block must carry this many times the recent mean energy to count as
 * an attack (10 dB): steady noise fluctuates by well under 3 dB per block,
 * a 15 ms linear fade-in rises by about 3 dB. */
static const double RATIO = 10.0;
/* Energies per sample per channel below -70 dBFS are never attacks. */
static const double FLOOR = 1e-7;

int tp_onset_init(tp_onset *o, int channels, double sample_rate)
{
    memset(o, 0, sizeof *o);
    o->channels = channels;
    o->block = (int)(sample_rate * (64.0 / 44100.0) + 0.5);
    if (o->block < 8)
        o->block = 8;
    o->prev_x = calloc((size_t)channels, sizeof(float));
    if (!o->prev_x)
        return -1;
    tp_onset_reset(o);
    return 0;
}

void tp_onset_free(tp_onset *o)
{
    free(o->prev_x);
    memset(o, 0, sizeof *o);
}

void tp_onset_reset(tp_onset *o)
{
    o->scanned = 0;
    o->hist_count = 0;
    memset(o->hist_full, 0, sizeof o->hist_full);
    memset(o->hist_diff, 0, sizeof o->hist_diff);
    o->q_head = o->q_len = 0;
    o->last_onset = INT64_MIN;
    o->last_strength = 0.0;
    memset(o->prev_x, 0, sizeof(float) * (size_t)o->channels);
}

static void accept(tp_onset *o, int64_t at, double strength)
{
    if (o->last_onset != INT64_MIN && at - o->last_onset < o->spacing) {
        /* Too close to the previous onset: keep the louder of the two. */
        if (strength <= o->last_strength || o->q_len == 0)
            return;
        int tail = (o->q_head + o->q_len - 1) % TP_ONSET_QUEUE;
        if (o->queue[tail] != o->last_onset)
            return;
        if (o->refine && at - o->last_onset <= 4 * (int64_t)o->block) {
            /* The same attack still rising (a soft start, then the louder
             * blocks after it): it keeps its start. */
            o->last_strength = strength;
            return;
        }
        o->queue[tail] = at;
    } else {
        if (o->q_len == TP_ONSET_QUEUE)
            return; /* cannot happen with the queue drained frame by frame */
        o->queue[(o->q_head + o->q_len) % TP_ONSET_QUEUE] = at;
        o->q_len++;
    }
    o->last_onset = at;
    o->last_strength = strength;
}

/* The quarter-peak sample `at` can lie well into an attack that starts
 * softly (a low sine from zero crosses a quarter of the block's peak
 * about a millisecond in).  Walks back, at most one block, while some
 * channel stays above 4 x the RMS of the blocks before (12 dB): the
 * first sample back at the recent level is where the attack begins. */
static int64_t walk_back(const tp_onset *o, const tp_fifo *in, int64_t at,
                         double mean_energy)
{
    const int b = o->block;
    float x[1024], top[1024];
    double rms = sqrt(mean_energy / ((double)b * o->channels));
    float thr = (float)(4.0 * rms);
    int64_t from = at - b;
    if (from < in->base)
        from = in->base; /* the stream start: nothing before it */
    int len = (int)(at - from);
    if (len <= 0)
        return at;
    memset(top, 0, sizeof(float) * (size_t)len);
    for (int c = 0; c < o->channels; c++) {
        tp_fifo_read(in, c, from, (size_t)len, x);
        for (int i = 0; i < len; i++)
            if (fabsf(x[i]) > top[i])
                top[i] = fabsf(x[i]);
    }
    int i = len;
    while (i > 0 && top[i - 1] > thr)
        i--;
    return from + i;
}

static void scan_block(tp_onset *o, const tp_fifo *in, int64_t s)
{
    const int b = o->block;
    float x[1024];
    float peak[1024];
    double full = 0.0, diff = 0.0;
    memset(peak, 0, sizeof(float) * (size_t)b);
    for (int c = 0; c < o->channels; c++) {
        tp_fifo_read(in, c, s, (size_t)b, x);
        float p = o->prev_x[c];
        for (int i = 0; i < b; i++) {
            float v = x[i], dv = v - p;
            full += (double)v * v;
            diff += (double)dv * dv;
            p = v;
            float a = fabsf(v);
            if (a > peak[i])
                peak[i] = a;
        }
        o->prev_x[c] = p;
    }
    double mf = 0.0, md = 0.0;
    for (int h = 0; h < TP_ONSET_HISTORY; h++) {
        mf += o->hist_full[h];
        md += o->hist_diff[h];
    }
    mf /= TP_ONSET_HISTORY;
    md /= TP_ONSET_HISTORY;
    double floor_e = FLOOR * b * o->channels;
    if ((full > RATIO * mf && full > floor_e) ||
        (diff > RATIO * md && diff > floor_e)) {
        float top = 0.0f;
        for (int i = 0; i < b; i++)
            if (peak[i] > top)
                top = peak[i];
        int i = 0;
        while (i < b - 1 && peak[i] < 0.25f * top)
            i++;
        int64_t at = s + i;
        if (o->refine)
            at = walk_back(o, in, at, mf);
        accept(o, at, full);
    }
    memmove(o->hist_full, o->hist_full + 1,
            sizeof(double) * (TP_ONSET_HISTORY - 1));
    memmove(o->hist_diff, o->hist_diff + 1,
            sizeof(double) * (TP_ONSET_HISTORY - 1));
    o->hist_full[TP_ONSET_HISTORY - 1] = full;
    o->hist_diff[TP_ONSET_HISTORY - 1] = diff;
}

void tp_onset_scan(tp_onset *o, const tp_fifo *in)
{
    int64_t end = tp_fifo_end(in);
    if (o->scanned == INT64_MAX)
        return;
    while (o->scanned + o->block <= end) {
        scan_block(o, in, o->scanned);
        o->scanned += o->block;
    }
    if (in->ended && o->scanned < INT64_MAX) {
        if (o->scanned < end)
            scan_block(o, in, o->scanned);
        o->scanned = INT64_MAX;
    }
}

int64_t tp_onset_find(tp_onset *o, int64_t from, int64_t to)
{
    while (o->q_len > 0 && o->queue[o->q_head] < from) {
        o->q_head = (o->q_head + 1) % TP_ONSET_QUEUE;
        o->q_len--;
    }
    if (o->q_len > 0 && o->queue[o->q_head] < to)
        return o->queue[o->q_head];
    return -1;
}
