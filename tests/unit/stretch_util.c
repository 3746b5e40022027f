/* stretch_util.c -- see stretch_util.h. */
#include "stretch_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "signals.h"

/* A correct engine always progresses when it is offered input or output
 * room; allow a few idle calls in a row, never an endless loop. */
#define TU_MAX_IDLE_CALLS 64

static size_t pick(sig_rng *r, size_t lo, size_t hi)
{
    return lo == hi ? lo : sig_rng_range(r, lo, hi);
}

int tu_stream(tp_stretch *s, const float *in, size_t n, float *out,
              size_t out_cap, const tu_chunking *ck, size_t *produced,
              char *msg, size_t msg_len)
{
    size_t ch = (size_t)tp_stretch_get_channels(s);
    size_t pos_in = 0, pos_out = 0;
    int idle = 0;
    long calls = 0;
    sig_rng rng;
    sig_rng_seed(&rng, ck->seed, 0x5eed);
    *produced = 0;

    while (!tp_stretch_finished(s)) {
        size_t left_in = n - pos_in, left_out = out_cap - pos_out;
        size_t ic = ck->in_max ? pick(&rng, ck->in_min, ck->in_max) : left_in;
        size_t oc =
            ck->out_max ? pick(&rng, ck->out_min, ck->out_max) : left_out;
        if (ic > left_in)
            ic = left_in;
        if (oc > left_out)
            oc = left_out;
        if (oc == 0 && left_in == 0) {
            snprintf(msg, msg_len,
                     "output capacity %zu exhausted after %ld calls but the "
                     "stream is not finished (more output than expected)",
                     out_cap, calls);
            return TU_ERR_OVERFLOW;
        }
        tp_data d = {0};
        d.in = ic ? in + pos_in * ch : NULL;
        d.in_frames = ic;
        d.out = oc ? out + pos_out * ch : NULL;
        d.out_frames = oc;
        d.end_of_input = pos_in + ic == n;
        d.in_used = (size_t)-1;
        d.out_generated = (size_t)-1;
        int rc = tp_stretch_process(s, &d);
        calls++;
        if (rc != TP_OK) {
            snprintf(msg, msg_len,
                     "tp_stretch_process call %ld returned %d (%s)", calls, rc,
                     tp_strerror(rc));
            return rc;
        }
        if (d.in_used > ic || d.out_generated > oc) {
            snprintf(msg, msg_len,
                     "call %ld: in_used %zu of %zu offered, out_generated %zu "
                     "of %zu room",
                     calls, d.in_used, ic, d.out_generated, oc);
            return TU_ERR_OVERUSE;
        }
        pos_in += d.in_used;
        pos_out += d.out_generated;
        if (d.in_used == 0 && d.out_generated == 0) {
            if (++idle > TU_MAX_IDLE_CALLS) {
                snprintf(msg, msg_len,
                         "no progress in %d calls in a row (at in %zu/%zu, "
                         "out %zu, offering %zu in / %zu out)",
                         idle, pos_in, n, pos_out, ic, oc);
                return TU_ERR_STALL;
            }
        } else {
            idle = 0;
        }
    }
    *produced = pos_out;
    if (pos_in != n) {
        snprintf(msg, msg_len, "finished after consuming %zu of %zu frames",
                 pos_in, n);
        return TU_ERR_OVERUSE;
    }
    return TP_OK;
}

float *tu_process_new(int channels, double rate, double semitones, double tempo,
                      const float *in, size_t n, const tu_chunking *ck,
                      size_t *out_frames, char *msg, size_t msg_len)
{
    tp_stretch *s = NULL;
    *out_frames = 0;
    int rc = tu_create(&s, channels, rate);
    if (rc != TP_OK) {
        snprintf(msg, msg_len, "create(%d, %g) = %d", channels, rate, rc);
        return NULL;
    }
    if ((rc = tp_stretch_set_semitones(s, semitones)) != TP_OK ||
        (rc = tp_stretch_set_tempo(s, tempo)) != TP_OK) {
        snprintf(msg, msg_len, "set (%+g st, tempo %g) = %d", semitones, tempo,
                 rc);
        tp_stretch_destroy(s);
        return NULL;
    }
    size_t want = tp_output_length(n, tempo);
    /* Slack in streamed mode so an engine producing too much is caught by
     * the length check rather than by running out of room. */
    size_t cap = ck ? want + 64 : want;
    float *out = sig_alloc(cap, channels);
    if (!out) {
        snprintf(msg, msg_len, "out of memory");
        tp_stretch_destroy(s);
        return NULL;
    }
    size_t got = want;
    if (ck)
        rc = tu_stream(s, in, n, out, cap, ck, &got, msg, msg_len);
    else if ((rc = tp_stretch_run(s, in, n, out)) != TP_OK)
        snprintf(msg, msg_len, "tp_stretch_run = %d (%s)", rc, tp_strerror(rc));
    tp_stretch_destroy(s);
    if (rc == TP_OK && got != want) {
        snprintf(msg, msg_len, "produced %zu frames, expected %zu", got, want);
        rc = TU_ERR_OVERFLOW;
    }
    if (rc != TP_OK) {
        free(out);
        return NULL;
    }
    *out_frames = got;
    return out;
}

enum tp_quality tu_quality = TP_QUALITY_BALANCED;
const enum tp_quality tu_modes[3] = {TP_QUALITY_FAST, TP_QUALITY_BALANCED,
                                     TP_QUALITY_FINE};

const char *tu_use_mode(void **state)
{
    tu_quality = *(const enum tp_quality *)*state;
    return tu_quality == TP_QUALITY_FAST   ? "fast"
           : tu_quality == TP_QUALITY_FINE ? "fine"
                                           : "balanced";
}

int tu_create(tp_stretch **s, int channels, double rate)
{
    int rc = tp_stretch_create(s, channels, rate);
    if (rc == TP_OK && (rc = tp_stretch_set_quality(*s, tu_quality)) != TP_OK) {
        tp_stretch_destroy(*s);
        *s = NULL;
    }
    return rc;
}

double tu_db(double a, double b)
{
    if (!(a > 0.0) || !(b > 0.0))
        return -999.0;
    return 20.0 * log10(a / b);
}
