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
#include "outfile.h"
#include "pipeout.h"
#include "pump.h"
#include "sfformat.h"
#include "sfio.h"

#include <tempitch/stretch.h>

#include <errno.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libsndfile writes FLAC, MP3 and Opus headers only with the first audio:
 * an empty stream leaves a file it cannot read back (found by
 * fuzz_convert).  WAV, AIFF, CAF and Ogg Vorbis are fine. */
static int holds_empty_stream(int format)
{
    int major = format & SF_FORMAT_TYPEMASK, sub = format & SF_FORMAT_SUBMASK;
    return major != SF_FORMAT_FLAC && major != SF_FORMAT_MPEG &&
           sub != SF_FORMAT_OPUS;
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
        return convert_fail(r, in_path, "%s", strerror(errno));
    if (S_ISDIR(in_st.st_mode))
        return convert_fail(r, in_path, "is a directory");
    if (convert_is_stdio(out_path))
        return CONVERT_OK; /* nothing there to replace */
    if (stat(out_path, &out_st) != 0)
        return CONVERT_OK; /* absent is the normal case; errors show later */
    /* dev/ino rather than names: catches "./a.wav", hard links and
     * symlinks, which --force must never turn into a lost input. */
    if (in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino)
        return convert_fail(r, out_path, "%s", CONVERT_REASON_IS_INPUT);
    if (S_ISDIR(out_st.st_mode))
        return convert_fail(r, out_path, "is a directory");
    if (!force)
        return skip_exists(r, out_path);
    /* Renaming over a device or FIFO would replace it, not write to it. */
    if (!S_ISREG(out_st.st_mode))
        return convert_fail(r, out_path,
                            "not a regular file (refusing to replace it)");
    return CONVERT_OK;
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
            convert_fail(r, out_path,
                         "%s cannot store %s samples (%d channels at %d Hz)",
                         sfformat_major_name(target.major),
                         sfformat_major_name(params->format.subtype),
                         in->channels, in->samplerate);
        return f;
    }
    int f = sfformat_choose(target, in);
    /* The input's own format may be one libsndfile only reads. */
    if (f == 0 && from_input) {
        target.major = SF_FORMAT_WAV;
        f = sfformat_choose(target, in);
    }
    if (f == 0)
        convert_fail(r, out_path, "%s cannot store %d-channel audio at %d Hz",
                     sfformat_major_name(target.major), in->channels,
                     in->samplerate);
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
    convert_fail(
        r, out_path,
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
        return convert_fail(
            r, in_path,
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
        return convert_fail(r, in_path, "changed while being read");
    if (ftruncate(to.file->fd, 0) != 0 || lseek(to.file->fd, 0, SEEK_SET) != 0)
        return convert_fail(r, out_path, "%s", strerror(errno));
    int rc = converter_prepare(c, in_info->channels,
                               (double)in_info->samplerate, params);
    if (rc != TP_OK)
        return convert_fail_engine(r, in_path, in_info, rc);

    r->frames_in = r->frames_out = r->clipped = r->invalid = r->limited = 0;
    r->limit_gain = 1.0;
    r->gain = CONVERT_NORMALIZE_PEAK / (double)peak;
    struct out_check k = {.gain = (float)r->gain};
    return pump_write(c, *in, in_info, format, to, in_path, out_path, params,
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
        return convert_fail(r, out_path, "cannot write %s to a pipe (use %s)",
                            sfformat_major_name(major), PIPEOUT_FORMATS);
    }
    /* 64 KiB of buffer: not for a worker's stack. */
    struct pipeout *p = malloc(sizeof *p);
    if (p == NULL) {
        sf_close(in);
        return convert_fail(r, out_path, "%s", strerror(ENOMEM));
    }
    struct out_check k = {.gain = 1.0f};
    struct sink to = {.file = NULL, .pipe = p};
    pump_write(c, in, in_info, format, to, in_path, out_path, params, &k, r);
    sf_close(in);
    free(p);
    return r->status;
}

/* The rest of convert_file for an output file: the temporary file, one
 * pass (two with --normalize), then the rename into place.  Closes `in`. */
static enum convert_status
convert_to_file(struct converter *c, SNDFILE *in, const SF_INFO *in_info,
                int format, const char *in_path, const char *out_path,
                const struct convert_params *params, struct convert_result *r)
{
    struct sink to = {.file = NULL};
    format = fit_container(format, in_info, params, out_path, &to.downgrade, r);
    if (format == 0) {
        sf_close(in);
        return r->status;
    }
    struct outfile of;
    int err = outfile_open(&of, out_path);
    if (err != 0) {
        sf_close(in);
        return convert_fail(r, out_path, "%s", strerror(err));
    }

    struct out_check k = {.gain = 1.0f};
    SF_INFO info = *in_info;
    to.file = &of;
    pump_write(c, in, &info, format, to, in_path, out_path, params, &k, r);
    if (r->status == CONVERT_OK && params->policy.normalize && k.peak > 1.0f)
        normalize_pass(c, &in, &info, format, to, in_path, out_path, params,
                       k.peak, r);
    if (in != NULL)
        sf_close(in);
    if (r->status == CONVERT_OK && r->frames_out == 0 &&
        !holds_empty_stream(format))
        convert_fail(r, out_path,
                     "%s cannot hold 0 frames (libsndfile writes no readable "
                     "file); use .wav",
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
        return convert_fail(r, out_path, "%s", strerror(err));
    return CONVERT_OK;
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
        return convert_fail(r, in_path, "%s", CONVERT_REASON_NORMALIZE_STDIN);
    if (params->policy.normalize && to_stdout)
        return convert_fail(r, out_path, "%s", CONVERT_REASON_NORMALIZE_STDOUT);
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
        return convert_fail_engine(r, in_path, &in_info, rc);
    }
    int format = output_format(out_path, params, &in_info, r);
    if (format == 0) {
        sf_close(in);
        return r->status;
    }
    if (to_stdout)
        return convert_to_stdout(c, in, &in_info, format, in_path, params, r);
    return convert_to_file(c, in, &in_info, format, in_path, out_path, params,
                           r);
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

static const char *const bitrate_names[] = {
    [SF_BITRATE_MODE_CONSTANT] = "constant",
    [SF_BITRATE_MODE_AVERAGE] = "average",
    [SF_BITRATE_MODE_VARIABLE] = "variable"};

const char *convert_bitrate_name(int mode)
{
    return mode >= 0 && mode < 3 ? bitrate_names[mode] : "?";
}

int convert_bitrate_named(const char *name)
{
    for (size_t i = 0; i < sizeof bitrate_names / sizeof bitrate_names[0]; i++)
        if (strcmp(name, bitrate_names[i]) == 0)
            return (int)i;
    return -1;
}
