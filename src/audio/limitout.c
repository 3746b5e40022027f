/*
 * limitout.c -- the output limiter in the pieces its input came in; see
 * limitout.h.
 *
 * Bounds: when every ready block has been taken, buf holds less than the
 * oldest pending block (at most max_block frames), since it would be
 * ready otherwise.  A push adds at most max_block frames and the end at
 * most L, so 2 * max_block + L frames always suffice.  Every pending
 * block holds at least one frame, and together they hold what buf and the
 * look-ahead hold, so the ring of sizes needs as many entries plus one.
 */
#include "limitout.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int limitout_prepare(struct limitout *o, int channels, double rate,
                     float ceiling, size_t max_block)
{
    if (max_block == 0)
        return EINVAL;
    if (o->buf == NULL || o->rate != rate || o->lim.channels != channels ||
        o->lim.ceiling != ceiling || o->max_block != max_block) {
        limitout_free(o);
        int err = limiter_init(&o->lim, channels, rate, ceiling);
        if (err != 0)
            return err;
        o->cap = 2 * max_block + o->lim.delay;
        o->ring = o->cap + 1;
        o->buf = malloc(o->cap * (size_t)channels * sizeof *o->buf);
        o->sizes = malloc(o->ring * sizeof *o->sizes);
        if (o->buf == NULL || o->sizes == NULL) {
            limitout_free(o);
            return ENOMEM;
        }
        o->rate = rate;
        o->max_block = max_block;
    } else {
        limiter_reset(&o->lim);
    }
    o->fill = o->taken = 0;
    o->head = o->count = 0;
    return 0;
}

void limitout_free(struct limitout *o)
{
    limiter_free(&o->lim);
    free(o->buf);
    free(o->sizes);
    memset(o, 0, sizeof *o);
}

/* Drops the block handed out last from the front of buf. */
static void drop_taken(struct limitout *o)
{
    if (o->taken == 0)
        return;
    size_t ch = (size_t)o->lim.channels;
    o->fill -= o->taken;
    memmove(o->buf, o->buf + o->taken * ch, o->fill * ch * sizeof *o->buf);
    o->taken = 0;
}

int limitout_push(struct limitout *o, const float *x, size_t frames)
{
    drop_taken(o);
    int ready = o->count > 0 && o->fill >= o->sizes[o->head];
    if (frames == 0 || frames > o->max_block || ready ||
        o->fill + frames > o->cap || o->count == o->ring)
        return -1;
    size_t ch = (size_t)o->lim.channels;
    o->fill += limiter_process(&o->lim, x, o->buf + o->fill * ch, frames);
    size_t at = o->head + o->count;
    o->sizes[at >= o->ring ? at - o->ring : at] = frames;
    o->count++;
    return 0;
}

void limitout_end(struct limitout *o)
{
    drop_taken(o);
    size_t ch = (size_t)o->lim.channels, got;
    while ((got = limiter_flush(&o->lim, o->buf + o->fill * ch,
                                o->cap - o->fill)) > 0)
        o->fill += got;
}

size_t limitout_take(struct limitout *o, float **x)
{
    drop_taken(o);
    if (o->count == 0 || o->fill < o->sizes[o->head])
        return 0;
    size_t n = o->sizes[o->head];
    o->head = o->head + 1 == o->ring ? 0 : o->head + 1;
    o->count--;
    o->taken = n;
    *x = o->buf;
    return n;
}
