/*
 * fds.c -- the standard descriptors and the descriptor budget; see fds.h.
 */
#include "fds.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

int fds_secure_standard(void)
{
    /* In order 0, 1, 2: open() returns the lowest free number, which is
     * then the closed one, since those below it are open by now. */
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        int flags = fd == STDIN_FILENO ? O_WRONLY : O_RDONLY;
        int got = open("/dev/null", flags);
        if (got < 0)
            return -1;
        if (got != fd) {
            /* Another thread opened one in between: cannot happen this
             * early, but never leave the number free. */
            int moved = dup2(got, fd);
            close(got);
            if (moved != fd)
                return -1;
        }
    }
    return 0;
}

/*
 * Per worker, at most two at once (FDS_PER_WORKER): the input (libsndfile
 * opens it by name, or our descriptor for a FIFO) and the temporary
 * output.  The others a job opens come when one of those is closed: the
 * directory synced after the rename (--sync) once the output is closed,
 * the probe that names why an input could not be opened when it is not
 * open, the second pass of --normalize after the first closed the input.
 * Measured: with no reserve, every limit from 6 up ran batches of 20
 * files at -j 64 (WAV, FLAC, Ogg, MP3, --sync, --normalize, --report)
 * without one "Too many open files" (checked by fault_fd_limit).  Kept
 * free besides, for the main thread and the C library: FDS_RESERVE.
 */
enum { FDS_RESERVE = 2 };

int fds_worker_limit(int wanted)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return wanted;
    /* Plenty of room whatever is open: no need to count. */
    rlim_t need = (rlim_t)wanted * FDS_PER_WORKER + FDS_RESERVE;
    if (rl.rlim_cur >= need + 64)
        return wanted;
    /* The limit is small here (below 3 * CLI_THREADS_MAX + 66), so testing
     * every number below it is cheap. */
    rlim_t open_now = 0;
    for (rlim_t fd = 0; fd < rl.rlim_cur; fd++)
        open_now += fcntl((int)fd, F_GETFD) != -1;
    rlim_t spare = rl.rlim_cur - open_now;
    spare = spare > FDS_RESERVE ? spare - FDS_RESERVE : 0;
    rlim_t fit = spare / FDS_PER_WORKER;
    if (fit < 1)
        return 1; /* the best we can do; a shortage is retried (run.c) */
    return fit < (rlim_t)wanted ? (int)fit : wanted;
}
