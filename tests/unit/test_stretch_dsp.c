/*
 * test_stretch_dsp.c -- audio properties of the engine: pitch of shifted
 * sines within 1 cent, clicks landing at t / tempo, channel coherence
 * (identical, inverted, scaled channels), identity transparency, and sane
 * output for silence, DC and full-scale input.  Thresholds are chosen so a
 * correct engine passes with margin and a wrong one cannot.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#include "signals.h"
#include "stretch_util.h"
#include "tempitch/stretch.h"

#include "check.h"

/* Runs a whole job on a fresh instance with tp_stretch_run. */
static float *stretch(int ch, double rate, double st, double tempo,
                      const float *in, size_t n, size_t *m)
{
    char msg[256];
    float *out =
        tu_process_new(ch, rate, st, tempo, in, n, NULL, m, msg, sizeof msg);
    CHECK(out != NULL, "%d ch @ %g Hz, %+g st, tempo %g: %s", ch, rate, st,
          tempo, msg);
    return out;
}

/* ---- pitch
 * ------------------------------------------------------------------- */

#define PITCH_TOL_CENTS 1.0
#define TRIM_S 0.2 /* steady middle: drop 200 ms at each end */

/* Measures channel c of an output and returns the error in cents against
 * `want` Hz; also checks the steady level is within 3 dB of `amp`. */
static double pitch_error(const float *out, size_t m, int ch, int c,
                          double rate, double want, double amp,
                          const char *what)
{
    size_t trim = (size_t)(TRIM_S * rate);
    CHECK(m > 2 * trim + 4096, "%s: output too short (%zu)", what, m);
    const float *mid = out + trim * (size_t)ch + (size_t)c;
    size_t len = m - 2 * trim;
    double f = sig_estimate_freq(mid, len, (size_t)ch, rate);
    CHECK(f > 0, "%s: no tone in the output", what);
    double db = tu_db(sig_rms(mid, len, (size_t)ch), amp / sqrt(2.0));
    CHECK(fabs(db) < 3.0, "%s: steady level %.2f dB off the input's", what, db);
    return sig_cents(f, want);
}

static void pitch_mono_sines(void **state)
{
    tu_use_mode(state);
    const double rate = 44100.0;
    static const double freqs[] = {220.0, 440.0, 1000.0, 3000.0};
    static const double shifts[] = {-12.0, -7.0, 3.0, 7.0, 12.0};
    static const double tempos[] = {0.8, 1.0, 1.25};
    const size_t n = (size_t)(2.0 * rate);
    float *in = sig_alloc(n, 1);
    assert_non_null(in);
    double worst = 0.0;
    char what[96];
    /* under the sanitizers the lowest and the highest frequency */
    for (size_t fi = 0; fi < COUNT(freqs); fi += TU_SANITIZED ? 3 : 1) {
        sig_sine(in, n, 1, rate, freqs[fi], 0.5, 0.3);
        for (size_t si = 0; si < COUNT(shifts); si++)
            for (size_t ti = 0; ti < COUNT(tempos); ti++) {
                /* under the sanitizers -12, +3 and +12 st */
                if (TU_SANITIZED && si % 2 == 1)
                    continue;
                size_t m = 0;
                float *out =
                    stretch(1, rate, shifts[si], tempos[ti], in, n, &m);
                double want = freqs[fi] * pow(2.0, shifts[si] / 12.0);
                snprintf(what, sizeof what, "%g Hz %+g st tempo %g", freqs[fi],
                         shifts[si], tempos[ti]);
                double e = pitch_error(out, m, 1, 0, rate, want, 0.5, what);
                CHECK(fabs(e) <= PITCH_TOL_CENTS,
                      "%s: output at %.4f cent from %.3f Hz", what, e, want);
                if (fabs(e) > worst)
                    worst = fabs(e);
                free(out);
            }
    }
    print_message("worst pitch error: %.2e cent\n", worst);
    free(in);
}

/* Two different tones in the two channels at 48 kHz: each channel keeps
 * its own (shifted) pitch. */
static void pitch_stereo_48k(void **state)
{
    tu_use_mode(state);
    const double rate = 48000.0;
    const size_t n = (size_t)(2.0 * rate);
    float *in = sig_alloc(n, 2);
    assert_non_null(in);
    sig_sine(in + 0, n, 2, rate, 440.0, 0.5, 0.0);
    sig_sine(in + 1, n, 2, rate, 660.0, 0.4, 1.0);
    static const struct {
        double st, tempo;
    } jobs[] = {{3.0, 1.25}, {-7.0, 0.8}, {12.0, 1.0}};
    char what[96];
    for (size_t j = 0; j < COUNT(jobs); j++) {
        size_t m = 0;
        float *out = stretch(2, rate, jobs[j].st, jobs[j].tempo, in, n, &m);
        double r = pow(2.0, jobs[j].st / 12.0);
        snprintf(what, sizeof what, "48k L %+g st tempo %g", jobs[j].st,
                 jobs[j].tempo);
        double el = pitch_error(out, m, 2, 0, rate, 440.0 * r, 0.5, what);
        CHECK(fabs(el) <= PITCH_TOL_CENTS, "%s: %.4f cent", what, el);
        snprintf(what, sizeof what, "48k R %+g st tempo %g", jobs[j].st,
                 jobs[j].tempo);
        double er = pitch_error(out, m, 2, 1, rate, 660.0 * r, 0.4, what);
        CHECK(fabs(er) <= PITCH_TOL_CENTS, "%s: %.4f cent", what, er);
        free(out);
    }
    free(in);
}

/* ---- transients
 * -------------------------------------------------------------- */

static const double click_times[] = {0.05, 0.37, 0.81, 1.23, 1.66, 2.1, 2.52};
#define CLICK_TOL_S 0.0015
#define ONSET_RADIUS_S 0.025

/* 3 s mono: quiet noise pad (about -50 dBFS) with clicks alternating a
 * 4-sample impulse and a 1 ms-wide noise hit with a 5 ms tail. */
static float *click_track(double rate, size_t *n)
{
    *n = (size_t)(3.0 * rate);
    float *x = sig_alloc(*n, 1);
    assert_non_null(x);
    sig_rng r;
    sig_rng_seed(&r, 31337, 2);
    sig_noise(x, *n, 1, 0.003, &r);
    sig_add_clicks(x, *n, 1, rate, click_times, COUNT(click_times), 0.8, &r);
    return x;
}

/* Every click is checked and every miss printed before the test fails,
 * so one run shows the whole pattern (e.g. only the first click late). */
static void click_timing(void **state)
{
    tu_use_mode(state);
    const double rate = 44100.0;
    size_t n = 0;
    float *in = click_track(rate, &n);
    size_t radius = (size_t)(ONSET_RADIUS_S * rate);
    static const double tempos[] = {0.8, 1.25};
    static const double shifts[] = {0.0, 3.0};
    double worst = 0.0;
    int bad = 0, total = 0;
    for (size_t ti = 0; ti < COUNT(tempos); ti++)
        for (size_t si = 0; si < COUNT(shifts); si++) {
            size_t m = 0;
            float *out = stretch(1, rate, shifts[si], tempos[ti], in, n, &m);
            for (size_t k = 0; k < COUNT(click_times); k++) {
                size_t at = (size_t)floor(click_times[k] * rate + 0.5);
                size_t on_in = sig_find_onset(in, n, 1, at, radius, 0.5);
                assert_true(on_in != SIZE_MAX);
                double exp_s = (double)on_in / rate / tempos[ti];
                size_t exp_i = (size_t)floor(exp_s * rate + 0.5);
                size_t on_out = sig_find_onset(out, m, 1, exp_i, radius, 0.5);
                total++;
                if (on_out == SIZE_MAX) {
                    print_error("%+g st tempo %g: click %zu (%.3f s) missing\n",
                                shifts[si], tempos[ti], k, click_times[k]);
                    bad++;
                    continue;
                }
                double err = (double)on_out / rate - exp_s;
                if (fabs(err) > CLICK_TOL_S) {
                    print_error("%+g st tempo %g: click %zu at %.3f s in lands "
                                "at %.4f s out, expected %.4f s (%+.2f ms)\n",
                                shifts[si], tempos[ti], k, click_times[k],
                                (double)on_out / rate, exp_s, 1000.0 * err);
                    bad++;
                }
                if (fabs(err) > worst)
                    worst = fabs(err);
            }
            free(out);
        }
    print_message("worst click timing error: %.3f ms\n", 1000.0 * worst);
    free(in);
    CHECK(bad == 0, "%d of %d clicks missing or off by more than %.1f ms", bad,
          total, 1000.0 * CLICK_TOL_S);
}

/* Clicks keep a good part of their peak (not smeared over a whole STFT
 * block), with little pre-echo before them.  Lenient limits: the peak
 * within -12 dB of the input click's, and nothing in the 25 ms before the
 * click (2 ms guard) above 40 % of that peak. */
static void click_sharpness(void **state)
{
    tu_use_mode(state);
    const double rate = 44100.0;
    size_t n = 0;
    float *in = click_track(rate, &n);
    size_t radius = (size_t)(ONSET_RADIUS_S * rate);
    size_t guard = (size_t)(0.002 * rate);
    static const double tempos[] = {0.8, 1.25};
    static const double shifts[] = {0.0, 3.0};
    int bad = 0, total = 0;
    for (size_t ti = 0; ti < COUNT(tempos); ti++)
        for (size_t si = 0; si < COUNT(shifts); si++) {
            size_t m = 0;
            float *out = stretch(1, rate, shifts[si], tempos[ti], in, n, &m);
            for (size_t k = 0; k < COUNT(click_times); k++) {
                size_t at = (size_t)floor(click_times[k] * rate + 0.5);
                size_t e = (size_t)floor((double)at / tempos[ti] + 0.5);
                double pin = sig_max_abs(in + at, radius, 1);
                size_t lo = e > radius ? e - radius : 0;
                size_t plo = e > guard ? e - guard : 0;
                size_t hi = e + radius < m ? e + radius : m;
                double pout = sig_max_abs(out + plo, hi - plo, 1);
                double pre = plo > lo ? sig_max_abs(out + lo, plo - lo, 1) : 0;
                total++;
                if (pout < 0.25 * pin) {
                    print_error(
                        "%+g st tempo %g: click %zu (%.3f s) peak %.3f, "
                        "input %.3f (smeared)\n",
                        shifts[si], tempos[ti], k, click_times[k], pout, pin);
                    bad++;
                } else if (pre > 0.4 * pout) {
                    print_error("%+g st tempo %g: click %zu (%.3f s) pre-echo "
                                "%.3f vs peak %.3f\n",
                                shifts[si], tempos[ti], k, click_times[k], pre,
                                pout);
                    bad++;
                }
            }
            free(out);
        }
    free(in);
    CHECK(bad == 0, "%d of %d clicks smeared or with pre-echo", bad, total);
}

/* ---- channel coherence
 * --------------------------------------------------------- */

/* Music-like mono source: two tones, noise, clicks. */
static float *source(double rate, size_t n)
{
    float *x = sig_alloc(n, 1);
    assert_non_null(x);
    sig_rng r;
    sig_rng_seed(&r, 777, 9);
    sig_noise(x, n, 1, 0.1, &r);
    sig_add_sine(x, n, 1, rate, 220.0, 0.25, 0.0);
    sig_add_sine(x, n, 1, rate, 1375.0, 0.15, 0.5);
    static const double t[] = {0.2, 0.7, 1.1};
    sig_add_clicks(x, n, 1, rate, t, COUNT(t), 0.5, &r);
    return x;
}

static const struct {
    double st, tempo;
} coh_jobs[] = {{3.0, 1.25}, {-7.0, 0.8}, {0.0, 1.5}, {5.0, 1.0}};

static void check_level_ratio(const float *out, size_t m, int ch, int a, int b,
                              double gain, const char *what)
{
    double ra = sig_rms(out + a, m, (size_t)ch);
    double rb = sig_rms(out + b, m, (size_t)ch);
    CHECK(ra > 0.01, "%s: channel %d is (nearly) silent, rms %g", what, a, ra);
    double err = tu_db(rb, ra) - 20.0 * log10(gain);
    CHECK(fabs(err) <= 0.01, "%s: level ratio ch%d/ch%d off by %.4f dB", what,
          b, a, err);
}

static void stereo_coherence(void **state)
{
    tu_use_mode(state);
    const double rate = 44100.0;
    const size_t n = (size_t)(1.5 * rate);
    float *x = source(rate, n);
    float *st = sig_alloc(n, 2);
    assert_non_null(st);
    char what[96];
    for (size_t j = 0; j < COUNT(coh_jobs); j++) {
        double p = coh_jobs[j].st, t = coh_jobs[j].tempo;
        size_t m = 0;
        /* identical pair */
        sig_copy_channel(st, 2, 0, x, 1, 0, n, 1.0f);
        sig_copy_channel(st, 2, 1, x, 1, 0, n, 1.0f);
        float *out = stretch(2, rate, p, t, st, n, &m);
        snprintf(what, sizeof what, "L=R %+g st tempo %g", p, t);
        CHECK(sig_rms(out, 2 * m, 1) > 0.01, "%s: silent output", what);
        for (size_t i = 0; i < m; i++)
            if (memcmp(&out[2 * i], &out[2 * i + 1], sizeof(float)) != 0)
                fail_msg("%s: frame %zu: L %.9g != R %.9g", what, i,
                         (double)out[2 * i], (double)out[2 * i + 1]);
        free(out);
        /* inverted pair */
        sig_copy_channel(st, 2, 1, x, 1, 0, n, -1.0f);
        out = stretch(2, rate, p, t, st, n, &m);
        snprintf(what, sizeof what, "L=-R %+g st tempo %g", p, t);
        CHECK(sig_rms(out, 2 * m, 1) > 0.01, "%s: silent output", what);
        for (size_t i = 0; i < m; i++)
            if (!(out[2 * i + 1] == -out[2 * i]))
                fail_msg("%s: frame %zu: L %.9g, R %.9g", what, i,
                         (double)out[2 * i], (double)out[2 * i + 1]);
        free(out);
        /* R = 0.5 L */
        sig_copy_channel(st, 2, 1, x, 1, 0, n, 0.5f);
        out = stretch(2, rate, p, t, st, n, &m);
        snprintf(what, sizeof what, "R=0.5L %+g st tempo %g", p, t);
        check_level_ratio(out, m, 2, 0, 1, 0.5, what);
        free(out);
        /* R silent: stays silent (no crosstalk) */
        sig_fill(st + 1, n, 2, 0.0f);
        out = stretch(2, rate, p, t, st, n, &m);
        snprintf(what, sizeof what, "R=0 %+g st tempo %g", p, t);
        double l = sig_max_abs(out, m, 2), r = sig_max_abs(out + 1, m, 2);
        CHECK(l > 0.05 && r <= 1e-5 * l,
              "%s: silent channel reaches %.3g (other channel peak %.3g)", what,
              r, l);
        free(out);
    }
    free(st);
    free(x);
}

static void three_channel_coherence(void **state)
{
    tu_use_mode(state);
    const double rate = 48000.0;
    const size_t n = (size_t)(1.2 * rate);
    float *x = source(rate, n);
    float *in = sig_alloc(n, 3);
    assert_non_null(in);
    sig_copy_channel(in, 3, 0, x, 1, 0, n, 1.0f);
    sig_copy_channel(in, 3, 1, x, 1, 0, n, -1.0f);
    sig_copy_channel(in, 3, 2, x, 1, 0, n, 0.5f);
    char what[96];
    for (size_t j = 0; j < COUNT(coh_jobs); j++) {
        double p = coh_jobs[j].st, t = coh_jobs[j].tempo;
        size_t m = 0;
        float *out = stretch(3, rate, p, t, in, n, &m);
        snprintf(what, sizeof what, "3ch %+g st tempo %g", p, t);
        for (size_t i = 0; i < m; i++)
            if (!(out[3 * i + 1] == -out[3 * i]))
                fail_msg("%s: frame %zu: ch0 %.9g, ch1 %.9g", what, i,
                         (double)out[3 * i], (double)out[3 * i + 1]);
        check_level_ratio(out, m, 3, 0, 2, 0.5, what);
        free(out);
    }
    free(in);
    free(x);
}

/* ---- identity
 * ------------------------------------------------------------------ */

static void identity_bit_exact(void **state)
{
    tu_use_mode(state);
    static const int chans[] = {1, 2, 3};
    static const size_t lens[] = {1, 4097, 44101};
    for (size_t ci = 0; ci < COUNT(chans); ci++) {
        int ch = chans[ci];
        float *in = sig_alloc(44101, ch);
        assert_non_null(in);
        sig_rng r;
        sig_rng_seed(&r, 12, (uint64_t)ch);
        sig_noise(in, 44101 * (size_t)ch, 1, 1.0, &r);
        /* values a careless copy would alter */
        in[0] = -0.0f;
        in[1] = 1e-40f; /* subnormal */
        in[2] = 1.0f;
        in[3] = -1.0f;
        for (size_t li = 0; li < COUNT(lens); li++) {
            size_t n = lens[li], m = 0, cnt = n * (size_t)ch;
            char msg[256];
            /* default parameters, tp_stretch_run */
            tp_stretch *s = NULL;
            assert_int_equal(tu_create(&s, ch, 44100.0), TP_OK);
            float *out = sig_alloc(n, ch);
            assert_non_null(out);
            assert_int_equal(tp_stretch_run(s, in, n, out), TP_OK);
            CHECK(memcmp(in, out, cnt * sizeof(float)) == 0,
                  "%d ch, %zu frames, defaults: output is not the input", ch,
                  n);
            /* explicit 0 semitones / ratio 1 and tempo 1, streamed */
            assert_int_equal(tp_stretch_reset(s), TP_OK);
            assert_int_equal(tp_stretch_set_pitch_ratio(s, 1.0), TP_OK);
            assert_int_equal(tp_stretch_set_tempo(s, 1.0), TP_OK);
            memset(out, 0, cnt * sizeof(float));
            tu_chunking ck = {1, 3000, 1, 3000, 3};
            int rc = tu_stream(s, in, n, out, n, &ck, &m, msg, sizeof msg);
            CHECK(rc == TP_OK && m == n, "%d ch, %zu frames streamed: %s", ch,
                  n, rc == TP_OK ? "wrong length" : msg);
            CHECK(memcmp(in, out, cnt * sizeof(float)) == 0,
                  "%d ch, %zu frames streamed: output is not the input", ch, n);
            tp_stretch_destroy(s);
            free(out);
            out = stretch(ch, 44100.0, 0.0, 1.0, in, n, &m);
            CHECK(memcmp(in, out, cnt * sizeof(float)) == 0,
                  "%d ch, %zu frames, 0 st: output is not the input", ch, n);
            free(out);
        }
        free(in);
    }
}

/* ---- extreme inputs
 * --------------------------------------------------------------- */

static void silence_dc_fullscale(void **state)
{
    tu_use_mode(state);
    const double rate = 44100.0;
    const int ch = 2;
    static const struct {
        double st, tempo, secs;
    } jobs[] = {{3.0, 1.25, 1.0},  {-12.0, 0.5, 1.0}, {12.0, 2.0, 1.0},
                {48.0, 1.0, 1.0},  {-48.0, 1.0, 1.0}, {7.0, 0.05, 0.1},
                {-5.0, 20.0, 2.0}, {0.0, 0.8, 1.0}};
    enum { SILENCE, DC, SQUARE, NOISE, SINE, N_KINDS };
    static const char *names[] = {"silence", "DC 0.5", "square +-1",
                                  "noise +-1", "sine 1.0"};
    for (size_t j = 0; j < COUNT(jobs); j++) {
        size_t n = (size_t)(jobs[j].secs * rate);
        float *in = sig_alloc(n, ch);
        assert_non_null(in);
        for (int kind = 0; kind < N_KINDS; kind++) {
            sig_rng r;
            sig_rng_seed(&r, 55, (uint64_t)kind);
            for (int c = 0; c < ch; c++) {
                float *x = in + c;
                switch (kind) {
                case SILENCE:
                    sig_fill(x, n, ch, 0.0f);
                    break;
                case DC:
                    sig_fill(x, n, ch, 0.5f);
                    break;
                case SQUARE:
                    sig_square(x, n, ch, rate, 100.0, 1.0);
                    break;
                case NOISE:
                    sig_noise(x, n, ch, 1.0, &r);
                    break;
                default:
                    sig_sine(x, n, ch, rate, 997.0, 1.0, 0.0);
                    break;
                }
            }
            size_t m = 0;
            float *out =
                stretch(ch, rate, jobs[j].st, jobs[j].tempo, in, n, &m);
            size_t cnt = m * (size_t)ch;
            CHECK(sig_all_finite(out, cnt),
                  "%s, %+g st tempo %g: non-finite sample at %zu", names[kind],
                  jobs[j].st, jobs[j].tempo, sig_first_nonfinite(out, cnt));
            double peak = sig_max_abs(out, cnt, 1);
            if (kind == SILENCE)
                CHECK(peak <= 1e-6, "silence, %+g st tempo %g: peak %g",
                      jobs[j].st, jobs[j].tempo, peak);
            else
                CHECK(peak < 4.0, "%s, %+g st tempo %g: peak %g", names[kind],
                      jobs[j].st, jobs[j].tempo, peak);
            free(out);
        }
        free(in);
    }
}

/* A sustained tone goes through detected attacks without dropping out.
 * Attacks get their phases reset (so they stay sharp); a tone under them
 * must keep its own phase, or it cancels itself around every hit.  The
 * tone's level is read by complex demodulation at its shifted frequency,
 * averaged over 20 ms, and must stay within 2 dB of the input's between
 * 0.3 s from either end (the hits themselves move it by under 1 dB). */
static void sustained_tone_through_attacks(void **state)
{
    tu_use_mode(state);
    const double rate = 44100.0, f0 = 440.0, amp = 0.3;
    const size_t n = (size_t)(3.0 * rate);
    float *in = sig_alloc(n, 1);
    assert_non_null(in);
    sig_sine(in, n, 1, rate, f0, amp, 0.0);
    sig_rng rng;
    sig_rng_seed(&rng, 7, 1);
    for (int h = 1; h <= 5; h++)
        sig_add_burst(in, n, 1, (size_t)(0.5 * h * rate), (size_t)(0.03 * rate),
                      0.8, 0.005 * rate, &rng);
    static const double cases[][2] = {
        {0.0, 0.8}, {0.0, 1.25}, {3.0, 1.25}, {-3.0, 1.0}, {7.0, 0.9}};
    const size_t avg = (size_t)(0.02 * rate), edge = (size_t)(0.3 * rate);
    int bad = 0;
    for (size_t k = 0; k < COUNT(cases); k++) {
        size_t m = 0;
        float *out = stretch(1, rate, cases[k][0], cases[k][1], in, n, &m);
        double w = 2.0 * M_PI * f0 * pow(2.0, cases[k][0] / 12.0) / rate;
        double lo = 1e9, sr = 0.0, si = 0.0;
        for (size_t i = 0; i < m; i++) {
            sr += out[i] * cos(w * (double)i);
            si -= out[i] * sin(w * (double)i);
            if (i >= avg) {
                size_t j = i - avg;
                sr -= out[j] * cos(w * (double)j);
                si += out[j] * sin(w * (double)j);
            }
            if (i >= edge && i + edge < m) {
                double level = 2.0 * hypot(sr, si) / (double)avg;
                if (level < lo)
                    lo = level;
            }
        }
        double db = tu_db(lo, amp);
        print_message("%+g st tempo %g: tone level min %.2f dB\n", cases[k][0],
                      cases[k][1], db);
        if (db < -2.0)
            bad++;
        free(out);
    }
    free(in);
    CHECK(bad == 0, "%d cases where the tone drops by more than 2 dB", bad);
}

/* ---- waveform shape of a steady harmonic tone
 * -------------------------------------------------------------------- */

/* A trumpet-like tone (12 harmonics, the third strongest) that glides from
 * 380 to 440 Hz over its first 150 ms and then holds.  The glide leaves
 * the vocoder's harmonics in relations that differ from the input's; the
 * harmonic lock (src/stretch/harmonic.c) must bring them back, so that the
 * held note is a time-shifted copy of the input: the median over the held
 * part of the best-lag correlation of 23 ms segments with the input at
 * least 0.99 (0.83 to 0.94 without the lock at tempo 0.8 and -4 st; at
 * +3 st tempo 1.25 the vocoder stretches by only 0.95 and stays a copy
 * either way), and the crest factor within 0.5 dB of the input's. */
static void harmonic_shape_after_glide(void **state)
{
    const char *mode = tu_use_mode(state);
    const double rate = 44100.0, f1 = 440.0, glide = 0.15;
    const size_t n = (size_t)(3.0 * rate);
    static const double level_db[12] = {-22.7, -10.9, -7.3,  -12.5,
                                        -16.9, -24.7, -22.5, -24.0,
                                        -26.3, -24.0, -28.4, -30.7};
    float *in = sig_alloc(n, 1);
    assert_non_null(in);
    double ph = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / rate;
        double f = t < glide ? 380.0 + (f1 - 380.0) * t / glide : f1;
        ph += 2.0 * M_PI * f / rate;
        double v = 0.0;
        for (int k = 1; k <= 12; k++)
            v += pow(10.0, level_db[k - 1] / 20.0) * cos(k * ph + 0.3 * k * k);
        in[i] = (float)(0.25 * v);
    }
    static const double cases[][2] = {{0.0, 0.8}, {-4.0, 1.0}, {3.0, 1.25}};
    const size_t seg = 1024, lags = 120;
    int bad = 0;
    for (size_t c = 0; c < COUNT(cases); c++) {
        size_t m = 0;
        float *out = stretch(1, rate, cases[c][0], cases[c][1], in, n, &m);
        double ratio = pow(2.0, cases[c][0] / 12.0);
        /* The held part, away from the glide and the end. */
        size_t from = (size_t)(0.8 * rate), to = m - (size_t)(0.3 * rate);
        double corr[64];
        size_t nc = 0;
        for (size_t at = from; at + seg < to && nc < COUNT(corr);
             at += (to - from) / 40) {
            const float *y = out + at;
            double yy = 0.0;
            for (size_t i = 0; i < seg; i++)
                yy += (double)y[i] * y[i];
            /* The input at the matching time (output time x tempo), read
             * at `ratio` samples per output sample: a shift by `ratio` is a
             * resampling of the waveform. */
            size_t centre = (size_t)((double)at * cases[c][1]);
            if (centre < lags ||
                (double)(centre + lags) + (double)seg * ratio + 2.0 >= (double)n)
                continue;
            double best = -1.0;
            for (size_t l = 0; l < 2 * lags; l++) {
                double xy = 0.0, xx = 0.0;
                for (size_t i = 0; i < seg; i++) {
                    double pos = (double)(centre + l) - (double)lags +
                                 (double)i * ratio;
                    size_t k0 = (size_t)pos;
                    double fr = pos - (double)k0;
                    double x = (1.0 - fr) * in[k0] + fr * in[k0 + 1];
                    xy += x * y[i];
                    xx += x * x;
                }
                double r = xy / sqrt(xx * yy + 1e-30);
                best = r > best ? r : best;
            }
            corr[nc++] = best;
        }
        /* median */
        for (size_t i = 1; i < nc; i++)
            for (size_t k = i; k > 0 && corr[k - 1] > corr[k]; k--) {
                double t = corr[k];
                corr[k] = corr[k - 1];
                corr[k - 1] = t;
            }
        double med = corr[nc / 2];
        const float *held = out + from;
        size_t hn = to - from;
        double crest_out = tu_db(sig_max_abs(held, hn, 1), sig_rms(held, hn, 1));
        size_t in_from = (size_t)(0.5 * rate);
        double crest_in = tu_db(sig_max_abs(in + in_from, n - 2 * in_from, 1),
                                sig_rms(in + in_from, n - 2 * in_from, 1));
        print_message("%s %+g st tempo %g: copy correlation %.4f, crest %.2f "
                      "dB (input %.2f)\n",
                      mode, cases[c][0], cases[c][1], med, crest_out, crest_in);
        if (med < 0.99 || fabs(crest_out - crest_in) > 0.5)
            bad++;
        free(out);
    }
    free(in);
    CHECK(bad == 0, "%d cases where the held note is not the input's shape",
          bad);
}

/* Finite output whatever the input: huge values (up to FLT_MAX), infinities
 * and NaN, for 1, 2 and 256 channels and both orders of the stages.  The
 * header promises the limit of +-1e12 and NaN read as 0.  With 1 and 2
 * channels each value fills the input in turn; the 256 channels hold all
 * of them at once (channel c the value c mod 5, shifted by one per run),
 * so that one channel's NaN or infinity beside finite neighbours, which
 * the engine processes jointly, is covered too, in a fifth of the time. */
static void nonfinite_and_huge_input(void **state)
{
    tu_use_mode(state);
    static const int chans[] = {1, 2, 256};
    const float vals[] = {1e12f, 1e20f, FLT_MAX, INFINITY, NAN};
    static const double cases[][2] = {{3.0, 1.25}, {-5.0, 0.8}, {0.0, 1.5}};
    int bad = 0;
    for (size_t ci = 0; ci < COUNT(chans); ci++)
        for (size_t vi = 0; vi < (chans[ci] > 2 ? 1 : COUNT(vals)); vi++)
            for (size_t k = 0; k < COUNT(cases); k++) {
                int ch = chans[ci];
                /* under the sanitizers 256 channels of a shorter input:
                 * still several frames of every mode */
                const size_t n = ch > 2 && TU_SANITIZED ? 10000 : 20000;
                float *in = sig_alloc(n, ch);
                assert_non_null(in);
                for (size_t i = 0; i < n * (size_t)ch; i++) {
                    size_t c = i % (size_t)ch;
                    float v = ch > 2 ? vals[(c + k) % COUNT(vals)] : vals[vi];
                    in[i] = (i / (size_t)ch) % 3 == 0 ? v
                            : i % 7                   ? -v
                                                      : 0.3f;
                }
                size_t m = 0;
                float *out =
                    stretch(ch, 44100.0, cases[k][0], cases[k][1], in, n, &m);
                size_t first = sig_first_nonfinite(out, m * (size_t)ch);
                if (first != m * (size_t)ch) {
                    print_error("%d ch, input %g%s, %+g st, tempo %g: "
                                "sample %zu not finite\n",
                                ch, (double)vals[vi],
                                ch > 2 ? " and the others" : "", cases[k][0],
                                cases[k][1], first);
                    bad++;
                }
                free(out);
                free(in);
            }
    CHECK(bad == 0, "%d cases with non-finite output", bad);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        TU_EACH_MODE(pitch_mono_sines),
        TU_EACH_MODE(pitch_stereo_48k),
        TU_EACH_MODE(click_timing),
        TU_EACH_MODE(click_sharpness),
        TU_EACH_MODE(stereo_coherence),
        TU_EACH_MODE(three_channel_coherence),
        TU_EACH_MODE(identity_bit_exact),
        TU_EACH_MODE(silence_dc_fullscale),
        TU_EACH_MODE(sustained_tone_through_attacks),
        TU_EACH_MODE(harmonic_shape_after_glide),
        TU_EACH_MODE(nonfinite_and_huge_input),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("stretch_dsp", tests, NULL, NULL);
}
