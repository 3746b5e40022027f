/*
 * words.h -- an argv for the command's parsers, built from words, for the
 * unit tests of options.c and plan.c.
 */
#ifndef TEMPITCH_TEST_WORDS_H
#define TEMPITCH_TEST_WORDS_H

#include <stdarg.h>

struct words {
    char store[32][128];
    char *argv[33]; /* "tempitch", the words, NULL */
    int argc;
};

/* Fills *w with "tempitch" and then the words of `ap` (const char *, up
 * to a NULL; at most 31, each cut to 127 bytes). */
void words_fill(struct words *w, va_list ap);

#endif
