/*
 * audio.c -- NumPy arrays <-> the engine's interleaved float frames; see
 * binding.h.
 *
 * Inputs keep their strides: frames are gathered from wherever the array
 * has them, so a transposed view, a slice with a step or a Fortran-ordered
 * array costs one copy, the same as a C-ordered float64 array, and an
 * interleaved float32 one none at all.  Outputs are new C-ordered arrays.
 */
#include "binding.h"

#include <stdint.h>
#include <string.h>

/* The array's shape as "(2, 100000)", for messages. */
static PyObject *shape_text(PyArrayObject *a)
{
    PyObject *shape = PyObject_GetAttrString((PyObject *)a, "shape");
    if (shape == NULL)
        return NULL;
    PyObject *text = PyObject_Repr(shape);
    Py_DECREF(shape);
    return text;
}

/* The array as native, aligned float32 or float64 (a copy only when it is
 * byte-swapped or unaligned), or NULL with TypeError. */
static PyArrayObject *float_array(PyObject *obj, const char *what)
{
    PyArrayObject *any =
        (PyArrayObject *)PyArray_FromAny(obj, NULL, 0, 0, 0, NULL);
    if (any == NULL)
        return NULL;
    int type = PyArray_TYPE(any);
    if (type != NPY_FLOAT && type != NPY_DOUBLE) {
        /* Integer samples have a scale the array does not tell: guessing
         * it would be the silent misreading the caller must not get. */
        PyObject *name = PyObject_Str((PyObject *)PyArray_DESCR(any));
        PyErr_Format(PyExc_TypeError,
                     "%s must hold float32 or float64 samples, not %S "
                     "(scale integer samples to -1..1 first, e.g. "
                     "x.astype(numpy.float32) / 32768 for int16)",
                     what, name != NULL ? name : Py_None);
        Py_XDECREF(name);
        Py_DECREF(any);
        return NULL;
    }
    PyArray_Descr *d = PyArray_DescrFromType(type);
    PyArrayObject *a = (PyArrayObject *)PyArray_FromAny(
        (PyObject *)any, d, 0, 0, NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED,
        NULL);
    Py_DECREF(any);
    return a;
}

/* ValueError "WHAT of shape S read as LAYOUT REASON". */
static int layout_error(PyArrayObject *a, const char *what, int channels_first,
                        const char *fmt, long long x, long long y)
{
    char reason[320];
    snprintf(reason, sizeof reason, fmt, x, y);
    PyObject *shape = shape_text(a);
    PyErr_Format(PyExc_ValueError, "%s of shape %S read as %s %s", what,
                 shape != NULL ? shape : Py_None,
                 channels_first ? "(channels, frames)" : "(frames, channels)",
                 reason);
    Py_XDECREF(shape);
    return -1;
}

/* The checks of a 2-D layout (binding.h: audio_in_open). */
static int check_layout(const struct audio_in *a, const char *what,
                        int channels_first, int channels)
{
    long long ch = a->channels, fr = (long long)a->frames;
    const char *other =
        channels_first ? "channels_first=False" : "channels_first=True";
    char fmt[256];
    if (channels > 0 && ch != channels) {
        snprintf(fmt, sizeof fmt,
                 "has %%lld channels, the Stretcher %%lld (if it is the "
                 "other way round, the Stretcher wants %s)",
                 other);
        return layout_error(a->array, what, channels_first, fmt, ch, channels);
    }
    if (ch < 1 || ch > TP_CHANNELS_MAX) {
        snprintf(fmt, sizeof fmt,
                 "has %%lld channels, outside the engine's 1..%%lld (if it "
                 "is the other way round, pass %s)",
                 other);
        return layout_error(a->array, what, channels_first, fmt, ch,
                            TP_CHANNELS_MAX);
    }
    /* Both readings valid and this one has more channels than frames:
     * far more likely the other orientation than a clip of a few frames. */
    if (channels == 0 && ch > fr && fr >= 1 && fr <= TP_CHANNELS_MAX) {
        snprintf(fmt, sizeof fmt,
                 "would be %%lld frames of %%lld channels, which is "
                 "ambiguous: if it is the other way round pass %s, if not "
                 "give at least as many frames as channels",
                 other);
        return layout_error(a->array, what, channels_first, fmt, fr, ch);
    }
    return 0;
}

int audio_in_open(struct audio_in *a, PyObject *obj, int channels_first,
                  int channels, const char *what)
{
    *a = (struct audio_in){0};
    a->array = float_array(obj, what);
    if (a->array == NULL)
        return -1;
    int nd = PyArray_NDIM(a->array);
    const npy_intp *dims = PyArray_DIMS(a->array);
    const npy_intp *steps = PyArray_STRIDES(a->array);
    a->type = PyArray_TYPE(a->array);
    if (nd == 1) {
        a->one_d = 1;
        a->frames = (size_t)dims[0];
        a->channels = 1;
        a->frame_step = steps[0];
        a->channel_step = 0;
        if (channels > 1) {
            PyErr_Format(PyExc_ValueError,
                         "a 1-D %s is mono; the Stretcher has %d channels",
                         what, channels);
            audio_in_close(a);
            return -1;
        }
        return 0;
    }
    if (nd != 2) {
        PyObject *shape = shape_text(a->array);
        PyErr_Format(PyExc_ValueError,
                     "%s must be 1-D (mono) or 2-D, not %d-D (shape %S)", what,
                     nd, shape != NULL ? shape : Py_None);
        Py_XDECREF(shape);
        audio_in_close(a);
        return -1;
    }
    int f = channels_first ? 1 : 0;
    a->frames = (size_t)dims[f];
    a->frame_step = steps[f];
    a->channel_step = steps[1 - f];
    /* Beyond INT_MAX the count is out of range anyway. */
    a->channels = dims[1 - f] > INT32_MAX ? INT32_MAX : (int)dims[1 - f];
    if (check_layout(a, what, channels_first, channels) != 0) {
        audio_in_close(a);
        return -1;
    }
    return 0;
}

void audio_in_close(struct audio_in *a)
{
    Py_CLEAR(a->array);
}

int audio_in_direct(const struct audio_in *a)
{
    return a->type == NPY_FLOAT &&
           a->frame_step == (npy_intp)sizeof(float) * a->channels &&
           (a->channels == 1 || a->channel_step == (npy_intp)sizeof(float));
}

const float *audio_in_frames(const struct audio_in *a, float *buf)
{
    const char *base = PyArray_BYTES(a->array);
    if (audio_in_direct(a))
        return (const float *)base;
    size_t nc = (size_t)a->channels;
    if (a->type == NPY_DOUBLE &&
        a->frame_step == (npy_intp)sizeof(double) * a->channels &&
        (a->channels == 1 || a->channel_step == (npy_intp)sizeof(double))) {
        /* interleaved float64, numpy's default: one flat loop, which the
         * compiler vectorises */
        const double *from = (const double *)base;
        for (size_t k = 0; k < a->frames * nc; k++)
            buf[k] = (float)from[k];
        return buf;
    }
    for (size_t i = 0; i < a->frames; i++) {
        const char *frame = base + (npy_intp)i * a->frame_step;
        float *to = buf + i * nc;
        if (a->type == NPY_FLOAT)
            for (size_t c = 0; c < nc; c++)
                to[c] = *(const float *)(frame + (npy_intp)c * a->channel_step);
        else
            for (size_t c = 0; c < nc; c++)
                to[c] = (float)*(const double *)(frame +
                                                 (npy_intp)c * a->channel_step);
    }
    return buf;
}

PyArrayObject *audio_out_new(size_t frames, int channels, int type, int one_d,
                             int channels_first)
{
    npy_intp dims[2];
    int nd = one_d ? 1 : 2;
    if (frames > (size_t)NPY_MAX_INTP) {
        PyErr_NoMemory();
        return NULL;
    }
    if (one_d) {
        dims[0] = (npy_intp)frames;
    } else {
        dims[channels_first ? 1 : 0] = (npy_intp)frames;
        dims[channels_first ? 0 : 1] = channels;
    }
    return (PyArrayObject *)PyArray_SimpleNew(nd, dims, type);
}

float *audio_out_direct(PyArrayObject *out, int channels_first)
{
    int interleaved =
        PyArray_NDIM(out) == 1 || !channels_first || PyArray_DIMS(out)[0] == 1;
    if (PyArray_TYPE(out) == NPY_FLOAT && interleaved)
        return (float *)PyArray_DATA(out);
    return NULL;
}

/* Interleaved frames go over as they are; (channels, frames) is written
 * a channel at a time, so that the writes are sequential. */
void audio_out_fill(PyArrayObject *out, const float *src, size_t frames,
                    int channels, int channels_first)
{
    size_t nc = (size_t)channels, n = frames * nc;
    int planar = channels_first && PyArray_NDIM(out) == 2 && nc > 1;
    int single = PyArray_TYPE(out) == NPY_FLOAT;
    if (!planar && single) {
        memcpy(PyArray_DATA(out), src, n * sizeof *src);
    } else if (!planar) {
        double *to = PyArray_DATA(out);
        for (size_t k = 0; k < n; k++)
            to[k] = src[k];
    } else if (single) {
        float *to = PyArray_DATA(out);
        for (size_t c = 0; c < nc; c++)
            for (size_t i = 0; i < frames; i++)
                to[c * frames + i] = src[i * nc + c];
    } else {
        double *to = PyArray_DATA(out);
        for (size_t c = 0; c < nc; c++)
            for (size_t i = 0; i < frames; i++)
                to[c * frames + i] = src[i * nc + c];
    }
}
