/*
 * convert.h -- one input file to one output file through the engine.
 *
 * Streams: libsndfile reads blocks of float frames, the engine stretches
 * them, libsndfile writes the result into a temporary file next to the
 * output that is renamed into place only when complete.  Memory is bounded
 * by the block size, whatever the file length.
 */
#ifndef TEMPITCH_CLI_CONVERT_H
#define TEMPITCH_CLI_CONVERT_H

#include <stddef.h>

/* What to do to every file. */
struct convert_params {
    double tempo;       /* speed factor: 1.25 = 25 % faster                */
    double pitch;       /* semitones, or a frequency ratio if pitch_is_ratio */
    int pitch_is_ratio; /* 0: `pitch` is semitones; 1: a frequency ratio    */
    int force;          /* nonzero: an existing output may be replaced      */
};

/* What happened to one file (filled on success). */
struct convert_result {
    size_t frames_in;  /* input frames read                              */
    size_t frames_out; /* output frames written                          */
    double rate;       /* sample rate of both files, Hz                   */
    double seconds;    /* wall-clock time spent on the file               */
    size_t clipped;    /* samples beyond full scale clipped at the output */
};

/* Holds one engine and the I/O buffers, reused from file to file so a
 * batch does not reallocate per file.  One converter per thread. */
struct converter;

/* Returns a new converter, or NULL when out of memory. */
struct converter *converter_new(void);

/* Frees everything; NULL is ignored. */
void converter_free(struct converter *c);

/* Converts `in_path` into `out_path` with `params`.  Refuses (before doing
 * any work) an output that is the input file, an existing output unless
 * params->force, and a non-regular output.  On success fills *result and
 * returns 0.  On failure prints one `tempitch: FILE: reason` line on
 * stderr, leaves no output or temporary file behind, and returns 1. */
int convert_file(struct converter *c, const char *in_path, const char *out_path,
                 const struct convert_params *params,
                 struct convert_result *result);

#endif /* TEMPITCH_CLI_CONVERT_H */
