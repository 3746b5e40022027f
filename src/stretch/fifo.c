/* fifo.c -- planar sample queues (see fifo.h). */
#include "fifo.h"

#include <stdlib.h>
#include <string.h>

int tp_fifo_init(tp_fifo *f, int channels, size_t cap)
{
    memset(f, 0, sizeof *f);
    f->data = calloc((size_t)channels, sizeof *f->data);
    if (!f->data)
        return -1;
    f->channels = channels;
    f->cap = cap;
    for (int c = 0; c < channels; c++) {
        f->data[c] = calloc(cap, sizeof(float));
        if (!f->data[c]) {
            tp_fifo_free(f);
            return -1;
        }
    }
    return 0;
}

void tp_fifo_free(tp_fifo *f)
{
    if (f->data)
        for (int c = 0; c < f->channels; c++)
            free(f->data[c]);
    free(f->data);
    memset(f, 0, sizeof *f);
}

void tp_fifo_reset(tp_fifo *f)
{
    f->len = 0;
    f->off = 0;
    f->base = 0;
    f->skip = 0;
    f->ended = 0;
}

/* Consumes the pending skip from an append of n samples; returns how many
 * leading samples of the append to drop. */
static size_t take_skip(tp_fifo *f, size_t n)
{
    size_t drop = 0;
    /* Compact lazily, only when the tail would overflow: discarding from
     * the front is then O(1) however small the reads are. */
    if (f->off + f->len + n > f->cap && f->off > 0) {
        for (int c = 0; c < f->channels; c++)
            memmove(f->data[c], f->data[c] + f->off, f->len * sizeof(float));
        f->off = 0;
    }
    if (f->skip > 0) {
        drop = (size_t)f->skip < n ? (size_t)f->skip : n;
        f->skip -= (int64_t)drop;
        f->base += (int64_t)drop;
    }
    return drop;
}

void tp_fifo_push_interleaved(tp_fifo *f, const float *in, size_t n)
{
    size_t drop = take_skip(f, n);
    size_t keep = n - drop;
    int nc = f->channels;
    for (int c = 0; c < nc; c++) {
        float *dst = f->data[c] + f->off + f->len;
        if (!in) {
            memset(dst, 0, keep * sizeof(float));
            continue;
        }
        const float *src = in + drop * (size_t)nc + (size_t)c;
        for (size_t i = 0; i < keep; i++) {
            /* Engine input is limited to +-TP_FIFO_LIMIT, NaN reads as 0
             * (the comparisons are false for it): squares and spectra
             * then stay far from float overflow, so the output is finite
             * whatever the input.  No real audio comes near the limit. */
            float v = src[i * (size_t)nc];
            dst[i] = v > TP_FIFO_LIMIT    ? TP_FIFO_LIMIT
                     : v < -TP_FIFO_LIMIT ? -TP_FIFO_LIMIT
                     : v == v             ? v
                                          : 0.0f;
        }
    }
    f->len += keep;
}

void tp_fifo_push_planar(tp_fifo *f, float *const *src, size_t offset, size_t n)
{
    size_t drop = take_skip(f, n);
    size_t keep = n - drop;
    for (int c = 0; c < f->channels; c++)
        memcpy(f->data[c] + f->off + f->len, src[c] + offset + drop,
               keep * sizeof(float));
    f->len += keep;
}

void tp_fifo_discard_before(tp_fifo *f, int64_t upto)
{
    if (upto <= f->base)
        return;
    int64_t end = tp_fifo_end(f);
    if (upto >= end) {
        f->len = 0;
        f->off = 0;
        f->skip += upto - end;
        f->base = end;
        return;
    }
    size_t drop = (size_t)(upto - f->base);
    f->off += drop;
    f->len -= drop;
    f->base = upto;
}

void tp_fifo_read(const tp_fifo *f, int c, int64_t start, size_t n, float *dst)
{
    int64_t end = tp_fifo_end(f);
    int64_t s = start, e = start + (int64_t)n;
    int64_t lo = s > f->base ? s : f->base;
    int64_t hi = e < end ? e : end;
    if (hi <= lo) {
        memset(dst, 0, n * sizeof(float));
        return;
    }
    if (lo > s)
        memset(dst, 0, (size_t)(lo - s) * sizeof(float));
    memcpy(dst + (lo - s), tp_fifo_at(f, c, lo),
           (size_t)(hi - lo) * sizeof(float));
    if (e > hi)
        memset(dst + (hi - s), 0, (size_t)(e - hi) * sizeof(float));
}

size_t tp_fifo_pop_interleaved(tp_fifo *f, float *out, size_t n)
{
    if (n > f->len)
        n = f->len;
    int nc = f->channels;
    for (int c = 0; c < nc; c++) {
        const float *src = f->data[c] + f->off;
        for (size_t i = 0; i < n; i++)
            out[i * (size_t)nc + (size_t)c] = src[i];
    }
    tp_fifo_discard_before(f, f->base + (int64_t)n);
    return n;
}
