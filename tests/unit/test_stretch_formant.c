/*
 * test_stretch_formant.c -- formant preservation and formant shift
 * (tp_stretch_set_formant): where the spectral envelope of a synthetic
 * vowel ends up, the balance of a chord's partials (whose envelope must
 * not change), bit-identity where the option must change nothing, channel
 * coherence, and refused parameters.
 *
 * The vowel is a harmonic series at f0 = 120 Hz whose amplitudes follow
 * three resonance peaks (700, 1200, 2600 Hz).  Its envelope is measured here
 * independently of the engine: the long-term average power spectrum, its
 * real cepstrum liftered at 4 ms (below the pitch period of every output),
 * and the highest point of the smoothed log spectrum near each expected
 * formant.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fftw3.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#include "signals.h"
#include "tempitch/stretch.h"

#include "check.h"

static const double RATE = 44100.0;
static const double F0 = 120.0;
static const double FORMANTS[] = {700.0, 1200.0, 2600.0};
static const double BANDWIDTHS[] = {130.0, 150.0, 200.0};
enum { NFORMANTS = 3 };

/* Amplitude of the vowel's envelope at f: three resonance peaks (of
 * heights 1, 0.7, 0.4) over a floor. */
static double vowel_gain(double f)
{
    static const double height[] = {1.0, 0.7, 0.4};
    double g = 0.01;
    for (int i = 0; i < NFORMANTS; i++) {
        double u = (f - FORMANTS[i]) / (0.5 * BANDWIDTHS[i]);
        g += height[i] / (1.0 + u * u);
    }
    return g;
}

/* n frames of the vowel on `ch` identical channels (or channel 1 scaled by
 * `other` when ch == 2), peak well under full scale. */
static float *make_vowel(size_t n, int ch, double other)
{
    float *x = sig_alloc(n, ch);
    assert_non_null(x);
    double *mono = calloc(n, sizeof *mono);
    assert_non_null(mono);
    int harmonics = (int)(0.45 * RATE / F0);
    for (int k = 1; k <= harmonics; k++) {
        double f = k * F0, a = vowel_gain(f);
        /* Schroeder phases keep the crest factor low. */
        double ph = M_PI * k * (k - 1) / harmonics;
        double w = 2.0 * M_PI * f / RATE;
        for (size_t i = 0; i < n; i++)
            mono[i] += a * cos(w * (double)i + ph);
    }
    double peak = 0.0;
    for (size_t i = 0; i < n; i++)
        peak = fmax(peak, fabs(mono[i]));
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < ch; c++)
            x[i * (size_t)ch + (size_t)c] =
                (float)(0.5 * mono[i] / peak * (c == 1 ? other : 1.0));
    free(mono);
    return x;
}

/* Runs a whole stream; returns the output (tp_output_length frames). */
static float *run(int ch, const float *in, size_t n, double st, double tempo,
                  int preserve, double fst, size_t *m)
{
    tp_stretch *s = NULL;
    assert_int_equal(tp_stretch_create(&s, ch, RATE), TP_OK);
    assert_int_equal(tp_stretch_set_tempo(s, tempo), TP_OK);
    assert_int_equal(tp_stretch_set_semitones(s, st), TP_OK);
    assert_int_equal(tp_stretch_set_formant(s, preserve, fst), TP_OK);
    *m = tp_output_length(n, tempo);
    float *out = sig_alloc(*m, ch);
    assert_non_null(out);
    int rc = tp_stretch_run(s, in, n, out);
    CHECK(rc == TP_OK, "run: %s", tp_strerror(rc));
    tp_stretch_destroy(s);
    return out;
}

/* ---- the envelope, measured ------------------------------------------- */

enum { EN = 4096, EHOP = 1024, MAXPEAKS = 512 };

/* Long-term average log power (natural log) of channel 0 over the steady
 * middle, on EN/2+1 bins. */
static void ltas(const float *x, size_t n, int ch, double *lp)
{
    const int bins = EN / 2 + 1;
    float *t = fftwf_alloc_real(EN);
    fftwf_complex *f = fftwf_alloc_complex((size_t)bins);
    assert_true(t && f);
    fftwf_plan fw = fftwf_plan_dft_r2c_1d(EN, t, f, FFTW_ESTIMATE);
    assert_non_null(fw);
    for (int j = 0; j < bins; j++)
        lp[j] = 0.0;
    size_t from = (size_t)(0.2 * RATE), to = n - (size_t)(0.2 * RATE);
    for (size_t s = from; s + EN <= to; s += EHOP) {
        for (int i = 0; i < EN; i++)
            t[i] = x[(s + (size_t)i) * (size_t)ch] *
                   (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / EN));
        fftwf_execute(fw);
        for (int j = 0; j < bins; j++)
            lp[j] += (double)f[j][0] * f[j][0] + (double)f[j][1] * f[j][1];
    }
    double top = 0.0;
    for (int j = 0; j < bins; j++)
        top = fmax(top, lp[j]);
    for (int j = 0; j < bins; j++)
        lp[j] = log(lp[j] + top * 1e-12);
    fftwf_destroy_plan(fw);
    fftwf_free(t);
    fftwf_free(f);
}

/* The envelope is sampled by the harmonics: their peaks (the largest bin
 * within +-0.35 f0, refined by a parabola) give (frequency, level) pairs,
 * and a formant is the vertex of the parabola through the loudest peak
 * near it and its two neighbours.  Unlike the maximum of a smoothed
 * spectrum this is not pulled towards the nearest harmonic (within about
 * 2.5 % on the ideal vowel at f0 from 90 to 180 Hz). */
static double formant_near(const double *lp, double f0, double want)
{
    const double bin = RATE / EN;
    const int bins = EN / 2 + 1, half = (int)(0.35 * f0 / bin);
    double pf[MAXPEAKS], pl[MAXPEAKS];
    int np = 0;
    for (int j = half + 1; j < bins - half - 1 && np < MAXPEAKS; j++) {
        int top = 1;
        for (int i = j - half; i <= j + half && top; i++)
            if (i != j && (lp[i] > lp[j] || (lp[i] == lp[j] && i < j)))
                top = 0;
        if (!top)
            continue;
        double a = lp[j - 1], b = lp[j], c = lp[j + 1], den = a - 2 * b + c;
        double d = den < 0.0 ? 0.5 * (a - c) / den : 0.0;
        pf[np] = (j + d) * bin;
        pl[np] = b - 0.25 * (a - c) * d;
        np++;
    }
    int best = -1;
    for (int i = 1; i + 1 < np; i++)
        if (pf[i] > 0.8 * want && pf[i] < 1.2 * want &&
            (best < 0 || pl[i] > pl[best]))
            best = i;
    if (best < 0)
        return 0.0;
    /* Vertex of the parabola through three points. */
    double x1 = pf[best - 1], x2 = pf[best], x3 = pf[best + 1];
    double y1 = pl[best - 1], y2 = pl[best], y3 = pl[best + 1];
    double num =
        (x2 - x1) * (x2 - x1) * (y2 - y3) - (x2 - x3) * (x2 - x3) * (y2 - y1);
    double den = (x2 - x1) * (y2 - y3) - (x2 - x3) * (y2 - y1);
    return den != 0.0 ? x2 - 0.5 * num / den : x2;
}

/* Checks that the output's formants sit at the vowel's x `ratio` (the
 * output's f0 is F0 x r), within 5 %. */
static void check_formants(const float *out, size_t m, int ch, double r,
                           double ratio, const char *what)
{
    double *lp = malloc(sizeof(double) * (EN / 2 + 1));
    assert_non_null(lp);
    ltas(out, m, ch, lp);
    for (int i = 0; i < NFORMANTS; i++) {
        double want = FORMANTS[i] * ratio;
        double got = formant_near(lp, F0 * r, want);
        print_message("%s: F%d at %.0f Hz (want %.0f, %+.1f %%)\n", what, i + 1,
                      got, want, 100.0 * (got / want - 1.0));
        CHECK(fabs(got / want - 1.0) < 0.05, "%s: F%d at %.0f Hz, want %.0f Hz",
              what, i + 1, got, want);
    }
    free(lp);
}

/* ---- tests ------------------------------------------------------------- */

static void formants_kept_and_moved(void **state)
{
    (void)state;
    const size_t n = (size_t)(1.5 * RATE);
    float *in = make_vowel(n, 1, 1.0);
    static const struct {
        double st, tempo;
    } jobs[] = {{5.0, 1.0}, {5.0, 1.25}, {-5.0, 1.0}, {-5.0, 0.8}};
    char what[96];
    for (size_t i = 0; i < COUNT(jobs); i++) {
        double st = jobs[i].st, tempo = jobs[i].tempo, r = exp2(st / 12.0);
        size_t m;
        if (i == 0) {
            snprintf(what, sizeof what, "input");
            check_formants(in, n, 1, 1.0, 1.0, what);
        }
        float *plain = run(1, in, n, st, tempo, 0, 0.0, &m);
        snprintf(what, sizeof what, "%+g st, tempo %g, plain", st, tempo);
        check_formants(plain, m, 1, r, r, what);
        float *kept = run(1, in, n, st, tempo, 1, 0.0, &m);
        snprintf(what, sizeof what, "%+g st, tempo %g, -F", st, tempo);
        check_formants(kept, m, 1, r, 1.0, what);
        free(plain);
        free(kept);
    }
    free(in);
}

/* A chord with a high note, each a harmonic series of 10 partials at 1/k
 * (the additive phrase of the quality harness is made the same way).  Its
 * envelope is about f0 / f for every note, so moving it by the pitch ratio
 * is a constant gain, which the frame's energy rule takes out: the
 * partials must keep their balance.  Returns the r.m.s. deviation (dB)
 * of the output's isolated partials from a / k, after their mean. */
static const struct {
    double f0, amp;
} CHORD[] = {{220.0, 0.25}, {261.63, 0.25}, {329.63, 0.25}, {880.0, 0.2}};
enum { CHORD_PARTIALS = 10 };

static float *make_chord(size_t n)
{
    float *x = sig_alloc(n, 1);
    assert_non_null(x);
    for (size_t c = 0; c < COUNT(CHORD); c++)
        for (int k = 1; k <= CHORD_PARTIALS; k++) {
            double w = 2.0 * M_PI * k * CHORD[c].f0 / RATE;
            double a = 0.3 * CHORD[c].amp / k, ph = 0.7 * k + 1.3 * (double)c;
            for (size_t i = 0; i < n; i++)
                x[i] += (float)(a * sin(w * (double)i + ph));
        }
    return x;
}

static double chord_balance(const float *out, size_t m, double r)
{
    double *lp = malloc(sizeof(double) * (EN / 2 + 1));
    assert_non_null(lp);
    ltas(out, m, 1, lp);
    const double bin = RATE / EN;
    double dev[COUNT(CHORD) * CHORD_PARTIALS];
    int nd = 0;
    for (size_t c = 0; c < COUNT(CHORD); c++)
        for (int k = 1; k <= CHORD_PARTIALS; k++) {
            double f = k * CHORD[c].f0;
            int alone = 1; /* no other note's partial within 40 Hz */
            for (size_t o = 0; o < COUNT(CHORD) && alone; o++)
                for (int l = 1; l <= CHORD_PARTIALS && o != c; l++)
                    if (fabs(l * CHORD[o].f0 - f) < 40.0)
                        alone = 0;
            if (!alone)
                continue;
            int j = (int)lround(f * r / bin);
            double pw = 0.0;
            for (int i = j - 2; i <= j + 2; i++)
                pw += exp(lp[i]);
            dev[nd++] = 10.0 * log10(pw) - 20.0 * log10(CHORD[c].amp / k);
        }
    double mean = 0.0, ss = 0.0;
    for (int i = 0; i < nd; i++)
        mean += dev[i] / nd;
    for (int i = 0; i < nd; i++)
        ss += (dev[i] - mean) * (dev[i] - mean) / nd;
    free(lp);
    return sqrt(ss);
}

static void chord_keeps_balance(void **state)
{
    (void)state;
    const size_t n = (size_t)(1.5 * RATE);
    float *in = make_chord(n);
    static const double shifts[] = {7.0, 3.0, -5.0};
    for (size_t i = 0; i < COUNT(shifts); i++) {
        double st = shifts[i], r = exp2(st / 12.0);
        size_t m;
        float *plain = run(1, in, n, st, 1.0, 0, 0.0, &m);
        float *kept = run(1, in, n, st, 1.0, 1, 0.0, &m);
        double dp = chord_balance(plain, m, r), dk = chord_balance(kept, m, r);
        print_message("chord %+g st: partials off 1/k by %.2f dB r.m.s. "
                      "(without -F %.2f dB)\n",
                      st, dk, dp);
        CHECK(dk < 4.0, "chord %+g st, -F: partials off by %.2f dB", st, dk);
        free(plain);
        free(kept);
    }
    free(in);
}

static void formant_semitones_move_envelope(void **state)
{
    (void)state;
    const size_t n = (size_t)(1.5 * RATE);
    float *in = make_vowel(n, 1, 1.0);
    static const struct {
        double st, fst;
    } jobs[] = {{0.0, 3.0}, {0.0, -3.0}, {5.0, -2.0}, {-4.0, 3.0}};
    char what[96];
    for (size_t i = 0; i < COUNT(jobs); i++) {
        size_t m;
        float *out = run(1, in, n, jobs[i].st, 1.0, 1, jobs[i].fst, &m);
        snprintf(what, sizeof what, "%+g st, formants %+g st", jobs[i].st,
                 jobs[i].fst);
        check_formants(out, m, 1, exp2(jobs[i].st / 12.0),
                       exp2(jobs[i].fst / 12.0), what);
        free(out);
    }
    free(in);
}

/* Pitch ratio 1: -F alone changes nothing, bit for bit. */
static void no_pitch_bit_identical(void **state)
{
    (void)state;
    const size_t n = (size_t)(0.8 * RATE);
    float *in = make_vowel(n, 2, 0.5);
    static const double tempos[] = {1.0, 0.8, 1.25};
    for (size_t i = 0; i < COUNT(tempos); i++) {
        size_t m1, m2;
        float *a = run(2, in, n, 0.0, tempos[i], 0, 0.0, &m1);
        float *b = run(2, in, n, 0.0, tempos[i], 1, 0.0, &m2);
        assert_int_equal(m1, m2);
        CHECK(memcmp(a, b, m1 * 2 * sizeof(float)) == 0,
              "tempo %g: -F with pitch 0 changed the output", tempos[i]);
        free(a);
        free(b);
    }
    free(in);
}

/* One gain curve for all channels: identical stay identical, inverted
 * stay inverted, a scaled one keeps its ratio. */
static void channels_stay_coherent(void **state)
{
    (void)state;
    const size_t n = (size_t)(0.8 * RATE);
    static const double others[] = {1.0, -1.0, 0.5};
    for (size_t i = 0; i < COUNT(others); i++) {
        float *in = make_vowel(n, 2, others[i]);
        size_t m;
        float *out = run(2, in, n, 4.0, 1.1, 1, 1.0, &m);
        double worst = 0.0;
        for (size_t j = 0; j < m; j++)
            worst = fmax(worst, fabs((double)out[2 * j + 1] -
                                     others[i] * (double)out[2 * j]));
        CHECK(worst == 0.0 || (others[i] == 0.5 && worst < 1e-6),
              "R = %g L: residual %g", others[i], worst);
        free(out);
        free(in);
    }
}

/* Streaming in odd chunks gives the same output as one call. */
static void chunking_invariant(void **state)
{
    (void)state;
    const size_t n = (size_t)(0.7 * RATE);
    float *in = make_vowel(n, 1, 1.0);
    size_t m;
    float *whole = run(1, in, n, -3.0, 1.2, 1, 2.0, &m);
    tp_stretch *s = NULL;
    assert_int_equal(tp_stretch_create(&s, 1, RATE), TP_OK);
    assert_int_equal(tp_stretch_set_tempo(s, 1.2), TP_OK);
    assert_int_equal(tp_stretch_set_semitones(s, -3.0), TP_OK);
    assert_int_equal(tp_stretch_set_formant(s, 1, 2.0), TP_OK);
    float *out = sig_alloc(m, 1);
    assert_non_null(out);
    size_t in_pos = 0, out_pos = 0, step = 0;
    while (!tp_stretch_finished(s)) {
        size_t ci = 1 + (step * 7919) % 3001, co = 1 + (step * 104729) % 2003;
        if (ci > n - in_pos)
            ci = n - in_pos;
        if (co > m - out_pos)
            co = m - out_pos;
        tp_data d = {.in = in + in_pos,
                     .in_frames = ci,
                     .out = out + out_pos,
                     .out_frames = co,
                     .end_of_input = in_pos + ci == n};
        assert_int_equal(tp_stretch_process(s, &d), TP_OK);
        in_pos += d.in_used;
        out_pos += d.out_generated;
        assert_true(++step < 100000);
    }
    assert_int_equal(out_pos, m);
    CHECK(memcmp(whole, out, m * sizeof(float)) == 0,
          "chunked output differs from the whole-buffer run");
    /* A reset instance gives the same again. */
    assert_int_equal(tp_stretch_run(s, in, n, out), TP_OK);
    CHECK(memcmp(whole, out, m * sizeof(float)) == 0,
          "output after reset differs");
    tp_stretch_destroy(s);
    free(out);
    free(whole);
    free(in);
}

static void bad_parameters_refused(void **state)
{
    (void)state;
    tp_stretch *s = NULL;
    assert_int_equal(tp_stretch_set_formant(NULL, 1, 0.0), TP_ERR_NULL);
    assert_int_equal(tp_stretch_get_formant(NULL, NULL, NULL), TP_ERR_NULL);
    assert_int_equal(tp_stretch_create(&s, 1, RATE), TP_OK);
    int p = -1;
    double fst = -1.0;
    assert_int_equal(tp_stretch_get_formant(s, &p, &fst), TP_OK);
    assert_int_equal(p, 0);
    assert_true(fst == 0.0);
    assert_int_equal(tp_stretch_set_formant(s, 1, 2.5), TP_OK);
    static const double bad[] = {NAN,     INFINITY, -INFINITY,
                                 24.0001, -25.0,    1e300};
    for (size_t i = 0; i < COUNT(bad); i++)
        assert_int_equal(tp_stretch_set_formant(s, 0, bad[i]), TP_ERR_FORMANT);
    assert_int_equal(tp_stretch_get_formant(s, &p, &fst), TP_OK);
    assert_int_equal(p, 1);
    assert_true(fst == 2.5);
    assert_int_equal(tp_stretch_set_formant(s, 7, 24.0), TP_OK);
    assert_int_equal(tp_stretch_get_formant(s, &p, NULL), TP_OK);
    assert_int_equal(p, 1);
    assert_string_equal(tp_strerror(TP_ERR_FORMANT),
                        "formant shift out of range (-24..+24 semitones)");
    /* Sticky: refused during a stream, kept after a reset. */
    float in[64] = {0}, out[64];
    tp_data d = {.in = in, .in_frames = 64, .out = out, .out_frames = 64};
    assert_int_equal(tp_stretch_process(s, &d), TP_OK);
    assert_int_equal(tp_stretch_set_formant(s, 0, 0.0), TP_ERR_STATE);
    assert_int_equal(tp_stretch_reset(s), TP_OK);
    assert_int_equal(tp_stretch_get_formant(s, &p, &fst), TP_OK);
    assert_true(p == 1 && fst == 24.0);
    assert_int_equal(tp_stretch_set_formant(s, 0, 0.0), TP_OK);
    tp_stretch_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formants_kept_and_moved),
        cmocka_unit_test(formant_semitones_move_envelope),
        cmocka_unit_test(chord_keeps_balance),
        cmocka_unit_test(no_pitch_bit_identical),
        cmocka_unit_test(channels_stay_coherent),
        cmocka_unit_test(chunking_invariant),
        cmocka_unit_test(bad_parameters_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
