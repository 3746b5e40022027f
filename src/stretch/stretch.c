/*
 * stretch.c -- the public engine API: parameters, the stage chain, and the
 * streaming driver.
 *
 * Pitch and tempo are split between two stages.  A band-limited resampler
 * changes pitch (and duration) by the frequency ratio r; the phase vocoder
 * changes duration alone by d = r / tempo, so that together the output
 * lasts 1 / tempo of the input at pitch x r.  The vocoder runs on whichever
 * side of the resampler has fewer samples:
 *
 *   r > 1:  input -> resample (step r) -> vocoder (d) -> output
 *   r < 1:  input -> vocoder (d) -> resample (step r) -> output
 *
 * and a stage whose factor is exactly 1 is left out (tempo 1 with pitch 0
 * is a copy).  Every stage maps its output time 0 to its input time 0 and
 * computes positions from absolute indices, which is what makes the output
 * length exact, the start aligned and the result independent of chunking.
 */
#include "tempitch/stretch.h"

#include "fifo.h"
#include "formant.h"
#include "pv.h"
#include "resample.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum mode { MODE_COPY, MODE_RS, MODE_PV, MODE_RS_PV, MODE_PV_RS };

/* What each quality mode changes (docs/quality.md has the measurements).
 * Every mode uses 46 ms frames and the blended phase rotation (phase.c)
 * with onsets placed at the attack's start (onset.h); until 0.1.0 fast
 * and balanced used 93 ms frames with identity phase locking, which lost
 * to the reference tools on real recordings.
 *
 * Balanced: a 24-zero-crossing kernel (about -90 dB stopband, passband to
 * 0.40 fs) interpolated between 512 tabulated phases; 4x overlap.
 *
 * Fast (about half the time of balanced): an 8-zero-crossing kernel with a
 * lower beta (a wider transition band, about -60 dB) read at the nearest
 * of 1024 rows instead of interpolating two of 512 (a position error below
 * 1/2048 sample) costs a fifth of the balanced one.  The vocoder runs at 2x
 * overlap, with the least-squares synthesis window (see pv.c): half the
 * frames, so half the FFTs and per-bin work.  Measured and dropped: 3x
 * overlap (too slow for 2x the speed), 93 ms frames with the blend (better
 * on generated phrases, worse on real recordings).
 *
 * Fine (about 1.6x the time): a 32-zero-crossing kernel and 8x overlap. */
static const struct quality_design {
    tp_resampler_design rs;
    tp_pv_design pv;
} designs[3] = {
    /* resampler: zero crossings, rolloff, beta, phases, interpolate;
     * vocoder: overlap, onset refinement */
    [TP_QUALITY_FAST] = {{8, 0.80, 6.0, 1024, 0}, {2, 1}},
    [TP_QUALITY_BALANCED] = {{24, 0.90, 9.0, 512, 1}, {4, 1}},
    [TP_QUALITY_FINE] = {{32, 0.92, 10.0, 512, 1}, {8, 1}},
};

struct tp_stretch {
    int channels;
    double rate;
    double tempo, ratio;
    int formant_preserve; /* tp_stretch_set_formant */
    double formant_semitones;
    enum tp_quality quality;

    /* The chain built for the current parameters. */
    int configured;
    enum mode mode;
    tp_resampler rs;
    tp_pv pv;
    tp_formant formant; /* built when the envelope is to be moved       */
    tp_fifo in, mid, out;

    /* Stream state. */
    int started;
    int in_ended;
    size_t frames_in, frames_out, total_out;
};

const char *tp_version(void)
{
    return TP_VERSION_STRING;
}

static int valid_tempo(double t)
{
    return t >= TP_TEMPO_MIN && t <= TP_TEMPO_MAX; /* false for NaN */
}

static int valid_ratio(double r)
{
    return r >= 0.0625 && r <= 16.0;
}

size_t tp_output_length(size_t in_frames, double tempo)
{
    if (!valid_tempo(tempo))
        return 0;
    double n = floor((double)in_frames / tempo + 0.5);
    /* Saturate rather than overflow the conversion (only absurd lengths,
     * above 2^64 / 20 input frames, get here). */
    if (n >= 18446744073709551615.0)
        return SIZE_MAX;
    return (size_t)n;
}

static void free_queues(tp_stretch *s)
{
    tp_fifo_free(&s->in);
    tp_fifo_free(&s->mid);
    tp_fifo_free(&s->out);
}

static void unconfigure(tp_stretch *s)
{
    tp_resampler_free(&s->rs);
    tp_pv_free(&s->pv);
    tp_formant_free(&s->formant);
    free_queues(s);
    s->configured = 0;
}

static int same_kernel(const tp_resampler_design *a,
                       const tp_resampler_design *b)
{
    return a->zero_crossings == b->zero_crossings && a->rolloff == b->rolloff &&
           a->beta == b->beta && a->phases == b->phases &&
           a->interpolate == b->interpolate;
}

/* The stages keep what does not depend on the changed parameter: a batch
 * that varies only the tempo from file to file (-D) then pays neither for
 * the resampler's kernel table nor for FFT planning again.  A new quality
 * mode rebuilds the stage whose design it changes. */

static int use_resampler(tp_stretch *s, int wanted, double step, double origin)
{
    const tp_resampler_design *g = &designs[s->quality].rs;
    if (s->rs.table &&
        (!wanted || s->rs.step != step || s->rs.origin != origin ||
         !same_kernel(&s->rs.design, g)))
        tp_resampler_free(&s->rs);
    if (!wanted || s->rs.table)
        return 0;
    return tp_resampler_init(&s->rs, s->channels, step, origin, g);
}

static int use_vocoder(tp_stretch *s, int wanted, double d, int64_t pre)
{
    const tp_pv_design *g = &designs[s->quality].pv;

    if (s->pv.window && (!wanted || s->pv.design.overlap != g->overlap ||
                         s->pv.design.onset_refine != g->onset_refine))
        tp_pv_free(&s->pv);
    if (!wanted)
        return 0;
    if (s->pv.window)
        return tp_pv_retarget(&s->pv, d, pre);
    return tp_pv_init(&s->pv, s->channels, s->rate, d, pre, g);
}

/* Where the vocoder reads each frame's envelope (formant.h): at f * warp,
 * warp = r / (the factor the output envelope is scaled by).  1: no
 * correction. */
static double formant_warp(const tp_stretch *s)
{
    double shift = exp2(s->formant_semitones / 12.0);
    if (!s->formant_preserve)
        shift *= s->ratio;
    return s->ratio / shift;
}

/* The envelope correction, kept when its warp has not changed; hooked
 * into the vocoder (after use_vocoder, which may have cleared the hook). */
static int use_formant(tp_stretch *s, double warp)
{
    int n = tp_pv_fft_size(s->rate, &designs[s->quality].pv);
    if (s->formant.fft.n &&
        (warp == 1.0 || s->formant.warp != warp || s->formant.fft.n != n))
        tp_formant_free(&s->formant);
    if (warp != 1.0 && !s->formant.fft.n &&
        tp_formant_init(&s->formant, n, s->rate, warp))
        return -1;
    if (s->pv.window)
        s->pv.formant = warp != 1.0 ? &s->formant : NULL;
    return 0;
}

/* Builds the stage chain for the current parameters. */
static int configure(tp_stretch *s)
{
    const double r = s->ratio, d = s->ratio / s->tempo;
    const double warp = formant_warp(s);
    const int nc = s->channels;
    /* A formant correction needs the vocoder's frames, even at d = 1. */
    int use_rs = r != 1.0, use_pv = d != 1.0 || warp != 1.0;
    s->configured = 0;
    free_queues(s);
    if (!use_rs && !use_pv)
        s->mode = MODE_COPY;
    else if (!use_pv)
        s->mode = MODE_RS;
    else if (!use_rs)
        s->mode = MODE_PV;
    else
        s->mode = r > 1.0 ? MODE_RS_PV : MODE_PV_RS;

    int n = tp_pv_fft_size(s->rate, &designs[s->quality].pv);
    int taps = tp_resampler_taps(r, &designs[s->quality].rs);
    size_t pv_queue = tp_pv_queue_size(n);
    size_t rs_queue = (size_t)taps + 4 * (size_t)n;
    size_t in_cap = 4096, mid_cap = 0;
    /* In MODE_PV_RS the resampler reads taps/2 vocoder samples before its
     * first output position: the vocoder starts that early. */
    int64_t pre = s->mode == MODE_PV_RS ? taps / 2 : 0;
    int err = 0;
    err |= use_resampler(s, use_rs, r, (double)pre);
    err |= use_vocoder(s, use_pv, d, pre);
    if (!err)
        err |= use_formant(s, warp);
    switch (s->mode) {
    case MODE_COPY:
        break;
    case MODE_RS:
        in_cap = rs_queue;
        break;
    case MODE_PV:
        in_cap = pv_queue;
        break;
    case MODE_RS_PV:
        in_cap = rs_queue;
        mid_cap = pv_queue;
        break;
    case MODE_PV_RS:
        in_cap = pv_queue;
        mid_cap = rs_queue;
        break;
    }
    err |= tp_fifo_init(&s->in, nc, in_cap);
    err |= tp_fifo_init(&s->out, nc, 2 * (size_t)n);
    if (mid_cap)
        err |= tp_fifo_init(&s->mid, nc, mid_cap);
    if (err) {
        unconfigure(s);
        return TP_ERR_NOMEM;
    }
    s->configured = 1;
    return TP_OK;
}

int tp_stretch_create(tp_stretch **out, int channels, double sample_rate)
{
    if (!out)
        return TP_ERR_NULL;
    *out = NULL;
    if (channels < 1 || channels > TP_CHANNELS_MAX)
        return TP_ERR_CHANNELS;
    if (!(sample_rate >= TP_RATE_MIN && sample_rate <= TP_RATE_MAX))
        return TP_ERR_RATE;
    tp_stretch *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    s->channels = channels;
    s->rate = sample_rate;
    s->tempo = 1.0;
    s->ratio = 1.0;
    s->quality = TP_QUALITY_BALANCED;
    int err = configure(s);
    if (err) {
        free(s);
        return err;
    }
    *out = s;
    return TP_OK;
}

void tp_stretch_destroy(tp_stretch *s)
{
    if (!s)
        return;
    unconfigure(s);
    free(s);
}

int tp_stretch_set_tempo(tp_stretch *s, double tempo)
{
    if (!s)
        return TP_ERR_NULL;
    if (s->started)
        return TP_ERR_STATE;
    if (!valid_tempo(tempo))
        return TP_ERR_TEMPO;
    if (tempo != s->tempo) {
        s->tempo = tempo;
        s->configured = 0;
    }
    return TP_OK;
}

int tp_stretch_set_pitch_ratio(tp_stretch *s, double ratio)
{
    if (!s)
        return TP_ERR_NULL;
    if (s->started)
        return TP_ERR_STATE;
    if (!valid_ratio(ratio))
        return TP_ERR_PITCH;
    if (ratio != s->ratio) {
        s->ratio = ratio;
        s->configured = 0;
    }
    return TP_OK;
}

int tp_stretch_set_quality(tp_stretch *s, enum tp_quality quality)
{
    if (!s)
        return TP_ERR_NULL;
    if (s->started)
        return TP_ERR_STATE;
    /* An enum may hold any int value: compare as one. */
    int q = (int)quality;
    if (q != TP_QUALITY_FAST && q != TP_QUALITY_BALANCED &&
        q != TP_QUALITY_FINE)
        return TP_ERR_QUALITY;
    if (quality != s->quality) {
        s->quality = quality;
        s->configured = 0;
    }
    return TP_OK;
}

enum tp_quality tp_stretch_get_quality(const tp_stretch *s)
{
    return s ? s->quality : TP_QUALITY_BALANCED;
}

int tp_stretch_set_semitones(tp_stretch *s, double semitones)
{
    if (!s)
        return TP_ERR_NULL;
    if (!(semitones >= TP_SEMITONES_MIN && semitones <= TP_SEMITONES_MAX))
        return TP_ERR_PITCH;
    return tp_stretch_set_pitch_ratio(s, pow(2.0, semitones / 12.0));
}

int tp_stretch_set_formant(tp_stretch *s, int preserve,
                           double envelope_semitones)
{
    if (!s)
        return TP_ERR_NULL;
    if (s->started)
        return TP_ERR_STATE;
    if (!(envelope_semitones >= TP_FORMANT_SEMITONES_MIN &&
          envelope_semitones <= TP_FORMANT_SEMITONES_MAX))
        return TP_ERR_FORMANT;
    preserve = preserve != 0;
    if (preserve != s->formant_preserve ||
        envelope_semitones != s->formant_semitones) {
        s->formant_preserve = preserve;
        s->formant_semitones = envelope_semitones;
        s->configured = 0;
    }
    return TP_OK;
}

int tp_stretch_get_formant(const tp_stretch *s, int *preserve,
                           double *envelope_semitones)
{
    if (!s)
        return TP_ERR_NULL;
    if (preserve)
        *preserve = s->formant_preserve;
    if (envelope_semitones)
        *envelope_semitones = s->formant_semitones;
    return TP_OK;
}

int tp_stretch_is_identity(const tp_stretch *s)
{
    /* configure()'s rule for MODE_COPY */
    return s != NULL && s->ratio == 1.0 && s->tempo == 1.0 &&
           formant_warp(s) == 1.0;
}

double tp_stretch_get_tempo(const tp_stretch *s)
{
    return s ? s->tempo : 0.0;
}

double tp_stretch_get_pitch_ratio(const tp_stretch *s)
{
    return s ? s->ratio : 0.0;
}

int tp_stretch_get_channels(const tp_stretch *s)
{
    return s ? s->channels : 0;
}

double tp_stretch_get_sample_rate(const tp_stretch *s)
{
    return s ? s->rate : 0.0;
}

int tp_stretch_reset(tp_stretch *s)
{
    if (!s)
        return TP_ERR_NULL;
    s->started = 0;
    s->in_ended = 0;
    s->frames_in = s->frames_out = s->total_out = 0;
    if (!s->configured)
        return TP_OK; /* the chain is built afresh on first use */
    tp_fifo_reset(&s->in);
    tp_fifo_reset(&s->out);
    if (s->mid.data)
        tp_fifo_reset(&s->mid);
    if (s->mode == MODE_RS || s->mode == MODE_RS_PV || s->mode == MODE_PV_RS)
        tp_resampler_reset(&s->rs);
    if (s->mode == MODE_PV || s->mode == MODE_RS_PV || s->mode == MODE_PV_RS)
        tp_pv_reset(&s->pv);
    return TP_OK;
}

/* The whole input is known: every stage learns how much to produce. */
static void close_input(tp_stretch *s)
{
    s->in_ended = 1;
    s->in.ended = 1;
    s->total_out = tp_output_length(s->frames_in, s->tempo);
    int64_t m = (int64_t)s->total_out;
    switch (s->mode) {
    case MODE_COPY:
        break;
    case MODE_RS:
        s->rs.limit = m;
        break;
    case MODE_PV:
        s->pv.limit = m;
        break;
    case MODE_RS_PV:
        s->rs.limit =
            tp_resampler_natural_length(&s->rs, (int64_t)s->frames_in);
        s->pv.limit = m;
        break;
    case MODE_PV_RS:
        s->pv.limit = m > 0 ? tp_resampler_last_input(&s->rs, m - 1) + 1 : 0;
        s->rs.limit = m;
        break;
    }
}

static size_t run_chain(tp_stretch *s)
{
    size_t done = 0;
    switch (s->mode) {
    case MODE_COPY:
        break;
    case MODE_RS:
        done += tp_resampler_run(&s->rs, &s->in, &s->out);
        break;
    case MODE_PV:
        done += tp_pv_run(&s->pv, &s->in, &s->out);
        break;
    case MODE_RS_PV:
        done += tp_resampler_run(&s->rs, &s->in, &s->mid);
        if (s->in_ended && s->rs.next >= s->rs.limit)
            s->mid.ended = 1;
        done += tp_pv_run(&s->pv, &s->mid, &s->out);
        break;
    case MODE_PV_RS:
        done += tp_pv_run(&s->pv, &s->in, &s->mid);
        if (s->in_ended && s->pv.emitted >= s->pv.limit)
            s->mid.ended = 1;
        done += tp_resampler_run(&s->rs, &s->mid, &s->out);
        break;
    }
    return done;
}

/* tempo 1, pitch 1: the output is the input. */
static void process_copy(tp_stretch *s, tp_data *d)
{
    size_t n = d->in_frames < d->out_frames ? d->in_frames : d->out_frames;
    if (s->in_ended)
        n = 0;
    if (n)
        memcpy(d->out, d->in, n * (size_t)s->channels * sizeof(float));
    d->in_used = n;
    d->out_generated = n;
    s->frames_in += n;
    s->frames_out += n;
    if (!s->in_ended && d->end_of_input && n == d->in_frames)
        close_input(s);
}

int tp_stretch_process(tp_stretch *s, tp_data *d)
{
    if (!s || !d)
        return TP_ERR_NULL;
    if ((!d->in && d->in_frames) || (!d->out && d->out_frames))
        return TP_ERR_BUFFER;
    d->in_used = 0;
    d->out_generated = 0;
    if (!s->configured) {
        int err = configure(s);
        if (err)
            return err;
    }
    s->started = 1;
    if (s->mode == MODE_COPY) {
        process_copy(s, d);
        return TP_OK;
    }
    const size_t nc = (size_t)s->channels;
    for (;;) {
        /* d->out may be NULL when out_frames is 0: no arithmetic on it. */
        size_t got = 0;
        if (d->out_generated < d->out_frames)
            got =
                tp_fifo_pop_interleaved(&s->out, d->out + d->out_generated * nc,
                                        d->out_frames - d->out_generated);
        d->out_generated += got;
        s->frames_out += got;

        size_t take = 0;
        if (!s->in_ended) {
            size_t avail = d->in_frames - d->in_used;
            size_t room = tp_fifo_space(&s->in) + (size_t)s->in.skip;
            take = avail < room ? avail : room;
            if (take) {
                tp_fifo_push_interleaved(&s->in, d->in + d->in_used * nc, take);
                d->in_used += take;
                s->frames_in += take;
            }
            if (d->end_of_input && d->in_used == d->in_frames)
                close_input(s);
        }
        size_t made = run_chain(s);
        if (!got && !take && !made)
            break;
    }
    /* The queues are sized so that the chain can always move while it is
     * offered input and output room; if it cannot, say so rather than let
     * the caller loop forever. */
    int room = d->out_generated < d->out_frames;
    int want_in = !s->in_ended && d->in_used < d->in_frames;
    int want_out = s->in_ended && s->frames_out < s->total_out;
    if (room && !d->in_used && !d->out_generated && (want_in || want_out))
        return TP_ERR_STATE;
    return TP_OK;
}

int tp_stretch_finished(const tp_stretch *s)
{
    return s && s->in_ended && s->frames_out == s->total_out;
}

size_t tp_stretch_frames_in(const tp_stretch *s)
{
    return s ? s->frames_in : 0;
}

size_t tp_stretch_frames_out(const tp_stretch *s)
{
    return s ? s->frames_out : 0;
}

int tp_stretch_run(tp_stretch *s, const float *in, size_t in_frames, float *out)
{
    if (!s)
        return TP_ERR_NULL;
    int err = tp_stretch_reset(s);
    if (err)
        return err;
    size_t total = tp_output_length(in_frames, s->tempo);
    tp_data d = {.in = in,
                 .in_frames = in_frames,
                 .out = out,
                 .out_frames = total,
                 .end_of_input = 1};
    while (!tp_stretch_finished(s)) {
        err = tp_stretch_process(s, &d);
        if (err)
            return err;
        if (d.in_used == 0 && d.out_generated == 0 && !tp_stretch_finished(s))
            return TP_ERR_STATE; /* cannot happen: a stalled chain */
        d.in += d.in_used * (size_t)s->channels;
        d.in_frames -= d.in_used;
        d.out += d.out_generated * (size_t)s->channels;
        d.out_frames -= d.out_generated;
    }
    return TP_OK;
}
