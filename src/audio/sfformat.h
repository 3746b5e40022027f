/*
 * sfformat.h -- choosing the libsndfile format of an output file.
 *
 * Threads: every function here only reads libsndfile's constant format
 * tables (sf_command with a NULL handle, sf_format_check), so all of them
 * may be called from several threads at once.
 */
#ifndef TEMPITCH_AUDIO_SFFORMAT_H
#define TEMPITCH_AUDIO_SFFORMAT_H

#include <sndfile.h>

/* A libsndfile major format chosen from a file name. */
struct sfformat_target {
    int major;        /* SF_FORMAT_WAV, SF_FORMAT_FLAC, ...; 0: unknown  */
    int subtype_hint; /* preferred subtype (".opus" -> OPUS), or 0       */
};

/* Maps the extension of `path` (case-insensitive) to a major format using
 * libsndfile's own format list plus common aliases (.ogg, .aif, .opus, ...).
 * An unknown or missing extension gives major 0: the caller decides (the
 * converter keeps the input's format). */
struct sfformat_target sfformat_for_path(const char *path);

/* 1 when the extension of `path` is one sfformat_for_path knows, that is,
 * names a format libsndfile reads or writes.  Used to pick the audio files
 * out of a directory tree without opening every file. */
int sfformat_is_audio_name(const char *path);

/* --format and --subtype: the names the command accepts.  Each lookup is
 * case-insensitive and returns 0 for an unknown name. */
struct sfformat_name {
    const char *name; /* "flac", "pcm16", ...                    */
    int format;       /* SF_FORMAT_* (major, or subtype)          */
    int subtype;      /* majors only: implied subtype (opus), or 0 */
    const char *ext;  /* majors only: extension of output names   */
};
const struct sfformat_name *sfformat_major_named(const char *name);
const struct sfformat_name *sfformat_subtype_named(const char *name);
/* The --subtype name of subtype `format`, or NULL. */
const char *sfformat_subtype_short(int format);
/* The accepted names, separated by ", " (for messages and --help). */
const char *sfformat_major_names(void);
const char *sfformat_subtype_names(void);

/* The full format for an explicitly requested major and subtype and audio
 * of `rate` Hz and `channels` channels, or 0 when libsndfile cannot write
 * that combination or it would not read back exactly (see sfformat.c). */
int sfformat_explicit(int major, int subtype, int rate, int channels);
/* 1 when libsndfile opens a writer of `format` for audio of `rate` Hz and
 * `channels` channels (a header written to a sink that keeps nothing).
 * sf_format_check, behind sfformat_explicit, accepts pairs whose encoder
 * libsndfile lacks (WAV with MP3 samples), which would otherwise fail
 * only once a file has been processed. */
int sfformat_can_write(int format, int rate, int channels);

/* Full format (major | subtype) for writing audio shaped like `in` (its
 * rate, channels and subtype) as `target`: the input's subtype when the
 * format can store it, otherwise the closest sensible one (float stays
 * float, 24-bit stays 24-bit where possible, lossy formats get their codec,
 * else 16-bit PCM).  Every candidate is checked with sf_format_check.
 * Returns 0 when the format cannot hold this audio at all. */
int sfformat_choose(struct sfformat_target target, const SF_INFO *in);

/* 1 when `format`'s subtype stores floating point (no clipping needed). */
int sfformat_is_float(int format);

/* 1 when `format`'s subtype is a lossy codec (Vorbis, Opus, MPEG). */
int sfformat_is_lossy(int format);

/* Short name of a major format ("WAV", "FLAC", ...) for messages. */
const char *sfformat_major_name(int major);

#endif /* TEMPITCH_AUDIO_SFFORMAT_H */
