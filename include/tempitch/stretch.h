/*
 * tempitch/stretch.h -- the stretcher engine: independent pitch and tempo.
 *
 * A pure library: no I/O, no threads, no printing, no globals except the
 * lock that serialises FFTW planning.  Modelled on libsamplerate: an opaque
 * state, caller-owned buffers, frames used / generated reported back, an
 * explicit end of input, and a reset that does not reallocate.
 *
 * Conventions
 *   - Audio is interleaved 32-bit float, `channels` samples per frame.
 *   - Tempo is a SPEED factor: 1.25 plays 25 % faster, so the output lasts
 *     0.8 x as long.  (rubberband's -t is the inverse: a duration multiple.)
 *   - Pitch is given in semitones (fractional allowed) or as a frequency
 *     ratio (2.0 = one octave up).  The two setters are two spellings of the
 *     same parameter; the last one called wins.
 *
 * Guarantees, for a whole stream of N input frames
 *   - The output has exactly tp_output_length(N, tempo) = round(N / tempo)
 *     frames, and output time 0 corresponds to input time 0 (no leading
 *     latency, no lost tail).
 *   - Output is bit-identical whatever the sizes of the pushed chunks and of
 *     the output buffers, on every run and in any thread.
 *   - Memory is allocated at creation only; it does not grow with the stream.
 *   - Channels are processed jointly: every channel gets the same per-bin
 *     phase rotation, so identical channels stay identical, a polarity-
 *     inverted pair stays inverted, and level ratios are kept.
 *   - With tempo 1 and pitch ratio 1 the output is the input, bit for bit.
 *
 * Threads
 *   One instance must only be used by one thread at a time.  Different
 *   instances may run concurrently with no shared mutable state.  Creation
 *   and destruction take an internal lock (FFTW planning is not thread-safe).
 */
#ifndef TEMPITCH_STRETCH_H
#define TEMPITCH_STRETCH_H

#include <tempitch/error.h>
#include <tempitch/version.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Valid parameter ranges (inclusive). */
#define TP_TEMPO_MIN 0.05
#define TP_TEMPO_MAX 20.0
#define TP_SEMITONES_MIN (-48.0)
#define TP_SEMITONES_MAX 48.0
#define TP_RATE_MIN 8000.0
#define TP_RATE_MAX 384000.0
#define TP_CHANNELS_MAX 256
#define TP_FORMANT_SEMITONES_MIN (-24.0)
#define TP_FORMANT_SEMITONES_MAX 24.0

/* Exact output length, in frames, of a whole stream of `in_frames` input
 * frames at speed factor `tempo`: round(in_frames / tempo), halves rounded
 * up (exact for in_frames below 2^53; SIZE_MAX if the result does not fit
 * in size_t).  Returns 0 if tempo is not a valid tempo. */
size_t tp_output_length(size_t in_frames, double tempo);

typedef struct tp_stretch tp_stretch;

/* Creates an instance for `channels` channels at `sample_rate` Hz, with
 * tempo 1 and pitch ratio 1.  On success stores it in *out and returns
 * TP_OK; on failure *out is set to NULL (when out is not NULL) and the error
 * is returned: TP_ERR_NULL, TP_ERR_CHANNELS, TP_ERR_RATE, TP_ERR_NOMEM,
 * TP_ERR_FFT.  Thread-safe. */
int tp_stretch_create(tp_stretch **out, int channels, double sample_rate);

/* Frees everything.  NULL is accepted and ignored.  Thread-safe. */
void tp_stretch_destroy(tp_stretch *s);

/* Parameters are sticky: they survive tp_stretch_reset().  They may only be
 * changed before the first tp_stretch_process() call of a stream (that is,
 * after create or reset); later calls return TP_ERR_STATE and change
 * nothing.  An invalid value returns TP_ERR_TEMPO / TP_ERR_PITCH and leaves
 * the previous value in place. */
int tp_stretch_set_tempo(tp_stretch *s, double tempo);
int tp_stretch_set_semitones(tp_stretch *s, double semitones);
int tp_stretch_set_pitch_ratio(tp_stretch *s, double ratio);

/* Formants (the spectral envelope: a voice's timbre).  By default they
 * move with the pitch, as in a plain resampling.  With `preserve` nonzero
 * they stay where they were in the input while the pitch moves; then
 * `envelope_semitones` moves them on purpose, by that many semitones from
 * their place in the input, whatever the pitch (negative: darker, bigger;
 * positive: brighter, smaller).  Without `preserve`, `envelope_semitones`
 * moves them from where the pitch shift puts them.  The frame of a pitch
 * shift is given to a spectral correction, so the cost is about that of
 * the vocoder: with tempo 1 the vocoder runs where it otherwise would not.
 * Phases, the exact length, streaming, determinism and channel relations
 * are kept; each analysis frame keeps its energy.  With pitch ratio 1,
 * preserve alone changes nothing (the output is bit-identical to that
 * without it).
 *
 * Sticky like the other parameters: TP_ERR_STATE during a stream.
 * Returns TP_OK, TP_ERR_NULL, or TP_ERR_FORMANT when envelope_semitones
 * is NaN, infinite or outside TP_FORMANT_SEMITONES_MIN..MAX (the previous
 * settings are then kept).  Default: preserve 0, envelope_semitones 0. */
int tp_stretch_set_formant(tp_stretch *s, int preserve,
                           double envelope_semitones);

/* Current formant settings (either pointer may be NULL).  Returns TP_OK or
 * TP_ERR_NULL (s NULL). */
int tp_stretch_get_formant(const tp_stretch *s, int *preserve,
                           double *envelope_semitones);

/* 1 when the current settings leave the audio as it is (tempo 1, pitch
 * ratio 1, formants not moved), so that the output is the input bit for
 * bit; 0 otherwise, and for s NULL.  For callers that treat a copy
 * differently (not dithering it, say). */
int tp_stretch_is_identity(const tp_stretch *s);

/* Quality mode: a trade between speed and fidelity.
 *   TP_QUALITY_BALANCED  the default.
 *   TP_QUALITY_FAST      about twice as fast: a shorter resampler kernel
 *                        (wider transition band, more aliasing near the
 *                        Nyquist frequency) and 2x instead of 4x overlap
 *                        in the phase vocoder (a little more phasiness,
 *                        a slight level flutter on noise).
 *   TP_QUALITY_FINE      about 1.7x the time: a longer resampler kernel,
 *                        8x overlap, and attacks placed more exactly.
 * Every guarantee above holds in every mode; only the sound differs.  The
 * mode is a sticky parameter like the tempo: it survives
 * tp_stretch_reset() and may only be changed before the first
 * tp_stretch_process() call of a stream (else TP_ERR_STATE, nothing
 * changed).  An unknown value returns TP_ERR_QUALITY and keeps the
 * previous mode.  A new mode takes effect when the next stream starts
 * (the chain is rebuilt then, as for a new tempo). */
enum tp_quality {
    TP_QUALITY_BALANCED = 0, /* zero, so a zeroed settings struct means it */
    TP_QUALITY_FAST = 1,
    TP_QUALITY_FINE = 2
};
int tp_stretch_set_quality(tp_stretch *s, enum tp_quality quality);
/* The current mode; TP_QUALITY_BALANCED for NULL. */
enum tp_quality tp_stretch_get_quality(const tp_stretch *s);

double tp_stretch_get_tempo(const tp_stretch *s);
double tp_stretch_get_pitch_ratio(const tp_stretch *s);
int tp_stretch_get_channels(const tp_stretch *s);
double tp_stretch_get_sample_rate(const tp_stretch *s);

/* Forgets the current stream, keeping channels, rate and parameters.
 * Afterwards the instance behaves exactly like a fresh one with the same
 * settings.  Allocates nothing.  Returns TP_OK or TP_ERR_NULL. */
int tp_stretch_reset(tp_stretch *s);

/* One processing call, in the style of libsamplerate's SRC_DATA. */
typedef struct tp_data {
    const float *in;   /* interleaved input; may be NULL if in_frames==0 */
    size_t in_frames;  /* frames available at `in`                       */
    float *out;        /* interleaved output buffer                      */
    size_t out_frames; /* capacity of `out`, in frames                   */
    int end_of_input;  /* nonzero: `in` holds the last frames of stream  */

    size_t in_used;       /* set by the call: frames consumed from `in`     */
    size_t out_generated; /* set by the call: frames written to `out`       */
} tp_data;

/* Consumes input and produces output.  The call takes as much of `in` as
 * it can buffer and writes as much output as is ready, up to out_frames;
 * it may take fewer input frames than offered (call again with the rest)
 * and may produce no output yet (the engine looks ahead internally).
 *
 * end_of_input applies to the frames at `in`: once all of them have been
 * used the stream is closed, and further calls (with any in_frames, which
 * are then ignored and reported as unused) drain the remaining output.  The
 * stream is complete when tp_stretch_finished() returns 1.
 *
 * Returns TP_OK, TP_ERR_NULL (s or d NULL), TP_ERR_BUFFER (in NULL with
 * in_frames > 0 or out NULL with out_frames > 0), or TP_ERR_NOMEM (the
 * first call after create, reset or a parameter change builds the
 * processing chain).  On these errors nothing is consumed or produced and
 * the state is unchanged.  TP_ERR_STATE means the engine could make no
 * progress although offered input or output room: an internal error that
 * the queue sizing rules out, reported so that no caller loops forever.
 * Output samples are always finite: before processing, input samples are
 * limited to +-1e12 and NaN reads as 0 (tempo 1 with pitch 0 copies the
 * input unchanged). */
int tp_stretch_process(tp_stretch *s, tp_data *d);

/* 1 once end of input has been consumed and every output frame has been
 * returned; 0 otherwise (also for NULL). */
int tp_stretch_finished(const tp_stretch *s);

/* Frames read so far and frames returned so far in the current stream. */
size_t tp_stretch_frames_in(const tp_stretch *s);
size_t tp_stretch_frames_out(const tp_stretch *s);

/* Convenience for whole buffers: processes `in_frames` frames from `in` as
 * one complete stream (resetting first) and writes exactly
 * tp_output_length(in_frames, tempo) frames to `out`, which must have room
 * for them.  Returns TP_OK or an error code as for tp_stretch_process. */
int tp_stretch_run(tp_stretch *s, const float *in, size_t in_frames,
                   float *out);

/* Version string of the library, e.g. "0.1.0": TP_VERSION_STRING of the
 * library that runs (tempitch/version.h gives the one compiled against). */
const char *tp_version(void);

#ifdef __cplusplus
}
#endif

#endif /* TEMPITCH_STRETCH_H */
