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
    int major;        /* SF_FORMAT_WAV, SF_FORMAT_FLAC, ...             */
    int subtype_hint; /* preferred subtype (".opus" -> OPUS), or 0       */
};

/* Maps the extension of `path` (case-insensitive) to a major format using
 * libsndfile's own format list plus common aliases (.ogg, .aif, .opus, ...).
 * An unknown or missing extension gives WAV. */
struct sfformat_target sfformat_for_path(const char *path);

/* Full format (major | subtype) for writing audio shaped like `in` (its
 * rate, channels and subtype) as `target`: the input's subtype when the
 * format can store it, otherwise the closest sensible one (float stays
 * float, 24-bit stays 24-bit where possible, lossy formats get their codec,
 * else 16-bit PCM).  Every candidate is checked with sf_format_check.
 * Returns 0 when the format cannot hold this audio at all. */
int sfformat_choose(struct sfformat_target target, const SF_INFO *in);

/* 1 when `format`'s subtype stores floating point (no clipping needed). */
int sfformat_is_float(int format);

/* Short name of a major format ("WAV", "FLAC", ...) for messages. */
const char *sfformat_major_name(int major);

#endif /* TEMPITCH_AUDIO_SFFORMAT_H */
