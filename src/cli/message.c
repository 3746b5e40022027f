/*
 * message.c -- the command's lines on stderr; see message.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "message.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* NULL: stderr itself. */
static FILE *out;

/* message_capture_start's memory stream, per thread (NULL: none). */
static _Thread_local FILE *capture;
static _Thread_local char *capture_text;
static _Thread_local size_t capture_len;

FILE *message_stream(void)
{
    if (capture != NULL)
        return capture;
    return out != NULL ? out : stderr;
}

int message_capture_start(void)
{
    if (capture != NULL)
        return -1;
    capture_text = NULL;
    capture_len = 0;
    capture = open_memstream(&capture_text, &capture_len);
    return capture != NULL ? 0 : -1;
}

char *message_capture_end(void)
{
    if (capture == NULL)
        return NULL;
    int failed = fclose(capture) != 0;
    capture = NULL;
    if (failed) {
        free(capture_text);
        capture_text = NULL;
    }
    return capture_text;
}

void message_silence_libraries(void)
{
    int copy = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    FILE *f = copy >= 0 && null >= 0 ? fdopen(copy, "w") : NULL;
    if (f == NULL || dup2(null, STDERR_FILENO) < 0) {
        if (f != NULL)
            fclose(f);
        else if (copy >= 0)
            close(copy);
        if (null >= 0)
            close(null);
        return;
    }
    close(null);
    setvbuf(f, NULL, _IONBF, 0); /* as stderr: each line at once */
    out = f;
}

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
    fputs(text, message_stream());
    if (text != small)
        free(text);
}
