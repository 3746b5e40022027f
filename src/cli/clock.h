/*
 * clock.h -- the one clock the command measures with.
 */
#ifndef TEMPITCH_CLI_CLOCK_H
#define TEMPITCH_CLI_CLOCK_H

#include <time.h>

/* Seconds on CLOCK_MONOTONIC: immune to clock changes, comparable across
 * threads.  Only differences mean anything. */
static inline double clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif /* TEMPITCH_CLI_CLOCK_H */
