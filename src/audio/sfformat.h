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

/* Bytes per sample of the uncompressed subtypes (PCM, float, u-law,
 * A-law), else 0. */
int sfformat_sample_bytes(int format);

/* Size limits of containers.  A container whose header holds 32-bit sizes
 * cannot describe a larger file: libsndfile writes it anyway with the
 * sizes wrapped, and readers then see a fraction of the audio.  So:
 *
 *   WAV, AIFF          at most 2^32 - 1 bytes (unsigned 32-bit sizes);
 *   the rarer ones     at most 2^31 - 1 bytes (several keep signed sizes;
 *                      taken as the class, not checked one by one);
 *   RF64, W64, CAF     64-bit sizes: no limit;
 *   FLAC, Ogg, MP3     streams without a file size field: no limit;
 *   AU                 no limit: its data size is 32-bit, but libsndfile
 *                      writes 0xffffffff ("unknown", from 2 GiB on) and
 *                      readers then read to the end of the file;
 *   headerless (RAW)   no limit.
 *
 * sfformat_max_bytes returns that limit for `major`, or -1 for none.  For
 * tests only, the environment variable TEMPITCH_TEST_MAX_BYTES (a positive
 * integer) lowers every finite limit to that many bytes, so the behaviour
 * at the limit can be shown on a small file; it never raises a limit nor
 * gives one to a container without. */
long long sfformat_max_bytes(int major);

/* Room kept for everything but the audio (header, metadata, padding) when
 * deciding whether an output of a container holding at most `max` bytes
 * fits: 1 MiB at 4 GiB, in proportion below (for the test limit). */
#define SFFORMAT_HEADER_ROOM(max) ((max) >> 12)

/* Bytes of audio data of `frames` frames (-1: unknown) of `channels`
 * channels stored as `format`, or -1 when that is not known in advance
 * (unknown length, compressed subtypes). */
long long sfformat_data_bytes(int format, long long frames, int channels);

/* The container with 64-bit sizes that holds what `format` (a full
 * format) holds and is read by the same readers: RF64 for WAV (the EBU's
 * extension of it), with the same subtype; 0 when there is none or it
 * cannot store the subtype.  Name of the suggested alternatives, for
 * messages: SFFORMAT_LARGE_NAMES. */
int sfformat_large_variant(int format, int rate, int channels);
#define SFFORMAT_LARGE_NAMES ".caf, .w64 or .rf64"

/* Short name of a major format ("WAV", "FLAC", ...) for messages. */
const char *sfformat_major_name(int major);

#endif /* TEMPITCH_AUDIO_SFFORMAT_H */
