/*
 * files.c -- tempitch._tempitch._process_files: (input, output) pairs
 * through the command's own batch; see binding.h.
 *
 * Nothing of the command is redone here: the pairs become the options'
 * inputs and outputs (options.h), the plan checks and names them as it
 * does a manifest's rows (plan.h: collisions, outputs that are inputs,
 * existing outputs, the settings stamp, longest first), run_batch runs
 * them on the worker pool with one converter per worker, and each job's
 * result is the line --report would write (json.h).  The whole batch
 * runs without the GIL; what it would have printed is captured
 * (message.h) and becomes the exception of a batch that could not run.
 */
#include "binding.h"

#include "json.h"
#include "message.h"
#include "options.h"
#include "plan.h"
#include "run.h"

#include <stdlib.h>
#include <string.h>

/* One call's batch: filled with the GIL, run without it. */
struct batch {
    struct cli_options o;
    char **paths; /* inputs, then outputs: into the bytes of `keep` */
    char **lines; /* each job's --report line, once run              */
    char *said;   /* what the command would have printed             */
    enum plan_status plan;
    int ran;       /* run_batch started the workers                   */
    int capturing; /* message_capture_start succeeded                 */
    PyThreadState *ts; /* the caller's, while the GIL is released        */
};

/* run_batch_until's question, about four times a second in the calling
 * thread: has Ctrl-C (or another signal with a Python handler that
 * raised) come?  Takes the GIL for the check; the exception it leaves
 * is the call's. */
static int interrupted(void *arg)
{
    struct batch *b = arg;
    PyEval_RestoreThread(b->ts);
    int stop = PyErr_CheckSignals() != 0;
    b->ts = PyEval_SaveThread();
    return stop;
}

/* Path `obj` (str, bytes or os.PathLike) as bytes kept alive in `keep`;
 * NULL with an error. */
static char *path_bytes(PyObject *obj, PyObject *keep)
{
    PyObject *b = NULL;
    if (!PyUnicode_FSConverter(obj, &b))
        return NULL;
    int rc = PyList_Append(keep, b);
    Py_DECREF(b); /* `keep` holds it */
    return rc == 0 ? PyBytes_AS_STRING(b) : NULL;
}

/* The pairs into b->paths (2 n of them, n in b->o.ninputs). */
static int read_pairs(struct batch *b, PyObject *pairs, PyObject *keep)
{
    PyObject *seq =
        PySequence_Fast(pairs, "pairs must be an iterable of (input, output)");
    if (seq == NULL)
        return -1;
    size_t n = (size_t)PySequence_Fast_GET_SIZE(seq);
    b->paths = calloc(2 * n + 1, sizeof *b->paths);
    int rc = b->paths != NULL ? 0 : -1;
    if (rc != 0)
        PyErr_NoMemory();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, (Py_ssize_t)i);
        PyObject *pair = PySequence_Fast(item, "each pair must be (input, "
                                               "output)");
        if (pair == NULL || PySequence_Fast_GET_SIZE(pair) != 2) {
            if (pair != NULL)
                PyErr_Format(PyExc_ValueError,
                             "pair %zu has %zd items, not 2 (input, output)",
                             i + 1, PySequence_Fast_GET_SIZE(pair));
            rc = -1;
        } else if ((b->paths[i] = path_bytes(PySequence_Fast_GET_ITEM(pair, 0),
                                             keep)) == NULL ||
                   (b->paths[n + i] = path_bytes(
                        PySequence_Fast_GET_ITEM(pair, 1), keep)) == NULL) {
            rc = -1;
        }
        Py_XDECREF(pair);
    }
    Py_DECREF(seq);
    b->o.inputs = b->paths;
    b->o.outputs = b->paths != NULL ? b->paths + n : NULL;
    b->o.ninputs = n;
    return rc;
}

/* Plans and runs the batch, collecting the lines.  No GIL. */
static void run_pairs(struct batch *b)
{
    b->capturing = message_capture_start() == 0;
    if (!b->capturing)
        return;
    struct plan p;
    b->plan = plan_build(&b->o, &p);
    if (b->plan == PLAN_OK) {
        struct batch_stats st;
        b->ran = run_batch_until(&p, &b->o, &st, interrupted, b) == 0;
        b->lines = calloc(p.njobs + 1, sizeof *b->lines);
        for (size_t i = 0; b->ran && b->lines != NULL && i < p.njobs; i++) {
            size_t len;
            b->lines[i] = json_job_line(&b->o, &p.jobs[i], &len);
        }
        plan_free(&p);
    }
    b->said = message_capture_end();
}

/* The captured lines without their "tempitch: " prefix, as an exception
 * of `type`; MemoryError when there is nothing to say (memory ran out
 * before anything could be said). */
static PyObject *raise_said(PyObject *type, const char *said)
{
    static const char prefix[] = "tempitch: ";
    if (said == NULL || said[0] == '\0')
        return PyErr_NoMemory();
    size_t len = strlen(said);
    char *text = malloc(len + 1), *to = text;
    if (text == NULL)
        return PyErr_NoMemory();
    for (const char *line = said; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t n = end != NULL ? (size_t)(end - line) + 1 : strlen(line);
        size_t skip = strncmp(line, prefix, sizeof prefix - 1) == 0
                          ? sizeof prefix - 1
                          : 0;
        memcpy(to, line + skip, n - skip);
        to += n - skip;
        line += n;
    }
    while (to > text && to[-1] == '\n')
        to--;
    *to = '\0';
    PyErr_SetString(type, text);
    free(text);
    return NULL;
}

/* The result of a batch that ran: its lines as a list of str. */
static PyObject *lines_list(const struct batch *b)
{
    size_t n = b->o.ninputs;
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *s =
            b->lines != NULL && b->lines[i] != NULL
                ? PyUnicode_DecodeUTF8(
                      b->lines[i], (Py_ssize_t)strlen(b->lines[i]), "replace")
                : PyErr_NoMemory();
        if (s == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    return list;
}

static void batch_free(struct batch *b)
{
    for (size_t i = 0; b->lines != NULL && i < b->o.ninputs; i++)
        free(b->lines[i]);
    free(b->lines);
    free(b->paths);
    free(b->said);
}

/* The outcome of run_pairs as the call's result or exception. */
static PyObject *batch_result(const struct batch *b)
{
    if (!b->capturing)
        return PyErr_NoMemory();
    if (b->plan == PLAN_USAGE)
        return raise_said(PyExc_ValueError, b->said);
    if (b->plan != PLAN_OK || !b->ran)
        return raise_said(PyExc_RuntimeError, b->said);
    return lines_list(b);
}

static PyObject *py_process_files(PyObject *module, PyObject *args,
                                  PyObject *kw)
{
    (void)module;
    static char *kwlist[] = {"pairs", "jobs", CALL_SETTINGS_KWLIST, "force",
                             NULL};
    PyObject *pairs;
    int jobs = 0, force = 0;
    struct call_settings a = CALL_SETTINGS_DEFAULTS;
    if (!PyArg_ParseTupleAndKeywords(
            args, kw, "O|i" CALL_SETTINGS_FORMAT "p:process_files", kwlist,
            &pairs, &jobs, CALL_SETTINGS_ARGS(a), &force))
        return NULL;
    struct batch b = {0};
    options_defaults(&b.o);
    if (jobs < 0 || jobs > CLI_THREADS_MAX) {
        PyErr_Format(PyExc_ValueError,
                     "jobs must be 1..%d (or None: one per CPU), not %d",
                     CLI_THREADS_MAX, jobs);
        return NULL;
    }
    if (jobs > 0)
        b.o.threads = jobs;
    if (binding_settings(&a, &b.o.settings) != 0)
        return NULL;
    int rc = settings_check(&b.o.settings);
    if (rc != TP_OK)
        return binding_raise(rc, &b.o.settings, 0, 0);
    b.o.policy.force = force;
    b.o.verbosity = VERBOSITY_QUIET; /* no progress line, no table */

    PyObject *keep = PyList_New(0), *result = NULL;
    if (keep != NULL && read_pairs(&b, pairs, keep) == 0) {
        b.ts = PyEval_SaveThread();
        run_pairs(&b);
        PyEval_RestoreThread(b.ts);
        /* interrupted: the files that ran are complete, no other started */
        result = PyErr_Occurred() ? NULL : batch_result(&b);
    }
    batch_free(&b);
    Py_XDECREF(keep);
    return result;
}

PyMethodDef files_methods[] = {
    {"_process_files", (PyCFunction)(void (*)(void))py_process_files,
     METH_VARARGS | METH_KEYWORDS,
     "The batch of tempitch.process_files: a list of the --report lines "
     "(str), one per pair, in pair order."},
    {NULL, NULL, 0, NULL},
};
