/*
 * pump.h -- one pass of audio through a converter: decoded blocks through
 * the engine, then the limiter or clipping, into the output's encoder;
 * with the converter's engine and buffers, and the recording of reasons.
 * Internal to convert.c, which decides which passes run and what becomes
 * of the file.
 */
#ifndef TEMPITCH_AUDIO_PUMP_H
#define TEMPITCH_AUDIO_PUMP_H

#include "convert.h"
#include "limitout.h"
#include "outfile.h"
#include "pipeout.h"

#include <tempitch/stretch.h>

#include <sndfile.h>
#include <stdatomic.h>
#include <stddef.h>

/* Frames per read and per engine output call.  Large enough that the
 * per-call overhead vanishes, small enough to stay in cache. */
enum { BLOCK_FRAMES = 4096 };

struct converter {
    tp_stretch *engine;
    int channels;   /* of `engine` and of the buffers */
    double rate;    /* of `engine` */
    float *in_buf;  /* BLOCK_FRAMES * channels */
    float *out_buf; /* BLOCK_FRAMES * channels */
    size_t buf_channels;
    struct limitout lim; /* the output limiter, kept like the engine */
    struct dither dither; /* 8- and 16-bit outputs' rounding, likewise */
    /* Microseconds of input read by the pass that runs (0 before its
     * first block): written by the converting thread, read by a progress
     * display in another (converter_seconds_read). */
    atomic_ullong read_us;
};

/* What one pass knows about the output it wrote. */
struct out_check {
    float gain;     /* applied to every output sample (1: none)          */
    int limit;      /* integer or lossy output: through the limiter      */
    int count_clip; /* integer output: count samples beyond full scale   */
    int clamp;      /* ... and clip them here (see open_output)         */
    float peak;     /* largest magnitude before the gain                  */
    int nonfinite;  /* the engine produced NaN or infinity (a bug)        */
    struct dither *dither; /* rounds the samples to 8 or 16 bits, or NULL */
};

/* Where a pass writes: the temporary file of an output (`file`), or
 * standard output (`pipe`, when `file` is NULL). */
struct sink {
    struct outfile *file;
    struct pipeout *pipe;
    int downgrade; /* an RF64 `file` of unknown length: plain WAV layout
                      if it stays under 4 GiB (fit_container)         */
};

/* Records why the file failed (a reason about `path`, printf-style) and
 * returns the status.  The first reason wins: later ones are
 * consequences of it. */
enum convert_status convert_fail(struct convert_result *r, const char *path,
                                 const char *fmt, ...);

/* Records an engine set-up error, naming the limit that was exceeded. */
enum convert_status convert_fail_engine(struct convert_result *r,
                                        const char *in_path,
                                        const SF_INFO *info, int rc);

/* Makes the engine and buffers of `c` fit `channels` x `rate` and
 * configures the engine with params->settings.  Returns TP_OK or a
 * tp_error. */
int converter_prepare(struct converter *c, int channels, double rate,
                      const struct convert_params *p);

/* One pass: streams `in` into the open temporary output or the pipe of
 * `to` (from its start) with the gain in *k, and closes the libsndfile
 * handle of the output.  Returns the status recorded in *r; the caller
 * publishes or aborts. */
enum convert_status pump_write(struct converter *c, SNDFILE *in,
                               const SF_INFO *in_info, int format,
                               struct sink to, const char *in_path,
                               const char *out_path,
                               const struct convert_params *params,
                               struct out_check *k, struct convert_result *r);

#endif /* TEMPITCH_AUDIO_PUMP_H */
