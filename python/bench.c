/*
 * bench.c -- what python3 -m tempitch.bench needs from C: the report of
 * `tempitch --bench` (benchtable.h), filled with the times the Python
 * side measured, and a timer of the engine alone, so that the per-call
 * overhead of the module can be measured against it in one process.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "binding.h"

#include "benchtable.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list of floats into a new array of exactly `n`; NULL with an
 * error. */
static double *read_times(PyObject *list, Py_ssize_t n, const char *what)
{
    PyObject *seq = PySequence_Fast(list, "times must be a sequence");
    if (seq == NULL)
        return NULL;
    double *t = NULL;
    if (PySequence_Fast_GET_SIZE(seq) != n || n < 1)
        PyErr_Format(PyExc_ValueError, "%s: %zd times, expected %zd (>= 1)",
                     what, PySequence_Fast_GET_SIZE(seq), n);
    else if ((t = malloc((size_t)n * sizeof *t)) == NULL)
        PyErr_NoMemory();
    for (Py_ssize_t i = 0; t != NULL && i < n; i++) {
        t[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));
        if (t[i] == -1.0 && PyErr_Occurred()) {
            free(t);
            t = NULL;
        }
    }
    Py_DECREF(seq);
    return t;
}

/* The report into a Python str. */
static PyObject *report_text(const struct bench *b, int json)
{
    struct bench_summary s;
    bench_summarize(b, &s);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL)
        return PyErr_NoMemory();
    if (json)
        bench_print_json(out, b, &s);
    else
        bench_print_table(out, b, &s);
    PyObject *r = fclose(out) == 0
                      ? PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "replace")
                      : PyErr_NoMemory();
    free(text);
    return r;
}

static PyObject *py_bench_report(PyObject *module, PyObject *args, PyObject *kw)
{
    (void)module;
    static char *kwlist[] = {
        "title",     "jobs",          "seconds", "channels", "rate",
        "threads",   "audio_seconds", "serial",  "parallel", "differ",
        "semitones", "tempo",         "quality", "json",     NULL};
    struct bench_options o;
    bench_defaults(&o);
    const char *title, *quality = "balanced";
    Py_ssize_t jobs;
    double audio_seconds, semitones = o.settings.semitones,
                          tempo = o.settings.tempo;
    PyObject *serial, *parallel, *differ;
    int json = 0;
    if (!PyArg_ParseTupleAndKeywords(
            args, kw, "sndiiidOOO|ddsp:_bench_report", kwlist, &title, &jobs,
            &o.seconds, &o.channels, &o.rate, &o.threads, &audio_seconds,
            &serial, &parallel, &differ, &semitones, &tempo, &quality, &json))
        return NULL;
    settings_set_pitch(&o.settings, 'p', semitones);
    settings_set_tempo(&o.settings, 'T', tempo);
    if (binding_quality(quality, &o.settings.quality) != 0)
        return NULL;
    o.tasks = (size_t)jobs;
    o.reps = (int)PySequence_Size(serial);
    struct bench b = {.o = &o, .title = title, .ntasks = (size_t)jobs};
    b.audio_seconds = audio_seconds;
    b.workers[MODE_SERIAL] = 1;
    b.workers[MODE_PARALLEL] = o.threads;
    b.times[MODE_SERIAL] = read_times(serial, o.reps, "serial");
    b.times[MODE_PARALLEL] =
        b.times[MODE_SERIAL] ? read_times(parallel, o.reps, "parallel") : NULL;
    b.tasks = calloc((size_t)jobs + 1, sizeof *b.tasks);
    b.differ = calloc((size_t)jobs + 1, 1);
    PyObject *r = NULL;
    if (b.times[MODE_PARALLEL] != NULL && (b.tasks == NULL || b.differ == NULL))
        PyErr_NoMemory();
    else if (b.times[MODE_PARALLEL] != NULL) {
        PyObject *seq = PySequence_Fast(differ, "differ must be a sequence");
        for (Py_ssize_t j = 0;
             seq != NULL && j < jobs && j < PySequence_Fast_GET_SIZE(seq); j++)
            b.differ[j] = PyObject_IsTrue(PySequence_Fast_GET_ITEM(seq, j)) > 0;
        if (seq != NULL)
            r = report_text(&b, json);
        Py_XDECREF(seq);
    }
    for (int m = 0; m < MODES; m++)
        free(b.times[m]);
    free(b.tasks);
    free(b.differ);
    return r;
}

static PyObject *py_engine_seconds(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *audio;
    double rate;
    struct call_settings a = CALL_SETTINGS_DEFAULTS;
    int runs = 1;
    if (!PyArg_ParseTuple(args, "Odddi:_engine_seconds", &audio, &rate,
                          &a.semitones, &a.tempo, &runs))
        return NULL;
    struct settings s;
    struct audio_in in;
    if (binding_settings(&a, &s) != 0 ||
        audio_in_open(&in, audio, 0, 0, "audio") != 0)
        return NULL;
    if (!audio_in_direct(&in) || runs < 1) {
        audio_in_close(&in);
        PyErr_SetString(PyExc_ValueError,
                        "_engine_seconds times interleaved float32 audio "
                        "(C order), runs >= 1");
        return NULL;
    }
    size_t nc = (size_t)in.channels;
    size_t out_n = tp_output_length(in.frames, s.tempo) * nc;
    float *out = malloc((out_n ? out_n : 1) * sizeof *out);
    double *t = malloc((size_t)runs * sizeof *t);
    tp_stretch *engine = NULL;
    int rc = out != NULL && t != NULL ? TP_OK : TP_ERR_NOMEM;
    PyThreadState *ts = PyEval_SaveThread();
    if (rc == TP_OK) {
        memset(out, 0, out_n * sizeof *out); /* no page faults timed */
        rc = binding_thread_engine(in.channels, rate, &s, &engine);
    }
    const float *x = audio_in_frames(&in, NULL);
    for (int i = 0; rc == TP_OK && i < runs; i++) {
        double t0 = clock_seconds();
        rc = tp_stretch_run(engine, x, in.frames, out);
        t[i] = clock_seconds() - t0;
    }
    if (engine != NULL)
        tp_stretch_reset(engine);
    PyEval_RestoreThread(ts);
    PyObject *r = NULL;
    if (rc != TP_OK)
        binding_raise(rc, &s, rate, in.channels);
    else if ((r = PyList_New(runs)) != NULL)
        for (int i = 0; i < runs; i++)
            PyList_SET_ITEM(r, i, PyFloat_FromDouble(t[i]));
    free(out);
    free(t);
    audio_in_close(&in);
    return r;
}

PyMethodDef bench_methods[] = {
    {"_bench_report", (PyCFunction)(void (*)(void))py_bench_report,
     METH_VARARGS | METH_KEYWORDS,
     "The table (or JSON) of tempitch --bench for times measured in Python."},
    {"_engine_seconds", py_engine_seconds, METH_VARARGS,
     "_engine_seconds(audio, sample_rate, semitones, tempo, runs): the "
     "seconds of each of `runs` tp_stretch_run calls on this thread's "
     "engine, nothing else timed (the baseline of the overhead "
     "benchmark)."},
    {NULL, NULL, 0, NULL},
};
