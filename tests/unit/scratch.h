/*
 * scratch.h -- a scratch directory for the unit tests that write files.
 */
#ifndef TEMPITCH_TEST_SCRATCH_H
#define TEMPITCH_TEST_SCRATCH_H

/* Makes a fresh directory /tmp/tempitch-WHAT-XXXXXX.  Returns 0 or -1. */
int scratch_make(const char *what);

/* The directory (after scratch_make). */
const char *scratch_dir(void);

/* DIR/name, in one of four buffers used in turn, so that a call may take
 * up to four of them at once. */
const char *scratch_path(const char *name);

/* Removes the directory and everything in it.  Returns 0 or -1. */
int scratch_remove(void);

#endif /* TEMPITCH_TEST_SCRATCH_H */
