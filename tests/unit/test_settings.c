/*
 * test_settings.c -- the engine settings (src/audio/settings.c): the one
 * pitch and tempo conversion, the settings stamp's canonical spellings,
 * the tag of output names and what the engine is given.
 *
 * The stamp decides whether --newer redoes a file, so two spellings of
 * one setting must give one stamp, and two settings two stamps; names,
 * on the contrary, show the spelling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "convert.h"
#include "settings.h"

#define V "tempitch " TEMPITCH_VERSION

/* Settings with the pitch and the tempo as given. */
static struct settings given(int pitch_opt, double pitch, int tempo_opt,
                             double tempo)
{
    struct settings s;
    settings_defaults(&s);
    settings_set_pitch(&s, pitch_opt, pitch);
    settings_set_tempo(&s, tempo_opt, tempo);
    return s;
}

static void stamp_of(const struct settings *s, int normalize, int clip,
                     char out[SETTINGS_STAMP_MAX])
{
    struct convert_policy policy = {.normalize = normalize, .clip = clip};
    struct convert_format format = {0};
    settings_stamp(s, &policy, &format, out);
}

static void test_conversions(void **state)
{
    (void)state;
    struct settings s = given('f', 2.0, 't', 0.8);
    assert_true(s.semitones == 12.0 && s.pitch_given == 2.0);
    assert_true(s.tempo == 1.0 / 0.8 && s.tempo_given == 0.8);
    assert_true(settings_duration(&s) == 0.0);
    s = given(0, 0.0, 'D', 30.0);
    assert_true(s.semitones == 0.0 && s.tempo == 1.0);
    assert_true(settings_duration(&s) == 30.0);
    settings_defaults(&s);
    assert_int_equal(s.pitch_opt, 0);
    assert_int_equal(s.tempo_opt, 0);
    assert_true(s.tempo == 1.0 && s.tempo_given == 1.0);
    assert_int_equal(s.quality, TP_QUALITY_BALANCED);
    assert_string_equal(settings_quality_name(TP_QUALITY_FAST), "fast");
    assert_string_equal(settings_quality_name(TP_QUALITY_BALANCED), "balanced");
    assert_string_equal(settings_quality_name(TP_QUALITY_FINE), "fine");
}

/* A wrong stamp would redo current outputs or keep stale ones. */
static void test_stamp_spellings(void **state)
{
    (void)state;
    char a[SETTINGS_STAMP_MAX], b[SETTINGS_STAMP_MAX];
    struct settings s = given('p', 3, 'T', 1.25);
    stamp_of(&s, 0, 0, a);
    assert_string_equal(a, V " -p 3 -T 1.25");
    /* -f 2 is -p 12; -t 0.8 is -T 1.25. */
    s = given('f', 2, 't', 0.8);
    stamp_of(&s, 0, 0, b);
    s = given('p', 12, 'T', 1.25);
    stamp_of(&s, 0, 0, a);
    assert_string_equal(a, b);
    /* -0 is 0; values people type stay short. */
    s = given('p', -0.0, 'T', 1.1);
    stamp_of(&s, 0, 0, a);
    assert_string_equal(a, V " -p 0 -T 1.1");
    /* Different settings, different stamps, down to the last bit. */
    s = given('p', 3, 'T', 1.25);
    stamp_of(&s, 1, 0, a);
    assert_string_equal(a, V " -p 3 -T 1.25 --normalize");
    s = given(0, 0, 'T', 1.0000000000000002);
    stamp_of(&s, 0, 0, a);
    s = given(0, 0, 'T', 1.0);
    stamp_of(&s, 0, 0, b);
    assert_string_not_equal(a, b);
    /* --clip instead of the limiter: other samples at full scale. */
    s = given('p', 3, 'T', 1.25);
    stamp_of(&s, 0, 1, a);
    assert_string_equal(a, V " -p 3 -T 1.25 --clip");
}

/* -F is in the stamp when it changes the audio, and only then: with a
 * pitch shift, or when the formants are moved on their own. */
static void test_stamp_formants(void **state)
{
    (void)state;
    char a[SETTINGS_STAMP_MAX];
    struct settings s = given('p', 3, 'T', 1.25);
    s.formant = 1;
    stamp_of(&s, 0, 0, a);
    assert_string_equal(a, V " -p 3 -T 1.25 -F");
    settings_set_pitch(&s, 'p', 0);
    stamp_of(&s, 0, 0, a);
    assert_string_equal(a, V " -p 0 -T 1.25");
    s.formant_semitones = -3;
    stamp_of(&s, 0, 0, a);
    assert_string_equal(a, V " -p 0 -T 1.25 --formant-semitones -3");
    /* The quality mode: another sound, another stamp. */
    s = given('p', 3, 'T', 1.25);
    s.quality = TP_QUALITY_FAST;
    stamp_of(&s, 0, 0, a);
    assert_string_equal(a, V " -p 3 -T 1.25 --fast");
    s.quality = TP_QUALITY_FINE;
    stamp_of(&s, 0, 0, a);
    assert_string_equal(a, V " -p 3 -T 1.25 --fine");
}

/* Names keep the spelling: -f 2 is not -p 12 there. */
static void test_tags(void **state)
{
    (void)state;
    char tag[SETTINGS_TAG_MAX], pitch[SETTINGS_TAG_MAX];
    char tempo[SETTINGS_TAG_MAX];
    struct settings s = given('p', 3, 'T', 1.25);
    settings_tag(&s, tag);
    assert_string_equal(tag, "p+3.T1.25");
    s = given('f', 0.5, 't', 0.8);
    settings_tag(&s, tag);
    assert_string_equal(tag, "f0.5.t0.8");
    s = given(0, 0, 'D', 30);
    settings_tag(&s, tag);
    assert_string_equal(tag, "D30");
    /* Defaults are left out; -F only with a pitch change. */
    s = given('p', 0, 'T', 1);
    s.formant = 1;
    settings_tag(&s, tag);
    assert_string_equal(tag, "copy");
    s = given('f', 1, 't', 1);
    settings_tag(&s, tag);
    assert_string_equal(tag, "copy");
    s = given('p', 4, 0, 1);
    s.formant = 1;
    settings_tag(&s, tag);
    assert_string_equal(tag, "p+4.F");
    s.formant_semitones = -2;
    settings_set_pitch(&s, 0, 0);
    settings_tag(&s, tag);
    assert_string_equal(tag, "F-2");
    /* The template fields: semitones signed, a ratio not. */
    s = given('p', 3, 0, 1);
    settings_name_fields(&s, pitch, tempo);
    assert_string_equal(pitch, "+3");
    assert_string_equal(tempo, "1");
    s = given('f', 1.5, 'T', 1.25);
    settings_name_fields(&s, pitch, tempo);
    assert_string_equal(pitch, "1.5");
    assert_string_equal(tempo, "1.25");
}

/* The engine gets every setting; a ratio exactly as given. */
static void test_apply(void **state)
{
    (void)state;
    tp_stretch *e = NULL;
    assert_int_equal(tp_stretch_create(&e, 1, 44100.0), TP_OK);
    struct settings s = given('f', 1.1, 'T', 1.25);
    s.formant = 1;
    s.formant_semitones = 2;
    s.quality = TP_QUALITY_FINE;
    assert_int_equal(settings_apply(&s, e), TP_OK);
    assert_true(tp_stretch_get_pitch_ratio(e) == 1.1);
    assert_int_equal(tp_stretch_get_quality(e), TP_QUALITY_FINE);
    int preserve = 0;
    double st = 0;
    assert_int_equal(tp_stretch_get_formant(e, &preserve, &st), TP_OK);
    assert_true(preserve == 1 && st == 2.0);
    /* Out of the engine's range: its error comes back. */
    s.formant_semitones = TP_FORMANT_SEMITONES_MAX + 1;
    assert_int_equal(settings_apply(&s, e), TP_ERR_FORMANT);
    tp_stretch_destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conversions),
        cmocka_unit_test(test_stamp_spellings),
        cmocka_unit_test(test_stamp_formants),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_apply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
