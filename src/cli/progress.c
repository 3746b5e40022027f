/*
 * progress.c -- the progress line on stderr; see progress.h.
 */
#define _DEFAULT_SOURCE /* TIOCGWINSZ */

#include "progress.h"
#include "clock.h"
#include "message.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Redraw period, and the quiet time at the start. */
#define PROGRESS_PERIOD 0.25

void progress_start(struct progress *pr, int enabled)
{
    pr->enabled = enabled;
    pr->start = pr->last_draw = clock_seconds();
    pr->shown = 0;
}

/* Columns of the terminal; the line must stay shorter, or the terminal
 * wraps it and "\r" no longer returns to its start. */
static size_t terminal_width(void)
{
    struct winsize ws;
    if (ioctl(fileno(message_stream()), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Copies the end of `name` that fits in `room` columns into out (one byte
 * taken as one column), "..." in front when cut; control characters become
 * '?' so a strange file name cannot drive the terminal. */
static void fit_name(char *out, size_t size, const char *name, size_t room)
{
    size_t len = strlen(name);
    const char *from = name;
    const char *lead = "";
    if (len > room) {
        if (room < 4) {
            out[0] = '\0';
            return;
        }
        from = name + len - (room - 3);
        /* Do not start in the middle of a UTF-8 sequence. */
        while ((*from & 0xC0) == 0x80)
            from++;
        lead = "...";
    }
    size_t n = (size_t)snprintf(out, size, "%s%s", lead, from);
    for (size_t i = 0; i < n && i < size; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c == 0x7f)
            out[i] = '?';
    }
}

void progress_update(struct progress *pr, size_t done, size_t total,
                     double fraction, const char *name)
{
    if (!pr->enabled)
        return;
    double now = clock_seconds();
    if (now - pr->last_draw < PROGRESS_PERIOD)
        return;
    pr->last_draw = now;

    if (fraction < 0)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    int digits = snprintf(NULL, 0, "%zu", total);
    char head[96];
    int n = snprintf(head, sizeof head, "[%*zu/%zu] %5.1f %% %6.1f s  ", digits,
                     done, total, 100.0 * fraction, now - pr->start);
    size_t width = terminal_width();
    size_t used = n > 0 ? (size_t)n : 0;
    char tail[512] = "";
    if (name != NULL && used + 1 < width) {
        size_t room = width - used - 1;
        if (room > sizeof tail - 1)
            room = sizeof tail - 1;
        fit_name(tail, sizeof tail, name, room);
    }
    size_t len = used + strlen(tail);
    /* Pad over what the previous line had beyond this one. */
    size_t pad = pr->shown > len ? pr->shown - len : 0;
    fprintf(message_stream(), "\r%s%s%*s", head, tail, (int)pad, "");
    if (pad > 0)
        fprintf(message_stream(), "\r%s%s", head, tail);
    fflush(message_stream());
    pr->shown = len;
}

void progress_clear(struct progress *pr)
{
    if (!pr->enabled || pr->shown == 0)
        return;
    fprintf(message_stream(), "\r%*s\r", (int)pr->shown, "");
    fflush(message_stream());
    pr->shown = 0;
}
