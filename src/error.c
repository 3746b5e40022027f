/*
 * error.c -- tp_strerror() for the engine's and the pool's codes; see
 * tempitch/error.h.
 */
#include "tempitch/error.h"

const char *tp_strerror(int code)
{
    switch (code) {
    case TP_OK:
        return "success";
    case TP_ERR_NULL:
        return "null pointer argument";
    case TP_ERR_CHANNELS:
        return "channel count out of range (1..256)";
    case TP_ERR_RATE:
        return "sample rate out of range (8000..384000 Hz)";
    case TP_ERR_TEMPO:
        return "tempo out of range (speed factor 0.05..20)";
    case TP_ERR_PITCH:
        return "pitch out of range (-48..+48 semitones, ratio 1/16..16)";
    case TP_ERR_NOMEM:
        return "out of memory";
    case TP_ERR_FFT:
        return "FFT planning failed";
    case TP_ERR_STATE:
        return "parameters cannot change during a stream";
    case TP_ERR_BUFFER:
        return "frame count given with a NULL buffer";
    case TP_ERR_FORMANT:
        return "formant shift out of range (-24..+24 semitones)";
    case TP_ERR_QUALITY:
        return "unknown quality mode";
    case TP_POOL_ERR_ARG:
        return "invalid pool argument";
    case TP_POOL_ERR_THREAD:
        return "could not start a worker thread";
    case TP_POOL_ERR_BUSY:
        return "the pool is already running";
    default:
        return "unknown error";
    }
}
