/*
 * dither.h -- word-length reduction of processed float audio to 8- or
 * 16-bit PCM with dither, as sox does by default.
 *
 * Rounding processed audio to 16 bits makes an error that follows the
 * signal: on quiet passages (a fade, a -90 dBFS tone) it is heard as
 * distortion, harmonics of the signal, rather than as noise.  Adding
 * triangular (TPDF) noise of +-1 step before rounding makes the error
 * independent of the signal: a flat floor (-96 dBFS RMS at 16 bits,
 * against -101 for plain rounding), under which a tone's level is kept
 * and its harmonics are gone.  The shaped variant feeds the rounding error back through
 * (1 - z^-1)^2, which moves the floor towards high frequencies, where
 * the ear is less sensitive: lower below a quarter of the sample rate
 * (by up to ~30 dB near 0), higher above.
 *
 * The noise is a pseudo-random sequence seeded by the caller (from the
 * job: the same settings give the same bytes on every run, in any thread,
 * with any chunking), one stream per channel.
 *
 * The samples are rounded here, onto the grid n / 2^(bits-1) that
 * libsndfile's float-to-integer conversion maps exactly to the integer n
 * (it scales by 2^(bits-1) and rounds), and kept within the codes.
 */
#ifndef TEMPITCH_AUDIO_DITHER_H
#define TEMPITCH_AUDIO_DITHER_H

#include <stddef.h>
#include <stdint.h>

enum dither_mode {
    DITHER_TPDF,   /* the default */
    DITHER_SHAPED, /* TPDF with the error fed back through (1 - z^-1)^2 */
    DITHER_NONE    /* --no-dither: libsndfile rounds                 */
};

struct dither {
    enum dither_mode mode;
    int channels;
    float scale;     /* 2^(bits-1): steps per unit                     */
    float lo, hi;    /* the lowest and highest code, in steps          */
    uint64_t *state; /* per channel: the noise generator              */
    float *err;      /* per channel: the last two rounding errors     */
};

/* Prepares *d for `channels` channels of `bits`-bit output (8 or 16),
 * its noise seeded by `seed`.  Reuses the buffers of an earlier call.
 * Returns 0, or ENOMEM. */
int dither_prepare(struct dither *d, enum dither_mode mode, int channels,
                   int bits, uint64_t seed);

/* Dithers and rounds frames x[0..frames) (interleaved, d->channels per
 * frame) in place, continuing the noise and the error feedback of the
 * previous call.  Samples should be within full scale; beyond it they
 * are clipped to the largest codes.  Nothing is done in DITHER_NONE. */
void dither_apply(struct dither *d, float *x, size_t frames);

/* "tpdf", "shaped" or "none", as --dither spells the mode. */
const char *dither_mode_name(enum dither_mode mode);

/* The mode --dither spells `name`, or -1. */
int dither_mode_named(const char *name);

/* Frees the buffers; the struct may be prepared again. */
void dither_free(struct dither *d);

#endif /* TEMPITCH_AUDIO_DITHER_H */
