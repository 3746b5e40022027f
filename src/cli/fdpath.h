/*
 * fdpath.h -- names that are open file descriptors, not files.
 *
 * /dev/stdout, /dev/fd/N and /proc/PID/fd/N are symbolic links that the
 * kernel resolves to whatever descriptor N holds: a terminal, a pipe, or a
 * file opened by the shell.  Writing an output there through a temporary
 * file and a rename would replace the link itself with a regular file (as
 * root, in /dev), so such names are recognised before anything is
 * written: standard output's own names mean `-o -`, the others are
 * refused.
 */
#ifndef TEMPITCH_FDPATH_H
#define TEMPITCH_FDPATH_H

/* When `path` (following any symbolic links on the way) is an entry of a
 * /proc/PID/fd directory (which /dev/fd and /dev/stdin, /dev/stdout,
 * /dev/stderr lead to), returns the descriptor number N and sets *own to
 * 1 when PID is this process; returns -1 for every other path, including
 * those that do not exist. */
int fdpath_descriptor(const char *path, int *own);

#endif
