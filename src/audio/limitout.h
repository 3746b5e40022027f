/*
 * limitout.h -- the output limiter (limiter.h) between the engine and the
 * encoder, giving its output back in the pieces its input came in.
 *
 * The pieces matter: libsndfile's Vorbis and Opus encoders make other
 * bytes for the same samples written in pieces of other sizes, and an
 * output the limiter did nothing to must be byte-identical to one written
 * without it.  So each block pushed comes back whole, once all of it has
 * left the limiter's look-ahead (L frames later), and the blocks come back
 * in order, with their sizes.
 *
 * Memory: about two blocks of frames and a ring of block sizes, allocated
 * by limitout_prepare and reused from stream to stream.
 *
 * Threads: one struct limitout per stream.
 */
#ifndef TEMPITCH_AUDIO_LIMITOUT_H
#define TEMPITCH_AUDIO_LIMITOUT_H

#include "limiter.h"

#include <stddef.h>

struct limitout {
    struct limiter lim; /* its statistics are the stream's               */
    /* private */
    double rate; /* of `lim`; 0 while it holds no buffers           */
    size_t max_block;
    float *buf;   /* limited frames not yet taken, `cap` frames      */
    size_t fill;  /* frames in buf                                    */
    size_t taken; /* frames at the start of buf handed out last      */
    size_t cap;
    size_t *sizes; /* ring: sizes of the blocks pushed, not yet taken */
    size_t head, count, ring;
};

/* Readies *o (zeroed, or prepared before) for a stream of `channels` at
 * `rate` Hz limited to `ceiling` (see limiter_init), in blocks of at most
 * `max_block` frames.  Buffers are kept when they fit; the limiter is
 * reset.  Returns 0, EINVAL or ENOMEM (then *o holds nothing to use, but
 * may be prepared again or freed). */
int limitout_prepare(struct limitout *o, int channels, double rate,
                     float ceiling, size_t max_block);

/* Frees the buffers of *o (prepared, failed or zeroed). */
void limitout_free(struct limitout *o);

/* Pushes a block of `frames` (1..max_block) interleaved frames.  Every
 * block that is ready must have been taken first (limitout_take until
 * it returns 0).  Returns 0, or -1 without doing anything when either rule
 * is broken. */
int limitout_push(struct limitout *o, const float *x, size_t frames);

/* Ends the stream: the frames still in the look-ahead come out, so that
 * limitout_take then gives every block left. */
void limitout_end(struct limitout *o);

/* The oldest block not yet taken, if all of it has left the limiter:
 * points *x at its frames (which the caller may modify) and returns its
 * size; *x stays valid until the next call on *o.  Returns 0 when no
 * block is ready. */
size_t limitout_take(struct limitout *o, float **x);

#endif /* TEMPITCH_AUDIO_LIMITOUT_H */
