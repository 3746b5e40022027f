/*
 * stretcher.c -- tempitch.Stretcher: one engine (tp_stretch) as a Python
 * object, for streams given in chunks; see binding.h.
 *
 * The engine's contract is one instance per thread at a time.  A Python
 * object can still be reached from two threads, and with the GIL
 * released during processing both could be inside the engine at once,
 * corrupting it silently.  So every call that touches the engine first
 * takes the object's `busy` flag (with the GIL held, before releasing
 * it) and a second thread that finds it taken gets a RuntimeError
 * instead.
 */
#include "binding.h"

#include "convert.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Output frames asked of the engine per call at least (pump.h's block). */
enum { OUT_BLOCK = 4096 };

typedef struct {
    PyObject ob_base;         /* PyObject_HEAD                           */
    tp_stretch *engine;       /* this instance's own                     */
    struct settings settings; /* what the engine was last set to         */
    double rate;              /* fixed at creation                       */
    int channels;             /* fixed at creation                       */
    int channels_first;       /* fixed at creation: the 2-D layout       */
    atomic_int busy;          /* a call is inside the engine (see above) */
    int ended;                /* flush() was called, or a call failed    */
    int out_type;             /* results are shaped like the last chunk: */
    int out_one_d;            /* its dtype and dimensions                */
    size_t frames_in;         /* of the current stream, as the engine    */
    size_t frames_out;        /* counts them; kept with the GIL          */
    float *in_buf;            /* a chunk gathered as interleaved float32 */
    size_t in_cap;            /* in frames                               */
    float *out_buf;           /* the output pump() collects              */
    size_t out_cap;           /* in frames                               */
} Stretcher;

static int take(Stretcher *self)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&self->busy, &expected, 1))
        return 0;
    PyErr_SetString(PyExc_RuntimeError,
                    "this Stretcher is in use by another thread: an instance "
                    "serves one thread at a time (make one per thread, e.g. "
                    "with threading.local)");
    return -1;
}

static void give(Stretcher *self)
{
    atomic_store(&self->busy, 0);
}

/* Room for `frames` frames in *buf (capacity *cap, in frames).  No GIL. */
static int reserve(float **buf, size_t *cap, size_t frames, int channels)
{
    if (frames <= *cap)
        return 0;
    size_t c = *cap * 2 > frames ? *cap * 2 : frames;
    float *b = realloc(*buf, c * (size_t)channels * sizeof *b);
    if (b == NULL)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

/* Feeds n frames of x (end: they end the stream) and collects every
 * output frame that is ready into out_buf; *got frames.  No GIL. */
static int pump(Stretcher *self, const float *x, size_t n, int end, size_t *got)
{
    size_t nc = (size_t)self->channels, used = 0;
    *got = 0;
    for (;;) {
        size_t want = *got + OUT_BLOCK + (size_t)(n / self->settings.tempo);
        if (reserve(&self->out_buf, &self->out_cap, want, self->channels))
            return TP_ERR_NOMEM;
        tp_data d = {
            .in = x != NULL ? x + used * nc : NULL,
            .in_frames = n - used,
            .out = self->out_buf + *got * nc,
            .out_frames = self->out_cap - *got,
            .end_of_input = end,
        };
        int rc = tp_stretch_process(self->engine, &d);
        if (rc != TP_OK)
            return rc;
        used += d.in_used;
        *got += d.out_generated;
        if (end ? tp_stretch_finished(self->engine)
                : used == n && d.out_generated < d.out_frames)
            return TP_OK;
    }
}

/* process(chunk) or, with chunk NULL and end, flush(); busy taken. */
static PyObject *feed(Stretcher *self, PyObject *chunk, int end)
{
    if (self->ended) {
        PyErr_SetString(PyExc_RuntimeError,
                        "the stream has ended (flush() was called or it "
                        "failed): reset() starts a new one");
        return NULL;
    }
    struct audio_in in = {0};
    if (chunk != NULL) {
        if (audio_in_open(&in, chunk, self->channels_first, self->channels,
                          "chunk") != 0)
            return NULL;
        self->out_type = in.type;
        self->out_one_d = in.one_d;
    }
    size_t n = in.frames, invalid = 0, first = 0, got = 0;
    int rc = TP_OK;
    PyThreadState *ts = PyEval_SaveThread();
    if (!audio_in_direct(&in) &&
        reserve(&self->in_buf, &self->in_cap, n, self->channels) != 0)
        rc = TP_ERR_NOMEM;
    const float *x =
        n > 0 && rc == TP_OK ? audio_in_frames(&in, self->in_buf) : NULL;
    if (x != NULL)
        invalid = convert_count_invalid(x, n * (size_t)self->channels, &first);
    if (rc == TP_OK && invalid == 0)
        rc = pump(self, x, n, end, &got);
    PyEval_RestoreThread(ts);
    /* Kept here, with the GIL, for the getters, which then need neither
     * the engine nor the busy flag. */
    self->frames_in = tp_stretch_frames_in(self->engine);
    self->frames_out = tp_stretch_frames_out(self->engine);

    PyObject *out = NULL;
    if (rc != TP_OK) {
        self->ended = 1; /* part of the chunk may be in the engine */
        binding_raise(rc, &self->settings, self->rate, self->channels);
    } else if (invalid > 0) {
        binding_raise_invalid(&in, invalid, first); /* nothing consumed */
    } else {
        self->ended = end;
        out = (PyObject *)audio_out_new(got, self->channels, self->out_type,
                                        self->out_one_d, self->channels_first);
        if (out != NULL)
            audio_out_fill((PyArrayObject *)out, self->out_buf, got,
                           self->channels, self->channels_first);
    }
    audio_in_close(&in);
    return out;
}

PyDoc_STRVAR(
    process_doc,
    "process($self, chunk, /)\n--\n\n"
    "Push the next chunk of the stream; return the output that is ready.\n\n"
    "The chunk is laid out as for stretch() (1-D for mono, else 2-D in\n"
    "this Stretcher's layout) with exactly `channels` channels, any number\n"
    "of frames (0 too).  The result may be shorter or longer than\n"
    "chunk / tempo (the engine looks ahead) and has the chunk's dtype and\n"
    "dimensions.  The GIL is released while the engine runs.  A chunk\n"
    "refused (ValueError: layout, NaN) leaves the stream as it was.  After\n"
    "flush(): RuntimeError until reset().");

/* feed() with the busy flag taken. */
static PyObject *locked_feed(Stretcher *self, PyObject *chunk, int end)
{
    if (take(self) != 0)
        return NULL;
    PyObject *r = feed(self, chunk, end);
    give(self);
    return r;
}

static PyObject *st_process(Stretcher *self, PyObject *chunk)
{
    return locked_feed(self, chunk, 0);
}

PyDoc_STRVAR(
    flush_doc,
    "flush($self, /)\n--\n\n"
    "End the stream; return the rest of the output.\n\n"
    "All results of the stream together hold exactly\n"
    "output_length(frames_in, tempo) frames, bit-identical to stretch() of\n"
    "the whole input however it was chunked.  Shaped like the last chunk.");

static PyObject *st_flush(Stretcher *self, PyObject *unused)
{
    (void)unused;
    return locked_feed(self, NULL, 1);
}

PyDoc_STRVAR(
    reset_doc,
    "reset($self, /)\n--\n\n"
    "Forget the current stream: the Stretcher then behaves exactly like a\n"
    "new one with the same settings (nothing is reallocated).");

static PyObject *st_reset(Stretcher *self, PyObject *unused)
{
    (void)unused;
    if (take(self) != 0)
        return NULL;
    tp_stretch_reset(self->engine);
    self->ended = 0;
    self->frames_in = self->frames_out = 0;
    give(self);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(
    run_doc,
    "run($self, audio, /)\n--\n\n"
    "Stretch the whole of `audio` as one stream, as stretch() does, with\n"
    "this instance's engine and settings; a stream in progress is dropped\n"
    "first, and the Stretcher is reset afterwards.");

static PyObject *st_run(Stretcher *self, PyObject *audio)
{
    if (take(self) != 0)
        return NULL;
    struct audio_in in;
    PyArrayObject *out = NULL;
    if (audio_in_open(&in, audio, self->channels_first, self->channels,
                      "audio") == 0) {
        out =
            audio_out_new(tp_output_length(in.frames, self->settings.tempo),
                          in.channels, in.type, in.one_d, self->channels_first);
        size_t invalid = 0, first = 0;
        int rc = TP_OK;
        if (out != NULL) {
            PyThreadState *ts = PyEval_SaveThread();
            rc = binding_run_whole(self->engine, &in, out, self->channels_first,
                                   &invalid, &first);
            PyEval_RestoreThread(ts);
        }
        self->ended = 0;
        self->frames_in = self->frames_out = 0;
        if (out != NULL && (rc != TP_OK || invalid > 0)) {
            Py_CLEAR(out);
            if (rc != TP_OK)
                binding_raise(rc, &self->settings, self->rate, self->channels);
            else
                binding_raise_invalid(&in, invalid, first);
        }
        audio_in_close(&in);
    }
    give(self);
    return (PyObject *)out;
}

static PyMethodDef st_methods[] = {
    {"process", (PyCFunction)st_process, METH_O, process_doc},
    {"flush", (PyCFunction)st_flush, METH_NOARGS, flush_doc},
    {"reset", (PyCFunction)st_reset, METH_NOARGS, reset_doc},
    {"run", (PyCFunction)st_run, METH_O, run_doc},
    {NULL, NULL, 0, NULL},
};

/* ---- settings as properties --------------------------------------------- */

/* Sets the engine to *changed and keeps it; busy taken here. */
static int apply(Stretcher *self, const struct settings *changed)
{
    if (take(self) != 0)
        return -1;
    int rc = settings_apply(changed, self->engine);
    give(self);
    if (rc == TP_ERR_STATE) {
        PyErr_SetString(PyExc_RuntimeError,
                        "parameters cannot change during a stream: reset() "
                        "first (changes within a stream are future work)");
        return -1;
    }
    if (rc != TP_OK) {
        binding_raise(rc, changed, self->rate, self->channels);
        return -1;
    }
    self->settings = *changed;
    return 0;
}

/* The value of a property being set as a double; -1 with an error. */
static int number_value(PyObject *value, double *v)
{
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "settings cannot be deleted");
        return -1;
    }
    *v = PyFloat_AsDouble(value);
    return *v == -1.0 && PyErr_Occurred() ? -1 : 0;
}

/* The settings properties, told apart by their closure. */
enum prop {
    PROP_SEMITONES,
    PROP_RATIO,
    PROP_TEMPO,
    PROP_FORMANT,
    PROP_FORMANT_SEMITONES,
    PROP_QUALITY
};

static PyObject *get_setting(Stretcher *self, void *which)
{
    const struct settings *s = &self->settings;
    switch ((enum prop)(size_t)which) {
    case PROP_SEMITONES:
        return PyFloat_FromDouble(s->semitones);
    case PROP_RATIO:
        return PyFloat_FromDouble(tp_stretch_get_pitch_ratio(self->engine));
    case PROP_TEMPO:
        return PyFloat_FromDouble(s->tempo);
    case PROP_FORMANT:
        return PyBool_FromLong(s->formant);
    case PROP_FORMANT_SEMITONES:
        return PyFloat_FromDouble(s->formant_semitones);
    case PROP_QUALITY:
        return PyUnicode_FromString(settings_quality_name(s->quality));
    }
    Py_RETURN_NONE;
}

static int set_setting(Stretcher *self, PyObject *value, void *which)
{
    struct settings s = self->settings;
    double v = 0.0;
    enum prop p = (enum prop)(size_t)which;
    if (p == PROP_QUALITY) {
        const char *name = value != NULL ? PyUnicode_AsUTF8(value) : NULL;
        if (name == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_AttributeError, "cannot delete quality");
            return -1;
        }
        if (binding_quality(name, &s.quality) != 0)
            return -1;
    } else if (p == PROP_FORMANT) {
        if (value == NULL)
            return number_value(value, &v); /* the deletion error */
        int on = PyObject_IsTrue(value);
        if (on < 0)
            return -1;
        if (!on && s.formant_semitones != 0.0) {
            PyErr_SetString(PyExc_ValueError,
                            "formant_semitones is not 0, which implies "
                            "formant=True: set it to 0 first");
            return -1;
        }
        s.formant = on;
    } else if (number_value(value, &v) != 0) {
        return -1;
    } else if (p == PROP_SEMITONES || p == PROP_RATIO) {
        settings_set_pitch(&s, p == PROP_RATIO ? 'f' : 'p', v);
    } else if (p == PROP_TEMPO) {
        settings_set_tempo(&s, 'T', v);
    } else {
        s.formant_semitones = v;
        s.formant |= v != 0.0; /* settings.h: a shift implies formant */
    }
    return apply(self, &s);
}

/* The read-only properties. */
enum fixed {
    FIX_RATE,
    FIX_CHANNELS,
    FIX_LAYOUT,
    FIX_IN,
    FIX_OUT,
    FIX_ENDED,
    FIX_BUSY
};

static PyObject *get_fixed(Stretcher *self, void *which)
{
    switch ((enum fixed)(size_t)which) {
    case FIX_RATE:
        return PyFloat_FromDouble(self->rate);
    case FIX_CHANNELS:
        return PyLong_FromLong(self->channels);
    case FIX_LAYOUT:
        return PyBool_FromLong(self->channels_first);
    case FIX_IN:
        return PyLong_FromSize_t(self->frames_in);
    case FIX_OUT:
        return PyLong_FromSize_t(self->frames_out);
    case FIX_ENDED:
        return PyBool_FromLong(self->ended);
    case FIX_BUSY:
        return PyBool_FromLong(atomic_load(&self->busy));
    }
    Py_RETURN_NONE;
}

#define SETTING(name, which, doc)                                              \
    {                                                                          \
        name, (getter)get_setting, (setter)set_setting, doc,                   \
            (void *)(size_t)(which)                                            \
    }
#define READ_ONLY(name, which, doc)                                            \
    {                                                                          \
        name, (getter)get_fixed, NULL, doc, (void *)(size_t)(which)            \
    }

static PyGetSetDef st_getset[] = {
    SETTING("semitones", PROP_SEMITONES,
            "Pitch shift in semitones (-48..48); set it to change the pitch."),
    SETTING("pitch_ratio", PROP_RATIO,
            "Pitch shift as a frequency ratio (2.0 = an octave up)."),
    SETTING("tempo", PROP_TEMPO,
            "Speed factor (0.05..20): 1.25 plays 25 % faster."),
    SETTING("formant", PROP_FORMANT,
            "Keep the formants in place while the pitch moves."),
    SETTING("formant_semitones", PROP_FORMANT_SEMITONES,
            "Formant shift in semitones (-24..24); nonzero implies formant."),
    SETTING("quality", PROP_QUALITY, "'fast', 'balanced' or 'fine'."),
    READ_ONLY("sample_rate", FIX_RATE, "Sample rate in Hz (fixed)."),
    READ_ONLY("channels", FIX_CHANNELS, "Channel count (fixed)."),
    READ_ONLY("channels_first", FIX_LAYOUT,
              "2-D chunks are (channels, frames) (fixed)."),
    READ_ONLY("frames_in", FIX_IN, "Frames pushed in the current stream."),
    READ_ONLY("frames_out", FIX_OUT, "Frames returned in the current stream."),
    READ_ONLY("finished", FIX_ENDED,
              "The stream has ended (flush()); reset() starts a new one."),
    READ_ONLY("busy", FIX_BUSY,
              "A call of this instance is running (in some thread) now."),
    {NULL, NULL, NULL, NULL, NULL},
};

/* ---- the type ----------------------------------------------------------- */

static PyObject *st_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"sample_rate", "channels", CALL_SETTINGS_KWLIST,
                             "channels_first", NULL};
    double rate;
    int channels = 1, channels_first = 0;
    struct call_settings a = CALL_SETTINGS_DEFAULTS;
    if (!PyArg_ParseTupleAndKeywords(
            args, kw, "d|i" CALL_SETTINGS_FORMAT "p:Stretcher", kwlist, &rate,
            &channels, CALL_SETTINGS_ARGS(a), &channels_first))
        return NULL;
    struct settings s;
    if (binding_settings(&a, &s) != 0)
        return NULL;
    Stretcher *self = (Stretcher *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    atomic_init(&self->busy, 0);
    self->rate = rate;
    self->channels = channels;
    self->channels_first = channels_first;
    self->settings = s;
    self->out_type = NPY_FLOAT;
    self->out_one_d = channels == 1;
    PyThreadState *ts = PyEval_SaveThread();
    int rc = tp_stretch_create(&self->engine, channels, rate);
    if (rc == TP_OK)
        rc = settings_apply(&s, self->engine);
    PyEval_RestoreThread(ts);
    if (rc != TP_OK) {
        Py_DECREF(self);
        return binding_raise(rc, &s, rate, channels);
    }
    return (PyObject *)self;
}

static void st_dealloc(Stretcher *self)
{
    tp_stretch_destroy(self->engine);
    free(self->in_buf);
    free(self->out_buf);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *st_repr(Stretcher *self)
{
    const struct settings *s = &self->settings;
    PyObject *v[4] = {
        PyFloat_FromDouble(self->rate), PyFloat_FromDouble(s->semitones),
        PyFloat_FromDouble(s->tempo), PyFloat_FromDouble(s->formant_semitones)};
    PyObject *r = NULL;
    if (v[0] != NULL && v[1] != NULL && v[2] != NULL && v[3] != NULL)
        r = PyUnicode_FromFormat(
            "tempitch.Stretcher(%R, channels=%d, semitones=%R, tempo=%R, "
            "formant=%s, formant_semitones=%R, quality='%s', "
            "channels_first=%s)",
            v[0], self->channels, v[1], v[2], s->formant ? "True" : "False",
            v[3], settings_quality_name(s->quality),
            self->channels_first ? "True" : "False");
    for (int i = 0; i < 4; i++)
        Py_XDECREF(v[i]);
    return r;
}

PyDoc_STRVAR(
    stretcher_doc,
    "Stretcher(sample_rate, channels=1, semitones=0.0, tempo=1.0, *, "
    "ratio=None, formant=False, formant_semitones=0.0, quality='balanced', "
    "channels_first=False)\n"
    "--\n\n"
    "A stream stretched chunk by chunk: one engine, reused from stream to\n"
    "stream.\n"
    "\n"
    "The settings are those of stretch(), also as properties; they may\n"
    "change between streams (after creation, flush() + reset(), or\n"
    "reset()), not within one: RuntimeError.  (Tempo and pitch that\n"
    "change over time, and the engine's latency, come with a later\n"
    "version: the engine does not offer them yet.)\n"
    "\n"
    "    s = tempitch.Stretcher(44100, channels=2, semitones=3, tempo=1.25)\n"
    "    parts = [s.process(chunk) for chunk in chunks] + [s.flush()]\n"
    "    y = numpy.concatenate(parts)   # == tempitch.stretch(x, ...)\n"
    "\n"
    "process(chunk) returns what is ready, flush() the rest; together\n"
    "exactly output_length(n, tempo) frames, bit-identical to stretch()\n"
    "whatever the chunk sizes.  run(audio) does a whole clip.\n"
    "\n"
    "Threads: one instance serves one thread at a time (the engine's\n"
    "contract); a call while another thread is inside one of this\n"
    "instance raises RuntimeError instead of corrupting it.  Make one\n"
    "Stretcher per thread (threading.local); the GIL is released while\n"
    "the engine runs, so they run in parallel.");

static PyTypeObject stretcher_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tempitch.Stretcher",
    .tp_basicsize = sizeof(Stretcher),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = stretcher_doc,
    .tp_new = st_new,
    .tp_dealloc = (destructor)st_dealloc,
    .tp_repr = (reprfunc)st_repr,
    .tp_methods = st_methods,
    .tp_getset = st_getset,
};

int stretcher_add_type(PyObject *module)
{
    if (PyType_Ready(&stretcher_type) < 0)
        return -1;
    Py_INCREF(&stretcher_type);
    if (PyModule_AddObject(module, "Stretcher", (PyObject *)&stretcher_type) <
        0) {
        Py_DECREF(&stretcher_type);
        return -1;
    }
    return 0;
}
