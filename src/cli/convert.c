/*
 * convert.c -- one input file to one output file through the engine.
 *
 * Order of work, chosen so that a refused file costs nothing and leaves
 * nothing: path checks, open the input, set up the engine (this is where
 * unsupported rates and channel counts are refused), choose the output
 * format, and only then create the temporary output file.
 */
#define _POSIX_C_SOURCE 200809L

#include "convert.h"
#include "oggserial.h"
#include "outfile.h"
#include "sfformat.h"

#include <tempitch/stretch.h>

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Frames per read and per engine output call.  Large enough that the
 * per-call overhead vanishes, small enough to stay in cache. */
enum { BLOCK_FRAMES = 4096 };

/* Calls in a row in which the engine neither took input nor produced
 * output before we call it stuck; the contract says it always progresses,
 * so this only turns an engine bug into an error instead of a hang. */
enum { STALL_LIMIT = 64 };

struct converter {
    tp_stretch *engine;
    int channels;   /* of `engine` and of the buffers */
    double rate;    /* of `engine` */
    float *in_buf;  /* BLOCK_FRAMES * channels */
    float *out_buf; /* BLOCK_FRAMES * channels */
    size_t buf_channels;
};

struct converter *converter_new(void)
{
    return calloc(1, sizeof(struct converter));
}

void converter_free(struct converter *c)
{
    if (c == NULL)
        return;
    tp_stretch_destroy(c->engine);
    free(c->in_buf);
    free(c->out_buf);
    free(c);
}

static void fail(const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tempitch: %s: ", path);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Makes the engine and buffers fit `channels` x `rate`: the engine is kept
 * (and reset) when they match the previous file, since creation plans FFTs
 * and is the expensive part.  Returns TP_OK or a tp_error. */
static int converter_prepare(struct converter *c, int channels, double rate,
                             const struct convert_params *p)
{
    if (c->engine != NULL && (c->channels != channels || c->rate != rate)) {
        tp_stretch_destroy(c->engine);
        c->engine = NULL;
    }
    int rc;
    if (c->engine == NULL) {
        rc = tp_stretch_create(&c->engine, channels, rate);
        if (rc != TP_OK)
            return rc;
        c->channels = channels;
        c->rate = rate;
    } else {
        rc = tp_stretch_reset(c->engine);
        if (rc != TP_OK)
            return rc;
    }
    if (c->buf_channels < (size_t)channels) {
        size_t n = (size_t)BLOCK_FRAMES * (size_t)channels;
        float *in = realloc(c->in_buf, n * sizeof *in);
        if (in == NULL)
            return TP_ERR_NOMEM;
        c->in_buf = in;
        float *out = realloc(c->out_buf, n * sizeof *out);
        if (out == NULL)
            return TP_ERR_NOMEM;
        c->out_buf = out;
        c->buf_channels = (size_t)channels;
    }
    rc = tp_stretch_set_tempo(c->engine, p->tempo);
    if (rc == TP_OK)
        rc = p->pitch_is_ratio ? tp_stretch_set_pitch_ratio(c->engine, p->pitch)
                               : tp_stretch_set_semitones(c->engine, p->pitch);
    return rc;
}

/* Path checks done before any work.  Returns 0 or 1 (message printed). */
static int check_paths(const char *in_path, const char *out_path, int force)
{
    struct stat in_st, out_st;
    if (stat(in_path, &in_st) != 0) {
        fail(in_path, "%s", strerror(errno));
        return 1;
    }
    if (S_ISDIR(in_st.st_mode)) {
        fail(in_path, "is a directory");
        return 1;
    }
    if (stat(out_path, &out_st) != 0)
        return 0; /* absent is the normal case; other errors show later */
    /* dev/ino rather than names: catches "./a.wav", hard links and
     * symlinks, which --force must never turn into a lost input. */
    if (in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino) {
        fail(out_path, "is the input file (refusing to overwrite it)");
        return 1;
    }
    if (S_ISDIR(out_st.st_mode)) {
        fail(out_path, "is a directory");
        return 1;
    }
    if (!force) {
        fail(out_path, "exists (use --force to overwrite)");
        return 1;
    }
    /* Renaming over a device or FIFO would replace it, not write to it. */
    if (!S_ISREG(out_st.st_mode)) {
        fail(out_path, "not a regular file (refusing to replace it)");
        return 1;
    }
    return 0;
}

/* Counts samples beyond full scale; libsndfile clips them (SFC_SET_CLIPPING)
 * when writing integer formats, where they would otherwise wrap around. */
static size_t count_clipped(const float *x, size_t n)
{
    size_t clipped = 0;
    for (size_t i = 0; i < n; i++)
        clipped += fabsf(x[i]) > 1.0f;
    return clipped;
}

enum stream_error { STREAM_OK, STREAM_READ, STREAM_WRITE, STREAM_ENGINE };

/* Pumps the whole input through the engine into `out`.  On an engine
 * error *engine_rc holds the code (TP_OK for a stall). */
static enum stream_error stream(struct converter *c, SNDFILE *in, SNDFILE *out,
                                int count_clips, struct convert_result *r,
                                int *engine_rc)
{
    const size_t ch = (size_t)c->channels;
    size_t in_len = 0, in_pos = 0;
    int eof = 0, stalled = 0;
    *engine_rc = TP_OK;

    while (!tp_stretch_finished(c->engine)) {
        if (in_pos == in_len && !eof) {
            sf_count_t n = sf_readf_float(in, c->in_buf, BLOCK_FRAMES);
            if (n < 0 || (n < BLOCK_FRAMES && sf_error(in) != SF_ERR_NO_ERROR))
                return STREAM_READ;
            in_len = (size_t)n;
            in_pos = 0;
            /* A short read is the end; a file whose length is a multiple of
             * the block closes the stream with an empty final push. */
            eof = n < BLOCK_FRAMES;
            r->frames_in += in_len;
        }
        tp_data d = {
            .in = c->in_buf + in_pos * ch,
            .in_frames = in_len - in_pos,
            .out = c->out_buf,
            .out_frames = BLOCK_FRAMES,
            .end_of_input = eof,
        };
        int rc = tp_stretch_process(c->engine, &d);
        if (rc != TP_OK) {
            *engine_rc = rc;
            return STREAM_ENGINE;
        }
        in_pos += d.in_used;
        if (d.out_generated > 0) {
            if (count_clips)
                r->clipped += count_clipped(c->out_buf, d.out_generated * ch);
            sf_count_t w =
                sf_writef_float(out, c->out_buf, (sf_count_t)d.out_generated);
            if (w != (sf_count_t)d.out_generated)
                return STREAM_WRITE;
            r->frames_out += d.out_generated;
        }
        int fresh_input = in_pos == in_len && !eof;
        if (d.in_used == 0 && d.out_generated == 0 && !fresh_input) {
            if (++stalled >= STALL_LIMIT)
                return STREAM_ENGINE;
        } else {
            stalled = 0;
        }
    }
    return STREAM_OK;
}

int convert_file(struct converter *c, const char *in_path, const char *out_path,
                 const struct convert_params *params,
                 struct convert_result *result)
{
    double t0 = now_seconds();
    memset(result, 0, sizeof *result);

    if (check_paths(in_path, out_path, params->force) != 0)
        return 1;

    /* libsndfile keeps the error of a failed sf_open in process-wide
     * state; fine while files are opened from one thread.  A worker pool
     * must open under a lock. */
    SF_INFO in_info = {0};
    SNDFILE *in = sf_open(in_path, SFM_READ, &in_info);
    if (in == NULL) {
        fail(in_path, "%s", sf_strerror(NULL));
        return 1;
    }

    int rc = converter_prepare(c, in_info.channels, (double)in_info.samplerate,
                               params);
    if (rc != TP_OK) {
        if (rc == TP_ERR_RATE)
            fail(in_path, "sample rate %d Hz: %s (supported: %g..%g Hz)",
                 in_info.samplerate, tp_strerror(rc), TP_RATE_MIN, TP_RATE_MAX);
        else if (rc == TP_ERR_CHANNELS)
            fail(in_path, "%d channels: %s (supported: 1..%d)",
                 in_info.channels, tp_strerror(rc), TP_CHANNELS_MAX);
        else
            fail(in_path, "%s", tp_strerror(rc));
        sf_close(in);
        return 1;
    }

    struct sfformat_target target = sfformat_for_path(out_path);
    int format = sfformat_choose(target, &in_info);
    if (format == 0) {
        fail(out_path, "%s cannot store %d-channel audio at %d Hz",
             sfformat_major_name(target.major), in_info.channels,
             in_info.samplerate);
        sf_close(in);
        return 1;
    }

    struct outfile of;
    int err = outfile_open(&of, out_path);
    if (err != 0) {
        fail(out_path, "%s", strerror(err));
        sf_close(in);
        return 1;
    }

    SF_INFO out_info = {.samplerate = in_info.samplerate,
                        .channels = in_info.channels,
                        .format = format};
    /* The descriptor stays ours (close_desc false) so outfile_commit can
     * close it and check the result. */
    SNDFILE *out = sf_open_fd(of.fd, SFM_WRITE, &out_info, SF_FALSE);
    if (out == NULL) {
        fail(out_path, "%s", sf_strerror(NULL));
        outfile_abort(&of);
        sf_close(in);
        return 1;
    }
    /* A float WAV otherwise gets a PEAK chunk with a timestamp, and the
     * same run would not give the same bytes twice. */
    sf_command(out, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    int integer_output = !sfformat_is_float(format);
    if (integer_output)
        sf_command(out, SFC_SET_CLIPPING, NULL, SF_TRUE);

    result->rate = (double)in_info.samplerate;
    enum stream_error se = stream(c, in, out, integer_output, result, &rc);
    int status = 0;
    switch (se) {
    case STREAM_OK:
        break;
    case STREAM_READ:
        fail(in_path, "read error: %s", sf_strerror(in));
        status = 1;
        break;
    case STREAM_WRITE:
        fail(out_path, "write error: %s", sf_strerror(out));
        status = 1;
        break;
    case STREAM_ENGINE:
        fail(in_path, "engine error: %s",
             rc != TP_OK ? tp_strerror(rc) : "no progress");
        status = 1;
        break;
    }
    /* The engine promises exactly round(N / tempo) frames; a file that
     * does not have them is wrong, so it is not published. */
    size_t expected = tp_output_length(result->frames_in, params->tempo);
    if (status == 0 && result->frames_out != expected) {
        fail(in_path, "engine error: %zu frames out, expected %zu",
             result->frames_out, expected);
        status = 1;
    }

    sf_close(in);
    /* sf_close finishes the header; its failure means a broken file. */
    int close_err = sf_close(out);
    if (close_err != 0 && status == 0) {
        fail(out_path, "write error: %s", sf_error_number(close_err));
        status = 1;
    }
    if (status == 0 && (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG) {
        err = ogg_fix_serial(of.fd);
        if (err != 0) {
            fail(out_path, "write error: %s", strerror(err));
            status = 1;
        }
    }
    if (status != 0) {
        outfile_abort(&of);
        return 1;
    }
    err = outfile_commit(&of, params->force);
    if (err == EEXIST) {
        fail(out_path, "exists (use --force to overwrite)");
        return 1;
    }
    if (err != 0) {
        fail(out_path, "%s", strerror(err));
        return 1;
    }
    result->seconds = now_seconds() - t0;
    return 0;
}
