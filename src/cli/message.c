/*
 * message.c -- the command's lines on stderr; see message.h.
 */
#include "message.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void message(const char *fmt, ...)
{
    char small[512], *text = small;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof small) {
        text = malloc((size_t)n + 1);
        if (text == NULL) {
            text = small; /* the message cut short beats no message */
            n = (int)sizeof small - 1;
        } else {
            va_start(ap, fmt);
            vsnprintf(text, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 || c == 0x7f) && !(c == '\n' && i == n - 1))
            text[i] = '?';
    }
    /* One call, so that a line from another thread cannot land inside. */
    fputs(text, stderr);
    if (text != small)
        free(text);
}
