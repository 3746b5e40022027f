/*
 * pump.c -- one pass of audio through a converter; see pump.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "pump.h"
#include "fdvio.h"
#include "oggserial.h"
#include "sfformat.h"
#include "sfio.h"
#include "stamp.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Calls in a row in which the engine neither took input nor produced
 * output before we call it stuck; the contract says it always progresses,
 * so this only turns an engine bug into an error instead of a hang. */
enum { STALL_LIMIT = 64 };

struct converter *converter_new(void)
{
    struct converter *c = calloc(1, sizeof(struct converter));
    if (c != NULL)
        atomic_init(&c->read_us, 0);
    return c;
}

double converter_seconds_read(struct converter *c)
{
    return (double)atomic_load_explicit(&c->read_us, memory_order_relaxed) *
           1e-6;
}

void converter_free(struct converter *c)
{
    if (c == NULL)
        return;
    tp_stretch_destroy(c->engine);
    dither_free(&c->dither);
    free(c->in_buf);
    free(c->out_buf);
    limitout_free(&c->lim);
    free(c);
}

enum convert_status convert_fail(struct convert_result *r, const char *path,
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

/* Makes the engine and buffers fit `channels` x `rate`: the engine is kept
 * (and reset) when they match the previous file, since creation plans FFTs
 * and is the expensive part.  Returns TP_OK or a tp_error. */
int converter_prepare(struct converter *c, int channels, double rate,
                      const struct convert_params *p)
{
    atomic_store_explicit(&c->read_us, 0, memory_order_relaxed);
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

/* The one test of what is not audio (convert.h).  Written so that NaN
 * fails it too. */
static int not_audio(float x)
{
    return !(fabsf(x) <= (float)CONVERT_INPUT_LIMIT);
}

size_t convert_clean_input(float *x, size_t n)
{
    size_t invalid = 0;
    for (size_t i = 0; i < n; i++) {
        if (not_audio(x[i])) {
            x[i] = 0.0f;
            invalid++;
        }
    }
    return invalid;
}

size_t convert_count_invalid(const float *x, size_t n, size_t *first)
{
    size_t invalid = 0;
    for (size_t i = 0; i < n; i++) {
        if (not_audio(x[i]) && invalid++ == 0 && first != NULL)
            *first = i;
    }
    return invalid;
}

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
 * clipped here (see open_output).  Returns their number: after the
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
    if (k->dither != NULL)
        dither_apply(k->dither, buf, frames);
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
    unsigned long long read = 0; /* frames of this pass */
    *engine_rc = TP_OK;
    atomic_store_explicit(&c->read_us, 0, memory_order_relaxed);

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
            read += in_len;
            atomic_store_explicit(
                &c->read_us, (unsigned long long)((double)read * 1e6 / c->rate),
                memory_order_relaxed);
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
enum convert_status convert_fail_engine(struct convert_result *r,
                                        const char *in_path,
                                        const SF_INFO *info, int rc)
{
    if (rc == TP_ERR_RATE)
        return convert_fail(
            r, in_path, "unsupported sample rate %d Hz (supported: %g..%g Hz)",
            info->samplerate, TP_RATE_MIN, TP_RATE_MAX);
    if (rc == TP_ERR_CHANNELS)
        return convert_fail(r, in_path,
                            "unsupported channel count %d (supported: 1..%d)",
                            info->channels, TP_CHANNELS_MAX);
    return convert_fail(r, in_path, "%s", tp_strerror(rc));
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
        return convert_fail(
            r, out_path,
            "write error: too long for %s, which holds at most %lld "
            "bytes (use " SFFORMAT_LARGE_NAMES ")",
            sfformat_major_name(major), sfformat_max_bytes(major));
    return convert_fail(r, out_path, "write error: %s",
                        err != 0 ? strerror(err) : fallback);
}

/* Opens the libsndfile handle of the output on `to` (through our own
 * I/O, see below) and prepares it before any audio: the limiter, the
 * input's strings, the stamp, clipping.  Returns NULL after recording
 * why. */
/* Bits of the samples of PCM `format` that dither applies to (8 or 16), or
 * 0: wider words have noise far below any other; floats, companded and
 * lossy formats are not rounded onto a linear grid. */
static int dither_bits(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
        return 8;
    case SF_FORMAT_PCM_16:
        return 16;
    }
    return 0;
}

/* Whether the input's samples are already on a `bits`-bit grid, so that
 * a copy of them needs no rounding. */
static int input_fits(int in_format, int bits)
{
    switch (in_format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
        return 1;
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW:
    case SF_FORMAT_IMA_ADPCM:
    case SF_FORMAT_MS_ADPCM:
        return bits >= 16;
    }
    return 0;
}

/* Dither where the output is 8- or 16-bit PCM and its samples are not
 * the input's own: processed by the engine, scaled (--normalize's second
 * pass), or from an input with more bits.  An exact copy onto as many
 * bits stays bit-exact.  The noise starts from one fixed seed in every
 * file: the same job gives the same bytes on every run, and so do two
 * ways to the same float samples (a change then a copy to 16 bits, or
 * the change straight to 16 bits; with or without a --clip that clips
 * nothing).  Sets k->dither; returns 0 or ENOMEM. */
/* Any fixed number: part of what every dithered output is. */
#define DITHER_SEED 0x7E3B1C2D5A69F084ULL

static int prepare_dither(struct converter *c, const SF_INFO *in_info,
                          int format, const struct convert_params *params,
                          struct out_check *k)
{
    int bits = dither_bits(format);
    k->dither = NULL;
    if (bits == 0 || params->policy.dither == DITHER_NONE)
        return 0;
    if (tp_stretch_is_identity(c->engine) && k->gain == 1.0f &&
        input_fits(in_info->format, bits))
        return 0;
    if (dither_prepare(&c->dither, params->policy.dither, in_info->channels,
                       bits, DITHER_SEED) != 0)
        return ENOMEM;
    k->dither = &c->dither;
    return 0;
}

/* The encoder settings of `f` (convert.h) that apply to `format`, before
 * any audio is written (libsndfile's rule).  libsndfile takes one
 * compression level in 0..1 for all of them: for FLAC 8 times it is the
 * FLAC level; for the lossy codecs 0 is the best quality. */
static void set_encoder(SNDFILE *f, int format, const struct convert_format *e)
{
    int major = format & SF_FORMAT_TYPEMASK, sub = format & SF_FORMAT_SUBMASK;
    double level = -1.0;
    if (major == SF_FORMAT_FLAC && (e->set & CONVERT_SET_FLAC_LEVEL))
        level = e->flac_level / 8.0;
    if (sfformat_is_lossy(format) && (e->set & CONVERT_SET_LOSSY_QUALITY))
        level = 1.0 - e->lossy_quality / 10.0;
    if (level >= 0.0)
        sf_command(f, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    int mode = e->bitrate_mode;
    if ((e->set & CONVERT_SET_BITRATE_MODE) &&
        (major == SF_FORMAT_MPEG || sub == SF_FORMAT_OPUS))
        sf_command(f, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
}

static SNDFILE *open_output(struct converter *c, SNDFILE *in,
                            const SF_INFO *in_info, int format, struct sink *to,
                            struct fdvio *vio, const char *out_path,
                            const struct convert_params *params,
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
        if (err != 0) {
            convert_fail(r, out_path, "%s", strerror(err));
            return NULL;
        }
    }
    if (prepare_dither(c, in_info, format, params, k) != 0) {
        convert_fail(r, out_path, "%s", strerror(ENOMEM));
        return NULL;
    }
    /* A file is written through our own I/O (fdvio.h), which sees every
     * write error and stops at the container's size limit; the descriptor
     * stays ours so outfile_commit can close it and check the result. */
    SNDFILE *out =
        to->file != NULL
            ? fdvio_open(vio, to->file->fd,
                         sfformat_max_bytes(format & SF_FORMAT_TYPEMASK),
                         &out_info, r->reason, sizeof r->reason)
            : pipeout_open(to->pipe, STDOUT_FILENO, &out_info, r->reason,
                           sizeof r->reason);
    if (out == NULL) {
        r->status = CONVERT_FAILED;
        r->about = out_path;
        return NULL;
    }
    if (to->downgrade)
        sf_command(out, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE);
    set_encoder(out, format, &params->format);
    /* A float WAV otherwise gets a PEAK chunk with a timestamp, and the
     * same run would not give the same bytes twice. */
    sf_command(out, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    copy_strings(in, out);
    /* Before any audio: FLAC and Ogg write their comments with the first
     * block. */
    stamp_write(out, format, params->stamp);
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
    return out;
}

/* Records why the stream stopped, when it did not come to its end. */
static void stream_reason(enum stream_error e, int engine_rc, SNDFILE *in,
                          SNDFILE *out, int format, const struct sink *to,
                          struct fdvio *vio, const char *in_path,
                          const char *out_path, const struct out_check *k,
                          struct convert_result *r)
{
    char why[CONVERT_REASON_MAX];
    int err;
    switch (e) {
    case STREAM_OK:
        break;
    case STREAM_READ:
        sfio_reason(in, why, sizeof why);
        convert_fail(r, in_path, "read error: %s", why);
        break;
    case STREAM_WRITE:
        /* Our writers know the system's reason ("No space left on device",
         * "Broken pipe"); libsndfile only saw a short write. */
        err = to->file != NULL ? fdvio_error(vio) : pipeout_error(to->pipe);
        if (err == 0)
            sfio_reason(out, why, sizeof why);
        fail_write(r, out_path, format,
                   to->file != NULL && fdvio_over_limit(vio), err, why);
        break;
    case STREAM_ENGINE:
        convert_fail(r, in_path, "engine error: %s",
                     engine_rc != TP_OK ? tp_strerror(engine_rc)
                     : k->nonfinite     ? "output not finite"
                                        : "no progress");
        break;
    }
}

/* Checks the frames read against the input's header and the frames
 * written against the engine's promise. */
static void check_lengths(const SF_INFO *in_info, const char *in_path,
                          double tempo, struct convert_result *r)
{
    int in_major = in_info->format & SF_FORMAT_TYPEMASK;
    if (r->status == CONVERT_OK && length_is_exact(in_info) &&
        r->frames_in < (size_t)in_info->frames) {
        /* libsndfile 1.2 reads none of a CAF stream and all but the last
         * frames of an RF64 one when they come through a pipe: that is
         * its limit, not a damaged file. */
        if (!in_info->seekable &&
            (in_major == SF_FORMAT_CAF || in_major == SF_FORMAT_RF64))
            convert_fail(r, in_path,
                         "libsndfile cannot read %s from a pipe (it read %zu "
                         "of %lld frames); give the file by name",
                         sfformat_major_name(in_major), r->frames_in,
                         (long long)in_info->frames);
        else
            convert_fail(r, in_path,
                         "truncated: header says %lld frames, read %zu",
                         (long long)in_info->frames, r->frames_in);
    }
    /* The engine promises exactly round(N / tempo) frames; a file that
     * does not have them is wrong, so it is not published. */
    size_t expected = tp_output_length(r->frames_in, tempo);
    if (r->status == CONVERT_OK && r->frames_out != expected)
        convert_fail(r, in_path, "engine error: %zu frames out, expected %zu",
                     r->frames_out, expected);
}

/* Closes the output's handle and finishes what its writer holds. */
static void close_output(SNDFILE *out, int format, const struct sink *to,
                         struct fdvio *vio, const char *out_path,
                         struct convert_result *r)
{
    /* sf_close finishes the header; its failure means a broken file.  The
     * lossy encoders flush there and may not say that a write failed:
     * the writer's own record decides. */
    int close_err = sf_close(out);
    if (to->file != NULL && fdvio_error(vio) != 0)
        fail_write(r, out_path, format, fdvio_over_limit(vio), fdvio_error(vio),
                   NULL);
    /* (sf_error_number prints to standard output when given a number it
     * does not know, such as the -1 of the Vorbis encoder: not called
     * unless this is the reason.) */
    if (close_err != 0 && r->status == CONVERT_OK)
        convert_fail(r, out_path, "write error: %s",
                     close_err > 0 ? sf_error_number(close_err)
                                   : "the encoder could not finish the file");
    if (to->file == NULL) {
        int err = pipeout_finish(to->pipe);
        if (err != 0)
            convert_fail(r, out_path, "write error: %s", strerror(err));
    } else if (r->status == CONVERT_OK &&
               (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG) {
        int err = ogg_fix_serial(to->file->fd);
        if (err != 0)
            convert_fail(r, out_path, "write error: %s", strerror(err));
    }
}

enum convert_status pump_write(struct converter *c, SNDFILE *in,
                               const SF_INFO *in_info, int format,
                               struct sink to, const char *in_path,
                               const char *out_path,
                               const struct convert_params *params,
                               struct out_check *k, struct convert_result *r)
{
    struct fdvio vio;
    SNDFILE *out =
        open_output(c, in, in_info, format, &to, &vio, out_path, params, k, r);
    if (out == NULL)
        return r->status;
    int rc = TP_OK;
    enum stream_error e = stream(c, in, out, k, r, &rc);
    stream_reason(e, rc, in, out, format, &to, &vio, in_path, out_path, k, r);
    check_lengths(in_info, in_path, params->settings.tempo, r);
    close_output(out, format, &to, &vio, out_path, r);
    return r->status;
}
