/*
 * test_stretch_determinism.c -- bit-identical output whatever the chunk
 * sizes, after reset (also with changed parameters), and in concurrent
 * threads on separate instances.  Every comparison is memcmp-exact; each
 * test also checks the output is a plausible stretch of the input (not
 * silence), so an engine that outputs nothing cannot pass by being
 * trivially deterministic.  Every test runs in each quality mode.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <pthread.h>
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
#define CHECK_RC(expr, want)                                                   \
    do {                                                                       \
        int rc_ = (expr);                                                      \
        CHECK(rc_ == (want), "%s returned %d (%s), expected %d", #expr, rc_,   \
              tp_strerror(rc_), (int)(want));                                  \
    } while (0)

#define RATE 44100.0

/* A held harmonic tone (12 partials) over quiet white noise (different in
 * each channel), with clicks on top: tonal enough that the harmonic lock
 * (src/stretch/harmonic.c) carries history from frame to frame, broadband,
 * transient and decorrelated, so every engine path is used. */
static float *tone_noise_clicks(size_t n, int ch, uint64_t seed)
{
    float *x = sig_alloc(n, ch);
    assert_non_null(x);
    sig_rng r;
    sig_rng_seed(&r, seed, 11);
    static const double times[] = {0.15, 0.61, 1.07, 1.5, 2.2, 2.71};
    const double f0 = 196.0 + 10.0 * (double)seed;
    for (int c = 0; c < ch; c++) {
        for (int k = 1; k <= 12; k++)
            sig_add_sine(x + c, n, (size_t)ch, RATE, k * f0, 0.3 / k,
                         0.7 * k * k + c);
        sig_add_noise(x + c, n, (size_t)ch, 0.01, &r);
        sig_add_clicks(x + c, n, (size_t)ch, RATE, times, COUNT(times),
                       0.6 - 0.1 * c, &r);
    }
    return x;
}

static size_t first_diff(const float *a, const float *b, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (memcmp(&a[i], &b[i], sizeof(float)) != 0)
            return i;
    return count;
}

#define CHECK_SAME(a, b, count, ...)                                           \
    do {                                                                       \
        size_t fd_ = first_diff((a), (b), (count));                            \
        if (fd_ != (count)) {                                                  \
            char what_[200];                                                   \
            snprintf(what_, sizeof what_, __VA_ARGS__);                        \
            fail_msg("%s: first difference at sample %zu of %zu (%.9g vs "     \
                     "%.9g)",                                                  \
                     what_, fd_, (size_t)(count), (double)(a)[fd_],            \
                     (double)(b)[fd_]);                                        \
        }                                                                      \
    } while (0)

/* Output level within [-10, +6] dB of the input's: not silence, not blown
 * up (pitch shifting up loses the band pushed past Nyquist, hence the
 * asymmetric range). */
static void check_plausible(const float *in, size_t n, const float *out,
                            size_t m, int ch, const char *what)
{
    double lin = sig_rms(in, n * (size_t)ch, 1);
    double lout = sig_rms(out, m * (size_t)ch, 1);
    double db = tu_db(lout, lin);
    CHECK(db > -10.0 && db < 6.0,
          "%s: output level %.2f dB relative to the input (silent or broken "
          "engine?)",
          what, db);
    CHECK(sig_all_finite(out, m * (size_t)ch), "%s: non-finite output", what);
}

static const struct {
    double st, tempo;
} job_table[] = {{3.0, 1.25}, {-5.0, 0.8}, {0.0, 1.5}, {7.0, 1.0}, {0.0, 1.0}};

/* Output for random chunk sizes (input 1..5000 frames per call, output
 * room 1..5000) is bit-identical to a one-call stream and to
 * tp_stretch_run. */
static void random_chunks_bit_identical(void **state)
{
    tu_use_mode(state);
    if (TU_TSAN)
        skip(); /* one thread: the release and ASan builds run it */
    const int ch = 2;
    const size_t n = (size_t)(3.0 * RATE) + 17;
    float *in = tone_noise_clicks(n, ch, 1);
    char msg[256], what[64];
    for (size_t j = 0; j < COUNT(job_table); j++) {
        double st = job_table[j].st, tempo = job_table[j].tempo;
        snprintf(what, sizeof what, "%+g st, tempo %g", st, tempo);
        size_t m_ref = 0, m = 0;
        tu_chunking all = {0, 0, 0, 0, 0};
        float *ref = tu_process_new(ch, RATE, st, tempo, in, n, &all, &m_ref,
                                    msg, sizeof msg);
        CHECK(ref != NULL, "%s, one chunk: %s", what, msg);
        check_plausible(in, n, ref, m_ref, ch, what);

        float *run = tu_process_new(ch, RATE, st, tempo, in, n, NULL, &m, msg,
                                    sizeof msg);
        CHECK(run != NULL, "%s, tp_stretch_run: %s", what, msg);
        CHECK_SAME(ref, run, m_ref * ch, "%s: run vs one chunk", what);
        free(run);

        for (uint64_t seed = 1; seed <= 3; seed++) {
            tu_chunking ck = {1, 5000, 1, 5000, seed * 7919 + j};
            float *out = tu_process_new(ch, RATE, st, tempo, in, n, &ck, &m,
                                        msg, sizeof msg);
            CHECK(out != NULL, "%s, random chunks seed %u: %s", what,
                  (unsigned)seed, msg);
            CHECK_SAME(ref, out, m_ref * ch, "%s, random chunks seed %u", what,
                       (unsigned)seed);
            free(out);
        }
        /* very small pieces over the first 0.4 s (as a separate stream) */
        size_t n2 = (size_t)(0.4 * RATE);
        size_t m2 = 0, m3 = 0;
        float *ref2 = tu_process_new(ch, RATE, st, tempo, in, n2, &all, &m2,
                                     msg, sizeof msg);
        CHECK(ref2 != NULL, "%s, short: %s", what, msg);
        tu_chunking tiny = {1, 17, 1, 13, 4242 + j};
        float *out2 = tu_process_new(ch, RATE, st, tempo, in, n2, &tiny, &m3,
                                     msg, sizeof msg);
        CHECK(out2 != NULL, "%s, tiny chunks: %s", what, msg);
        CHECK_SAME(ref2, out2, m2 * ch, "%s, tiny chunks", what);
        free(ref2);
        free(out2);
        free(ref);
    }
    free(in);
}

/* run, reset, run again == fresh instance; also with new parameters after
 * reset, and after abandoning a stream half-way. */
static void reset_equals_fresh(void **state)
{
    tu_use_mode(state);
    if (TU_TSAN)
        skip(); /* one thread: the release and ASan builds run it */
    const int ch = 2;
    const size_t n = (size_t)(2.0 * RATE) + 3;
    float *a = tone_noise_clicks(n, ch, 2);
    float *b = tone_noise_clicks(n, ch, 3);
    char msg[256];
    size_t ma = 0, mb = 0, got = 0;
    float *fresh_a =
        tu_process_new(ch, RATE, 3.0, 1.25, a, n, NULL, &ma, msg, sizeof msg);
    CHECK(fresh_a != NULL, "fresh A: %s", msg);
    check_plausible(a, n, fresh_a, ma, ch, "fresh A");
    float *fresh_b =
        tu_process_new(ch, RATE, -7.0, 0.8, b, n, NULL, &mb, msg, sizeof msg);
    CHECK(fresh_b != NULL, "fresh B: %s", msg);
    check_plausible(b, n, fresh_b, mb, ch, "fresh B");

    tp_stretch *s = NULL;
    CHECK_RC(tu_create(&s, ch, RATE), TP_OK);
    CHECK_RC(tp_stretch_set_semitones(s, 3.0), TP_OK);
    CHECK_RC(tp_stretch_set_tempo(s, 1.25), TP_OK);
    float *out = sig_alloc(mb + 64, ch); /* mb > ma */
    assert_non_null(out);
    tu_chunking ck = {1, 4000, 1, 4000, 5};

    /* stream A, reset, stream A again */
    for (int pass = 0; pass < 2; pass++) {
        if (pass)
            CHECK_RC(tp_stretch_reset(s), TP_OK);
        int rc = tu_stream(s, a, n, out, ma + 64, &ck, &got, msg, sizeof msg);
        CHECK(rc == TP_OK && got == ma, "A pass %d: %s (got %zu of %zu)", pass,
              rc == TP_OK ? "" : msg, got, ma);
        CHECK_SAME(fresh_a, out, ma * ch, "A pass %d vs fresh", pass);
    }
    /* new parameters after reset: B equals a fresh B instance */
    CHECK_RC(tp_stretch_reset(s), TP_OK);
    CHECK_RC(tp_stretch_set_semitones(s, -7.0), TP_OK);
    CHECK_RC(tp_stretch_set_tempo(s, 0.8), TP_OK);
    int rc = tu_stream(s, b, n, out, mb + 64, &ck, &got, msg, sizeof msg);
    CHECK(rc == TP_OK && got == mb, "B: %s (got %zu of %zu)",
          rc == TP_OK ? "" : msg, got, mb);
    CHECK_SAME(fresh_b, out, mb * ch, "B after A and reset vs fresh");

    /* abandon a stream half-way (no end_of_input), reset, run B whole */
    CHECK_RC(tp_stretch_reset(s), TP_OK);
    tp_data d = {.in = a, .in_frames = n / 2, .out = out, .out_frames = mb / 3};
    CHECK_RC(tp_stretch_process(s, &d), TP_OK);
    tp_data d2 = {.in = a + d.in_used * ch,
                  .in_frames = n / 2 - d.in_used,
                  .out = out + d.out_generated * ch,
                  .out_frames = mb / 3};
    CHECK_RC(tp_stretch_process(s, &d2), TP_OK);
    CHECK_RC(tp_stretch_reset(s), TP_OK);
    rc = tu_stream(s, b, n, out, mb + 64, &ck, &got, msg, sizeof msg);
    CHECK(rc == TP_OK && got == mb, "B after abandoned stream: %s",
          rc == TP_OK ? "" : msg);
    CHECK_SAME(fresh_b, out, mb * ch, "B after abandoned stream vs fresh");

    /* back to A's parameters through tp_stretch_run (which resets) */
    CHECK_RC(tp_stretch_reset(s), TP_OK);
    CHECK_RC(tp_stretch_set_semitones(s, 3.0), TP_OK);
    CHECK_RC(tp_stretch_set_tempo(s, 1.25), TP_OK);
    CHECK_RC(tp_stretch_run(s, a, n, out), TP_OK);
    CHECK_SAME(fresh_a, out, ma * ch, "run A after B vs fresh");
    CHECK_RC(tp_stretch_run(s, a, n, out), TP_OK);
    CHECK_SAME(fresh_a, out, ma * ch, "second run A vs fresh");

    tp_stretch_destroy(s);
    free(out);
    free(fresh_a);
    free(fresh_b);
    free(a);
    free(b);
}

/* ---- threads
 * ------------------------------------------------------------------ */

#define N_THREADS 4

typedef struct job {
    const float *in;
    size_t n;
    int ch;
    double st, tempo;
    uint64_t chunk_seed; /* 0: tp_stretch_run */
    pthread_barrier_t *start;
    float *out;
    size_t m;
    char msg[256];
} job;

static void *job_main(void *arg)
{
    job *j = arg;
    /* Creation inside the threads, at the same moment, exercises the FFTW
     * planning lock as well. */
    pthread_barrier_wait(j->start);
    tu_chunking ck = {1, 3000, 1, 3000, j->chunk_seed};
    j->out = tu_process_new(j->ch, RATE, j->st, j->tempo, j->in, j->n,
                            j->chunk_seed ? &ck : NULL, &j->m, j->msg,
                            sizeof j->msg);
    return NULL;
}

static void threads_identical(void **state)
{
    tu_use_mode(state);
    const int ch = 2;
    const size_t n = (size_t)(2.5 * RATE);
    float *in = tone_noise_clicks(n, ch, 4);
    char msg[256];
    size_t m_ref = 0;
    float *ref = tu_process_new(ch, RATE, 3.0, 1.25, in, n, NULL, &m_ref, msg,
                                sizeof msg);
    CHECK(ref != NULL, "single-threaded: %s", msg);
    check_plausible(in, n, ref, m_ref, ch, "single-threaded");

    /* 2 threads, then 4 (two of them streaming in chunks) */
    static const int counts[] = {2, N_THREADS};
    for (size_t k = 0; k < COUNT(counts); k++) {
        int nt = counts[k];
        pthread_barrier_t start;
        assert_int_equal(pthread_barrier_init(&start, NULL, (unsigned)nt), 0);
        job jobs[N_THREADS];
        pthread_t tid[N_THREADS];
        for (int t = 0; t < nt; t++) {
            jobs[t] = (job){.in = in,
                            .n = n,
                            .ch = ch,
                            .st = 3.0,
                            .tempo = 1.25,
                            .chunk_seed = t >= 2 ? (uint64_t)(t + 1) : 0,
                            .start = &start};
            assert_int_equal(pthread_create(&tid[t], NULL, job_main, &jobs[t]),
                             0);
        }
        for (int t = 0; t < nt; t++)
            assert_int_equal(pthread_join(tid[t], NULL), 0);
        pthread_barrier_destroy(&start);
        for (int t = 0; t < nt; t++) {
            CHECK(jobs[t].out != NULL, "%d threads, thread %d: %s", nt, t,
                  jobs[t].msg);
            CHECK(jobs[t].m == m_ref, "thread %d: %zu frames", t, jobs[t].m);
            CHECK_SAME(ref, jobs[t].out, m_ref * ch,
                       "%d threads, thread %d vs single-threaded", nt, t);
        }
        for (int t = 0; t < nt; t++)
            free(jobs[t].out);
    }
    free(ref);
    free(in);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        TU_EACH_MODE(random_chunks_bit_identical),
        TU_EACH_MODE(reset_equals_fresh),
        TU_EACH_MODE(threads_identical),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("stretch_determinism", tests, NULL,
                                       NULL);
}
