/*
 * dither.c -- TPDF dither and rounding to 8 or 16 bits; see dither.h.
 */
#include "dither.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A shaped loop whose output was clipped at the codes feeds back the
 * whole excess; beyond a few steps that would only make the next samples
 * worse, so the fed-back error is bounded. */
#define ERROR_MAX 4.0f

int dither_prepare(struct dither *d, enum dither_mode mode, int channels,
                   int bits, uint64_t seed)
{
    if (d->channels != channels || d->state == NULL) {
        dither_free(d);
        d->state = malloc((size_t)channels * sizeof *d->state);
        d->err = malloc((size_t)channels * 2 * sizeof *d->err);
        if (d->state == NULL || d->err == NULL) {
            dither_free(d);
            return ENOMEM;
        }
        d->channels = channels;
    }
    d->mode = mode;
    d->scale = ldexpf(1.0f, bits - 1);
    d->lo = -d->scale;
    d->hi = d->scale - 1.0f;
    for (int c = 0; c < channels; c++) {
        /* distinct, well-mixed starting points per channel */
        d->state[c] = seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(c + 1));
        d->err[2 * c] = d->err[2 * c + 1] = 0.0f;
    }
    return 0;
}

/* splitmix64: fast, and every seed gives a full-quality sequence. */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Triangular noise in (-1, 1) steps: the sum of two uniform variables in
 * [-0.5, 0.5), each 24 bits of one draw. */
static float tpdf(uint64_t *s)
{
    uint64_t r = next(s);
    float a = (float)(r >> 40) * 0x1p-24f, b = (float)(r & 0xFFFFFF) * 0x1p-24f;
    return a - b;
}

void dither_apply(struct dither *d, float *x, size_t frames)
{
    if (d->mode == DITHER_NONE)
        return;
    const int ch = d->channels, shaped = d->mode == DITHER_SHAPED;
    const float scale = d->scale, inv = 1.0f / scale;
    for (size_t i = 0; i < frames; i++) {
        for (int c = 0; c < ch; c++) {
            float *e = d->err + 2 * c;
            /* error feedback: the output's error is e (1 - z^-1)^2 */
            float u = x[i * (size_t)ch + (size_t)c] * scale;
            if (shaped)
                u -= 2.0f * e[0] - e[1];
            float q = rintf(u + tpdf(&d->state[c]));
            q = q < d->lo ? d->lo : q > d->hi ? d->hi : q;
            float err = q - u;
            err = err > ERROR_MAX ? ERROR_MAX : err < -ERROR_MAX ? -ERROR_MAX : err;
            e[1] = e[0];
            e[0] = err;
            x[i * (size_t)ch + (size_t)c] = q * inv;
        }
    }
}

static const char *const mode_names[] = {
    [DITHER_TPDF] = "tpdf", [DITHER_SHAPED] = "shaped", [DITHER_NONE] = "none"};

const char *dither_mode_name(enum dither_mode mode)
{
    return mode_names[mode];
}

int dither_mode_named(const char *name)
{
    for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
        if (strcmp(name, mode_names[i]) == 0)
            return (int)i;
    return -1;
}

void dither_free(struct dither *d)
{
    free(d->state);
    free(d->err);
    d->state = NULL;
    d->err = NULL;
    d->channels = 0;
}

