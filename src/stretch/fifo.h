/*
 * fifo.h -- planar multichannel sample queues between engine stages.
 *
 * A queue holds a window of a conceptually infinite stream: sample `i`
 * (an absolute index, i >= 0) of channel `c` is data[c][off + i - base] for
 * base <= i < base + len.  Stages read the window through tp_fifo_get(),
 * which returns 0 outside it (before the stream started, after its end, or
 * already discarded), so that edge handling is one rule: "outside is
 * silence".  Discarding ahead of the window (skip > 0) drops samples as
 * they are appended, which lets a stage jump over input it never reads.
 */
#ifndef TP_FIFO_H
#define TP_FIFO_H

#include <stddef.h>
#include <stdint.h>

typedef struct tp_fifo {
    float **data; /* channels pointers, each `cap` floats            */
    size_t off;   /* index in data[c] of the sample at `base`         */
    int channels;
    size_t cap;   /* capacity per channel                             */
    size_t len;   /* samples held                                     */
    int64_t base; /* absolute index of data[c][0]                     */
    int64_t skip; /* samples still to drop on append (>= 0)           */
    int ended;    /* no more samples will be appended                 */
} tp_fifo;

int tp_fifo_init(tp_fifo *f, int channels, size_t cap);
void tp_fifo_free(tp_fifo *f);
void tp_fifo_reset(tp_fifo *f);

/* End of the held window: absolute index one past the last sample. */
static inline int64_t tp_fifo_end(const tp_fifo *f)
{
    return f->base + (int64_t)f->len;
}

/* Room left for appending, in samples. */
static inline size_t tp_fifo_space(const tp_fifo *f)
{
    return f->cap - f->len;
}

/* Pointer to sample `i` of channel c; base <= i <= end. */
static inline float *tp_fifo_at(const tp_fifo *f, int c, int64_t i)
{
    return f->data[c] + f->off + (size_t)(i - f->base);
}

/* Largest magnitude a sample keeps when it enters the engine. */
#define TP_FIFO_LIMIT 1e12f

/* Appends n frames of interleaved input (stride = channels) or, with
 * in == NULL, n frames of silence.  Samples are limited to
 * +-TP_FIFO_LIMIT and NaN becomes 0.  The caller guarantees n <= space (after
 * accounting for skip). */
void tp_fifo_push_interleaved(tp_fifo *f, const float *in, size_t n);

/* Appends n samples per channel from planar arrays src[c]. */
void tp_fifo_push_planar(tp_fifo *f, float *const *src, size_t offset,
                         size_t n);

/* Drops every sample with absolute index < upto (possibly ahead of the
 * window, in which case later appends are dropped until upto). */
void tp_fifo_discard_before(tp_fifo *f, int64_t upto);

/* Copies samples [start, start + n) of channel c into dst, with zeros
 * outside the held window. */
void tp_fifo_read(const tp_fifo *f, int c, int64_t start, size_t n, float *dst);

/* Copies up to n frames from the front into interleaved `out` and discards
 * them; returns the number of frames copied. */
size_t tp_fifo_pop_interleaved(tp_fifo *f, float *out, size_t n);

#endif
