/*
 * stretch_util.h -- helpers shared by the engine's unit tests: drive a
 * tp_stretch instance through a whole stream with chosen chunk sizes, and
 * run one whole job on a fresh instance.
 */
#ifndef TEMPITCH_TEST_STRETCH_UTIL_H
#define TEMPITCH_TEST_STRETCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "tempitch/stretch.h"

/* 1 in a build with AddressSanitizer or ThreadSanitizer (the compilers
 * say so with these macros), where the engine runs 5-20x slower.  Tests
 * that repeat one code path over many values (frequencies, long outputs)
 * then take fewer of them: the sanitizers look for memory and threading
 * faults, which the paths, not the values, decide; the release build runs
 * every value. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TU_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TU_SANITIZED 1
#endif
#endif
#ifndef TU_SANITIZED
#define TU_SANITIZED 0
#endif

/* 1 under ThreadSanitizer, which finds races: a test that runs one
 * thread has none to show it, and is left to the other builds. */
#if defined(__SANITIZE_THREAD__)
#define TU_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TU_TSAN 1
#endif
#endif
#ifndef TU_TSAN
#define TU_TSAN 0
#endif

/* Chunking of a streamed run.  Input chunks are drawn uniformly from
 * [in_min, in_max] frames and output buffer sizes from [out_min, out_max]
 * with a PCG32 seeded by `seed`; equal bounds give fixed sizes.  in_max 0
 * means "everything at once", out_max 0 means "all remaining capacity". */
typedef struct tu_chunking {
    size_t in_min, in_max;
    size_t out_min, out_max;
    uint64_t seed;
} tu_chunking;

/* Harness failures, outside the tp_error range. */
enum {
    TU_ERR_STALL = -100,    /* many calls in a row made no progress      */
    TU_ERR_OVERUSE = -101,  /* in_used / out_generated above what offered */
    TU_ERR_OVERFLOW = -102, /* more output than out_cap, not finished     */
    TU_ERR_SETUP = -103     /* could not create the instance / buffers    */
};

/* Streams in[0 .. n) (interleaved, channels of s) through s, which must be
 * fresh or just reset, calling tp_stretch_process until
 * tp_stretch_finished() says the stream is complete.  Output goes to out,
 * which has room for out_cap frames.  On success returns TP_OK and stores
 * the number of frames produced in *produced.  On failure returns the
 * engine's error code or a TU_ERR_* value and writes a description to msg
 * (msg_len bytes). */
int tu_stream(tp_stretch *s, const float *in, size_t n, float *out,
              size_t out_cap, const tu_chunking *ck, size_t *produced,
              char *msg, size_t msg_len);

/* Creates an instance with (channels, rate, semitones, tempo), runs the
 * whole input through it -- with tp_stretch_run when ck is NULL, else with
 * tu_stream(ck) -- and returns a malloc'd buffer of *out_frames frames
 * (exactly tp_output_length(n, tempo) on success), or NULL with msg set.
 * The instance is in mode tu_quality (balanced unless a test chose). */
float *tu_process_new(int channels, double rate, double semitones, double tempo,
                      const float *in, size_t n, const tu_chunking *ck,
                      size_t *out_frames, char *msg, size_t msg_len);

/* ---- quality modes ------------------------------------------------------
 * Tests of engine properties run once per mode: register them with
 * TU_EACH_MODE(test) in the cmocka table, which adds "test/fast",
 * "test/balanced" and "test/fine" with the mode as initial state, and
 * start the test with tu_use_mode(state).  tu_process_new and tu_create
 * then make instances in that mode. */
extern enum tp_quality tu_quality;
extern const enum tp_quality tu_modes[3];

/* Sets tu_quality from a TU_EACH_MODE state; returns its name. */
const char *tu_use_mode(void **state);

#define TU_MODE_TEST(f, i, name)                                               \
    {                                                                          \
#f "/" name, f, NULL, NULL, (void *)&tu_modes[i]                       \
    }
#define TU_EACH_MODE(f)                                                        \
    TU_MODE_TEST(f, 0, "fast"), TU_MODE_TEST(f, 1, "balanced"),                \
        TU_MODE_TEST(f, 2, "fine")

/* tp_stretch_create and tp_stretch_set_quality(tu_quality): TP_OK or the
 * first error. */
int tu_create(tp_stretch **s, int channels, double rate);

/* 20 log10(a / b), with silence mapped to -999 dB. */
double tu_db(double a, double b);

#endif /* TEMPITCH_TEST_STRETCH_UTIL_H */
