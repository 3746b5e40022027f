/*
 * test_convert.c -- convert_file() (src/audio/convert.c) on files written
 * here with libsndfile: exact output length for every quality mode and a
 * few formats, the same bytes from two converters (and from one reused),
 * refusals before any work (the input as output, an existing output),
 * and nothing left behind by a failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sndfile.h>

#include "convert.h"
#include "scratch.h"

#include <tempitch/stretch.h>


/* A 16-bit stereo WAV of `frames` frames: two sines and a click. */
static void write_input(const char *name, sf_count_t frames)
{
    SF_INFO info = {.samplerate = 44100, .channels = 2,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(scratch_path(name), SFM_WRITE, &info);
    assert_non_null(f);
    float *x = calloc((size_t)frames * 2, sizeof *x);
    assert_non_null(x);
    for (sf_count_t i = 0; i < frames; i++) {
        x[2 * i] = 0.3f * sinf(2.0f * 3.14159265f * 440.0f * (float)i / 44100);
        x[2 * i + 1] =
            0.3f * sinf(2.0f * 3.14159265f * 660.0f * (float)i / 44100);
    }
    x[2 * (frames / 2)] = 0.9f;
    assert_int_equal(sf_writef_float(f, x, frames), frames);
    sf_close(f);
    free(x);
}

static sf_count_t frames_of(const char *p)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(p, SFM_READ, &info);
    if (f == NULL)
        return -1;
    sf_close(f);
    return info.frames;
}

static int same_bytes(const char *a, const char *b)
{
    FILE *x = fopen(a, "rb"), *y = fopen(b, "rb");
    int same = x != NULL && y != NULL;
    while (same) {
        int c = fgetc(x), d = fgetc(y);
        same = c == d;
        if (c == EOF || d == EOF)
            break;
    }
    if (x)
        fclose(x);
    if (y)
        fclose(y);
    return same;
}

static struct convert_params params_for(double semitones, double tempo)
{
    struct convert_params p;
    memset(&p, 0, sizeof p);
    settings_defaults(&p.settings);
    settings_set_pitch(&p.settings, 'p', semitones);
    settings_set_tempo(&p.settings, 'T', tempo);
    p.policy.force = 1;
    return p;
}

static int setup(void **state)
{
    (void)state;
    if (scratch_make("convert") != 0)
        return -1;
    write_input("in.wav", 30011);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove();
}

static void exact_length(void **state)
{
    (void)state;
    struct converter *c = converter_new();
    assert_non_null(c);
    static const double tempos[] = {0.5, 0.8, 1.0, 1.25, 3.0};
    static const enum tp_quality modes[] = {TP_QUALITY_FAST, TP_QUALITY_BALANCED,
                                TP_QUALITY_FINE};
    static const char *const names[] = {"o.wav", "o.flac", "o.aiff", "o.caf"};
    for (size_t t = 0; t < sizeof tempos / sizeof *tempos; t++)
        for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
            for (size_t n = 0; n < sizeof names / sizeof *names; n++) {
                struct convert_params p = params_for(2.0, tempos[t]);
                p.settings.quality = modes[m];
                struct convert_result r;
                assert_int_equal(convert_file(c, scratch_path("in.wav"),
                                              scratch_path(names[n]), &p, &r),
                                 CONVERT_OK);
                size_t want = tp_output_length(30011, tempos[t]);
                assert_int_equal(r.frames_in, 30011);
                assert_int_equal(r.frames_out, want);
                assert_int_equal(frames_of(scratch_path(names[n])), (sf_count_t)want);
            }
    converter_free(c);
}

static void same_bytes_any_converter(void **state)
{
    (void)state;
    struct converter *a = converter_new(), *b = converter_new();
    assert_non_null(a);
    assert_non_null(b);
    struct convert_params p = params_for(-3.0, 1.1);
    struct convert_result r;
    assert_int_equal(convert_file(a, scratch_path("in.wav"), scratch_path("a.wav"), &p, &r),
                     CONVERT_OK);
    /* b first does other work: a reused converter is a fresh one */
    struct convert_params q = params_for(5.0, 0.7);
    assert_int_equal(convert_file(b, scratch_path("in.wav"), scratch_path("x.wav"), &q, &r),
                     CONVERT_OK);
    assert_int_equal(convert_file(b, scratch_path("in.wav"), scratch_path("b.wav"), &p, &r),
                     CONVERT_OK);
    assert_true(same_bytes(scratch_path("a.wav"), scratch_path("b.wav")));
    converter_free(a);
    converter_free(b);
}

static void refusals(void **state)
{
    (void)state;
    struct converter *c = converter_new();
    assert_non_null(c);
    struct convert_params p = params_for(1.0, 1.0);
    struct convert_result r;
    /* the input as its own output, even with force and another name */
    char other[300];
    snprintf(other, sizeof other, "%s/./in.wav", scratch_dir());
    assert_int_equal(convert_file(c, scratch_path("in.wav"), other, &p, &r),
                     CONVERT_FAILED);
    assert_string_equal(r.reason, CONVERT_REASON_IS_INPUT);
    assert_int_equal(frames_of(scratch_path("in.wav")), 30011);
    /* an existing output without force is kept */
    p.policy.force = 0;
    assert_int_equal(convert_file(c, scratch_path("in.wav"), scratch_path("o.wav"), &p, &r),
                     CONVERT_EXISTS);
    assert_string_equal(r.reason, CONVERT_REASON_EXISTS);
    /* a missing input writes nothing, not even a temporary file */
    p.policy.force = 1;
    assert_int_equal(
        convert_file(c, scratch_path("missing.wav"), scratch_path("m.wav"), &p, &r),
        CONVERT_FAILED);
    assert_int_equal(access(scratch_path("m.wav"), F_OK), -1);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q '\\.tmp\\.'", scratch_dir());
    assert_int_not_equal(system(cmd), 0);
    converter_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_length),
        cmocka_unit_test(same_bytes_any_converter),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
