/*
 * _tempitch.c -- the extension module of tempitch's Python package: the
 * engine's settings as Python arguments, its errors as exceptions,
 * stretch() and output_length(); see binding.h for the other parts.
 *
 * stretch() reuses engines per Python thread (a pthread key, freed when
 * the thread ends), as the command's workers reuse theirs: a new engine
 * plans its FFTs on its first stream, which would otherwise be paid on
 * every call.  Reset, an engine is a fresh one (stretch.h), so the reuse
 * cannot show in the output.
 */
#define BINDING_IMPORTS_NUMPY
#include "binding.h"

#include "convert.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- settings ----------------------------------------------------------- */

int binding_quality(const char *name, enum tp_quality *q)
{
    static const enum tp_quality modes[] = {TP_QUALITY_BALANCED,
                                            TP_QUALITY_FAST, TP_QUALITY_FINE};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(name, settings_quality_name(modes[i])) == 0) {
            *q = modes[i];
            return 0;
        }
    }
    PyErr_Format(PyExc_ValueError,
                 "unknown quality mode '%s' (expected 'fast', 'balanced' or "
                 "'fine')",
                 name);
    return -1;
}

int binding_settings(const struct call_settings *a, struct settings *s)
{
    settings_defaults(s);
    if (a->ratio != NULL && a->ratio != Py_None) {
        if (a->semitones != 0.0) {
            PyErr_SetString(PyExc_ValueError,
                            "give the pitch as semitones or as a ratio, not "
                            "both");
            return -1;
        }
        double r = PyFloat_AsDouble(a->ratio);
        if (r == -1.0 && PyErr_Occurred())
            return -1;
        /* The engine judges r; a ratio <= 0 has no semitones to show. */
        settings_set_pitch(s, 'f', r);
    } else {
        settings_set_pitch(s, 'p', a->semitones);
    }
    settings_set_tempo(s, 'T', a->tempo);
    /* settings.h: a formant shift implies keeping the formants. */
    s->formant = a->formant || a->formant_semitones != 0.0;
    s->formant_semitones = a->formant_semitones;
    return binding_quality(a->quality, &s->quality);
}

/* `v` as Python's repr would write it. */
static PyObject *number_text(double v)
{
    char *text = PyOS_double_to_string(v, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (text == NULL)
        return NULL;
    PyObject *s = PyUnicode_FromString(text);
    PyMem_Free(text);
    return s;
}

PyObject *binding_raise(int rc, const struct settings *s, double rate,
                        int channels)
{
    const char *name = NULL;
    double value = 0.0;
    switch (rc) {
    case TP_ERR_NOMEM:
        return PyErr_NoMemory();
    case TP_ERR_TEMPO:
        name = "tempo", value = s->tempo;
        break;
    case TP_ERR_PITCH:
        name = s->pitch_opt == 'f' ? "ratio" : "semitones";
        value = s->pitch_given;
        break;
    case TP_ERR_FORMANT:
        name = "formant_semitones", value = s->formant_semitones;
        break;
    case TP_ERR_RATE:
        name = "sample_rate", value = rate;
        break;
    case TP_ERR_CHANNELS:
        name = "channels", value = channels;
        break;
    case TP_ERR_QUALITY:
        PyErr_SetString(PyExc_ValueError, tp_strerror(rc));
        return NULL;
    default:
        PyErr_SetString(PyExc_RuntimeError, tp_strerror(rc));
        return NULL;
    }
    PyObject *v = number_text(value);
    if (v != NULL)
        PyErr_Format(PyExc_ValueError, "%s: %s=%U", tp_strerror(rc), name, v);
    Py_XDECREF(v);
    return NULL;
}

PyObject *binding_raise_invalid(const struct audio_in *in, size_t invalid,
                                size_t first)
{
    size_t nc = (size_t)in->channels;
    char text[320];
    snprintf(text, sizeof text,
             "%zu sample%s NaN, infinite or beyond +-%g (the first at frame "
             "%zu, channel %zu): not audio; replace them first, e.g. with "
             "numpy.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)",
             invalid, invalid == 1 ? " is" : "s are", CONVERT_INPUT_LIMIT,
             first / nc, first % nc);
    PyErr_SetString(PyExc_ValueError, text);
    return NULL;
}

/* ---- whole buffers ------------------------------------------------------ */

int binding_run_whole(tp_stretch *engine, const struct audio_in *in,
                      PyArrayObject *out, int channels_first, size_t *invalid,
                      size_t *first)
{
    size_t nc = (size_t)in->channels, frames = in->frames;
    size_t out_frames = (size_t)PyArray_SIZE(out) / nc;
    float *in_buf = NULL, *out_buf = NULL;
    float *to = audio_out_direct(out, channels_first);
    int rc = TP_OK;
    *invalid = 0;
    if (!audio_in_direct(in) && frames > 0)
        in_buf = malloc(frames * nc * sizeof *in_buf);
    if (to == NULL)
        to = out_buf = malloc((out_frames ? out_frames : 1) * nc * sizeof *to);
    if ((!audio_in_direct(in) && frames > 0 && in_buf == NULL) || to == NULL)
        rc = TP_ERR_NOMEM;
    if (rc == TP_OK) {
        const float *x = audio_in_frames(in, in_buf);
        *invalid = convert_count_invalid(x, frames * nc, first);
        if (*invalid == 0) {
            static const float nothing[1] = {0.0f};
            rc = tp_stretch_run(engine, frames > 0 ? x : nothing, frames, to);
        }
    }
    if (rc == TP_OK && *invalid == 0 && out_buf != NULL)
        audio_out_fill(out, out_buf, out_frames, in->channels, channels_first);
    tp_stretch_reset(engine);
    free(in_buf);
    free(out_buf);
    return rc;
}

/* ---- engines per thread ------------------------------------------------ */

/* Formats (channels x rate) a thread keeps an engine for: a pipeline that
 * mixes mono and stereo, or two rates, then plans each engine once
 * instead of at every switch (which costs more than a short clip). */
enum { THREAD_ENGINES = 4 };

/* A thread's engines, the most recently used first. */
struct thread_engines {
    tp_stretch *e[THREAD_ENGINES];
};

static pthread_key_t engines_key;

static void drop_engines(void *engines)
{
    struct thread_engines *t = engines;
    for (int i = 0; t != NULL && i < THREAD_ENGINES; i++)
        tp_stretch_destroy(t->e[i]);
    free(t);
}

/* The thread's engine for channels x rate, made when it has none (the
 * least recently used one goes when all are taken), moved to the front. */
static int find_engine(struct thread_engines *t, int channels, double rate,
                       tp_stretch **out)
{
    int i = 0;
    while (i < THREAD_ENGINES && t->e[i] != NULL &&
           (tp_stretch_get_channels(t->e[i]) != channels ||
            tp_stretch_get_sample_rate(t->e[i]) != rate))
        i++;
    if (i == THREAD_ENGINES) {
        i--;
        tp_stretch_destroy(t->e[i]);
        t->e[i] = NULL;
    }
    tp_stretch *e = t->e[i];
    if (e == NULL) {
        int rc = tp_stretch_create(&e, channels, rate);
        if (rc != TP_OK)
            return rc;
    }
    memmove(&t->e[1], &t->e[0], (size_t)i * sizeof t->e[0]);
    t->e[0] = e;
    *out = e;
    return TP_OK;
}

int binding_thread_engine(int channels, double rate, const struct settings *s,
                          tp_stretch **out)
{
    struct thread_engines *t = pthread_getspecific(engines_key);
    if (t == NULL) {
        t = calloc(1, sizeof *t);
        if (t == NULL || pthread_setspecific(engines_key, t) != 0) {
            free(t);
            return TP_ERR_NOMEM;
        }
    }
    int rc = find_engine(t, channels, rate, out);
    if (rc == TP_OK)
        rc = tp_stretch_reset(*out);
    if (rc == TP_OK)
        rc = settings_apply(s, *out);
    return rc;
}

/* ---- module functions --------------------------------------------------- */

PyDoc_STRVAR(
    stretch_doc,
    "stretch($module, audio, sample_rate, semitones=0.0, tempo=1.0, *, "
    "ratio=None, formant=False, formant_semitones=0.0, quality='balanced', "
    "channels_first=False)\n"
    "--\n\n"
    "Change the pitch and the tempo of a whole clip; return a new array.\n"
    "\n"
    "audio: the samples, float32 or float64 (the result has the same\n"
    "  dtype), any strides.  1-D is mono; 2-D is (frames, channels) as\n"
    "  soundfile reads it, or (channels, frames) with channels_first=True\n"
    "  as librosa and python-stretch use.  1..256 channels.\n"
    "sample_rate: Hz, 8000..384000 (it sets the engine's frame size).\n"
    "semitones: pitch shift, -48..48, fractional allowed.\n"
    "tempo: SPEED factor, 0.05..20: 1.25 plays 25 % faster, so the result\n"
    "  lasts 0.8 times as long.\n"
    "ratio: the pitch shift as a frequency ratio instead (2.0 = an octave\n"
    "  up); not together with semitones.\n"
    "formant: keep the formants (a voice's timbre) in place while the\n"
    "  pitch moves.\n"
    "formant_semitones: move the formants by this many semitones from\n"
    "  their place in the input, -24..24 (implies formant=True).\n"
    "quality: 'fast' (about twice as fast), 'balanced' or 'fine' (about\n"
    "  1.6x the time, the cleanest).\n"
    "channels_first: read (and return) 2-D arrays as (channels, frames).\n"
    "\n"
    "The result has exactly round(n / tempo) frames for n input frames\n"
    "(output_length), aligned at the start, in the input's layout: 1-D for\n"
    "1-D, (frames, channels) or (channels, frames).  The same input and\n"
    "settings give bit-identical results in any thread.\n"
    "\n"
    "The GIL is released while the engine runs, so threads (e.g. a\n"
    "concurrent.futures.ThreadPoolExecutor) run stretches in parallel;\n"
    "each thread reuses one engine of its own.\n"
    "\n"
    "Raises TypeError for samples that are not float32/float64 (scale\n"
    "integers to -1..1 first), ValueError for a layout that is invalid or\n"
    "ambiguous (more channels than the engine takes, more channels than\n"
    "frames when the other reading is valid too: say channels_first),\n"
    "for samples that are NaN, infinite or beyond +-1e12, and for\n"
    "settings out of range, with tempitch's messages.");

static PyObject *py_stretch(PyObject *module, PyObject *args, PyObject *kw)
{
    (void)module;
    static char *kwlist[] = {"audio", "sample_rate", CALL_SETTINGS_KWLIST,
                             "channels_first", NULL};
    PyObject *audio;
    double rate;
    int channels_first = 0;
    struct call_settings a = CALL_SETTINGS_DEFAULTS;
    if (!PyArg_ParseTupleAndKeywords(
            args, kw, "Od|" CALL_SETTINGS_FORMAT "p:stretch", kwlist, &audio,
            &rate, CALL_SETTINGS_ARGS(a), &channels_first))
        return NULL;
    struct settings s;
    struct audio_in in;
    if (binding_settings(&a, &s) != 0 ||
        audio_in_open(&in, audio, channels_first, 0, "audio") != 0)
        return NULL;

    tp_stretch *engine;
    PyThreadState *ts = PyEval_SaveThread();
    int rc = binding_thread_engine(in.channels, rate, &s, &engine);
    PyEval_RestoreThread(ts);
    if (rc != TP_OK) {
        audio_in_close(&in);
        return binding_raise(rc, &s, rate, in.channels);
    }
    PyArrayObject *out =
        audio_out_new(tp_output_length(in.frames, s.tempo), in.channels,
                      in.type, in.one_d, channels_first);
    if (out == NULL) {
        audio_in_close(&in);
        return NULL;
    }
    size_t invalid, first;
    ts = PyEval_SaveThread();
    rc = binding_run_whole(engine, &in, out, channels_first, &invalid, &first);
    PyEval_RestoreThread(ts);
    if (rc != TP_OK || invalid > 0) {
        Py_DECREF(out);
        out = NULL;
        if (rc != TP_OK)
            binding_raise(rc, &s, rate, in.channels);
        else
            binding_raise_invalid(&in, invalid, first);
    }
    audio_in_close(&in);
    return (PyObject *)out;
}

PyDoc_STRVAR(output_length_doc,
             "output_length($module, frames, tempo, /)\n"
             "--\n\n"
             "The exact number of frames stretch() returns for `frames` input\n"
             "frames at speed factor `tempo`: round(frames / tempo), halves\n"
             "rounded up.  ValueError for a tempo outside 0.05..20.");

static PyObject *py_output_length(PyObject *module, PyObject *args)
{
    (void)module;
    Py_ssize_t frames;
    double tempo;
    if (!PyArg_ParseTuple(args, "nd:output_length", &frames, &tempo))
        return NULL;
    if (frames < 0) {
        PyErr_SetString(PyExc_ValueError, "frames must not be negative");
        return NULL;
    }
    struct settings s;
    settings_defaults(&s);
    settings_set_tempo(&s, 'T', tempo);
    if (!(tempo >= TP_TEMPO_MIN && tempo <= TP_TEMPO_MAX))
        return binding_raise(TP_ERR_TEMPO, &s, 0, 0);
    return PyLong_FromSize_t(tp_output_length((size_t)frames, tempo));
}

static PyMethodDef module_methods[] = {
    {"stretch", (PyCFunction)(void (*)(void))py_stretch,
     METH_VARARGS | METH_KEYWORDS, stretch_doc},
    {"output_length", py_output_length, METH_VARARGS, output_length_doc},
    {NULL, NULL, 0, NULL},
};

/* ---- the module --------------------------------------------------------- */

/* The engines of the thread that unloads the module (the others' go
 * with their threads). */
static void module_free(void *module)
{
    (void)module;
    drop_engines(pthread_getspecific(engines_key));
    pthread_setspecific(engines_key, NULL);
}

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "tempitch._tempitch",
    .m_doc = "The C part of the tempitch package (see help(tempitch)).",
    .m_size = -1,
    .m_methods = module_methods,
    .m_free = module_free,
};

/* The engine's limits (tempitch/stretch.h) as module constants. */
static int add_constants(PyObject *m)
{
    static const struct {
        const char *name;
        double value;
    } limits[] = {
        {"TEMPO_MIN", TP_TEMPO_MIN},
        {"TEMPO_MAX", TP_TEMPO_MAX},
        {"SEMITONES_MIN", TP_SEMITONES_MIN},
        {"SEMITONES_MAX", TP_SEMITONES_MAX},
        {"FORMANT_SEMITONES_MIN", TP_FORMANT_SEMITONES_MIN},
        {"FORMANT_SEMITONES_MAX", TP_FORMANT_SEMITONES_MAX},
        {"RATE_MIN", TP_RATE_MIN},
        {"RATE_MAX", TP_RATE_MAX},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        PyObject *v = PyFloat_FromDouble(limits[i].value);
        if (v == NULL || PyModule_AddObject(m, limits[i].name, v) != 0) {
            Py_XDECREF(v);
            return -1;
        }
    }
    if (PyModule_AddIntConstant(m, "CHANNELS_MAX", TP_CHANNELS_MAX) != 0 ||
        PyModule_AddStringConstant(m, "__version__", tp_version()) != 0)
        return -1;
    return 0;
}

PyMODINIT_FUNC PyInit__tempitch(void)
{
    import_array();
    static int key_made;
    if (!key_made) {
        if (pthread_key_create(&engines_key, drop_engines) != 0)
            return PyErr_NoMemory();
        key_made = 1;
    }
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    if (PyModule_AddFunctions(m, files_methods) != 0 ||
        PyModule_AddFunctions(m, bench_methods) != 0 ||
        stretcher_add_type(m) != 0 || add_constants(m) != 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
