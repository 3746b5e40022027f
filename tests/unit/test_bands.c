/* test_bands.c -- the per-band energy restoration (src/stretch/bands.h).
 *
 * A frame of two noise bands, one kept as it is and one whose bins are
 * turned by random angles (which spreads its energy over the whole frame,
 * where the synthesis window loses some of it): the frame gain must restore
 * the turned band's windowed energy and leave the other band alone, which a
 * single broadband gain cannot do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bands.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

enum { N = 2048, BINS = N / 2 + 1, OV = 4 };
/* The turned band and the kept one (bins). */
enum { KEEP_LO = 20, KEEP_HI = 60, TURN_LO = 300, TURN_HI = 600, SPLIT = 200 };

static uint64_t rng = 0x9e3779b97f4a7c15u;
static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static float hann(int i) { return (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / N)); }

/* Energy in bins [lo, hi) of (frame x Hann), the frame given by its
 * spectrum, measured directly: inverse transform, window, transform. */
static double windowed_energy(tp_fft *f, const fftwf_complex *spec, int lo,
                              int hi)
{
    memcpy(f->freq, spec, sizeof(fftwf_complex) * BINS);
    fftwf_execute(f->inverse);
    for (int i = 0; i < N; i++)
        f->time[i] *= hann(i) / (float)N;
    fftwf_execute(f->forward);
    double e = 0.0;
    for (int j = lo; j < hi; j++)
        e += f->freq[j][0] * f->freq[j][0] + f->freq[j][1] * f->freq[j][1];
    return e;
}

struct frame {
    tp_fft fft;
    fftwf_complex *x, *y;
    float rr[BINS], ri[BINS];
};

/* Hann-windowed noise limited to the two bands, and a rotation that is 1
 * below SPLIT and random above. */
static void make_frame(struct frame *fr)
{
    assert_int_equal(tp_fft_init(&fr->fft, N), 0);
    fr->x = fftwf_alloc_complex(BINS);
    fr->y = fftwf_alloc_complex(BINS);
    for (int i = 0; i < N; i++)
        fr->fft.time[i] = (float)(uniform() - 0.5) * hann(i);
    fftwf_execute(fr->fft.forward);
    for (int j = 0; j < BINS; j++) {
        int keep = (j >= KEEP_LO && j < KEEP_HI) || (j >= TURN_LO && j < TURN_HI);
        fr->x[j][0] = keep ? fr->fft.freq[j][0] : 0.0f;
        fr->x[j][1] = keep ? fr->fft.freq[j][1] : 0.0f;
        double a = j < SPLIT ? 0.0 : 2.0 * M_PI * uniform();
        fr->rr[j] = (float)cos(a);
        fr->ri[j] = (float)sin(a);
    }
}

static void free_frame(struct frame *fr)
{
    fftwf_free(fr->x);
    fftwf_free(fr->y);
    tp_fft_free(&fr->fft);
}

static void rotate(struct frame *fr, const float *gain)
{
    for (int j = 0; j < BINS; j++) {
        float g = gain ? gain[j] : 1.0f;
        float a = fr->x[j][0], b = fr->x[j][1];
        fr->y[j][0] = g * (a * fr->rr[j] - b * fr->ri[j]);
        fr->y[j][1] = g * (a * fr->ri[j] + b * fr->rr[j]);
    }
}

static void test_frame_gain_per_band(void **state)
{
    (void)state;
    struct frame fr;
    make_frame(&fr);
    tp_bands b;
    assert_int_equal(tp_bands_init(&b, N, OV), 0);
    fftwf_complex *chan[1] = {fr.x};
    tp_bands_frame(&b, 0, chan, 1, fr.rr, fr.ri, 1);

    double keep_in = windowed_energy(&fr.fft, fr.x, KEEP_LO, KEEP_HI);
    double turn_in = windowed_energy(&fr.fft, fr.x, TURN_LO, TURN_HI);
    rotate(&fr, NULL);
    double turn_raw = windowed_energy(&fr.fft, fr.y, TURN_LO, TURN_HI);
    /* The test can fail: the rotation really loses energy in its band. */
    double loss_db = 10.0 * log10(turn_raw / turn_in);
    print_message("turned band without the gain: %+.2f dB\n", loss_db);
    assert_true(loss_db < -1.0);

    rotate(&fr, b.gain);
    double keep_out = windowed_energy(&fr.fft, fr.y, KEEP_LO, KEEP_HI);
    double turn_out = windowed_energy(&fr.fft, fr.y, TURN_LO, TURN_HI);
    double keep_db = 10.0 * log10(keep_out / keep_in);
    double turn_db = 10.0 * log10(turn_out / turn_in);
    print_message("with it: kept band %+.3f dB, turned band %+.3f dB\n",
                  keep_db, turn_db);
    assert_true(fabs(keep_db) < 0.05);
    assert_true(fabs(turn_db) < 0.5);
    for (int j = KEEP_LO; j < KEEP_HI; j++)
        assert_true(fabsf(b.gain[j] - 1.0f) < 0.01f);
    tp_bands_free(&b);
    free_frame(&fr);
}

/* The level correction moves only where the output disagrees with the
 * input, and reset returns every state to that of a new instance. */
static void test_level_and_reset(void **state)
{
    (void)state;
    struct frame fr;
    make_frame(&fr);
    tp_bands b, fresh;
    assert_int_equal(tp_bands_init(&b, N, OV), 0);
    assert_int_equal(tp_bands_init(&fresh, N, OV), 0);
    fftwf_complex *chan[1] = {fr.x};
    /* The output is noise at a third of the input's amplitude, in every
     * bin: the loop must raise the bands where the input has energy. */
    float *acc = fftwf_alloc_real(N);
    float win[N];
    for (int i = 0; i < N; i++)
        win[i] = hann(i);
    float *accs[1] = {acc};
    for (int64_t k = 0; k < 200; k++) {
        tp_bands_frame(&b, k, chan, 1, fr.rr, fr.ri, 1);
        for (int i = 0; i < N / OV; i++)
            acc[i] = (float)(uniform() - 0.5) / 3.0f;
        tp_bands_hop(&b, k, accs, 1, N / OV, win, &fr.fft, 1);
    }
    /* the bands wholly inside the two noise bands, and one without input */
    for (int i = 0; i < b.count; i++) {
        int lo = b.edge[i], hi = b.edge[i + 1];
        int inside = (lo >= KEEP_LO && hi <= KEEP_HI) ||
                     (lo >= TURN_LO && hi <= TURN_HI);
        if (inside)
            assert_true(b.level[i] > 1.5f);
        if (lo >= KEEP_HI && hi <= TURN_LO)
            assert_true(b.level[i] <= 1.0f);
    }
    tp_bands_reset(&b);
    for (int i = 0; i < b.count; i++)
        assert_true(b.level[i] == fresh.level[i]);
    assert_memory_equal(b.hist, fresh.hist, sizeof(float) * N);
    assert_true(b.frames == fresh.frames);
    fftwf_free(acc);
    tp_bands_free(&b);
    tp_bands_free(&fresh);
    free_frame(&fr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_gain_per_band),
        cmocka_unit_test(test_level_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
