/*
 * progress.h -- the progress line on stderr while a batch runs:
 *
 *   [ 12/200]  6.0 %  3.2 s  song.wav
 *
 * files finished / files, share of the audio done (of the files that are
 * running, the part read so far: one long file moves the line too; by
 * file count when a length is unknown), time since the start, and a file
 * being worked on.  Drawn only when asked to (stderr is a
 * terminal and not -q), at most 4 times a second, and not at all during
 * the first quarter second, so quick batches never flash a line.  Single-
 * threaded: call it from the thread that runs the pool.
 */
#ifndef TEMPITCH_CLI_PROGRESS_H
#define TEMPITCH_CLI_PROGRESS_H

#include <stddef.h>

struct progress {
    int enabled;
    double start;     /* clock_seconds() at progress_start      */
    double last_draw; /* when last drawn (start before that)    */
    size_t shown;     /* columns on screen now, 0 when erased   */
};

/* Starts the clock.  Nothing is ever drawn unless `enabled`. */
void progress_start(struct progress *pr, int enabled);

/* Redraws the line if it is due.  `fraction` is the share of the work
 * done (0..1); `name` a file being processed, or NULL. */
void progress_update(struct progress *pr, size_t done, size_t total,
                     double fraction, const char *name);

/* Erases the line, if one is shown, so that other output starts at the
 * beginning of a clean line.  The next update draws it again. */
void progress_clear(struct progress *pr);

#endif /* TEMPITCH_CLI_PROGRESS_H */
