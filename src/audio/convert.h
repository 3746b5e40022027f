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

#include <stddef.h>

/* What to do to one file. */
struct convert_params {
    double tempo;       /* speed factor: 1.25 = 25 % faster                */
    double pitch;       /* semitones, or a frequency ratio if pitch_is_ratio */
    int pitch_is_ratio; /* 0: `pitch` is semitones; 1: a frequency ratio    */
    int force;          /* nonzero: an existing output may be replaced      */
};

enum convert_status {
    CONVERT_OK,     /* the output is in place                           */
    CONVERT_FAILED, /* nothing written; `reason` says why               */
    CONVERT_EXISTS  /* the output exists and `force` was not given:
                       nothing written (a skip, not an error of the file) */
};

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
    size_t clipped;    /* samples beyond full scale clipped at the output */
    /* Unless CONVERT_OK: the path the reason is about (one of the two
     * paths passed to convert_file, not a copy) and the reason itself,
     * ready for a "tempitch: PATH: REASON" line. */
    const char *about;
    char reason[CONVERT_REASON_MAX];
};

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

/* Converts `in_path` into `out_path` with `params`.  Refuses (before doing
 * any work) an input that is a directory, an output that is the input file
 * (by device and inode, so other names for it are caught too), an existing
 * output unless params->force (CONVERT_EXISTS), and a non-regular output.
 * Fills *result and returns result->status.  Unless CONVERT_OK, no output
 * or temporary file is left behind.  Thread-safe for different converters.
 */
enum convert_status convert_file(struct converter *c, const char *in_path,
                                 const char *out_path,
                                 const struct convert_params *params,
                                 struct convert_result *result);

#endif /* TEMPITCH_AUDIO_CONVERT_H */
