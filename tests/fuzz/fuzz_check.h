/*
 * fuzz_check.h -- the invariant check shared by the fuzz targets.
 *
 * A failed CHECK prints where and what broke, then aborts, so libFuzzer
 * saves the input as a crash.  Define FUZZ_NAME (the target's name, a
 * string literal) before including this file.
 */
#ifndef TEMPITCH_FUZZ_CHECK_H
#define TEMPITCH_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, FUZZ_NAME ": %s:%d: check failed: %s: ", __FILE__, \
                    __LINE__, #cond);                                          \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

#endif
