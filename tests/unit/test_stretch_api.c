/*
 * test_stretch_api.c -- the engine's contract outside the DSP itself:
 * parameter ranges and error codes, sticky parameters and TP_ERR_STATE,
 * argument checks of tp_stretch_process / tp_stretch_run, the end-of-stream
 * protocol (tp_stretch_finished, frame counters), tp_strerror, and the
 * exact output length round(N / tempo) for streamed and one-call runs.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "signals.h"
#include "stretch_util.h"
#include "tempitch/stretch.h"

#include "check.h"

/* Error codes printed in decimal (cmocka prints integers in hex). */
#define CHECK_RC(expr, want)                                                   \
    do {                                                                       \
        int rc_ = (expr);                                                      \
        CHECK(rc_ == (want), "%s returned %d (%s), expected %d (%s)", #expr,   \
              rc_, tp_strerror(rc_), (int)(want), tp_strerror(want));          \
    } while (0)

/* In mode tu_quality (balanced unless the test chose one). */
static tp_stretch *new_stretch(int ch, double rate)
{
    tp_stretch *s = NULL;
    CHECK_RC(tu_create(&s, ch, rate), TP_OK);
    assert_non_null(s);
    return s;
}

/* ---- tp_strerror / tp_version ------------------------------------------- */

static void strerror_distinct(void **state)
{
    (void)state;
    static const int codes[] = {TP_OK,         TP_ERR_NULL,    TP_ERR_CHANNELS,
                                TP_ERR_RATE,   TP_ERR_TEMPO,   TP_ERR_PITCH,
                                TP_ERR_NOMEM,  TP_ERR_FFT,     TP_ERR_STATE,
                                TP_ERR_BUFFER, TP_ERR_FORMANT, TP_ERR_QUALITY,
                                TP_POOL_ERR_ARG, TP_POOL_ERR_THREAD,
                                TP_POOL_ERR_BUSY};
    for (size_t i = 0; i < COUNT(codes); i++) {
        const char *a = tp_strerror(codes[i]);
        CHECK(a != NULL && a[0] != '\0', "code %d: empty message", codes[i]);
        CHECK(strcmp(a, "unknown error") != 0,
              "code %d is documented but gives \"unknown error\"", codes[i]);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(a, tp_strerror(codes[j])) != 0,
                  "codes %d and %d share the message \"%s\"", codes[i],
                  codes[j], a);
    }
    static const int unknown[] = {1, 2, -12, -13, 100, -100, INT_MAX, INT_MIN};
    for (size_t i = 0; i < COUNT(unknown); i++) {
        const char *u = tp_strerror(unknown[i]);
        CHECK(u != NULL && strcmp(u, "unknown error") == 0,
              "code %d gives \"%s\", expected \"unknown error\"", unknown[i],
              u ? u : "(null)");
    }
}

/* The ranges the messages name are stretch.h's limits: the messages are
 * written out for people, this keeps them from drifting. */
static void strerror_ranges(void **state)
{
    (void)state;
    char want[64];
    snprintf(want, sizeof want, "1..%d", TP_CHANNELS_MAX);
    CHECK(strstr(tp_strerror(TP_ERR_CHANNELS), want), "channels: %s", want);
    snprintf(want, sizeof want, "%g..%g Hz", TP_RATE_MIN, TP_RATE_MAX);
    CHECK(strstr(tp_strerror(TP_ERR_RATE), want), "rate: %s", want);
    snprintf(want, sizeof want, "%g..%g", TP_TEMPO_MIN, TP_TEMPO_MAX);
    CHECK(strstr(tp_strerror(TP_ERR_TEMPO), want), "tempo: %s", want);
    snprintf(want, sizeof want, "%g..%+g semitones", TP_SEMITONES_MIN,
             TP_SEMITONES_MAX);
    CHECK(strstr(tp_strerror(TP_ERR_PITCH), want), "pitch: %s", want);
    snprintf(want, sizeof want, "ratio 1/%g..%g",
             exp2(-TP_SEMITONES_MIN / 12.0), exp2(TP_SEMITONES_MAX / 12.0));
    CHECK(strstr(tp_strerror(TP_ERR_PITCH), want), "ratio: %s", want);
    snprintf(want, sizeof want, "%g..%+g semitones", TP_FORMANT_SEMITONES_MIN,
             TP_FORMANT_SEMITONES_MAX);
    CHECK(strstr(tp_strerror(TP_ERR_FORMANT), want), "formant: %s", want);
}

static void version_string(void **state)
{
    (void)state;
    const char *v = tp_version();
    assert_non_null(v);
    CHECK(v[0] >= '0' && v[0] <= '9' && strchr(v, '.') != NULL,
          "version \"%s\" is not like 0.1.0", v);
    /* One home: the library's string, the header's macros and meson's
     * project(version:) (passed in as TEMPITCH_PROJECT_VERSION) agree. */
    assert_string_equal(v, TP_VERSION_STRING);
    assert_string_equal(v, TEMPITCH_PROJECT_VERSION);
    char parts[32];
    snprintf(parts, sizeof parts, "%d.%d.%d", TP_VERSION_MAJOR,
             TP_VERSION_MINOR, TP_VERSION_PATCH);
    assert_string_equal(parts, v);
    assert_int_equal(TP_VERSION_NUMBER, TP_VERSION_MAJOR * 10000 +
                                            TP_VERSION_MINOR * 100 +
                                            TP_VERSION_PATCH);
}

/* ---- tp_output_length -----------------------------------------------------
 */

static void output_length_values(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        double tempo;
        size_t want;
    } t[] = {
        {0, 1.0, 0},
        {1, 1.0, 1},
        {12345, 1.0, 12345},
        {1, 2.0, 1},
        /* 0.5 rounds up */ {3, 2.0, 2}, /* 1.5 */
        {5, 2.0, 3},
        /* 2.5 */ {4, 2.0, 2},
        {2, 4.0, 1},
        /* 0.5 */ {6, 4.0, 2}, /* 1.5 */
        {5, 4.0, 1},
        /* 1.25 */ {7, 4.0, 2}, /* 1.75 */
        {10, 20.0, 1},
        /* 0.5 */ {9, 20.0, 0}, /* 0.45 */
        {30, 20.0, 2},
        /* 1.5 */ {50, 20.0, 3},
        {1, 0.05, 20},
        {44100, 0.5, 88200},
        {44100, 1.25, 35280},
        {3, 1.25, 2},
        /* 2.4 */ {4, 1.25, 3}, /* 3.2 */
        {1000, 0.8, 1250},
        {200003, 1.25, 160002}, /* 160002.4 */
        {200003, 0.5, 400006},
    };
    for (size_t i = 0; i < COUNT(t); i++) {
        size_t got = tp_output_length(t[i].n, t[i].tempo);
        CHECK(got == t[i].want, "tp_output_length(%zu, %g) = %zu, want %zu",
              t[i].n, t[i].tempo, got, t[i].want);
    }
    /* invalid tempos give 0 */
    static const double bad[] = {0.0,        -1.0, 0.049,    0.0499999, 20.01,
                                 20.0000001, NAN,  INFINITY, -INFINITY};
    for (size_t i = 0; i < COUNT(bad); i++)
        CHECK(tp_output_length(1000, bad[i]) == 0,
              "tp_output_length(1000, %g) = %zu, want 0", bad[i],
              tp_output_length(1000, bad[i]));
    CHECK(tp_output_length(1000, TP_TEMPO_MIN) == 20000, "min tempo");
    CHECK(tp_output_length(1000, TP_TEMPO_MAX) == 50, "max tempo");
    /* results beyond size_t saturate (no undefined conversion) */
    CHECK(tp_output_length(SIZE_MAX, TP_TEMPO_MIN) == SIZE_MAX, "saturation");
    CHECK(tp_output_length(SIZE_MAX / 2, 1.0) > SIZE_MAX / 4, "large length");
}

/* ---- create / destroy / getters -------------------------------------------
 */

static void create_errors(void **state)
{
    (void)state;
    tp_stretch *poison = (tp_stretch *)(uintptr_t)0x1234;
    static const int bad_ch[] = {0, -1, 257, INT_MIN, INT_MAX};
    for (size_t i = 0; i < COUNT(bad_ch); i++) {
        tp_stretch *s = poison;
        CHECK_RC(tp_stretch_create(&s, bad_ch[i], 44100.0), TP_ERR_CHANNELS);
        CHECK(s == NULL, "channels %d: *out not set to NULL on failure",
              bad_ch[i]);
    }
    static const double bad_rate[] = {0.0,      -44100.0, 7999.0,
                                      7999.999, 384001.0, 384000.5,
                                      NAN,      INFINITY, -INFINITY};
    for (size_t i = 0; i < COUNT(bad_rate); i++) {
        tp_stretch *s = poison;
        CHECK_RC(tp_stretch_create(&s, 2, bad_rate[i]), TP_ERR_RATE);
        CHECK(s == NULL, "rate %g: *out not set to NULL on failure",
              bad_rate[i]);
    }
    CHECK_RC(tp_stretch_create(NULL, 2, 44100.0), TP_ERR_NULL);
    tp_stretch_destroy(NULL); /* accepted and ignored */
}

static void create_limits_and_defaults(void **state)
{
    (void)state;
    static const struct {
        int ch;
        double rate;
    } ok[] = {{1, 8000.0},   {2, 44100.0}, {3, 48000.0},
              {6, 96000.0},  {8, 22050.0}, {256, 44100.0},
              {1, 384000.0}, {2, 11025.5}, {2, 192000.0}};
    for (size_t i = 0; i < COUNT(ok); i++) {
        tp_stretch *s = NULL;
        CHECK_RC(tp_stretch_create(&s, ok[i].ch, ok[i].rate), TP_OK);
        assert_non_null(s);
        CHECK(tp_stretch_get_channels(s) == ok[i].ch, "channels %d",
              tp_stretch_get_channels(s));
        CHECK(tp_stretch_get_sample_rate(s) == ok[i].rate, "rate %g",
              tp_stretch_get_sample_rate(s));
        CHECK(tp_stretch_get_tempo(s) == 1.0, "default tempo %g",
              tp_stretch_get_tempo(s));
        CHECK(tp_stretch_get_pitch_ratio(s) == 1.0, "default ratio %g",
              tp_stretch_get_pitch_ratio(s));
        CHECK(tp_stretch_finished(s) == 0, "fresh instance finished");
        CHECK(tp_stretch_frames_in(s) == 0 && tp_stretch_frames_out(s) == 0,
              "fresh counters");
        tp_stretch_destroy(s);
    }
}

/* ---- parameters -------------------------------------------------------------
 */

static void tempo_errors_keep_previous(void **state)
{
    (void)state;
    tp_stretch *s = new_stretch(2, 44100.0);
    CHECK_RC(tp_stretch_set_tempo(s, 1.25), TP_OK);
    static const double bad[] = {0.0,        -1.0,     -0.5,       0.049,
                                 0.04999999, 20.01,    20.0000001, 1e300,
                                 NAN,        INFINITY, -INFINITY};
    for (size_t i = 0; i < COUNT(bad); i++) {
        CHECK_RC(tp_stretch_set_tempo(s, bad[i]), TP_ERR_TEMPO);
        CHECK(tp_stretch_get_tempo(s) == 1.25,
              "tempo %g refused but tempo is now %g", bad[i],
              tp_stretch_get_tempo(s));
    }
    static const double good[] = {TP_TEMPO_MIN, TP_TEMPO_MAX, 0.5, 1.0,
                                  3.14159};
    for (size_t i = 0; i < COUNT(good); i++) {
        CHECK_RC(tp_stretch_set_tempo(s, good[i]), TP_OK);
        CHECK(tp_stretch_get_tempo(s) == good[i], "tempo %g stored as %g",
              good[i], tp_stretch_get_tempo(s));
    }
    CHECK_RC(tp_stretch_set_tempo(NULL, 1.0), TP_ERR_NULL);
    tp_stretch_destroy(s);
}

static void pitch_errors_keep_previous(void **state)
{
    (void)state;
    tp_stretch *s = new_stretch(1, 48000.0);
    CHECK_RC(tp_stretch_set_semitones(s, 3.0), TP_OK);
    double r3 = pow(2.0, 3.0 / 12.0);
    CHECK(fabs(tp_stretch_get_pitch_ratio(s) - r3) < 1e-12, "ratio %.15g",
          tp_stretch_get_pitch_ratio(s));

    static const double bad_st[] = {48.01, -48.01, 48.0000001, 100.0,
                                    -1e9,  NAN,    INFINITY,   -INFINITY};
    for (size_t i = 0; i < COUNT(bad_st); i++) {
        CHECK_RC(tp_stretch_set_semitones(s, bad_st[i]), TP_ERR_PITCH);
        CHECK(fabs(tp_stretch_get_pitch_ratio(s) - r3) < 1e-12,
              "semitones %g refused but ratio is now %g", bad_st[i],
              tp_stretch_get_pitch_ratio(s));
    }
    static const double bad_ratio[] = {
        0.0, -1.0,     -2.0,     16.0001, 17.0, 1e10, 0.062, 1.0 / 16.0 - 1e-6,
        NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < COUNT(bad_ratio); i++) {
        CHECK_RC(tp_stretch_set_pitch_ratio(s, bad_ratio[i]), TP_ERR_PITCH);
        CHECK(fabs(tp_stretch_get_pitch_ratio(s) - r3) < 1e-12,
              "ratio %g refused but ratio is now %g", bad_ratio[i],
              tp_stretch_get_pitch_ratio(s));
    }

    /* range ends and the two spellings */
    CHECK_RC(tp_stretch_set_semitones(s, 48.0), TP_OK);
    CHECK(fabs(tp_stretch_get_pitch_ratio(s) - 16.0) < 1e-12, "+48 st");
    CHECK_RC(tp_stretch_set_semitones(s, -48.0), TP_OK);
    CHECK(fabs(tp_stretch_get_pitch_ratio(s) - 1.0 / 16.0) < 1e-12, "-48 st");
    CHECK_RC(tp_stretch_set_pitch_ratio(s, 16.0), TP_OK);
    CHECK_RC(tp_stretch_set_pitch_ratio(s, 1.0 / 16.0), TP_OK);
    CHECK_RC(tp_stretch_set_semitones(s, 12.0), TP_OK);
    CHECK(fabs(tp_stretch_get_pitch_ratio(s) - 2.0) < 1e-12, "+12 st");
    CHECK_RC(tp_stretch_set_semitones(s, -0.5), TP_OK); /* fractional */
    CHECK(fabs(tp_stretch_get_pitch_ratio(s) - pow(2.0, -0.5 / 12.0)) < 1e-12,
          "-0.5 st");
    /* last one wins */
    CHECK_RC(tp_stretch_set_pitch_ratio(s, 1.5), TP_OK);
    CHECK(tp_stretch_get_pitch_ratio(s) == 1.5, "ratio after set_ratio");
    CHECK_RC(tp_stretch_set_semitones(s, 0.0), TP_OK);
    CHECK(tp_stretch_get_pitch_ratio(s) == 1.0, "0 st is ratio 1 exactly");

    CHECK_RC(tp_stretch_set_semitones(NULL, 1.0), TP_ERR_NULL);
    CHECK_RC(tp_stretch_set_pitch_ratio(NULL, 1.0), TP_ERR_NULL);
    tp_stretch_destroy(s);
}

/* Parameters may only change before the first process call of a stream;
 * later calls return TP_ERR_STATE and change nothing; reset re-opens them
 * and keeps the values (they are sticky). */
static void params_locked_while_streaming(void **state)
{
    (void)state;
    tp_stretch *s = new_stretch(2, 44100.0);
    CHECK_RC(tp_stretch_set_tempo(s, 0.8), TP_OK);
    CHECK_RC(tp_stretch_set_semitones(s, -5.0), TP_OK);
    double r = tp_stretch_get_pitch_ratio(s);

    float in[2 * 512] = {0}, out[2 * 4096];
    tp_data d = {.in = in, .in_frames = 512, .out = out, .out_frames = 4096};
    CHECK_RC(tp_stretch_process(s, &d), TP_OK);
    CHECK_RC(tp_stretch_set_tempo(s, 1.0), TP_ERR_STATE);
    CHECK_RC(tp_stretch_set_semitones(s, 2.0), TP_ERR_STATE);
    CHECK_RC(tp_stretch_set_pitch_ratio(s, 1.1), TP_ERR_STATE);
    /* an invalid value while locked is still refused, and changes nothing */
    int rc = tp_stretch_set_tempo(s, NAN);
    CHECK(rc == TP_ERR_STATE || rc == TP_ERR_TEMPO,
          "NaN tempo while locked: %d", rc);
    CHECK(tp_stretch_get_tempo(s) == 0.8, "tempo changed while locked");
    CHECK(tp_stretch_get_pitch_ratio(s) == r, "ratio changed while locked");

    CHECK_RC(tp_stretch_reset(s), TP_OK);
    CHECK(tp_stretch_get_tempo(s) == 0.8, "reset lost the tempo");
    CHECK(tp_stretch_get_pitch_ratio(s) == r, "reset lost the pitch");
    CHECK(tp_stretch_frames_in(s) == 0 && tp_stretch_frames_out(s) == 0,
          "reset kept the counters");
    CHECK_RC(tp_stretch_set_tempo(s, 1.5), TP_OK);
    CHECK_RC(tp_stretch_set_semitones(s, 1.0), TP_OK);

    /* tp_stretch_run is a whole stream: afterwards the parameters are
     * locked until the next reset, like after any process call. */
    float big[2 * 3000] = {0};
    float res[2 * 2000];
    CHECK_RC(tp_stretch_run(s, big, 3000, res), TP_OK);
    CHECK_RC(tp_stretch_set_tempo(s, 1.0), TP_ERR_STATE);
    CHECK(tp_stretch_get_tempo(s) == 1.5, "tempo changed after run");
    CHECK_RC(tp_stretch_reset(s), TP_OK);
    CHECK_RC(tp_stretch_set_tempo(s, 1.0), TP_OK);
    CHECK_RC(tp_stretch_reset(NULL), TP_ERR_NULL);
    tp_stretch_destroy(s);
}

/* The quality mode: balanced by default, refused when unknown (keeping
 * the previous one), sticky across reset, locked while streaming like the
 * other parameters; it takes effect (the modes give different output),
 * and a mode chosen after a stream in another mode gives exactly what a
 * fresh instance in that mode gives. */
static void quality_mode(void **state)
{
    (void)state;
    CHECK(tp_stretch_get_quality(NULL) == TP_QUALITY_BALANCED,
          "get_quality(NULL)");
    CHECK_RC(tp_stretch_set_quality(NULL, TP_QUALITY_FAST), TP_ERR_NULL);
    tp_stretch *s = NULL;
    CHECK_RC(tp_stretch_create(&s, 2, 44100.0), TP_OK);
    CHECK(tp_stretch_get_quality(s) == TP_QUALITY_BALANCED,
          "a new instance is not balanced");
    static const int bad[] = {-1, 3, 100, INT_MIN, INT_MAX};
    for (size_t i = 0; i < COUNT(bad); i++) {
        CHECK_RC(tp_stretch_set_quality(s, (enum tp_quality)bad[i]),
                 TP_ERR_QUALITY);
        CHECK(tp_stretch_get_quality(s) == TP_QUALITY_BALANCED,
              "refused mode %d changed the mode", bad[i]);
    }
    CHECK_RC(tp_stretch_set_quality(s, TP_QUALITY_FINE), TP_OK);
    CHECK_RC(tp_stretch_set_quality(s, TP_QUALITY_FAST), TP_OK);
    CHECK_RC(tp_stretch_reset(s), TP_OK);
    CHECK(tp_stretch_get_quality(s) == TP_QUALITY_FAST, "reset lost the mode");

    /* locked while streaming */
    CHECK_RC(tp_stretch_set_tempo(s, 1.25), TP_OK);
    CHECK_RC(tp_stretch_set_semitones(s, 3.0), TP_OK);
    float in[2 * 512] = {0}, out[2 * 4096];
    tp_data d = {.in = in, .in_frames = 512, .out = out, .out_frames = 4096};
    CHECK_RC(tp_stretch_process(s, &d), TP_OK);
    CHECK_RC(tp_stretch_set_quality(s, TP_QUALITY_FINE), TP_ERR_STATE);
    CHECK(tp_stretch_get_quality(s) == TP_QUALITY_FAST,
          "mode changed while locked");

    /* the modes differ; switching modes after reset == fresh */
    const size_t n = 30011;
    float *x = sig_alloc(n, 2);
    assert_non_null(x);
    sig_rng r;
    sig_rng_seed(&r, 99, 1);
    sig_noise(x, 2 * n, 1, 0.3, &r);
    size_t m = tp_output_length(n, 1.25);
    float *got[3], *fresh = sig_alloc(m, 2);
    assert_non_null(fresh);
    for (int q = 0; q < 3; q++) {
        got[q] = sig_alloc(m, 2);
        assert_non_null(got[q]);
        CHECK_RC(tp_stretch_reset(s), TP_OK);
        CHECK_RC(tp_stretch_set_quality(s, tu_modes[q]), TP_OK);
        CHECK_RC(tp_stretch_run(s, x, n, got[q]), TP_OK);
        tp_stretch *f = NULL;
        CHECK_RC(tp_stretch_create(&f, 2, 44100.0), TP_OK);
        CHECK_RC(tp_stretch_set_tempo(f, 1.25), TP_OK);
        CHECK_RC(tp_stretch_set_semitones(f, 3.0), TP_OK);
        CHECK_RC(tp_stretch_set_quality(f, tu_modes[q]), TP_OK);
        CHECK_RC(tp_stretch_run(f, x, n, fresh), TP_OK);
        tp_stretch_destroy(f);
        CHECK(memcmp(got[q], fresh, m * 2 * sizeof(float)) == 0,
              "mode %d after other modes differs from a fresh instance",
              (int)tu_modes[q]);
    }
    for (int q = 0; q < 3; q++)
        for (int p = 0; p < q; p++)
            CHECK(memcmp(got[q], got[p], m * 2 * sizeof(float)) != 0,
                  "modes %d and %d give the same output", (int)tu_modes[p],
                  (int)tu_modes[q]);
    for (int q = 0; q < 3; q++)
        free(got[q]);
    free(fresh);
    free(x);
    tp_stretch_destroy(s);
}

/* ---- process / run argument checks
 * -------------------------------------------- */

static void process_argument_errors(void **state)
{
    (void)state;
    tp_stretch *s = new_stretch(2, 44100.0);
    float in[2 * 256] = {0}, out[2 * 256];
    tp_data d = {.in = in, .in_frames = 256, .out = out, .out_frames = 256};
    CHECK_RC(tp_stretch_process(NULL, &d), TP_ERR_NULL);
    CHECK_RC(tp_stretch_process(s, NULL), TP_ERR_NULL);

    tp_data bad_in = {
        .in = NULL, .in_frames = 10, .out = out, .out_frames = 256};
    CHECK_RC(tp_stretch_process(s, &bad_in), TP_ERR_BUFFER);
    tp_data bad_in_end = {.in = NULL,
                          .in_frames = 10,
                          .out = out,
                          .out_frames = 256,
                          .end_of_input = 1};
    CHECK_RC(tp_stretch_process(s, &bad_in_end), TP_ERR_BUFFER);
    tp_data bad_out = {
        .in = in, .in_frames = 256, .out = NULL, .out_frames = 5};
    CHECK_RC(tp_stretch_process(s, &bad_out), TP_ERR_BUFFER);
    /* nothing consumed or produced, state unchanged: the stream has not
     * started, so parameters can still be set */
    CHECK(tp_stretch_frames_in(s) == 0, "frames_in %zu after errors",
          tp_stretch_frames_in(s));
    CHECK(tp_stretch_frames_out(s) == 0, "frames_out after errors");
    CHECK(!tp_stretch_finished(s), "finished after a refused end_of_input");
    CHECK_RC(tp_stretch_set_tempo(s, 2.0), TP_OK);

    /* NULL with a zero count is fine */
    tp_data empty = {.in = NULL, .in_frames = 0, .out = NULL, .out_frames = 0};
    CHECK_RC(tp_stretch_process(s, &empty), TP_OK);
    CHECK(empty.in_used == 0 && empty.out_generated == 0, "empty call");

    /* tp_stretch_run */
    float big[2 * 1000] = {0}, res[2 * 1000];
    CHECK_RC(tp_stretch_run(NULL, big, 1000, res), TP_ERR_NULL);
    CHECK_RC(tp_stretch_run(s, NULL, 1000, res), TP_ERR_BUFFER);
    CHECK_RC(tp_stretch_run(s, big, 1000, NULL), TP_ERR_BUFFER);
    CHECK_RC(tp_stretch_run(s, NULL, 0, NULL), TP_OK);
    CHECK(tp_stretch_finished(s), "empty run not finished");
    tp_stretch_destroy(s);
}

/* ---- end of stream protocol
 * ------------------------------------------------------ */

static void finished_semantics(void **state)
{
    (void)state;
    CHECK(tp_stretch_finished(NULL) == 0, "finished(NULL)");
    CHECK(tp_stretch_frames_in(NULL) == 0 && tp_stretch_frames_out(NULL) == 0,
          "counters of NULL");
    const double rate = 44100.0;
    const size_t n = 10000;
    float *in = sig_alloc(n, 2), *out = sig_alloc(20000, 2);
    assert_non_null(in);
    assert_non_null(out);
    sig_rng r;
    sig_rng_seed(&r, 99, 1);
    sig_noise(in, 2 * n, 1, 0.5, &r);
    tp_stretch *s = new_stretch(2, rate);
    CHECK_RC(tp_stretch_set_tempo(s, 0.8), TP_OK);
    size_t want = tp_output_length(n, 0.8); /* 12500 */

    /* all input, not yet the end: not finished, however often we call */
    size_t used = 0, made = 0;
    for (int i = 0; i < 8 && used < n; i++) {
        tp_data d = {.in = in + 2 * used,
                     .in_frames = n - used,
                     .out = out + 2 * made,
                     .out_frames = 100};
        CHECK_RC(tp_stretch_process(s, &d), TP_OK);
        used += d.in_used;
        made += d.out_generated;
        CHECK(!tp_stretch_finished(s), "finished before end_of_input");
    }
    CHECK(tp_stretch_frames_in(s) == used, "frames_in %zu, used %zu",
          tp_stretch_frames_in(s), used);
    CHECK(tp_stretch_frames_out(s) == made, "frames_out %zu, made %zu",
          tp_stretch_frames_out(s), made);
    /* close the stream with the rest, giving little output room: once the
     * end is consumed the stream is finished exactly when all `want`
     * frames have been returned */
    int calls = 0;
    do { /* at least one call: end_of_input may come with 0 frames */
        size_t room = want - made < 100 ? want - made : 100;
        tp_data d = {.in = in + 2 * used,
                     .in_frames = n - used,
                     .out = out + 2 * made,
                     .out_frames = room,
                     .end_of_input = 1};
        CHECK_RC(tp_stretch_process(s, &d), TP_OK);
        used += d.in_used;
        made += d.out_generated;
        CHECK(made <= want, "produced %zu > %zu frames", made, want);
    } while (used < n && ++calls < 1000);
    CHECK(used == n, "the engine did not take the last %zu frames", n - used);
    CHECK(tp_stretch_finished(s) == (made == want),
          "finished() = %d with %zu of %zu frames returned",
          tp_stretch_finished(s), made, want);
    /* after the end, offered input is ignored and reported unused */
    float junk[2 * 50] = {0};
    tp_data dj = {.in = junk,
                  .in_frames = 50,
                  .out = out + 2 * made,
                  .out_frames = made < want ? 1 : 0};
    CHECK_RC(tp_stretch_process(s, &dj), TP_OK);
    CHECK(dj.in_used == 0, "in_used %zu after end of input", dj.in_used);
    made += dj.out_generated;
    CHECK(tp_stretch_frames_in(s) == n, "frames_in grew after the end");
    /* drain in small pieces */
    for (int i = 0; i < 10000 && !tp_stretch_finished(s); i++) {
        CHECK(made < want, "produced %zu > %zu frames", made, want);
        tp_data d = {.in = NULL,
                     .in_frames = 0,
                     .out = out + 2 * made,
                     .out_frames = want - made < 777 ? want - made : 777,
                     .end_of_input = 1};
        CHECK_RC(tp_stretch_process(s, &d), TP_OK);
        made += d.out_generated;
    }
    CHECK(tp_stretch_finished(s), "not finished after draining");
    CHECK(made == want, "produced %zu frames, want %zu", made, want);
    CHECK(tp_stretch_frames_out(s) == want, "frames_out %zu",
          tp_stretch_frames_out(s));
    /* further calls produce nothing and stay finished */
    tp_data dz = {.in = NULL,
                  .in_frames = 0,
                  .out = out,
                  .out_frames = 100,
                  .end_of_input = 1};
    CHECK_RC(tp_stretch_process(s, &dz), TP_OK);
    CHECK(dz.out_generated == 0 && tp_stretch_finished(s), "after finish");
    /* reset: not finished any more */
    CHECK_RC(tp_stretch_reset(s), TP_OK);
    CHECK(!tp_stretch_finished(s), "finished after reset");
    /* empty stream: end_of_input with nothing is complete at once */
    tp_data de = {.in = NULL,
                  .in_frames = 0,
                  .out = out,
                  .out_frames = 100,
                  .end_of_input = 1};
    CHECK_RC(tp_stretch_process(s, &de), TP_OK);
    CHECK(de.out_generated == 0, "empty stream produced %zu", de.out_generated);
    CHECK(tp_stretch_finished(s), "empty stream not finished");
    tp_stretch_destroy(s);
    free(in);
    free(out);
}

/* ---- exact output length
 * ------------------------------------------------------------ */

static const size_t len_table[] = {0,    1,    2,     100,   1000,
                                   4095, 4097, 44100, 200003};
static const double tempo_table[] = {0.05, 0.5, 0.8, 1.0, 1.25, 2.0, 20.0};
static const double pitch_table[] = {0.0, 3.0, -7.0};
/* Long outputs cost time (especially under sanitizers) and add nothing
 * the shorter ones do not cover; under the sanitizers the 200003-frame
 * input still runs at tempo 2 and above. */
#define LEN_MAX_OUTPUT (TU_SANITIZED ? 120000.0 : 1000000.0)
#define GUARD_FRAMES 16
#define GUARD_VALUE 12345.0f

static void length_case(const float *in, size_t n, double st, double tempo,
                        tu_chunking *ck)
{
    size_t want = tp_output_length(n, tempo);
    size_t ref = (size_t)floor((double)n / tempo + 0.5);
    CHECK(want == ref, "tp_output_length(%zu, %g) = %zu, want %zu", n, tempo,
          want, ref);
    tp_stretch *s = new_stretch(1, 44100.0);
    CHECK_RC(tp_stretch_set_tempo(s, tempo), TP_OK);
    CHECK_RC(tp_stretch_set_semitones(s, st), TP_OK);

    /* one call: exactly `want` frames, nothing written past them */
    float *run = sig_alloc(want + GUARD_FRAMES, 1);
    assert_non_null(run);
    sig_fill(run + want, GUARD_FRAMES, 1, GUARD_VALUE);
    CHECK_RC(tp_stretch_run(s, n ? in : NULL, n, run), TP_OK);
    for (size_t i = 0; i < GUARD_FRAMES; i++)
        CHECK(run[want + i] == GUARD_VALUE,
              "n %zu, %+g st, tempo %g: tp_stretch_run wrote past the %zu "
              "output frames",
              n, st, tempo, want);
    CHECK(sig_all_finite(run, want),
          "n %zu, %+g st, tempo %g: non-finite "
          "sample at %zu",
          n, st, tempo, sig_first_nonfinite(run, want));
    CHECK(tp_stretch_frames_in(s) == n && tp_stretch_frames_out(s) == want,
          "run counters in %zu out %zu", tp_stretch_frames_in(s),
          tp_stretch_frames_out(s));
    CHECK(tp_stretch_finished(s), "not finished after run");

    /* streamed on the same instance after reset */
    CHECK_RC(tp_stretch_reset(s), TP_OK);
    size_t cap = want + 64, got = 0;
    float *st_out = sig_alloc(cap, 1);
    assert_non_null(st_out);
    char msg[256];
    int rc = tu_stream(s, in, n, st_out, cap, ck, &got, msg, sizeof msg);
    CHECK(rc == TP_OK, "n %zu, %+g st, tempo %g: %s", n, st, tempo, msg);
    CHECK(got == want, "n %zu, %+g st, tempo %g: streamed %zu frames, want %zu",
          n, st, tempo, got, want);
    CHECK(tp_stretch_frames_in(s) == n && tp_stretch_frames_out(s) == want,
          "stream counters in %zu out %zu", tp_stretch_frames_in(s),
          tp_stretch_frames_out(s));
    if (want)
        CHECK(memcmp(run, st_out, want * sizeof(float)) == 0,
              "n %zu, %+g st, tempo %g: streamed output differs from "
              "tp_stretch_run output",
              n, st, tempo);
    free(st_out);
    free(run);
    tp_stretch_destroy(s);
}

static void exact_length_table(void **state)
{
    tu_use_mode(state);
    const size_t nmax = 200003;
    float *in = sig_alloc(nmax, 1);
    assert_non_null(in);
    sig_rng r;
    sig_rng_seed(&r, 2024, 3);
    sig_noise(in, nmax, 1, 0.3, &r);
    sig_add_sine(in, nmax, 1, 44100.0, 440.0, 0.3, 0.0);
    tu_chunking ck = {1, 3000, 1, 3000, 77};
    int cases = 0, skipped = 0;
    for (size_t li = 0; li < COUNT(len_table); li++)
        for (size_t ti = 0; ti < COUNT(tempo_table); ti++)
            for (size_t pi = 0; pi < COUNT(pitch_table); pi++) {
                size_t n = len_table[li];
                if ((double)n / tempo_table[ti] > LEN_MAX_OUTPUT) {
                    skipped++;
                    continue;
                }
                ck.seed = 1000 * li + 10 * ti + pi;
                length_case(in, n, pitch_table[pi], tempo_table[ti], &ck);
                cases++;
            }
    print_message("%d length cases (x2: run and stream), %d skipped as slow\n",
                  cases, skipped);
    free(in);
}

/* A few multichannel lengths, and a stream fed through one-frame pieces. */
static void exact_length_multichannel(void **state)
{
    tu_use_mode(state);
    static const int chans[] = {2, 5};
    static const size_t lens[] = {1, 4097, 30011};
    static const double tempos[] = {0.5, 1.25, 3.0};
    for (size_t ci = 0; ci < COUNT(chans); ci++) {
        int ch = chans[ci];
        float *in = sig_alloc(30011, ch);
        assert_non_null(in);
        sig_rng r;
        sig_rng_seed(&r, 5, (uint64_t)ch);
        sig_noise(in, 30011 * (size_t)ch, 1, 0.5, &r);
        for (size_t li = 0; li < COUNT(lens); li++)
            for (size_t ti = 0; ti < COUNT(tempos); ti++) {
                size_t got = 0;
                char msg[256];
                float *out =
                    tu_process_new(ch, 48000.0, 2.0, tempos[ti], in, lens[li],
                                   NULL, &got, msg, sizeof msg);
                CHECK(out != NULL, "%d ch, n %zu, tempo %g: %s", ch, lens[li],
                      tempos[ti], msg);
                CHECK(sig_all_finite(out, got * (size_t)ch), "non-finite");
                free(out);
            }
        free(in);
    }
    /* one input frame and one output frame per call */
    float *in = sig_alloc(5000, 2);
    assert_non_null(in);
    sig_rng r;
    sig_rng_seed(&r, 6, 6);
    sig_noise(in, 10000, 1, 0.5, &r);
    tu_chunking one = {1, 1, 1, 1, 0};
    size_t got = 0;
    char msg[256];
    float *out = tu_process_new(2, 44100.0, -3.0, 0.8, in, 5000, &one, &got,
                                msg, sizeof msg);
    CHECK(out != NULL, "one frame per call: %s", msg);
    free(out);
    free(in);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strerror_distinct),
        cmocka_unit_test(strerror_ranges),
        cmocka_unit_test(version_string),
        cmocka_unit_test(output_length_values),
        cmocka_unit_test(create_errors),
        cmocka_unit_test(create_limits_and_defaults),
        cmocka_unit_test(tempo_errors_keep_previous),
        cmocka_unit_test(pitch_errors_keep_previous),
        cmocka_unit_test(params_locked_while_streaming),
        cmocka_unit_test(quality_mode),
        cmocka_unit_test(process_argument_errors),
        cmocka_unit_test(finished_semantics),
        TU_EACH_MODE(exact_length_table),
        TU_EACH_MODE(exact_length_multichannel),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("stretch_api", tests, NULL, NULL);
}
