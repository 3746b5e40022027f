/*
 * binding.h -- what the parts of tempitch's Python extension (_tempitch)
 * share.  The extension is a thin layer over the C library:
 *
 *   _tempitch.c  the module: stretch(), output_length(), the constants,
 *                the settings a call gives, errors, one engine per thread
 *   audio.c      NumPy arrays <-> the engine's interleaved float frames
 *   stretcher.c  the Stretcher type (streaming, one instance per thread)
 *   files.c      process_files(): the command's batch (plan, pool, JSON)
 *   bench.c      the table of `tempitch --bench` and an engine timer, for
 *                python3 -m tempitch.bench
 *
 * Every call that does engine or file work releases the GIL for it; what
 * runs without the GIL touches no Python object.
 */
#ifndef TEMPITCH_PYTHON_BINDING_H
#define TEMPITCH_PYTHON_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL tempitch_ARRAY_API
#ifndef BINDING_IMPORTS_NUMPY
#define NO_IMPORT_ARRAY /* only _tempitch.c calls import_array() */
#endif
#include <numpy/arrayobject.h>

#include "settings.h"

#include <tempitch/stretch.h>

#include <stddef.h>

/* ---- settings (_tempitch.c) ------------------------------------------ */

/* The keyword arguments every settings-taking call has, as parsed. */
struct call_settings {
    double semitones;
    double tempo;
    PyObject *ratio; /* None (or NULL) unless the pitch is a ratio */
    int formant;
    double formant_semitones;
    const char *quality;
};

/* The defaults of the Python signatures (no change, balanced). */
#define CALL_SETTINGS_DEFAULTS                                                 \
    {                                                                          \
        0.0, 1.0, NULL, 0, 0.0, "balanced"                                     \
    }

/* The settings' part of every such call's PyArg_ParseTupleAndKeywords:
 * semitones and tempo positional or keyword, the rest keyword-only, so
 * that every call spells them alike: (..., semitones=0.0, tempo=1.0, *,
 * ratio=None, formant=False, formant_semitones=0.0, quality='balanced'). */
#define CALL_SETTINGS_KWLIST                                                   \
    "semitones", "tempo", "ratio", "formant", "formant_semitones", "quality"
#define CALL_SETTINGS_FORMAT "dd$Opds"
#define CALL_SETTINGS_ARGS(a)                                                  \
    &(a).semitones, &(a).tempo, &(a).ratio, &(a).formant,                      \
        &(a).formant_semitones, &(a).quality

/* Fills *s from *a with settings.h's setters: semitones or a ratio
 * (both given: ValueError), a speed factor, the formant fields, the
 * quality by its name.  Ranges are the engine's business (binding_raise
 * names the value).  Returns 0, or -1 with a Python error set. */
int binding_settings(const struct call_settings *a, struct settings *s);

/* Sets the Python error for engine code `rc` (tempitch/error.h), with
 * tp_strerror's message and, for a value out of range, the argument
 * and its value: ValueError for values, MemoryError, RuntimeError for
 * the rest (TP_ERR_STATE: "parameters cannot change during a stream").
 * `s`, `rate` and `channels` are what the call asked for.  Returns NULL. */
PyObject *binding_raise(int rc, const struct settings *s, double rate,
                        int channels);

/* "balanced", "fast" or "fine" -> the mode.  Returns 0, or -1 with a
 * ValueError set. */
int binding_quality(const char *name, enum tp_quality *q);

/* ---- arrays (audio.c) ---------------------------------------------------- */

/* An input array as the engine will read it. */
struct audio_in {
    PyArrayObject *array; /* owned reference: native, aligned           */
    int type;             /* NPY_FLOAT or NPY_DOUBLE                     */
    int one_d;            /* a 1-D array: mono                           */
    size_t frames;
    int channels;
    npy_intp frame_step;   /* bytes from one frame to the next           */
    npy_intp channel_step; /* bytes from one channel to the next         */
};

/* Reads `obj` (an array, or anything numpy.asarray takes) as audio: 1-D
 * is mono; 2-D is (frames, channels), or (channels, frames) with
 * `channels_first`.  `channels` 0: any count the engine takes, and a 2-D
 * shape that reads as more channels than frames while the other reading
 * would be valid too is refused as ambiguous; otherwise exactly that
 * many.  `what` names the argument in messages ("audio", "chunk").
 * Returns 0, or -1 with TypeError (not float32/float64) or ValueError
 * (layout) set. */
int audio_in_open(struct audio_in *a, PyObject *obj, int channels_first,
                  int channels, const char *what);

void audio_in_close(struct audio_in *a);

/* The frames of *a as interleaved float: the array's own memory when it
 * already is that, else `buf` (frames x channels floats) filled from it.
 * No GIL needed. */
const float *audio_in_frames(const struct audio_in *a, float *buf);

/* 1 when audio_in_frames needs no buffer. */
int audio_in_direct(const struct audio_in *a);

/* A new C-ordered array of `frames` frames shaped as the input was: 1-D
 * when `one_d`, else (frames, channels) or (channels, frames), of `type`.
 * NULL with a Python error set. */
PyArrayObject *audio_out_new(size_t frames, int channels, int type, int one_d,
                             int channels_first);

/* Where the engine may write `out`'s frames directly (float32 and
 * interleaved), or NULL when audio_out_fill must copy them. */
float *audio_out_direct(PyArrayObject *out, int channels_first);

/* Copies interleaved float frames into `out` (as made by audio_out_new
 * with the same channels_first).  No GIL needed. */
void audio_out_fill(PyArrayObject *out, const float *src, size_t frames,
                    int channels, int channels_first);

/* ---- whole buffers (_tempitch.c) ---------------------------------------- */

/* Stretches all of *in through `engine` (configured; tp_stretch_run
 * resets it first) into `out`, of tp_output_length frames, then resets
 * the engine.  No GIL: call between Py_BEGIN/END_ALLOW_THREADS.  Returns
 * TP_OK or an engine code; *invalid gets the number of samples that are
 * not audio (NaN, infinite, beyond CONVERT_INPUT_LIMIT), in which case
 * nothing was run, and *first the index of the first. */
int binding_run_whole(tp_stretch *engine, const struct audio_in *in,
                      PyArrayObject *out, int channels_first, size_t *invalid,
                      size_t *first);

/* The calling thread's engine for `channels` x `rate` (a thread keeps a
 * few, for different formats; they go when the thread ends), reset and
 * set to *s: what stretch() runs on.  TP_OK or an engine code.  No GIL
 * needed. */
int binding_thread_engine(int channels, double rate, const struct settings *s,
                          tp_stretch **out);

/* Sets the ValueError for `invalid` samples that are not audio, the
 * first at sample index `first` of the interleaved frames.  Returns
 * NULL. */
PyObject *binding_raise_invalid(const struct audio_in *in, size_t invalid,
                                size_t first);

/* ---- the parts' module set-up ------------------------------------------- */

/* Each adds its type or functions to the module; 0, or -1 with an
 * error. */
int stretcher_add_type(PyObject *module);
extern PyMethodDef files_methods[];
extern PyMethodDef bench_methods[];

#endif /* TEMPITCH_PYTHON_BINDING_H */
