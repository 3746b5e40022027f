/*
 * tempitch/error.h -- the library's error codes, shared by the engine
 * (stretch.h) and the worker pool (pool.h), and their descriptions.
 *
 * Every function of the library that returns int returns TP_OK (0) or one
 * of these negative values.  The engine's codes run from -1, the pool's
 * from -20, so one tp_strerror() describes both and a caller can pass any
 * code it got on.
 */
#ifndef TEMPITCH_ERROR_H
#define TEMPITCH_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum tp_error {
    TP_OK = 0,
    /* the engine (stretch.h) */
    TP_ERR_NULL = -1,     /* a required pointer argument was NULL          */
    TP_ERR_CHANNELS = -2, /* channels outside 1..TP_CHANNELS_MAX           */
    TP_ERR_RATE = -3,     /* sample rate not finite or outside range       */
    TP_ERR_TEMPO = -4,    /* tempo not finite or outside range             */
    TP_ERR_PITCH = -5,    /* pitch not finite or outside range             */
    TP_ERR_NOMEM = -6,    /* allocation failed (also the pool's)           */
    TP_ERR_FFT = -7,      /* FFTW could not make a plan                    */
    TP_ERR_STATE = -8,    /* call not allowed now (see each function)      */
    TP_ERR_BUFFER = -9,   /* frame count given with a NULL buffer          */
    TP_ERR_FORMANT = -10, /* formant shift not finite or outside range     */
    TP_ERR_QUALITY = -11, /* unknown quality mode                          */
    /* the worker pool (pool.h) */
    TP_POOL_ERR_ARG = -20,    /* invalid argument                          */
    TP_POOL_ERR_THREAD = -21, /* a thread could not be started             */
    TP_POOL_ERR_BUSY = -22    /* tp_pool_run called while running          */
};

/* Returns a static, NUL-terminated description of `code`; never NULL.
 * Unknown codes give "unknown error".  The ranges it names are the
 * limits of stretch.h (a unit test holds them to it). */
const char *tp_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* TEMPITCH_ERROR_H */
