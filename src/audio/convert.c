/*
 * convert.c -- one input file to one output file through the engine.
 *
 * Order of work, chosen so that a refused file costs nothing and leaves
 * nothing: path checks, open the input, set up the engine (this is where
 * unsupported rates and channel counts are refused), choose the output
 * format, and only then create the temporary output file.
 *
 * Nothing is printed: the outcome goes into struct convert_result and the
 * caller reports it, in its own order, from its own thread.
 */
#define _POSIX_C_SOURCE 200809L

#include "convert.h"
#include "fdvio.h"
#include "limitout.h"
#include "oggserial.h"
#include "outfile.h"
#include "pipeout.h"
#include "sfformat.h"
#include "sfio.h"
#include "stamp.h"

#include <tempitch/stretch.h>

#include <errno.h>
#include <float.h>
#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    struct limitout lim; /* the output limiter, kept like the engine */
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
    limitout_free(&c->lim);
    free(c);
}

/* libsndfile writes FLAC, MP3 and Opus headers only with the first audio:
 * an empty stream leaves a file it cannot read back (found by
 * fuzz_convert).  WAV, AIFF, CAF and Ogg Vorbis are fine. */
static int holds_empty_stream(int format)
{
    int major = format & SF_FORMAT_TYPEMASK, sub = format & SF_FORMAT_SUBMASK;
    return major != SF_FORMAT_FLAC && major != SF_FORMAT_MPEG &&
           sub != SF_FORMAT_OPUS;
}

/* Records why the file failed and returns the status.  The first reason
 * wins: later ones are consequences of it. */
static enum convert_status fail(struct convert_result *r, const char *path,
                                const char *fmt, ...)
{
    if (r->status == CONVERT_OK) {
        va_list ap;
        va_start(ap, fmt);
        r->status = CONVERT_FAILED;
        r->about = path;
        vsnprintf(r->reason, sizeof r->reason, fmt, ap);
        va_end(ap);
    }
    return r->status;
}

static enum convert_status skip_exists(struct convert_result *r,
                                       const char *path)
{
    if (r->status == CONVERT_OK) {
        r->status = CONVERT_EXISTS;
        r->about = path;
        snprintf(r->reason, sizeof r->reason, "%s", CONVERT_REASON_EXISTS);
    }
    return r->status;
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
    return settings_apply(&p->settings, c->engine);
}

/* Path checks done before any work.  Returns CONVERT_OK or the status
 * recorded in *r. */
static enum convert_status check_paths(const char *in_path,
                                       const char *out_path, int force,
                                       struct convert_result *r)
{
    struct stat in_st, out_st;
    /* Standard input may be a redirected file, which must not become the
     * output either ("tempitch - -o a.wav < a.wav"). */
    int got = convert_is_stdio(in_path) ? fstat(STDIN_FILENO, &in_st)
                                        : stat(in_path, &in_st);
    if (got != 0)
        return fail(r, in_path, "%s", strerror(errno));
    if (S_ISDIR(in_st.st_mode))
        return fail(r, in_path, "is a directory");
    if (convert_is_stdio(out_path))
        return CONVERT_OK; /* nothing there to replace */
    if (stat(out_path, &out_st) != 0)
        return CONVERT_OK; /* absent is the normal case; errors show later */
    /* dev/ino rather than names: catches "./a.wav", hard links and
     * symlinks, which --force must never turn into a lost input. */
    if (in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino)
        return fail(r, out_path, "%s", CONVERT_REASON_IS_INPUT);
    if (S_ISDIR(out_st.st_mode))
        return fail(r, out_path, "is a directory");
    if (!force)
        return skip_exists(r, out_path);
    /* Renaming over a device or FIFO would replace it, not write to it. */
    if (!S_ISREG(out_st.st_mode))
        return fail(r, out_path, "not a regular file (refusing to replace it)");
    return CONVERT_OK;
}

size_t convert_clean_input(float *x, size_t n)
{
    size_t invalid = 0;
    for (size_t i = 0; i < n; i++) {
        /* Written so that NaN fails the test too. */
        if (!(fabsf(x[i]) <= (float)CONVERT_INPUT_LIMIT)) {
            x[i] = 0.0f;
            invalid++;
        }
    }
    return invalid;
}

/* What one pass knows about the output it wrote. */
struct out_check {
    float gain;     /* applied to every output sample (1: none)          */
    int limit;      /* integer or lossy output: through the limiter      */
    int count_clip; /* integer output: count samples beyond full scale   */
    int clamp;      /* ... and clip them here (see write_output)         */
    float peak;     /* largest magnitude before the gain                  */
    int nonfinite;  /* the engine produced NaN or infinity (a bug)        */
};

/* Looks at one block of engine output: peak, non-finite values; applies
 * the gain. */
static void check_output(float *x, size_t n, struct out_check *k)
{
    float peak = k->peak;
    for (size_t i = 0; i < n; i++) {
        float a = fabsf(x[i]);
        if (!(a <= FLT_MAX))
            k->nonfinite = 1;
        else if (a > peak)
            peak = a;
        x[i] *= k->gain;
    }
    k->peak = peak;
}

/* Samples of a block about to be written that are beyond full scale,
 * clipped here (see write_output).  Returns their number: after the
 * limiter, none. */
static size_t clip_output(float *x, size_t n, const struct out_check *k)
{
    size_t clipped = 0;
    for (size_t i = 0; i < n; i++) {
        int over = fabsf(x[i]) > 1.0f;
        clipped += over;
        if (over && k->clamp)
            x[i] = x[i] > 0.0f ? 1.0f : -1.0f;
    }
    return k->count_clip ? clipped : 0;
}

/* The limiter's ceiling for `format`: a hair under full scale, so that a
 * limited peak is stored below the largest code and the integer
 * conversion never clips it.  libsndfile rounds x * 128 for 8-bit
 * samples, where 0.999 would round to 128 and be clipped to 127: there
 * the ceiling is the code below. */
static float limit_ceiling(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_DPCM_8:
        return 126.0f / 128.0f;
    }
    return (float)CONVERT_LIMIT_CEILING;
}

/* Writes `frames` frames of `buf` (clipping what it must).  Returns 0 or
 * -1 on a write error. */
static int write_block(SNDFILE *out, float *buf, size_t frames, size_t ch,
                       const struct out_check *k, struct convert_result *r)
{
    if (frames == 0)
        return 0;
    r->clipped += clip_output(buf, frames * ch, k);
    sf_count_t w = sf_writef_float(out, buf, (sf_count_t)frames);
    if (w != (sf_count_t)frames)
        return -1;
    r->frames_out += frames;
    return 0;
}

/* Writes the blocks the limiter has ready.  Returns 0 or -1 on a write
 * error. */
static int write_limited(struct converter *c, SNDFILE *out,
                         const struct out_check *k, struct convert_result *r)
{
    float *x;
    size_t n;
    while ((n = limitout_take(&c->lim, &x)) > 0)
        if (write_block(out, x, n, (size_t)c->channels, k, r) != 0)
            return -1;
    return 0;
}

enum stream_error { STREAM_OK, STREAM_READ, STREAM_WRITE, STREAM_ENGINE };

/* Pumps the whole input through the engine into `out`.  On an engine
 * error *engine_rc holds the code (TP_OK for a stall or a non-finite
 * output). */
static enum stream_error stream(struct converter *c, SNDFILE *in, SNDFILE *out,
                                struct out_check *k, struct convert_result *r,
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
            r->invalid += convert_clean_input(c->in_buf, in_len * ch);
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
            check_output(c->out_buf, d.out_generated * ch, k);
            if (k->nonfinite)
                return STREAM_ENGINE;
            /* The limiter gives each block back once its look-ahead
             * has passed it, the last ones at the end. */
            int err = 0;
            if (!k->limit)
                err = write_block(out, c->out_buf, d.out_generated, ch, k, r);
            else if (limitout_push(&c->lim, c->out_buf, d.out_generated) != 0)
                return STREAM_ENGINE; /* more than BLOCK_FRAMES: a bug */
            else
                err = write_limited(c, out, k, r);
            if (err != 0)
                return STREAM_WRITE;
        }
        int fresh_input = in_pos == in_len && !eof;
        if (d.in_used == 0 && d.out_generated == 0 && !fresh_input) {
            if (++stalled >= STALL_LIMIT)
                return STREAM_ENGINE;
        } else {
            stalled = 0;
        }
    }
    if (k->limit) {
        limitout_end(&c->lim);
        if (write_limited(c, out, k, r) != 0)
            return STREAM_WRITE;
        r->limited = c->lim.lim.limited;
        r->limit_gain = c->lim.lim.min_gain;
    }
    return STREAM_OK;
}

/* Engine set-up errors name the limit that was exceeded. */
static enum convert_status fail_engine_setup(struct convert_result *r,
                                             const char *in_path,
                                             const SF_INFO *info, int rc)
{
    if (rc == TP_ERR_RATE)
        return fail(r, in_path,
                    "unsupported sample rate %d Hz (supported: %g..%g Hz)",
                    info->samplerate, TP_RATE_MIN, TP_RATE_MAX);
    if (rc == TP_ERR_CHANNELS)
        return fail(r, in_path,
                    "unsupported channel count %d (supported: 1..%d)",
                    info->channels, TP_CHANNELS_MAX);
    return fail(r, in_path, "%s", tp_strerror(rc));
}

/* Formats whose header gives the exact length, so reading fewer frames
 * than it says means the file was cut short: PCM in any container, and
 * FLAC (STREAMINFO).  Lossy codecs only estimate it. */
static int length_is_exact(const SF_INFO *info)
{
    switch (info->format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT:
    case SF_FORMAT_DOUBLE:
        return sfio_frames(info) > 0;
    }
    return 0;
}

/* Metadata strings worth keeping, in sndfile.h's order.  Not the
 * software string: that names the program that made the file, which is
 * now tempitch (the settings stamp goes there, stamp.h). */
static const int string_kinds[] = {
    SF_STR_TITLE,   SF_STR_COPYRIGHT,   SF_STR_ARTIST,
    SF_STR_COMMENT, SF_STR_DATE,        SF_STR_ALBUM,
    SF_STR_LICENSE, SF_STR_TRACKNUMBER, SF_STR_GENRE,
};

/* Copies the input's strings to the output before any audio is written
 * (FLAC and Ogg put them in headers written with the first frames).  A
 * format without room for one refuses it, which is not an error: the
 * audio is what was asked for. */
static void copy_strings(SNDFILE *in, SNDFILE *out)
{
    for (size_t i = 0; i < sizeof string_kinds / sizeof string_kinds[0]; i++) {
        const char *v = sf_get_string(in, string_kinds[i]);
        if (v != NULL && v[0] != '\0')
            sf_set_string(out, string_kinds[i], v);
    }
}

/* Where a pass writes: the temporary file of an output (`file`), or
 * standard output (`pipe`, when `file` is NULL). */
struct sink {
    struct outfile *file;
    struct pipeout *pipe;
    int downgrade; /* an RF64 `file` of unknown length: plain WAV layout
                      if it stays under 4 GiB (fit_container)         */
};

/* Records a failed write of the output.  The reason, best first: the
 * container's size limit was reached; the system's errno that the writer
 * recorded (`err`); libsndfile's own reason (`fallback`), which for some
 * encoders is a guess ("Unspecified internal error"). */
static enum convert_status fail_write(struct convert_result *r,
                                      const char *out_path, int format,
                                      int over_limit, int err,
                                      const char *fallback)
{
    int major = format & SF_FORMAT_TYPEMASK;
    if (over_limit)
        return fail(r, out_path,
                    "write error: too long for %s, which holds at most %lld "
                    "bytes (use " SFFORMAT_LARGE_NAMES ")",
                    sfformat_major_name(major), sfformat_max_bytes(major));
    return fail(r, out_path, "write error: %s",
                err != 0 ? strerror(err) : fallback);
}

/* One pass: streams `in` into the open temporary output or the pipe of
 * `to` (from its start) with the gain in *k, and closes the libsndfile
 * handle of the output.  Returns the status recorded in *r; the caller
 * publishes or aborts. */
static enum convert_status
write_output(struct converter *c, SNDFILE *in, const SF_INFO *in_info,
             int format, struct sink to, const char *in_path,
             const char *out_path, const struct convert_params *params,
             struct out_check *k, struct convert_result *r)
{
    SF_INFO out_info = {.samplerate = in_info->samplerate,
                        .channels = in_info->channels,
                        .format = format};
    /* --normalize scales the whole output instead (its first pass is
     * clipped and counted as before: only its peak matters). */
    k->limit = !sfformat_is_float(format) && !params->policy.clip &&
               !params->policy.normalize;
    if (k->limit) {
        int err = limitout_prepare(&c->lim, in_info->channels,
                                   (double)in_info->samplerate,
                                   limit_ceiling(format), BLOCK_FRAMES);
        if (err != 0)
            return fail(r, out_path, "%s", strerror(err));
    }
    /* A file is written through our own I/O (fdvio.h), which sees every
     * write error and stops at the container's size limit; the descriptor
     * stays ours so outfile_commit can close it and check the result. */
    struct fdvio vio;
    SNDFILE *out =
        to.file != NULL
            ? fdvio_open(&vio, to.file->fd,
                         sfformat_max_bytes(format & SF_FORMAT_TYPEMASK),
                         &out_info, r->reason, sizeof r->reason)
            : pipeout_open(to.pipe, STDOUT_FILENO, &out_info, r->reason,
                           sizeof r->reason);
    if (out == NULL) {
        r->status = CONVERT_FAILED;
        r->about = out_path;
        return r->status;
    }
    if (to.downgrade)
        sf_command(out, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE);
    /* A float WAV otherwise gets a PEAK chunk with a timestamp, and the
     * same run would not give the same bytes twice. */
    sf_command(out, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    copy_strings(in, out);
    /* Before any audio: FLAC and Ogg write their comments with the first
     * block. */
    stamp_write(out, params->stamp);
    k->count_clip = !sfformat_is_float(format);
    if (k->count_clip)
        sf_command(out, SFC_SET_CLIPPING, NULL, SF_TRUE);
    /* SFC_SET_CLIPPING makes libsndfile clip integer PCM, which it would
     * otherwise wrap around, but not u-law, A-law or the ADPCM codecs,
     * which still wrap (libsndfile 1.2); it hands lossy encoders the
     * floats as they are, and LAME asserts (aborts the process) on some
     * far beyond full scale (found by fuzz_convert).  So every format
     * that cannot carry more than full scale is clipped here, which for
     * PCM gives exactly libsndfile's clipping.  After the limiter nothing
     * is left to clip. */
    k->clamp = k->count_clip;

    int rc = TP_OK, err;
    char why[CONVERT_REASON_MAX];
    switch (stream(c, in, out, k, r, &rc)) {
    case STREAM_OK:
        break;
    case STREAM_READ:
        sfio_reason(in, why, sizeof why);
        fail(r, in_path, "read error: %s", why);
        break;
    case STREAM_WRITE:
        /* Our writers know the system's reason ("No space left on device",
         * "Broken pipe"); libsndfile only saw a short write. */
        err = to.file != NULL ? fdvio_error(&vio) : pipeout_error(to.pipe);
        if (err == 0)
            sfio_reason(out, why, sizeof why);
        fail_write(r, out_path, format,
                   to.file != NULL && fdvio_over_limit(&vio), err, why);
        break;
    case STREAM_ENGINE:
        fail(r, in_path, "engine error: %s",
             rc != TP_OK    ? tp_strerror(rc)
             : k->nonfinite ? "output not finite"
                            : "no progress");
        break;
    }
    int in_major = in_info->format & SF_FORMAT_TYPEMASK;
    if (r->status == CONVERT_OK && length_is_exact(in_info) &&
        r->frames_in < (size_t)in_info->frames) {
        /* libsndfile 1.2 reads none of a CAF stream and all but the last
         * frames of an RF64 one when they come through a pipe: that is
         * its limit, not a damaged file. */
        if (!in_info->seekable &&
            (in_major == SF_FORMAT_CAF || in_major == SF_FORMAT_RF64))
            fail(r, in_path,
                 "libsndfile cannot read %s from a pipe (it read %zu of "
                 "%lld frames); give the file by name",
                 sfformat_major_name(in_major), r->frames_in,
                 (long long)in_info->frames);
        else
            fail(r, in_path, "truncated: header says %lld frames, read %zu",
                 (long long)in_info->frames, r->frames_in);
    }
    /* The engine promises exactly round(N / tempo) frames; a file that
     * does not have them is wrong, so it is not published. */
    size_t expected = tp_output_length(r->frames_in, params->settings.tempo);
    if (r->status == CONVERT_OK && r->frames_out != expected)
        fail(r, in_path, "engine error: %zu frames out, expected %zu",
             r->frames_out, expected);

    /* sf_close finishes the header; its failure means a broken file.  The
     * lossy encoders flush there and may not say that a write failed:
     * the writer's own record decides. */
    int close_err = sf_close(out);
    if (to.file != NULL && fdvio_error(&vio) != 0)
        fail_write(r, out_path, format, fdvio_over_limit(&vio),
                   fdvio_error(&vio), NULL);
    /* (sf_error_number prints to standard output when given a number it
     * does not know, such as the -1 of the Vorbis encoder: not called
     * unless this is the reason.) */
    if (close_err != 0 && r->status == CONVERT_OK)
        fail(r, out_path, "write error: %s",
             close_err > 0 ? sf_error_number(close_err)
                           : "the encoder could not finish the file");
    if (to.file == NULL) {
        int err = pipeout_finish(to.pipe);
        if (err != 0)
            fail(r, out_path, "write error: %s", strerror(err));
    } else if (r->status == CONVERT_OK &&
               (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG) {
        int err = ogg_fix_serial(to.file->fd);
        if (err != 0)
            fail(r, out_path, "write error: %s", strerror(err));
    }
    return r->status;
}

/* The output format for `params` (see convert.h), or 0 after recording
 * why there is none. */
static int output_format(const char *out_path,
                         const struct convert_params *params, const SF_INFO *in,
                         struct convert_result *r)
{
    struct sfformat_target target = sfformat_for_path(out_path);
    if (params->format.major != 0) {
        target.major = params->format.major;
        target.subtype_hint = params->format.hint;
    }
    int from_input = target.major == 0;
    if (from_input) {
        target.major = in->format & SF_FORMAT_TYPEMASK;
        /* Headerless audio is known only by its extension (.vox, .gsm,
         * .raw): under another name nothing could read it back. */
        if (target.major == SF_FORMAT_RAW)
            target.major = SF_FORMAT_WAV;
    }
    if (params->format.subtype != 0) {
        int f = sfformat_explicit(target.major, params->format.subtype,
                                  in->samplerate, in->channels);
        if (f == 0)
            fail(r, out_path,
                 "%s cannot store %s samples (%d channels at %d Hz)",
                 sfformat_major_name(target.major),
                 sfformat_major_name(params->format.subtype), in->channels,
                 in->samplerate);
        return f;
    }
    int f = sfformat_choose(target, in);
    /* The input's own format may be one libsndfile only reads. */
    if (f == 0 && from_input) {
        target.major = SF_FORMAT_WAV;
        f = sfformat_choose(target, in);
    }
    if (f == 0)
        fail(r, out_path, "%s cannot store %d-channel audio at %d Hz",
             sfformat_major_name(target.major), in->channels, in->samplerate);
    return f;
}

/* An output that may pass the largest file its container's header can
 * describe (sfformat_max_bytes) is never written with sizes that wrap:
 *  - WAV becomes RF64 (same subtype), which readers of WAV read too; when
 *    its length is not known in advance (a pipe whose header does not say)
 *    it is opened as RF64 that libsndfile turns back into plain WAV layout
 *    at close if it stayed under 4 GiB (sink.downgrade);
 *  - other containers fail before anything is written when their audio
 *    alone is known to be too much; when it is not known, the writer stops
 *    at the limit (fdvio.h) and the file fails there.
 * Outputs that fit with room to spare (SFFORMAT_HEADER_ROOM) keep their
 * format and bytes.  Returns the format to write, or 0 after recording why. */
static int fit_container(int format, const SF_INFO *in,
                         const struct convert_params *params,
                         const char *out_path, int *downgrade,
                         struct convert_result *r)
{
    int major = format & SF_FORMAT_TYPEMASK;
    long long max = sfformat_max_bytes(major);
    if (max < 0)
        return format;
    long long frames = sfio_frames(in);
    long long out_frames =
        frames < 0 ? -1
                   : (long long)tp_output_length((size_t)frames,
                                                 params->settings.tempo);
    long long bytes = sfformat_data_bytes(format, out_frames, in->channels);
    if (bytes >= 0 && bytes <= max - SFFORMAT_HEADER_ROOM(max))
        return format;
    int large = sfformat_large_variant(format, in->samplerate, in->channels);
    if (large != 0) {
        *downgrade = bytes < 0;
        return large;
    }
    if (bytes < 0)
        return format;
    fail(r, out_path,
         "too long for %s: the audio needs %lld bytes, the format holds at "
         "most %lld (use " SFFORMAT_LARGE_NAMES ")",
         sfformat_major_name(major), bytes, max);
    return 0;
}

/* Opens the input and refuses what cannot be converted.  Returns the
 * handle, or NULL with the reason in *r. */
static SNDFILE *open_input(const char *in_path, SF_INFO *info,
                           struct convert_result *r)
{
    SNDFILE *in =
        convert_is_stdio(in_path)
            ? sfio_open_stdin(info, r->reason, sizeof r->reason)
            : sfio_open_read(in_path, info, r->reason, sizeof r->reason);
    if (in == NULL) {
        r->status = CONVERT_FAILED;
        r->about = in_path;
        return NULL;
    }
    return in;
}

/* --normalize, when the first pass went beyond full scale: the same input
 * again, from the start, through the reset engine, into the emptied
 * temporary file, with the gain that puts the peak at
 * CONVERT_NORMALIZE_PEAK.  *in is replaced by the new handle. */
static enum convert_status normalize_pass(struct converter *c, SNDFILE **in,
                                          SF_INFO *in_info, int format,
                                          struct sink to, const char *in_path,
                                          const char *out_path,
                                          const struct convert_params *params,
                                          float peak, struct convert_result *r)
{
    if (!in_info->seekable)
        return fail(r, in_path,
                    "--normalize reads the input twice, and this one can "
                    "only be read once (a pipe?)");
    /* Reopened rather than sf_seek'ed: a fresh decoder gives exactly the
     * samples of the first pass, whatever the codec. */
    sf_close(*in);
    SF_INFO again = {0};
    *in = open_input(in_path, &again, r);
    if (*in == NULL)
        return r->status;
    if (again.samplerate != in_info->samplerate ||
        again.channels != in_info->channels)
        return fail(r, in_path, "changed while being read");
    if (ftruncate(to.file->fd, 0) != 0 || lseek(to.file->fd, 0, SEEK_SET) != 0)
        return fail(r, out_path, "%s", strerror(errno));
    int rc = converter_prepare(c, in_info->channels,
                               (double)in_info->samplerate, params);
    if (rc != TP_OK)
        return fail_engine_setup(r, in_path, in_info, rc);

    r->frames_in = r->frames_out = r->clipped = r->invalid = r->limited = 0;
    r->limit_gain = 1.0;
    r->gain = CONVERT_NORMALIZE_PEAK / (double)peak;
    struct out_check k = {.gain = (float)r->gain};
    return write_output(c, *in, in_info, format, to, in_path, out_path, params,
                        &k, r);
}

/* The rest of convert_file for an output to standard output: no temporary
 * file, no rename, no second pass; what is written is written.  Closes
 * `in`. */
static enum convert_status
convert_to_stdout(struct converter *c, SNDFILE *in, const SF_INFO *in_info,
                  int format, const char *in_path,
                  const struct convert_params *params, struct convert_result *r)
{
    const char *out_path = CONVERT_STDIO;
    int major = format & SF_FORMAT_TYPEMASK;
    if (!pipeout_writable(major)) {
        sf_close(in);
        return fail(r, out_path, "cannot write %s to a pipe (use %s)",
                    sfformat_major_name(major), PIPEOUT_FORMATS);
    }
    /* 64 KiB of buffer: not for a worker's stack. */
    struct pipeout *p = malloc(sizeof *p);
    if (p == NULL) {
        sf_close(in);
        return fail(r, out_path, "%s", strerror(ENOMEM));
    }
    struct out_check k = {.gain = 1.0f};
    struct sink to = {.file = NULL, .pipe = p};
    write_output(c, in, in_info, format, to, in_path, out_path, params, &k, r);
    sf_close(in);
    free(p);
    return r->status;
}

enum convert_status convert_file(struct converter *c, const char *in_path,
                                 const char *out_path,
                                 const struct convert_params *params,
                                 struct convert_result *r)
{
    memset(r, 0, sizeof *r);
    r->status = CONVERT_OK;
    r->gain = 1.0;
    r->limit_gain = 1.0;

    int to_stdout = convert_is_stdio(out_path);
    /* Known before any work: a second pass needs the input again and a
     * rewritable output. */
    if (params->policy.normalize && convert_is_stdio(in_path))
        return fail(r, in_path, "%s", CONVERT_REASON_NORMALIZE_STDIN);
    if (params->policy.normalize && to_stdout)
        return fail(r, out_path, "%s", CONVERT_REASON_NORMALIZE_STDOUT);
    if (check_paths(in_path, out_path, params->policy.force, r) != CONVERT_OK)
        return r->status;

    SF_INFO in_info = {0};
    SNDFILE *in = open_input(in_path, &in_info, r);
    if (in == NULL)
        return r->status;
    r->rate = in_info.samplerate;
    r->channels = in_info.channels;

    int rc = converter_prepare(c, in_info.channels, (double)in_info.samplerate,
                               params);
    if (rc != TP_OK) {
        sf_close(in);
        return fail_engine_setup(r, in_path, &in_info, rc);
    }

    int format = output_format(out_path, params, &in_info, r);
    if (format == 0) {
        sf_close(in);
        return r->status;
    }
    if (to_stdout)
        return convert_to_stdout(c, in, &in_info, format, in_path, params, r);
    struct sink to = {.file = NULL};
    format =
        fit_container(format, &in_info, params, out_path, &to.downgrade, r);
    if (format == 0) {
        sf_close(in);
        return r->status;
    }

    struct outfile of;
    int err = outfile_open(&of, out_path);
    if (err != 0) {
        sf_close(in);
        return fail(r, out_path, "%s", strerror(err));
    }

    struct out_check k = {.gain = 1.0f};
    to.file = &of;
    write_output(c, in, &in_info, format, to, in_path, out_path, params, &k, r);
    if (r->status == CONVERT_OK && params->policy.normalize && k.peak > 1.0f)
        normalize_pass(c, &in, &in_info, format, to, in_path, out_path, params,
                       k.peak, r);
    if (in != NULL)
        sf_close(in);
    if (r->status == CONVERT_OK && r->frames_out == 0 &&
        !holds_empty_stream(format))
        fail(r, out_path,
             "%s cannot hold 0 frames (libsndfile writes no readable file); "
             "use .wav",
             sfformat_major_name(format & SF_FORMAT_TYPEMASK));
    if (r->status != CONVERT_OK) {
        outfile_abort(&of);
        return r->status;
    }
    err = outfile_commit(&of, params->policy.force, params->policy.sync);
    /* Another process may have created the output while we worked: it is
     * kept, as if it had been there from the start. */
    if (err == EEXIST)
        return skip_exists(r, out_path);
    if (err != 0)
        return fail(r, out_path, "%s", strerror(err));
    return CONVERT_OK;
}

int convert_lacked_descriptor(const struct convert_result *r)
{
    /* Both opens (sfio_open_read's system reason, outfile_open's error)
     * record exactly strerror() of the failure as the reason, so the text
     * is the errno; nothing else in a reason is ever just these words. */
    if (r->status != CONVERT_FAILED || r->frames_out != 0)
        return 0;
    return strcmp(r->reason, strerror(EMFILE)) == 0 ||
           strcmp(r->reason, strerror(ENFILE)) == 0;
}
