/*
 * error.c -- tp_strerror() for the engine's and the pool's codes; see
 * tempitch/error.h.
 */
#include "tempitch/error.h"
#include "tempitch/stretch.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>

/* The range messages are written from the limits in tempitch/stretch.h,
 * once, so that a changed limit cannot leave a message behind. */
static char channels_msg[64], rate_msg[64], tempo_msg[64], pitch_msg[96],
    formant_msg[64];
static pthread_once_t ranges_once = PTHREAD_ONCE_INIT;

static void write_ranges(void)
{
    snprintf(channels_msg, sizeof channels_msg,
             "channel count out of range (1..%d)", TP_CHANNELS_MAX);
    snprintf(rate_msg, sizeof rate_msg, "sample rate out of range (%g..%g Hz)",
             TP_RATE_MIN, TP_RATE_MAX);
    snprintf(tempo_msg, sizeof tempo_msg,
             "tempo out of range (speed factor %g..%g)", TP_TEMPO_MIN,
             TP_TEMPO_MAX);
    snprintf(pitch_msg, sizeof pitch_msg,
             "pitch out of range (%g..%+g semitones, ratio 1/%g..%g)",
             TP_SEMITONES_MIN, TP_SEMITONES_MAX, exp2(-TP_SEMITONES_MIN / 12.0),
             exp2(TP_SEMITONES_MAX / 12.0));
    snprintf(formant_msg, sizeof formant_msg,
             "formant shift out of range (%g..%+g semitones)",
             TP_FORMANT_SEMITONES_MIN, TP_FORMANT_SEMITONES_MAX);
}

const char *tp_strerror(int code)
{
    pthread_once(&ranges_once, write_ranges);
    switch (code) {
    case TP_OK:
        return "success";
    case TP_ERR_NULL:
        return "null pointer argument";
    case TP_ERR_CHANNELS:
        return channels_msg;
    case TP_ERR_RATE:
        return rate_msg;
    case TP_ERR_TEMPO:
        return tempo_msg;
    case TP_ERR_PITCH:
        return pitch_msg;
    case TP_ERR_NOMEM:
        return "out of memory";
    case TP_ERR_FFT:
        return "FFT planning failed";
    case TP_ERR_STATE:
        return "parameters cannot change during a stream";
    case TP_ERR_BUFFER:
        return "frame count given with a NULL buffer";
    case TP_ERR_FORMANT:
        return formant_msg;
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
