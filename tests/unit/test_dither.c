/*
 * test_dither.c -- the rounding of 8- and 16-bit outputs (src/audio/
 * dither.c) and where convert_file applies it.
 *
 * What dither is for, measured on a spectrum: a -90 dBFS tone (about one
 * step of 16 bits) processed by the engine and written as 16-bit PCM.
 * Rounded plainly, the error follows the tone and its odd harmonics
 * stand out of the floor; with TPDF dither the tone keeps its level and
 * the harmonics are gone into a flat floor; shaped, the floor is lower
 * at low frequencies and higher at high ones.  An exact copy of a 16-bit
 * input is never dithered.
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
#include <fftw3.h>
#include <sndfile.h>

#include "convert.h"
#include "scratch.h"
#include "dither.h"

#define RATE 44100
#define TONE_HZ 1000.0
#define FFT_N 32768
#define PI 3.14159265358979323846


static void write_wav(const char *name, int subtype, const float *x,
                      sf_count_t frames)
{
    SF_INFO info = {.samplerate = RATE, .channels = 1,
                    .format = SF_FORMAT_WAV | subtype};
    SNDFILE *f = sf_open(scratch_path(name), SFM_WRITE, &info);
    assert_non_null(f);
    assert_int_equal(sf_writef_float(f, x, frames), frames);
    sf_close(f);
}

/* The whole of a mono file as floats; *frames set. */
static float *read_wav(const char *p, sf_count_t *frames)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(p, SFM_READ, &info);
    assert_non_null(f);
    float *x = malloc((size_t)info.frames * sizeof *x);
    assert_non_null(x);
    assert_int_equal(sf_readf_float(f, x, info.frames), info.frames);
    sf_close(f);
    *frames = info.frames;
    return x;
}

static void convert(const char *in, const char *out, double tempo,
                    enum dither_mode mode)
{
    struct convert_params p;
    memset(&p, 0, sizeof p);
    settings_defaults(&p.settings);
    settings_set_tempo(&p.settings, 'T', tempo);
    p.policy.force = 1;
    p.policy.dither = mode;
    p.format.subtype = SF_FORMAT_PCM_16;
    snprintf(p.stamp, sizeof p.stamp, "test -T %g", tempo);
    struct converter *c = converter_new();
    assert_non_null(c);
    struct convert_result r;
    assert_int_equal(convert_file(c, scratch_path(in), scratch_path(out), &p, &r), CONVERT_OK);
    converter_free(c);
}

/* Power spectrum (Hann window) of FFT_N samples from the middle of x,
 * scaled so that a full-scale sine's bins sum to 0.5 (its mean square). */
static double *spectrum(const float *x, sf_count_t frames)
{
    assert_true(frames >= FFT_N);
    const float *mid = x + (frames - FFT_N) / 2;
    float *in = fftwf_malloc(FFT_N * sizeof *in);
    fftwf_complex *out = fftwf_malloc((FFT_N / 2 + 1) * sizeof *out);
    assert_true(in != NULL && out != NULL);
    fftwf_plan plan = fftwf_plan_dft_r2c_1d(FFT_N, in, out, FFTW_ESTIMATE);
    double wsum2 = 0.0;
    for (int i = 0; i < FFT_N; i++) {
        double w = 0.5 - 0.5 * cos(2.0 * PI * i / FFT_N);
        in[i] = (float)(mid[i] * w);
        wsum2 += w * w;
    }
    fftwf_execute(plan);
    double *p = malloc((FFT_N / 2 + 1) * sizeof *p);
    assert_non_null(p);
    for (int k = 0; k <= FFT_N / 2; k++)
        p[k] = 2.0 * ((double)out[k][0] * out[k][0] +
                      (double)out[k][1] * out[k][1]) /
               ((double)FFT_N * wsum2);
    fftwf_destroy_plan(plan);
    fftwf_free(in);
    fftwf_free(out);
    return p;
}

static int bin_of(double hz)
{
    return (int)lround(hz * FFT_N / RATE);
}

/* Mean square of a tone at `hz`: its bins and the window's spread. */
static double tone_power(const double *p, double hz)
{
    double s = 0.0;
    for (int k = bin_of(hz) - 3; k <= bin_of(hz) + 3; k++)
        s += p[k];
    return s;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median bin power over lo..hi Hz: the floor, whatever tones are in
 * it. */
static double floor_power(const double *p, double lo, double hi)
{
    int a = bin_of(lo), b = bin_of(hi), n = b - a;
    double *v = malloc((size_t)n * sizeof *v);
    assert_non_null(v);
    memcpy(v, p + a, (size_t)n * sizeof *v);
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    double m = v[n / 2];
    free(v);
    return m;
}

static double db(double power)
{
    return 10.0 * log10(power);
}

/* The largest of the 3rd, 5th and 7th harmonics above the floor around
 * them, in dB (a tone's 7 bins against 7 bins of floor). */
static double harmonics_over_floor(const double *p)
{
    double worst = -1e9;
    for (int h = 3; h <= 7; h += 2) {
        double hz = h * TONE_HZ;
        double fl = 7.0 * floor_power(p, hz - 400.0, hz + 400.0);
        double over = db(tone_power(p, hz)) - db(fl);
        if (over > worst)
            worst = over;
    }
    return worst;
}

/* The -90 dBFS tone, processed at tempo 1.25 into 16-bit PCM with `mode`;
 * returns its spectrum. */
static double *processed_quiet_tone(enum dither_mode mode, const char *name)
{
    const sf_count_t n = 3 * RATE;
    float *x = malloc((size_t)n * sizeof *x);
    assert_non_null(x);
    const double amp = pow(10.0, -90.0 / 20.0);
    for (sf_count_t i = 0; i < n; i++)
        x[i] = (float)(amp * sin(2.0 * PI * TONE_HZ * (double)i / RATE));
    write_wav("quiet.wav", SF_FORMAT_FLOAT, x, n);
    free(x);
    convert("quiet.wav", name, 1.25, mode);
    sf_count_t m;
    float *y = read_wav(scratch_path(name), &m);
    double *p = spectrum(y, m);
    free(y);
    return p;
}

static void tpdf_floor_instead_of_harmonics(void **state)
{
    (void)state;
    const double want = db(0.5 * pow(10.0, -90.0 / 10.0)); /* mean square */
    double *plain = processed_quiet_tone(DITHER_NONE, "plain.wav");
    double *tpdf = processed_quiet_tone(DITHER_TPDF, "tpdf.wav");
    double plain_h = harmonics_over_floor(plain);
    double tpdf_h = harmonics_over_floor(tpdf);
    double level = db(tone_power(tpdf, TONE_HZ)) - want;
    double flat = db(floor_power(tpdf, 2000, 8000)) -
                  db(floor_power(tpdf, 12000, 18000));
    print_message("-90 dBFS tone: level %+.2f dB; harmonics over the floor: "
                  "%.1f dB rounded, %.1f dB dithered; floor 2-8 kHz vs "
                  "12-18 kHz %+.2f dB\n",
                  level, plain_h, tpdf_h, flat);
    /* rounded plainly the harmonics stand out: the measure can fail */
    assert_true(plain_h > 10.0);
    assert_true(tpdf_h < 6.0);
    assert_true(fabs(level) < 1.0);
    assert_true(fabs(flat) < 1.5);
    free(plain);
    free(tpdf);
}

static void shaped_floor_moves_up(void **state)
{
    (void)state;
    double *tpdf = processed_quiet_tone(DITHER_TPDF, "tpdf.wav");
    double *shaped = processed_quiet_tone(DITHER_SHAPED, "shaped.wav");
    double low = db(floor_power(shaped, 200, 2000)) -
                 db(floor_power(tpdf, 200, 2000));
    double high = db(floor_power(shaped, 16000, 20000)) -
                  db(floor_power(tpdf, 16000, 20000));
    double level = db(tone_power(shaped, TONE_HZ)) -
                   db(0.5 * pow(10.0, -90.0 / 10.0));
    print_message("shaped against TPDF: floor %+.1f dB at 0.2-2 kHz, %+.1f dB "
                  "at 16-20 kHz; tone %+.2f dB\n",
                  low, high, level);
    assert_true(low < -10.0);
    assert_true(high > 5.0);
    assert_true(harmonics_over_floor(shaped) < 6.0);
    assert_true(fabs(level) < 1.0);
    free(tpdf);
    free(shaped);
}

/* Dithered samples are on the 16-bit grid, the same job gives the same
 * samples, and a copy of a 16-bit input is not touched. */
static void grid_determinism_and_copy(void **state)
{
    (void)state;
    double *a = processed_quiet_tone(DITHER_TPDF, "a.wav");
    free(a);
    sf_count_t n1, n2;
    float *x = read_wav(scratch_path("a.wav"), &n1);
    for (sf_count_t i = 0; i < n1; i++) {
        float s = x[i] * 32768.0f;
        assert_true(s == rintf(s));
    }
    double *b = processed_quiet_tone(DITHER_TPDF, "b.wav");
    free(b);
    float *y = read_wav(scratch_path("b.wav"), &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(x, y, (size_t)n1 * sizeof *x);
    free(x);
    free(y);

    const sf_count_t n = RATE / 2;
    float *in = malloc((size_t)n * sizeof *in);
    assert_non_null(in);
    for (sf_count_t i = 0; i < n; i++)
        in[i] = (float)(0.3 * sin(2.0 * PI * 440.0 * (double)i / RATE));
    write_wav("s16.wav", SF_FORMAT_PCM_16, in, n);
    free(in);
    convert("s16.wav", "copy.wav", 1.0, DITHER_TPDF);
    x = read_wav(scratch_path("s16.wav"), &n1);
    y = read_wav(scratch_path("copy.wav"), &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(x, y, (size_t)n1 * sizeof *x);
    free(x);
    free(y);
}

/* dither_apply itself: the codes' range, the seed, DITHER_NONE. */
static void module(void **state)
{
    (void)state;
    struct dither d = {0};
    float x[8] = {1.0f, -1.0f, 0.999f, -0.999f, 0.0f, 0.5f, 1.5f, -1.5f};
    float y[8], z[8];
    assert_int_equal(dither_prepare(&d, DITHER_TPDF, 2, 8, 42), 0);
    memcpy(y, x, sizeof x);
    dither_apply(&d, y, 4);
    for (int i = 0; i < 8; i++) {
        float s = y[i] * 128.0f;
        assert_true(s == rintf(s) && s >= -128.0f && s <= 127.0f);
    }
    assert_int_equal(dither_prepare(&d, DITHER_TPDF, 2, 8, 42), 0);
    memcpy(z, x, sizeof x);
    dither_apply(&d, z, 4);
    assert_memory_equal(y, z, sizeof y);
    assert_int_equal(dither_prepare(&d, DITHER_NONE, 2, 16, 42), 0);
    memcpy(z, x, sizeof x);
    dither_apply(&d, z, 4);
    assert_memory_equal(x, z, sizeof x);
    dither_free(&d);
}

static int setup(void **state)
{
    (void)state;
    return scratch_make("dither");
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(module),
        cmocka_unit_test(tpdf_floor_instead_of_harmonics),
        cmocka_unit_test(shaped_floor_moves_up),
        cmocka_unit_test(grid_determinism_and_copy),
    };
    return cmocka_run_group_tests_name("dither", tests, setup, teardown);
}
