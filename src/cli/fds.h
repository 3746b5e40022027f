/*
 * fds.h -- the process's file descriptors: the standard three, and how
 * many workers the descriptor limit leaves room for.
 *
 * Standard descriptors.  A program started with stdin, stdout or stderr
 * closed (`2>&-`, a daemon's child) would hand descriptor 0, 1 or 2 to
 * the first file it opens; a temporary output that becomes descriptor 2
 * then receives the program's own messages, and is published as a good
 * file.  fds_secure_standard() fills every closed one with /dev/null,
 * opened in the direction that descriptor is NOT used in: stdin write-
 * only, stdout and stderr read-only.  So nothing else can take the
 * number, and every use of it still fails with EBADF, exactly as on the
 * closed descriptor: reading `-` from a closed stdin, writing `-o -` or
 * the table to a closed stdout, a message to a closed stderr.
 *
 * Descriptor budget.  A worker holds at most FDS_PER_WORKER descriptors
 * at once (see fds.c for the count); fds_worker_limit() gives how many
 * workers fit under RLIMIT_NOFILE next to the descriptors already open,
 * so that `-j 1024` under `ulimit -n 16` runs fewer files at a time
 * instead of failing most of them with "Too many open files".
 */
#ifndef TEMPITCH_CLI_FDS_H
#define TEMPITCH_CLI_FDS_H

/* Descriptors one worker may hold at once. */
enum { FDS_PER_WORKER = 2 };

/* Makes sure descriptors 0, 1 and 2 are open (see above).  Call first in
 * main, before anything opens a file.  Returns 0, or -1 when /dev/null
 * could not be opened (the process should exit at once: any file it
 * opened could become a standard descriptor). */
int fds_secure_standard(void);

/* The number of workers, at most `wanted` (>= 1) and at least 1, whose
 * descriptors fit under the soft RLIMIT_NOFILE together with those open
 * now.  Call from the thread that starts the pool, before it starts. */
int fds_worker_limit(int wanted);

#endif /* TEMPITCH_CLI_FDS_H */
