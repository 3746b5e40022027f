/*
 * words.c -- an argv built from words; see words.h.
 */
#include "words.h"

#include <stdio.h>

void words_fill(struct words *w, va_list ap)
{
    w->argc = 0;
    snprintf(w->store[0], sizeof w->store[0], "tempitch");
    w->argv[w->argc++] = w->store[0];
    for (const char *s;
         w->argc < 32 && (s = va_arg(ap, const char *)) != NULL;) {
        snprintf(w->store[w->argc], sizeof w->store[w->argc], "%s", s);
        w->argv[w->argc] = w->store[w->argc];
        w->argc++;
    }
    w->argv[w->argc] = NULL;
}
