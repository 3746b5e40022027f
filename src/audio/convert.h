/*
 * convert.h -- one input file to one output file through the engine.
 *
 * Streams: libsndfile reads blocks of float frames, the engine stretches
 * them, libsndfile writes the result into a temporary file next to the
 * output that is renamed into place only when complete.  Memory is bounded
 * by the block size, whatever the file length.
 *
 * Nothing here prints: every outcome, good or bad, comes back in a
 * struct convert_result, so a batch can report files in its own order.
 */
#ifndef TEMPITCH_AUDIO_CONVERT_H
#define TEMPITCH_AUDIO_CONVERT_H

#include "dither.h"
#include "settings.h"

#include <stddef.h>

/* What happens to the files, whatever the engine does to the audio.
 * Zero-initialised fields mean "off". */
struct convert_policy {
    int force;     /* nonzero: an existing output may be replaced         */
    int normalize; /* nonzero: an output whose peak would exceed full
                      scale is scaled down as a whole to a peak of
                      CONVERT_NORMALIZE_PEAK (two passes, see below)     */
    int clip;      /* nonzero: integer and lossy outputs are clipped at
                      full scale (--clip) instead of limited (see "Full
                      scale" below)                                      */
    int sync;      /* nonzero: fsync the output (and its directory)
                      before reporting it done                           */
    /* How 8- and 16-bit PCM outputs are rounded (dither.h): dithered
     * (DITHER_TPDF, the default, or DITHER_SHAPED) unless their samples
     * are the input's own (see convert_file), or rounded (DITHER_NONE). */
    enum dither_mode dither;
};

/* The output's format, as sndfile.h SF_FORMAT_* codes.  major 0: from the
 * output's extension, or the input's when the extension is unknown (WAV
 * if that cannot be written).  subtype 0: chosen by sfformat_choose (the
 * input's where possible), with `hint` preferred; otherwise exactly that
 * subtype, or the file fails. */
struct convert_format {
    int major;
    int subtype;
    int hint;
    /* Encoder settings, each used only where its bit is in `set` (else
     * libsndfile's default) and only by the formats it names:
     *   flac_level     FLAC compression level 0 (fastest) .. 8 (smallest);
     *                  the samples are the same at every level
     *   lossy_quality  MP3, Ogg Vorbis and Opus: 0 (smallest) .. 10 (best)
     *   bitrate_mode   MP3 and Opus: SF_BITRATE_MODE_CONSTANT, _AVERAGE
     *                  or _VARIABLE */
    int flac_level, lossy_quality, bitrate_mode;
    unsigned set; /* CONVERT_SET_* */
};
/* "constant", "average" or "variable", as --bitrate-mode spells
 * SF_BITRATE_MODE_CONSTANT, _AVERAGE and _VARIABLE; the mode of `name`, or
 * -1. */
const char *convert_bitrate_name(int mode);
int convert_bitrate_named(const char *name);
enum {
    CONVERT_SET_FLAC_LEVEL = 1,
    CONVERT_SET_LOSSY_QUALITY = 2,
    CONVERT_SET_BITRATE_MODE = 4
};

/* What to do to one file. */
struct convert_params {
    struct settings settings;       /* what the engine does (settings.h) */
    struct convert_policy policy;   /* what may happen to the files      */
    struct convert_format format;   /* what the output is written as     */
    char stamp[SETTINGS_STAMP_MAX]; /* how the output is made, stored in
                           it where the format keeps strings (stamp.h,
                           settings_stamp); empty: nothing stored      */
};

/* Peak of a normalized output, linear (-0.0087 dBFS): a hair under full
 * scale, so no integer format clips it. */
#define CONVERT_NORMALIZE_PEAK 0.999

/* Full scale.  Float outputs hold any value and get nothing done to
 * them.  The others (integer PCM, u-law, A-law, ADPCM, lossy codecs)
 * cannot hold more than full scale, and a pitch shift raises peaks, so:
 *  - by default a look-ahead limiter (limiter.h) lowers the gain around
 *    each frame that would exceed CONVERT_LIMIT_CEILING (126/128 for
 *    8-bit PCM, one code below its largest), so that no sample is stored
 *    at full scale, and leaves every other sample bit-identical;
 *  - with policy.clip samples beyond full scale are clipped there
 *    (never wrapped) and counted;
 *  - with policy.normalize the whole output is scaled instead (when it
 *    needs it), and neither of the above is needed. */
#define CONVERT_LIMIT_CEILING 0.999

/* Input samples beyond this magnitude (and NaN, infinities) are not audio:
 * they are replaced by 0 before the engine sees them, and counted.  Far
 * above any real signal (float files in integer scale stay below 2^31),
 * far below where the engine's single-precision sums of squares overflow. */
#define CONVERT_INPUT_LIMIT 1e12

/* Replaces the samples of x[n] that are not audio (NaN, infinities,
 * magnitudes beyond CONVERT_INPUT_LIMIT) by 0, so the engine never sees
 * them.  Returns how many.  convert_file does it to every input; --bench
 * to the files it decodes. */
size_t convert_clean_input(float *x, size_t n);

/* How many samples of x[n] convert_clean_input would replace, changing
 * nothing; the index of the first in *first when there is one (first may
 * be NULL).  For callers that refuse such input instead (tempitch's
 * Python module). */
size_t convert_count_invalid(const float *x, size_t n, size_t *first);

enum convert_status {
    CONVERT_OK,     /* the output is in place                           */
    CONVERT_FAILED, /* nothing written; `reason` says why               */
    CONVERT_EXISTS, /* the output exists and policy.force was not given:
                       nothing written (a skip, not an error of the file) */
    /* Never returned by convert_file: a caller that found the output
     * current (not older than the input, same stamp) did not call it. */
    CONVERT_UP_TO_DATE,
    /* Never returned by convert_file either: the input is an output of
     * tempitch (it holds its stamp), which a batch skips unless asked;
     * `reason` says so (CONVERT_REASON_OURS).  A skip, like
     * CONVERT_EXISTS. */
    CONVERT_OURS
};

/* The reasons the plan (which sees them first, before any work) and
 * convert_file (which checks again, for outputs that appear later) give
 * for the same two refusals: one spelling for both. */
#define CONVERT_REASON_EXISTS "exists (use --force to overwrite)"
#define CONVERT_REASON_IS_INPUT "is the input file (refusing to overwrite it)"
/* Why a file of a batch that was told to stop (run.h) was not made. */
#define CONVERT_REASON_STOPPED "not started: the batch was stopped"
/* Why an input that is an output of tempitch is skipped. */
#define CONVERT_REASON_OURS                                                    \
    "made by tempitch (an earlier output; --include-outputs processes it)"
/* Why --normalize (policy.normalize) cannot work on the streams: the
 * command line, a manifest row and convert_file refuse it alike. */
#define CONVERT_REASON_NORMALIZE_STDIN                                         \
    "--normalize reads the input twice; stdin can only be read once"
#define CONVERT_REASON_NORMALIZE_STDOUT                                        \
    "--normalize may rewrite the output; stdout cannot be rewritten"

/* Long enough for any libsndfile or errno message plus a number or two;
 * longer reasons are truncated, never overflowed. */
enum { CONVERT_REASON_MAX = 320 };

/* What happened to one file. */
struct convert_result {
    enum convert_status status;
    size_t frames_in;  /* input frames read                              */
    size_t frames_out; /* output frames written                          */
    int rate;          /* sample rate of both files, Hz (0 if not opened) */
    int channels;      /* channels of both files (0 if not opened)        */
    size_t clipped;    /* samples beyond full scale clipped at the output
                          (0 when the limiter ran)                        */
    size_t limited;    /* samples beyond the ceiling that the limiter
                          brought down (0 unless it ran)                 */
    double limit_gain; /* lowest gain the limiter applied, linear; 1 when
                          none                                           */
    size_t invalid;    /* input samples that were NaN, infinite or beyond
                          CONVERT_INPUT_LIMIT, replaced by 0              */
    double gain;       /* linear gain --normalize applied; 1 when none    */
    /* Unless CONVERT_OK: the path the reason is about (one of the two
     * paths passed to convert_file, not a copy) and the reason itself,
     * ready for a "tempitch: PATH: REASON" line. */
    const char *about;
    char reason[CONVERT_REASON_MAX];
};

/* The path that names standard input (as `in_path`) or standard output
 * (as `out_path`) below, as in most commands.  A file of that name is
 * "./-". */
#define CONVERT_STDIO "-"

/* 1 when `path` is CONVERT_STDIO. */
static inline int convert_is_stdio(const char *path)
{
    return path[0] == '-' && path[1] == '\0';
}

/* Holds one engine and the I/O buffers, reused from file to file so a
 * batch does not reallocate per file: the engine is reset when a file has
 * the same channel count and rate as the previous one, and recreated only
 * when they change.  One converter per thread. */
struct converter;

/* Returns a new converter, or NULL when out of memory.  Allocates no
 * engine yet: that happens at the first file. */
struct converter *converter_new(void);

/* Frees everything; NULL is ignored. */
void converter_free(struct converter *c);

/* Seconds of input read so far by the convert_file that runs on `c` (of
 * its current pass: --normalize's second pass starts again from 0), for
 * a progress display: callable from another thread at any time, without
 * a lock.  Meaningless when no file is being converted. */
double converter_seconds_read(struct converter *c);

/* Converts `in_path` into `out_path` with `params`.  Refuses (before doing
 * any work) an input that is a directory, an output that is the input file
 * (by device and inode, so other names for it are caught too), an existing
 * output unless params->policy.force (CONVERT_EXISTS), and a non-regular
 * output.  Fails, writing nothing, on an input that cannot be opened or
 * decoded, is shorter than its header says ("truncated: ..."), or has a
 * rate or channel count the engine does not support.  The input file is
 * only ever read.
 *
 * With params->policy.normalize the output is first written as usual while
 * its peak is measured; only if that peak exceeds full scale is the input read
 * a second time, from the start and through a reset engine, and the output
 * rewritten with the gain CONVERT_NORMALIZE_PEAK / peak.  So the cost is a
 * second decode and stretch of just the files that need it; memory stays
 * that of one pass.  An input that cannot be read twice (a pipe) then
 * fails.
 *
 * The input's metadata strings (title, artist, album, comment, date,
 * genre, ...) are copied to the output where its format holds them; none
 * are added, so outputs stay byte-identical from run to run.
 *
 * Fills *result and returns result->status.  Unless CONVERT_OK, no output
 * or temporary file is left behind.  Thread-safe for different converters.
 *
 * Standard streams (CONVERT_STDIO): standard input is read once, as it
 * comes, whatever its length (its header is the only place a length can
 * come from, and a pipe's often says "unknown"); standard output is
 * written as the audio comes, with no temporary file (see pipeout.h for
 * the formats and the WAV header), so a failure part way leaves what was
 * written, and the reader must go by the status.  policy.normalize fails
 * at once for either, and policy.force and policy.sync do nothing for
 * standard output.  Standard input must not be read by anything else
 * meanwhile; standard output must hold nothing but this audio, and
 * SIGPIPE should be ignored so that a reader going away is a write error
 * (EPIPE) rather than a death. */
enum convert_status convert_file(struct converter *c, const char *in_path,
                                 const char *out_path,
                                 const struct convert_params *params,
                                 struct convert_result *result);

/* 1 when *r failed only because no file descriptor was free (EMFILE: the
 * process's limit; ENFILE: the system's) to open the input or the
 * temporary output, before any audio was written anywhere: the file may
 * simply be tried again once other files are closed. */
int convert_lacked_descriptor(const struct convert_result *r);

#endif /* TEMPITCH_AUDIO_CONVERT_H */
