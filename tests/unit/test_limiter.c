/*
 * test_limiter.c -- the output limiter (src/audio/limiter.h): transparent
 * below the ceiling, never above it, exact length, chunking-independent,
 * one gain for all channels; and limitout.h, which hands its output back
 * in the blocks it came in.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "limiter.h"
#include "limitout.h"
#include "signals.h"

#include "check.h"

#define RATE 44100.0
#define CEILING 0.999f

/* A zeroed buffer of `frames` x `ch` (the test fails without one). */
static float *buffer(size_t frames, int ch)
{
    float *x = sig_alloc(frames, ch);
    assert_non_null(x);
    return x;
}

/* Initialises *l (the test fails if it cannot). */
static void start(struct limiter *l, int ch, double rate, float ceiling)
{
    assert_int_equal(limiter_init(l, ch, rate, ceiling), 0);
}

/* Frees what a test used; NULL is ignored. */
static void done(struct limiter *l, float *in, float *out)
{
    limiter_free(l);
    free(in);
    free(out);
}

/* Runs `frames` frames of `in` through `l` in chunks whose sizes come from
 * `rng` (1..max_chunk, and some empty calls), or in one call when rng is
 * NULL, then flushes `flush_cap` frames at a time.  Returns the output
 * (frames * channels floats) and checks that exactly `frames` came out. */
static float *run(struct limiter *l, const float *in, size_t frames,
                  sig_rng *rng, size_t max_chunk, size_t flush_cap)
{
    const size_t ch = (size_t)l->channels;
    float *out = buffer(frames + l->delay, l->channels);
    size_t done_in = 0, done_out = 0;
    while (done_in < frames) {
        size_t n = frames - done_in;
        if (rng != NULL) {
            size_t want = sig_rng_range(rng, 0, max_chunk);
            n = want < n ? want : n;
        }
        size_t got =
            limiter_process(l, in + done_in * ch, out + done_out * ch, n);
        CHECK(got <= n, "%zu frames out of %zu in", got, n);
        done_in += n;
        done_out += got;
    }
    size_t got;
    while ((got = limiter_flush(l, out + done_out * ch, flush_cap)) > 0) {
        CHECK(got <= flush_cap, "flush gave %zu > %zu", got, flush_cap);
        done_out += got;
    }
    CHECK(done_out == frames, "%zu frames in, %zu out", frames, done_out);
    return out;
}

/* Runs `frames` frames of `in` through a reset `l` in place (frame by
 * frame inside, where out-of-place calls move quiet runs whole), in
 * blocks of 4096 staged through one buffer.  Returns that buffer. */
static float *in_place(struct limiter *l, const float *in, size_t frames)
{
    const size_t ch = (size_t)l->channels;
    float *x = buffer(frames + l->delay, l->channels);
    memcpy(x, in, frames * ch * sizeof *in);
    limiter_reset(l);
    size_t got = 0;
    for (size_t at = 0; at < frames; at += 4096) {
        size_t n = frames - at < 4096 ? frames - at : 4096;
        memmove(x + got * ch, x + at * ch, n * ch * sizeof *x);
        got += limiter_process(l, x + got * ch, x + got * ch, n);
    }
    got += limiter_flush(l, x + got * ch, frames);
    CHECK(got == frames, "in place: %zu frames in, %zu out", frames, got);
    return x;
}

/* Loud material: noise with bursts up to 3x full scale and a few lone
 * spikes, the kind of peaks a pitch shift leaves. */
static void loud_noise(float *x, size_t frames, int ch, uint64_t seed)
{
    sig_rng r;
    sig_rng_seed(&r, seed, 1);
    for (int c = 0; c < ch; c++)
        sig_noise(x + c, frames, (size_t)ch, 0.7, &r);
    for (size_t f = 0; f < frames; f++) {
        double env = 1.0 + 2.0 * fabs(sin(2.0 * SIG_PI * (double)f / 9000.0));
        for (int c = 0; c < ch; c++)
            x[f * (size_t)ch + (size_t)c] *= (float)env;
    }
    for (size_t f = 1234; f < frames; f += 7777)
        x[f * (size_t)ch] = -4.0f;
}

static void rejects_bad_settings(void **state)
{
    (void)state;
    struct limiter l;
    assert_int_not_equal(limiter_init(&l, 0, RATE, CEILING), 0);
    assert_int_not_equal(limiter_init(&l, 2, 0.0, CEILING), 0);
    assert_int_not_equal(limiter_init(&l, 2, NAN, CEILING), 0);
    assert_int_not_equal(limiter_init(&l, 2, RATE, 0.0f), 0);
    assert_int_not_equal(limiter_init(&l, 2, RATE, 1.5f), 0);
    assert_int_not_equal(limiter_init(&l, 2, RATE, NAN), 0);
    limiter_free(&l); /* harmless after a failure */
    start(&l, 2, RATE, CEILING);
    limiter_free(&l);
}

/* About 2 ms of look-ahead whatever the rate. */
static void lookahead_from_rate(void **state)
{
    (void)state;
    static const double rates[] = {8000.0, 44100.0, 48000.0, 384000.0};
    static const size_t want[] = {16, 88, 96, 768};
    for (size_t i = 0; i < COUNT(rates); i++) {
        struct limiter l;
        start(&l, 1, rates[i], CEILING);
        CHECK(l.lookahead == want[i], "%g Hz: look-ahead %zu, want %zu",
              rates[i], l.lookahead, want[i]);
        limiter_free(&l);
    }
}

/* A stream that never exceeds the ceiling comes out bit-identical, even
 * right at the ceiling. */
static void transparent_below_ceiling(void **state)
{
    (void)state;
    const size_t frames = 30000;
    const int ch = 2;
    float *in = buffer(frames, ch);
    sig_rng r;
    sig_rng_seed(&r, 7, 3);
    sig_noise(in, frames * (size_t)ch, 1, 0.99, &r);
    in[5000] = CEILING;
    in[5001] = -CEILING;
    struct limiter l;
    start(&l, ch, RATE, CEILING);
    sig_rng chunks;
    sig_rng_seed(&chunks, 1, 1);
    float *out = run(&l, in, frames, &chunks, 3000, 4096);
    CHECK(memcmp(in, out, frames * (size_t)ch * sizeof *in) == 0,
          "below the ceiling the output differs from the input");
    CHECK(l.limited == 0 && l.min_gain == 1.0f, "limited %zu, min gain %g",
          l.limited, (double)l.min_gain);
    done(&l, in, out);
}

/* Peaks between the ceiling and full scale are limited too: that margin
 * is what keeps the integer conversion from clipping. */
static void just_above_ceiling(void **state)
{
    (void)state;
    const size_t frames = 20000;
    float *in = buffer(frames, 1);
    sig_sine(in, frames, 1, RATE, 440.0, 0.9995, 0.0);
    struct limiter l;
    start(&l, 1, RATE, CEILING);
    float *out = run(&l, in, frames, NULL, 0, 4096);
    for (size_t f = 0; f < frames; f++)
        CHECK(fabsf(out[f]) <= CEILING, "frame %zu: %.9g", f, (double)out[f]);
    double db = 20.0 * log10(l.min_gain / (CEILING / 0.9995));
    CHECK(l.limited > 0 && fabs(db) < 0.001, "limited %zu, min gain %.4f dB",
          l.limited, db);
    done(&l, in, out);
}

/* A 1 kHz sine at 0.5 that jumps to 2.0 peak and back. */
static void sine_at_twice_full_scale(void **state)
{
    (void)state;
    const size_t quiet = 10000, loud = 44100, frames = quiet + loud + 90000;
    float *in = buffer(frames, 1);
    sig_sine(in, frames, 1, RATE, 1000.0, 0.5, 0.3);
    for (size_t f = quiet; f < quiet + loud; f++)
        in[f] *= 4.0f;
    size_t first = 0;
    while (fabsf(in[first]) <= CEILING)
        first++;

    struct limiter l;
    start(&l, 1, RATE, CEILING);
    float *out = run(&l, in, frames, NULL, 0, 4096);
    const size_t L = l.lookahead;

    for (size_t f = 0; f < frames; f++)
        CHECK(fabsf(out[f]) <= CEILING, "frame %zu: %.9g above the ceiling", f,
              (double)out[f]);
    /* Untouched before the look-ahead window of the first loud frame, and
     * the ramp starts right there. */
    CHECK(memcmp(in, out, (first - L) * sizeof *in) == 0,
          "changed before frame %zu - %zu", first, L);
    CHECK(out[first - L] != in[first - L] || in[first - L] == 0.0f,
          "frame %zu untouched: the ramp starts late", first - L);
    /* The loudest frame lands on the ceiling (to rounding). */
    float top = 0.0f;
    for (size_t f = 0; f < frames; f++)
        top = fmaxf(top, fabsf(out[f]));
    CHECK(top >= CEILING * (1.0f - 1e-6f), "loudest output %.9g", (double)top);

    /* Steady state (from 10 ms after the attack): peaks at the ceiling
     * within 0.1 dB in every 10 ms, level that of the sine scaled to the
     * ceiling within 0.1 dB. */
    const size_t win = 441;
    const double floor_db = pow(10.0, -0.1 / 20.0);
    double sum_in = 0.0, sum_out = 0.0;
    for (size_t at = quiet + win; at + win <= quiet + loud; at += win) {
        float peak = 0.0f;
        for (size_t f = at; f < at + win; f++) {
            peak = fmaxf(peak, fabsf(out[f]));
            sum_in += (double)in[f] * in[f];
            sum_out += (double)out[f] * out[f];
        }
        CHECK(peak >= CEILING * floor_db, "frames %zu..: peak %.6f", at,
              (double)peak);
    }
    double in_peak = 2.0;
    double level_db = 10.0 * log10(sum_out / sum_in) -
                      20.0 * log10((double)CEILING / in_peak);
    CHECK(fabs(level_db) < 0.1, "steady level %.3f dB off the target",
          level_db);

    /* Once the peaks stop, nothing bridges: the gain comes back within a
     * few release time constants (10 ms later it is within 0.05 dB of 1)
     * and then ends, exactly: 40 ms later the output is the input. */
    size_t end = quiet + loud;
    for (size_t f = end + 441; f < end + 500; f++) {
        if (fabsf(in[f]) < 0.1f)
            continue;
        float g = out[f] / in[f];
        CHECK(g > 0.9943f && g <= 1.0f, "gain %.4f 10 ms after the peaks",
              (double)g);
    }
    size_t back = end + (size_t)(0.04 * RATE);
    CHECK(memcmp(in + back, out + back, (frames - back) * sizeof *in) == 0,
          "still limited 40 ms after the last peak");
    CHECK(l.limited > 0 && l.limited < loud, "limited %zu samples", l.limited);
    CHECK(fabs(20.0 * log10(l.min_gain) - 20.0 * log10(CEILING / 2.0)) < 0.1,
          "min gain %.3f dB", 20.0 * log10(l.min_gain));
    /* Frame by frame in place: the same (the quiet parts went through in
     * runs above). */
    float *again = in_place(&l, in, frames);
    CHECK(memcmp(out, again, frames * sizeof *out) == 0,
          "in place: output differs");
    free(again);
    done(&l, in, out);
}

/* A loud low note whose every half-cycle goes over: the gap between its
 * peaks (at 41 Hz, about 8 ms between the over parts) is bridged, so the
 * gain stays still instead of following the waveform.  A gain that
 * recovered between the peaks would modulate the note and the quiet tone
 * beside it by several dB per cycle; this one moves by less than 0.2 dB
 * (the quiet tone shifts the peaks by a few per cent). */
static void low_note_gain_stays_still(void **state)
{
    (void)state;
    const size_t frames = (size_t)RATE;
    float *in = buffer(frames, 1);
    sig_sine(in, frames, 1, RATE, 41.2, 1.4, 0.0);
    float *tone = buffer(frames, 1);
    sig_sine(tone, frames, 1, RATE, 1000.0, 0.05, 0.0);
    for (size_t f = 0; f < frames; f++)
        in[f] += tone[f];
    free(tone);
    struct limiter l;
    start(&l, 1, RATE, CEILING);
    float *out = run(&l, in, frames, NULL, 0, 4096);
    /* From 0.1 s to 0.9 s, where the note is steady. */
    double lo = 1.0, hi = 0.0;
    for (size_t f = frames / 10; f < frames * 9 / 10; f++) {
        CHECK(fabsf(out[f]) <= CEILING, "frame %zu: %.9g", f, (double)out[f]);
        if (fabsf(in[f]) < 0.05f)
            continue;
        double g = (double)out[f] / in[f];
        lo = g < lo ? g : lo;
        hi = g > hi ? g : hi;
    }
    CHECK(20.0 * log10(hi / lo) < 0.2,
          "the gain moves by %.3f dB within the note", 20.0 * log10(hi / lo));
    done(&l, in, out);
}

/* An isolated peak (one frame at 1.5, a click on a quiet tone) costs a
 * short dip: the gain starts down L frames before it, lands the peak on
 * the ceiling, and is back within 0.05 dB of 1 some 10 ms after it. */
static void isolated_peak_short_dip(void **state)
{
    (void)state;
    const size_t frames = 20000, at = 8000;
    float *in = buffer(frames, 1);
    sig_sine(in, frames, 1, RATE, 440.0, 0.3, 0.0);
    in[at] = 1.5f;
    struct limiter l;
    start(&l, 1, RATE, CEILING);
    float *out = run(&l, in, frames, NULL, 0, 4096);
    CHECK(fabsf(out[at]) <= CEILING && fabsf(out[at]) > 0.99f * CEILING,
          "the peak comes out at %.6f", (double)out[at]);
    CHECK(memcmp(in, out, (at - l.lookahead) * sizeof *in) == 0,
          "changed before the look-ahead of the peak");
    for (size_t f = at + 441; f < frames; f++) {
        if (fabsf(in[f]) < 0.05f)
            continue;
        float g = out[f] / in[f];
        CHECK(g > 0.9943f && g <= 1.0f, "frame %zu (%.1f ms after): gain %.4f",
              f, 1000.0 * (double)(f - at) / RATE, (double)g);
    }
    done(&l, in, out);
}

/* Exactly as many frames out as in, also for streams shorter than the
 * look-ahead, and the first frame stays first. */
static void exact_length(void **state)
{
    (void)state;
    static const size_t lengths[] = {0, 1, 2, 87, 88, 89, 176, 1000, 12345};
    static const size_t caps[] = {1, 5, 4096};
    struct limiter l;
    start(&l, 3, RATE, CEILING);
    for (size_t i = 0; i < COUNT(lengths); i++) {
        for (size_t k = 0; k < COUNT(caps); k++) {
            size_t n = lengths[i];
            float *in = buffer(n, 3);
            loud_noise(in, n, 3, 99 + i);
            limiter_reset(&l);
            sig_rng chunks;
            sig_rng_seed(&chunks, i, k);
            float *out = run(&l, in, n, &chunks, 50, caps[k]);
            /* Aligned: every channel of a frame got the same gain, which
             * would not hold if the frames had moved (the channels are
             * independent noise). */
            for (size_t f = 0; f < n; f++) {
                const float *x = in + f * 3, *y = out + f * 3;
                if (fabsf(x[1]) < 0.01f || fabsf(x[2]) < 0.01f)
                    continue;
                float g1 = y[1] / x[1], g2 = y[2] / x[2];
                CHECK(g1 > 0.0f && g1 <= 1.0f && fabsf(g1 - g2) < 1e-5f,
                      "length %zu: frame %zu: gains %g and %g", n, f,
                      (double)g1, (double)g2);
            }
            assert_int_equal(limiter_flush(&l, in, 1), 0);
            free(out);
            free(in);
        }
    }
    limiter_free(&l);
}

/* The same stream in random chunk sizes (and a small flush capacity), or
 * after a reset, gives exactly the same bytes as in one call. */
static void chunking_independent(void **state)
{
    (void)state;
    const size_t frames = 100000;
    const int ch = 2;
    float *in = buffer(frames, ch);
    loud_noise(in, frames, ch, 5);
    struct limiter l;
    start(&l, ch, RATE, CEILING);
    float *ref = run(&l, in, frames, NULL, 0, 4096);
    size_t ref_limited = l.limited;
    float ref_gain = l.min_gain;
    CHECK(ref_limited > 0 && ref_gain < 0.5f, "limited %zu, min gain %g",
          ref_limited, (double)ref_gain);
    static const size_t max_chunks[] = {1, 7, 100, 5000};
    for (size_t t = 0; t < COUNT(max_chunks); t++) {
        limiter_reset(&l);
        sig_rng chunks;
        sig_rng_seed(&chunks, 42, t);
        float *out = run(&l, in, frames, &chunks, max_chunks[t], 3 + t);
        CHECK(memcmp(ref, out, frames * (size_t)ch * sizeof *ref) == 0,
              "chunks up to %zu: output differs", max_chunks[t]);
        CHECK(l.limited == ref_limited && l.min_gain == ref_gain,
              "chunks up to %zu: statistics differ", max_chunks[t]);
        free(out);
    }
    float *copy = in_place(&l, in, frames);
    CHECK(memcmp(ref, copy, frames * (size_t)ch * sizeof *ref) == 0,
          "in place: output differs");
    free(copy);
    done(&l, in, ref);
}

/* One gain for all channels: L = 0.5 R stays exactly so, identical
 * channels stay identical, an inverted pair stays inverted. */
static void channels_share_the_gain(void **state)
{
    (void)state;
    const size_t frames = 40000;
    const int ch = 4;
    float *mono = buffer(frames, 1);
    float *in = buffer(frames, ch);
    loud_noise(mono, frames, 1, 11);
    sig_copy_channel(in, ch, 0, mono, 1, 0, frames, 0.5f);
    sig_copy_channel(in, ch, 1, mono, 1, 0, frames, 1.0f);
    sig_copy_channel(in, ch, 2, mono, 1, 0, frames, 1.0f);
    sig_copy_channel(in, ch, 3, mono, 1, 0, frames, -1.0f);
    struct limiter l;
    start(&l, ch, RATE, CEILING);
    sig_rng chunks;
    sig_rng_seed(&chunks, 3, 3);
    float *out = run(&l, in, frames, &chunks, 999, 4096);
    CHECK(l.min_gain < 0.5f, "not limited (min gain %g)", (double)l.min_gain);
    for (size_t f = 0; f < frames; f++) {
        const float *o = out + f * (size_t)ch;
        CHECK(o[0] == 0.5f * o[1], "frame %zu: L %.9g, R %.9g", f, (double)o[0],
              (double)o[1]);
        CHECK(o[1] == o[2] && o[3] == -o[1], "frame %zu: copies differ", f);
        CHECK(fabsf(o[1]) <= CEILING, "frame %zu above the ceiling", f);
    }
    done(&l, in, out);
    free(mono);
}

/* A ceiling below 0.999 (8-bit outputs) is honoured too, and a lone spike
 * of any size at the very first frame (no look-ahead before it). */
static void other_ceiling_and_first_frame(void **state)
{
    (void)state;
    const float ceiling = 127.0f / 128.0f;
    const size_t frames = 2000;
    float *in = buffer(frames, 1);
    sig_sine(in, frames, 1, 8000.0, 440.0, 0.999, 0.0);
    in[0] = 1e6f;
    in[1] = -3.0f;
    in[500] = 1e30f; /* no finite gain is too small for the guarantee */
    struct limiter l;
    start(&l, 1, 8000.0, ceiling);
    float *out = run(&l, in, frames, NULL, 0, 4096);
    for (size_t f = 0; f < frames; f++)
        CHECK(fabsf(out[f]) <= ceiling, "frame %zu: %.9g", f, (double)out[f]);
    CHECK(out[0] != 0.0f, "the first frame vanished");
    done(&l, in, out);
}

/* limitout (what convert.c writes through): every block comes back whole,
 * in order, with its size, and together they are the limiter's output. */
static void blocks_come_back_whole(void **state)
{
    (void)state;
    const size_t frames = 60000, max_block = 700;
    const int ch = 2;
    float *in = buffer(frames, ch);
    loud_noise(in, frames, ch, 21);
    struct limiter ref_lim;
    start(&ref_lim, ch, RATE, CEILING);
    float *ref = run(&ref_lim, in, frames, NULL, 0, 4096);

    struct limitout o = {0};
    float *out = buffer(frames, ch);
    size_t *sizes = malloc(frames * sizeof *sizes);
    assert_non_null(sizes);
    for (int pass = 0; pass < 2; pass++) { /* the second reuses buffers */
        assert_int_equal(limitout_prepare(&o, ch, RATE, CEILING, max_block), 0);
        sig_rng rng;
        sig_rng_seed(&rng, 8, (uint64_t)pass);
        size_t pushed = 0, npushed = 0, got = 0, ntaken = 0;
        float *x;
        size_t n;
        while (pushed < frames) {
            /* Mostly small blocks, some of the largest size. */
            size_t want = sig_rng_range(&rng, 1, 12) == 1
                              ? max_block
                              : sig_rng_range(&rng, 1, 150);
            if (want > frames - pushed)
                want = frames - pushed;
            assert_int_equal(limitout_push(&o, in + pushed * ch, want), 0);
            sizes[npushed++] = want;
            pushed += want;
            while ((n = limitout_take(&o, &x)) > 0) {
                CHECK(n == sizes[ntaken], "block %zu: %zu frames, pushed %zu",
                      ntaken, n, sizes[ntaken]);
                memcpy(out + got * ch, x, n * ch * sizeof *x);
                got += n;
                ntaken++;
            }
        }
        limitout_end(&o);
        while ((n = limitout_take(&o, &x)) > 0) {
            CHECK(n == sizes[ntaken], "last block %zu: %zu frames, pushed %zu",
                  ntaken, n, sizes[ntaken]);
            memcpy(out + got * ch, x, n * ch * sizeof *x);
            got += n;
            ntaken++;
        }
        CHECK(got == frames && ntaken == npushed,
              "%zu of %zu frames, %zu of %zu blocks", got, frames, ntaken,
              npushed);
        CHECK(memcmp(ref, out, frames * ch * sizeof *ref) == 0,
              "pass %d: not the limiter's output", pass);
        CHECK(o.lim.limited == ref_lim.limited &&
                  o.lim.min_gain == ref_lim.min_gain,
              "statistics differ");
    }
    /* The rules: no block beyond max_block, none while one is ready. */
    assert_int_equal(limitout_prepare(&o, ch, RATE, CEILING, max_block), 0);
    assert_int_equal(limitout_push(&o, in, max_block + 1), -1);
    assert_int_equal(limitout_push(&o, in, 0), -1);
    assert_int_equal(limitout_push(&o, in, max_block), 0);
    assert_int_equal(limitout_push(&o, in, max_block), 0);
    assert_int_equal(limitout_push(&o, in, 1), -1);
    /* An empty stream gives nothing. */
    assert_int_equal(limitout_prepare(&o, ch, RATE, CEILING, max_block), 0);
    limitout_end(&o);
    float *x;
    assert_int_equal(limitout_take(&o, &x), 0);
    limitout_free(&o);
    free(sizes);
    free(out);
    done(&ref_lim, in, ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rejects_bad_settings),
        cmocka_unit_test(lookahead_from_rate),
        cmocka_unit_test(transparent_below_ceiling),
        cmocka_unit_test(just_above_ceiling),
        cmocka_unit_test(sine_at_twice_full_scale),
        cmocka_unit_test(low_note_gain_stays_still),
        cmocka_unit_test(isolated_peak_short_dip),
        cmocka_unit_test(exact_length),
        cmocka_unit_test(chunking_independent),
        cmocka_unit_test(channels_share_the_gain),
        cmocka_unit_test(other_ceiling_and_first_frame),
        cmocka_unit_test(blocks_come_back_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
