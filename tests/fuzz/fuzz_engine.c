/*
 * fuzz_engine.c -- libFuzzer target for the engine API (tempitch/stretch.h).
 *
 * The bytes choose the parameters (valid or not), the input signal and the
 * chunking of a streamed run; the target checks what the header promises:
 *
 *   - invalid channels / rate / tempo / pitch give the documented error
 *     code and leave the previous value in place; parameter setters after
 *     the first process call give TP_ERR_STATE and change nothing;
 *   - NULL buffers with a frame count give TP_ERR_BUFFER and change
 *     nothing;
 *   - tp_stretch_process never reports TP_ERR_STATE (a stall), never uses
 *     more input or writes more output than offered, ignores input after
 *     the end of the stream, and the stream finishes in a bounded number
 *     of calls with exactly tp_output_length(N, tempo) frames;
 *   - with finite input every output sample is finite;
 *   - the output is bit-identical to tp_stretch_run of the same input on a
 *     fresh instance or after a reset (chunking / reset determinism);
 *   - tempo 1 with pitch ratio 1 gives the input back bit for bit;
 *   - identical channels stay bit-identical.
 *
 * Byte layout (missing bytes read as 0):
 *   [0] channels     [1] rate          [2] tempo    [3] pitch
 *   [4] flags        [5] signal kind   [6..7] frames (LE)
 *   (flags: 0x01 compare with tp_stretch_run, 0x02 on a fresh instance;
 *   0x04 identical channels; 0x08 first part of a stream with other
 *   parameters, then reset and compare with a fresh instance; 0x10
 *   set the parameters twice; 0x20 end of input on an empty call; 0x40
 *   probe errors (NULL buffers, setters during a stream); 0x80 a huge
 *   tp_output_length)
 *   [8] K: the chunk plan is the last 2*K bytes, two per call
 *   then the raw doubles some selectors ask for, then the signal bytes.
 * Per-exec work is bounded: at most MAX_IN_FRAMES input frames and
 * MAX_OUT_SAMPLES output samples.
 *
 * Known engine issues, tolerated unless FUZZ_STRICT=1 is set: (1) input
 * samples above about 1e18 in magnitude (finite, but their squares
 * overflow single precision) give NaN output, although the header promises
 * finite output for any finite input.  The finiteness check therefore
 * only covers inputs whose peak is at most FINITE_INPUT_LIMIT.  (2) An
 * output buffer NULL with out_frames 0 makes the engine compute NULL + 0
 * (undefined behaviour that UBSan reports); the target passes a 1-byte
 * buffer instead.  (3) tp_output_length of more than about 2^63 * tempo
 * frames overflows converting its result (undefined behaviour); the
 * target keeps such lengths below 2^53.
 */
#include <tempitch/stretch.h>

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TWO_PI 6.283185307179586

/* See the known issue above; the command replaces samples beyond 1e12
 * (CONVERT_INPUT_LIMIT) before the engine sees them. */
#define FINITE_INPUT_LIMIT 1e16

enum {
    MAX_IN_FRAMES = 20000,
    MAX_OUT_SAMPLES = 320000, /* output frames x channels */
    MAX_PLAN = 64,
};

#define FUZZ_NAME "fuzz_engine"
#include "fuzz_check.h"

struct bytes {
    const uint8_t *p;
    size_t n;
};

static uint8_t take_u8(struct bytes *b)
{
    if (b->n == 0)
        return 0;
    b->n--;
    return *b->p++;
}

static double take_f64(struct bytes *b)
{
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits |= (uint64_t)take_u8(b) << (8 * i);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static int valid_rate(double r)
{
    return r >= TP_RATE_MIN && r <= TP_RATE_MAX;
}

static int valid_tempo(double t)
{
    return t >= TP_TEMPO_MIN && t <= TP_TEMPO_MAX;
}

/* ---- parameter selectors -------------------------------------------- */

static double pick_rate(uint8_t sel, struct bytes *b)
{
    static const double good[] = {8000,   11025,  16000,  22050,  24000,  32000,
                                  44100,  44100,  48000,  48000,  88200,  96000,
                                  176400, 192000, 384000, 8000.5, 44099.9};
    static const double bad[] = {0,       -44100,   7999.999,  384000.001,
                                 NAN,     INFINITY, -INFINITY, 1e300,
                                 DBL_MIN, -0.0,     1e9};
    if (sel < 0xE0)
        return good[sel % (sizeof good / sizeof good[0])];
    if (sel < 0xF0)
        return bad[sel % (sizeof bad / sizeof bad[0])];
    return take_f64(b); /* anything at all */
}

static double pick_tempo(uint8_t sel, struct bytes *b)
{
    /* Slow tempos make long outputs: they are rarer, and the frame cap
     * below keeps them cheap. */
    static const double good[] = {1.0,  1.25,   0.8,  1.5,  0.5, 2.0,
                                  0.75, 1.1,    0.9,  3.0,  4.0, 20.0,
                                  7.3,  1.0001, 0.33, 0.25, 0.1, 0.05};
    static const double bad[] = {0.0,    -1.0,    NAN,    INFINITY, -INFINITY,
                                 0.0499, 20.0001, 1e-300, -0.0};
    if (sel < 0xE0)
        return good[sel % (sizeof good / sizeof good[0])];
    if (sel < 0xF0)
        return bad[sel % (sizeof bad / sizeof bad[0])];
    return take_f64(b);
}

/* Sets the pitch; returns the expected ratio afterwards.  Checks the
 * return code against the documented range. */
static double set_pitch(tp_stretch *s, uint8_t sel, struct bytes *b)
{
    static const double semis[] = {
        0,   3,  -3,  12,   -12, 0.5,   -0.25,  7,        -7,   24,
        -24, 48, -48, 1e-9, NAN, 48.01, -48.01, INFINITY, 1e300};
    static const double ratios[] = {1.0,    2.0,   0.5,    16.0,   0.0625,
                                    1.0001, 0.999, 1.5,    3.0,    0.0,
                                    -2.0,   NAN,   16.001, 0.0624, INFINITY};
    double before = tp_stretch_get_pitch_ratio(s);
    int as_ratio = sel & 1;
    double v;
    sel >>= 1;
    if (sel < 0x70) {
        v = as_ratio ? ratios[sel % (sizeof ratios / sizeof ratios[0])]
                     : semis[sel % (sizeof semis / sizeof semis[0])];
    } else {
        v = take_f64(b);
    }
    if (as_ratio) {
        int ok = v >= 0.0625 && v <= 16.0;
        int rc = tp_stretch_set_pitch_ratio(s, v);
        CHECK(rc == (ok ? TP_OK : TP_ERR_PITCH), "ratio %.17g rc %d", v, rc);
        double after = tp_stretch_get_pitch_ratio(s);
        CHECK(after == (ok ? v : before), "ratio %.17g -> %.17g", v, after);
        return after;
    }
    int ok = v >= TP_SEMITONES_MIN && v <= TP_SEMITONES_MAX;
    int rc = tp_stretch_set_semitones(s, v);
    CHECK(rc == (ok ? TP_OK : TP_ERR_PITCH), "semitones %.17g rc %d", v, rc);
    double after = tp_stretch_get_pitch_ratio(s);
    if (!ok)
        CHECK(after == before, "semitones %.17g changed the ratio", v);
    else
        CHECK(after >= 0.0625 && after <= 16.0, "semitones %.17g -> %.17g", v,
              after);
    return after;
}

/* ---- the input signal ----------------------------------------------- */

enum signal_kind {
    SIG_PCM16,  /* int16 from the bytes                                  */
    SIG_PCM8,   /* int8 from the bytes                                   */
    SIG_FLOAT,  /* raw float32 bits: anything, NaN and Inf included      */
    SIG_HUGE,   /* raw float32 bits made finite: up to 3.4e38            */
    SIG_TONES,  /* a few sines and clicks, parameters from the bytes     */
    SIG_SILENT, /* all zero                                              */
    SIG_CLICKS, /* sparse full-scale impulses                            */
    SIG_LOUD,   /* pcm16 scaled up to +-1e6: finite, far beyond 1        */
    SIG_COUNT
};

static uint32_t lcg(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state;
}

/* Fills x[0 .. n*ch) from `sig` bytes (cycled).  Returns 1 when every
 * sample is finite, and stores the largest magnitude in *peak. */
static int make_signal(float *x, size_t n, int ch, int kind, const uint8_t *sig,
                       size_t m, double *peak)
{
    size_t total = n * (size_t)ch;
    if (m == 0)
        kind = SIG_SILENT;
    switch (kind) {
    case SIG_PCM16:
    case SIG_LOUD: {
        float gain = kind == SIG_LOUD ? 1e6f / 32768.0f : 1.0f / 32768.0f;
        for (size_t i = 0; i < total; i++) {
            size_t j = (2 * i) % m;
            int16_t v = (int16_t)(sig[j] | (sig[(j + 1) % m] << 8));
            x[i] = (float)v * gain;
        }
        break;
    }
    case SIG_PCM8:
        for (size_t i = 0; i < total; i++)
            x[i] = (float)(int8_t)sig[i % m] / 128.0f;
        break;
    case SIG_FLOAT:
    case SIG_HUGE:
        for (size_t i = 0; i < total; i++) {
            uint32_t bits = 0;
            for (int k = 0; k < 4; k++)
                bits |= (uint32_t)sig[(4 * i + (size_t)k) % m] << (8 * k);
            if (kind == SIG_HUGE && (bits & 0x7f800000u) == 0x7f800000u)
                bits &= ~0x00800000u; /* exponent 254: finite */
            memcpy(&x[i], &bits, sizeof x[i]);
        }
        break;
    case SIG_TONES: {
        uint32_t seed = sig[0] | (uint32_t)sig[m / 2] << 8;
        double f1 = 20.0 + 40.0 * sig[0 % m], f2 = 500.0 + 80.0 * sig[1 % m];
        double amp = (sig[2 % m] + 1) / 256.0;
        size_t click = 64 + 97 * (size_t)sig[3 % m];
        for (size_t i = 0; i < n; i++) {
            double t = (double)i / 44100.0;
            double v =
                amp * (0.5 * sin(TWO_PI * f1 * t) + 0.3 * sin(TWO_PI * f2 * t));
            if (i % click < 8)
                v += amp * ((double)(lcg(&seed) >> 8) / 8388608.0 - 1.0);
            for (int c = 0; c < ch; c++)
                x[i * (size_t)ch + (size_t)c] = (float)(v * (1.0 - 0.1 * c));
        }
        break;
    }
    case SIG_CLICKS:
        memset(x, 0, total * sizeof *x);
        for (size_t k = 0; total > 0 && k < m; k++) {
            size_t at = ((size_t)sig[k] * 131 + k * 1009) % total;
            x[at] = sig[k] & 1 ? 1.0f : -1.0f;
        }
        break;
    default:
        memset(x, 0, total * sizeof *x);
        break;
    }
    *peak = 0.0;
    for (size_t i = 0; i < total; i++) {
        if (!isfinite(x[i]))
            return 0;
        if (fabs(x[i]) > *peak)
            *peak = fabs(x[i]);
    }
    return 1;
}

/* ---- streaming with a chunk plan ------------------------------------ */

/* Frames for one plan byte: small sizes often, big ones sometimes. */
static size_t plan_size(uint8_t v)
{
    static const size_t big[] = {256,  511,  1000,  1024,
                                 4096, 5000, 20000, 65536};
    if (v < 0xF0)
        return v;
    if (v < 0xF8)
        return big[v - 0xF0];
    return SIZE_MAX; /* everything offered / all remaining room */
}

struct plan {
    const uint8_t *p; /* pairs (input chunk, output room)               */
    size_t pairs, next;
};

/* A call with a NULL buffer and a frame count must fail with
 * TP_ERR_BUFFER and change nothing. */
static void check_null_buffers(tp_stretch *s, int which)
{
    float dummy[8] = {0};
    size_t in0 = tp_stretch_frames_in(s), out0 = tp_stretch_frames_out(s);
    int fin0 = tp_stretch_finished(s);
    tp_data d = {.in = which ? dummy : NULL,
                 .in_frames = 3,
                 .out = which ? NULL : dummy,
                 .out_frames = which ? 5 : 1,
                 .end_of_input = 1};
    int rc = tp_stretch_process(s, &d);
    CHECK(rc == TP_ERR_BUFFER, "NULL %s buffer: rc %d", which ? "out" : "in",
          rc);
    CHECK(tp_stretch_frames_in(s) == in0 && tp_stretch_frames_out(s) == out0 &&
              tp_stretch_finished(s) == fin0,
          "TP_ERR_BUFFER changed the state");
}

/* Streams x[0 .. n) through s following the plan.  With `limit` < n the
 * stream is abandoned after `limit` input frames (for the reset test) and
 * nothing is checked about the output.  Returns frames written to out. */
static int strict; /* FUZZ_STRICT: no allowance for known issues */

static size_t stream(tp_stretch *s, const float *x, size_t n, int ch,
                     float *out, size_t out_cap, struct plan *pl, int eoi_late,
                     int probe_errors, size_t limit)
{
    const size_t nc = (size_t)ch;
    size_t pos = 0, produced = 0, calls = 0, idle = 0;
    int eoi_sent = 0;
    size_t expect = out_cap;
    /* Generous: a productive call moves at least one frame. */
    const size_t max_calls = 4 * (n + expect) + 1000;
    int started = 0;

    while (!tp_stretch_finished(s)) {
        CHECK(++calls <= max_calls, "no end after %zu calls (n %zu)", calls, n);
        if (limit < n && pos >= limit)
            return produced;
        size_t want_in = SIZE_MAX, want_out = SIZE_MAX;
        if (pl->pairs > 0 && idle < 2) {
            const uint8_t *e = pl->p + 2 * (pl->next++ % pl->pairs);
            if (probe_errors && e[0] == 0xEF && e[1] == 0xEF)
                check_null_buffers(s, (int)(calls & 1));
            want_in = plan_size(e[0]);
            want_out = plan_size(e[1]);
        }
        /* After two idle calls the next one gets everything, which must
         * make progress (else the engine reports TP_ERR_STATE). */
        size_t offer = n - pos < want_in ? n - pos : want_in;
        size_t room =
            out_cap - produced < want_out ? out_cap - produced : want_out;
        int eoi = !eoi_late || offer == 0 ? pos + offer == n : 0;
        if (limit < n) {
            eoi = 0;
            if (offer > limit - pos)
                offer = limit - pos;
        }
        /* After the end of input the engine must ignore input: offer
         * some anyway, from a scratch buffer. */
        int ended = eoi_sent && pos == n;
        size_t ghost = ended ? (want_in % 7) : 0;

        /* Tight copies so that any read or write past the offered frames
         * is caught by AddressSanitizer. */
        size_t in_frames = ended ? ghost : offer;
        float *in = in_frames ? malloc(in_frames * nc * sizeof *in) : NULL;
        float *o = room ? malloc(room * nc * sizeof *o) : NULL;
        /* Known issue: with out == NULL and out_frames == 0 (allowed) the
         * engine computes NULL + 0, which is undefined behaviour in C.
         * Unless FUZZ_STRICT, give it a 1-byte buffer instead. */
        if (!room && !strict)
            o = malloc(1);
        CHECK(!in_frames || in, "malloc");
        CHECK(!room || o, "malloc");
        if (in_frames && ended)
            memset(in, 0x7f, in_frames * nc * sizeof *in); /* 3.4e38 */
        else if (in_frames)
            memcpy(in, x + pos * nc, in_frames * nc * sizeof *in);
        tp_data d = {.in = in,
                     .in_frames = in_frames,
                     .out = o,
                     .out_frames = room,
                     .end_of_input = ended ? 1 : eoi};
        int rc = tp_stretch_process(s, &d);
        CHECK(rc == TP_OK, "process rc %d (%s) at in %zu/%zu out %zu/%zu", rc,
              tp_strerror(rc), pos, n, produced, out_cap);
        CHECK(d.in_used <= in_frames, "used %zu of %zu", d.in_used, in_frames);
        CHECK(d.out_generated <= room, "wrote %zu into %zu", d.out_generated,
              room);
        if (ended)
            CHECK(d.in_used == 0, "used %zu frames after the end", d.in_used);
        if (d.out_generated)
            memcpy(out + produced * nc, o, d.out_generated * nc * sizeof *o);
        free(in);
        free(o);

        if (!ended) {
            pos += d.in_used;
            if (eoi && d.in_used == in_frames)
                eoi_sent = 1;
        }
        produced += d.out_generated;
        CHECK(tp_stretch_frames_in(s) == pos, "frames_in %zu, fed %zu",
              tp_stretch_frames_in(s), pos);
        CHECK(tp_stretch_frames_out(s) == produced, "frames_out %zu, got %zu",
              tp_stretch_frames_out(s), produced);
        idle = d.in_used || d.out_generated ? 0 : idle + 1;
        CHECK(idle < 8, "no progress in %zu calls", idle);

        if (!started && probe_errors) {
            /* The stream has started: parameters are frozen. */
            double t = tp_stretch_get_tempo(s),
                   r = tp_stretch_get_pitch_ratio(s);
            CHECK(tp_stretch_set_tempo(s, t == 2.0 ? 1.5 : 2.0) == TP_ERR_STATE,
                  "set_tempo during a stream");
            CHECK(tp_stretch_set_pitch_ratio(s, r == 2.0 ? 1.5 : 2.0) ==
                      TP_ERR_STATE,
                  "set_pitch_ratio during a stream");
            CHECK(tp_stretch_set_semitones(s, 1.0) == TP_ERR_STATE,
                  "set_semitones during a stream");
            CHECK(tp_stretch_get_tempo(s) == t &&
                      tp_stretch_get_pitch_ratio(s) == r,
                  "a refused setter changed a parameter");
        }
        started = 1;
    }
    CHECK(pos == n, "finished after %zu of %zu input frames", pos, n);
    return produced;
}

/* Bit-identical, except that NaN equals any NaN (a NaN's payload may
 * legitimately depend on the path it took). */
static int same_output(const float *a, const float *b, size_t count,
                       int finite_in)
{
    if (finite_in)
        return memcmp(a, b, count * sizeof *a) == 0;
    for (size_t i = 0; i < count; i++) {
        if (isnan(a[i]) && isnan(b[i]))
            continue;
        if (memcmp(&a[i], &b[i], sizeof a[i]) != 0)
            return 0;
    }
    return 1;
}

static void check_null_args(void)
{
    tp_data d = {0};
    tp_stretch *s = (tp_stretch *)1;
    CHECK(tp_stretch_create(NULL, 1, 44100) == TP_ERR_NULL, "create NULL");
    CHECK(tp_stretch_create(&s, 0, 44100) == TP_ERR_CHANNELS && s == NULL,
          "create 0 channels");
    CHECK(tp_stretch_process(NULL, &d) == TP_ERR_NULL, "process NULL");
    CHECK(tp_stretch_set_tempo(NULL, 1) == TP_ERR_NULL, "tempo NULL");
    CHECK(tp_stretch_set_semitones(NULL, 1) == TP_ERR_NULL, "semitones NULL");
    CHECK(tp_stretch_set_pitch_ratio(NULL, 1) == TP_ERR_NULL, "ratio NULL");
    CHECK(tp_stretch_reset(NULL) == TP_ERR_NULL, "reset NULL");
    CHECK(tp_stretch_run(NULL, NULL, 0, NULL) == TP_ERR_NULL, "run NULL");
    CHECK(tp_stretch_finished(NULL) == 0, "finished NULL");
    tp_stretch_destroy(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        strict = getenv("FUZZ_STRICT") != NULL;
        check_null_args();
        once = 1;
    }
    if (size > 65536)
        return 0;

    struct bytes b = {data, size};
    uint8_t h[9];
    for (size_t i = 0; i < sizeof h; i++)
        h[i] = take_u8(&b);
    /* The chunk plan: the last 2*K bytes. */
    struct plan pl = {0};
    size_t plan_bytes = 2 * (size_t)(h[8] % (MAX_PLAN + 1));
    if (plan_bytes > b.n)
        plan_bytes = b.n & ~(size_t)1;
    pl.p = b.p + b.n - plan_bytes;
    pl.pairs = plan_bytes / 2;
    b.n -= plan_bytes;

    tp_strerror((int)(int8_t)h[8]); /* any code has a description */

    /* Channels: mostly 1..8; sometimes out of range. */
    int ch = 1 + (h[0] & 7);
    if ((h[0] & 0xF8) == 0xF8) {
        static const int bad[] = {0, -1, 257, INT_MIN, INT_MAX, 1000, -256, 0};
        ch = bad[h[0] & 7];
    }
    double rate = pick_rate(h[1], &b);
    tp_stretch *s = NULL;
    int rc = tp_stretch_create(&s, ch, rate);
    if (ch < 1 || ch > TP_CHANNELS_MAX) {
        CHECK(rc == TP_ERR_CHANNELS && s == NULL, "channels %d rc %d", ch, rc);
        return 0;
    }
    if (!valid_rate(rate)) {
        CHECK(rc == TP_ERR_RATE && s == NULL, "rate %.17g rc %d", rate, rc);
        return 0;
    }
    CHECK(rc == TP_OK && s != NULL, "create(%d, %.17g) rc %d", ch, rate, rc);
    CHECK(tp_stretch_get_channels(s) == ch &&
              tp_stretch_get_sample_rate(s) == rate,
          "getters");

    /* Parameters.  An invalid value is refused and the old one stays;
     * flag 0x10 sets both twice so that "last call wins" is exercised. */
    uint8_t flags = h[4];
    int rounds = flags & 0x10 ? 2 : 1;
    double tempo = 1.0, ratio = 1.0;
    for (int i = 0; i < rounds; i++) {
        double t = pick_tempo(i ? (uint8_t)(h[2] * 7 + 3) : h[2], &b);
        rc = tp_stretch_set_tempo(s, t);
        CHECK(rc == (valid_tempo(t) ? TP_OK : TP_ERR_TEMPO),
              "tempo %.17g rc %d", t, rc);
        if (rc == TP_OK)
            tempo = t;
        CHECK(tp_stretch_get_tempo(s) == tempo, "tempo %.17g kept %.17g", t,
              tp_stretch_get_tempo(s));
        ratio = set_pitch(s, i ? (uint8_t)(h[3] * 5 + 1) : h[3], &b);
    }

    /* Input length, capped so one exec stays fast: the output of a slow
     * tempo is up to 20x longer, and it is the output that costs. */
    /* Flag 0x80: tp_output_length of a huge length (it only computes).
     * Known issue: beyond about 2^63 * tempo frames the conversion of
     * the result to size_t overflows (undefined behaviour); unless
     * FUZZ_STRICT the length is kept below 2^53. */
    if (flags & 0x80) {
        uint64_t big = 0;
        for (int i = 0; i < 8; i++)
            big |= (uint64_t)take_u8(&b) << (8 * i);
        if (!strict)
            big &= ((uint64_t)1 << 53) - 1;
        size_t len = tp_output_length((size_t)big, tempo);
        if (big < ((uint64_t)1 << 40))
            CHECK(len == (size_t)floor((double)big / tempo + 0.5),
                  "tp_output_length(%llu, %.17g) = %zu",
                  (unsigned long long)big, tempo, len);
    }

    size_t n = (size_t)h[6] | (size_t)h[7] << 8;
    n %= MAX_IN_FRAMES + 1;
    size_t cap = (size_t)((double)MAX_OUT_SAMPLES / ch * tempo);
    if (n > cap)
        n = cap;
    size_t n_out = tp_output_length(n, tempo);
    CHECK(n_out == (size_t)floor((double)n / tempo + 0.5),
          "tp_output_length(%zu, %.17g) = %zu", n, tempo, n_out);
    size_t nc = (size_t)ch;

    float *x = malloc((n ? n : 1) * nc * sizeof *x);
    float *y = malloc((n_out ? n_out : 1) * nc * sizeof *y);
    CHECK(x && y, "malloc");
    int kind = h[5] % SIG_COUNT;
    double peak = 0.0;
    int finite = make_signal(x, n, ch, kind, b.p, b.n, &peak);
    int same_channels = (flags & 0x04) && ch > 1;
    if (same_channels) {
        for (size_t i = 0; i < n; i++)
            for (size_t c = 1; c < nc; c++)
                x[i * nc + c] = x[i * nc];
    }

    /* Flag 0x08: a stream with other parameters (the warm-up picks them
     * from h[5]; 1.0 and 1.0 included), abandoned half way, then a reset
     * and this input's parameters again: what a converter does from file
     * to file.  Parameter changes keep FFT plans and resampler tables
     * that still apply, so the result is compared with a fresh instance
     * below. */
    if (flags & 0x08) {
        static const double wt[] = {1.0, 1.25, 0.8, 2.0, 1.5, 0.5};
        static const double wr[] = {1.0, 2.0, 0.5, 1.5, 0.8, 1.25, 16.0};
        double t0 = wt[(h[5] >> 3) % 6], r0 = wr[(h[5] >> 5) % 7];
        if (h[5] & 0x04)
            r0 = ratio; /* only the tempo changes, as with -D */
        CHECK(tp_stretch_set_tempo(s, t0) == TP_OK, "warm tempo");
        CHECK(tp_stretch_set_pitch_ratio(s, r0) == TP_OK, "warm ratio");
        size_t warm_cap = tp_output_length(n, t0) + 1;
        float *w = malloc(warm_cap * nc * sizeof *w);
        CHECK(w, "malloc");
        struct plan warm = pl;
        stream(s, x, n, ch, w, warm_cap, &warm, 0, 0, n / 2);
        free(w);
        CHECK(tp_stretch_reset(s) == TP_OK, "reset");
        CHECK(tp_stretch_frames_in(s) == 0 && tp_stretch_frames_out(s) == 0 &&
                  !tp_stretch_finished(s),
              "state after reset");
        CHECK(tp_stretch_get_tempo(s) == t0 &&
                  tp_stretch_get_pitch_ratio(s) == r0,
              "reset changed the parameters");
        CHECK(tp_stretch_set_tempo(s, tempo) == TP_OK, "tempo again");
        CHECK(tp_stretch_set_pitch_ratio(s, ratio) == TP_OK, "ratio again");
    }

    size_t got = stream(s, x, n, ch, y, n_out, &pl, flags & 0x20, flags & 0x40,
                        SIZE_MAX);
    CHECK(got == n_out, "%zu frames out, expected %zu (n %zu tempo %.17g)", got,
          n_out, n, tempo);
    CHECK(tp_stretch_frames_in(s) == n, "frames_in");

    /* Finished: more calls produce nothing and take nothing. */
    {
        float in1[8] = {0}, out1[8];
        tp_data d = {.in = in1,
                     .in_frames = 1,
                     .out = out1,
                     .out_frames = 1,
                     .end_of_input = 1};
        CHECK(tp_stretch_process(s, &d) == TP_OK && d.in_used == 0 &&
                  d.out_generated == 0 && tp_stretch_finished(s),
              "call after the end");
    }

    size_t count = n_out * nc;
    if (finite && (strict || peak <= FINITE_INPUT_LIMIT)) {
        for (size_t i = 0; i < count; i++)
            CHECK(isfinite(y[i]),
                  "sample %zu (frame %zu ch %zu) = %g, input peak %g", i,
                  i / nc, i % nc, (double)y[i], peak);
    }
    if (tempo == 1.0 && ratio == 1.0)
        CHECK(same_output(x, y, count, finite), "identity is not the input");
    if (same_channels) {
        for (size_t i = 0; i < n_out; i++)
            for (size_t c = 1; c < nc; c++)
                CHECK(memcmp(&y[i * nc], &y[i * nc + c], sizeof *y) == 0 ||
                          (isnan(y[i * nc]) && isnan(y[i * nc + c])),
                      "identical channels differ: frame %zu ch %zu: %.9g vs "
                      "%.9g",
                      i, c, (double)y[i * nc], (double)y[i * nc + c]);
    }

    /* Flag 0x01: the same input in one tp_stretch_run call, on this
     * instance (run resets it) or, with 0x02 or 0x08, on a fresh one. */
    if (flags & 0x09) {
        float *z = malloc((n_out ? n_out : 1) * nc * sizeof *z);
        CHECK(z, "malloc");
        tp_stretch *t = s;
        if (flags & 0x0A) {
            CHECK(tp_stretch_create(&t, ch, rate) == TP_OK, "create");
            CHECK(tp_stretch_set_tempo(t, tempo) == TP_OK, "tempo");
            CHECK(tp_stretch_set_pitch_ratio(t, ratio) == TP_OK, "ratio");
        }
        rc = tp_stretch_run(t, x, n, z);
        CHECK(rc == TP_OK, "tp_stretch_run rc %d", rc);
        CHECK(tp_stretch_finished(t) && tp_stretch_frames_out(t) == n_out,
              "tp_stretch_run left an unfinished stream");
        for (size_t i = 0; i < count; i++)
            CHECK(same_output(&y[i], &z[i], 1, finite),
                  "chunked and whole runs differ at frame %zu ch %zu: %.9g "
                  "vs %.9g (%s instance)",
                  i / nc, i % nc, (double)y[i], (double)z[i],
                  t == s ? "reset" : "fresh");
        if (t != s)
            tp_stretch_destroy(t);
        free(z);
    }

    free(x);
    free(y);
    tp_stretch_destroy(s);
    return 0;
}
