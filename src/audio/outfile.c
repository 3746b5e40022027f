/*
 * outfile.c -- atomic output files; see outfile.h.
 */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE */

#include "outfile.h"

#include <tempitch/pool.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Signal cleanup.  A handler may only call async-signal-safe functions, so
 * the paths to remove live in fixed buffers, one slot per possible worker
 * thread (TP_POOL_THREADS_MAX of them), each holding one temporary file
 * at a time; if they ever ran out a file would simply lose signal
 * protection.  The 4 MiB of path buffers are untouched zero pages until
 * used.  Each slot's state is a lock-free atomic:
 *
 *   FREE -> OPENING   a worker reserves the slot, copies the path in and
 *                     creates the file; the handler waits for it to leave
 *                     this state, so a file created just as the signal
 *                     comes is still seen;
 *   OPENING -> ARMED  the file exists (or -> FREE if open failed);
 *   ARMED -> FREE     the worker renamed or removed the file;
 *   ARMED -> CLAIMED  the handler takes the slot and unlinks the path.  The
 *                     slot then never becomes FREE again, so its path
 *                     cannot be overwritten while the handler uses it.
 *
 * The handler first sets `dying`; a worker that reserves a slot after that
 * creates no file.  Rename against unlink: a worker renaming its finished
 * temporary file while the handler unlinks it ends either with the output
 * complete at its final name (the unlink finds nothing) or with no file
 * at all (the rename finds nothing); never with a partial output.
 */
enum { SLOT_FREE, SLOT_OPENING, SLOT_ARMED, SLOT_CLAIMED };
enum { SLOT_COUNT = TP_POOL_THREADS_MAX, SLOT_PATH_MAX = 4096 };

static atomic_int slot_state[SLOT_COUNT];
static char slot_path[SLOT_COUNT][SLOT_PATH_MAX];
static atomic_int dying;

/* Reserves a slot for `path` before the file is created.  Returns the slot,
 * -1 when none is left (the file will lack signal protection), or -2 when
 * a signal handler is already cleaning up (create nothing). */
static int slot_reserve(const char *path)
{
    if (strlen(path) >= SLOT_PATH_MAX)
        return atomic_load(&dying) ? -2 : -1;
    for (int i = 0; i < SLOT_COUNT; i++) {
        int expected = SLOT_FREE;
        if (atomic_compare_exchange_strong(&slot_state[i], &expected,
                                           SLOT_OPENING)) {
            strcpy(slot_path[i], path);
            /* Sequentially consistent: if the handler saw this slot FREE,
             * it set `dying` before, and we see it now. */
            if (atomic_load(&dying)) {
                atomic_store(&slot_state[i], SLOT_FREE);
                return -2;
            }
            return i;
        }
    }
    return atomic_load(&dying) ? -2 : -1;
}

/* The file of a reserved slot now exists (created) or not. */
static void slot_opened(int i, int created)
{
    if (i >= 0)
        atomic_store(&slot_state[i], created ? SLOT_ARMED : SLOT_FREE);
}

/* The file is gone or renamed: the slot can serve another file, unless the
 * handler claimed it. */
static void slot_release(int i)
{
    int expected = SLOT_ARMED;
    if (i >= 0)
        atomic_compare_exchange_strong(&slot_state[i], &expected, SLOT_FREE);
}

static void cleanup_handler(int sig)
{
    int saved = errno;
    atomic_store(&dying, 1);
    for (int i = 0; i < SLOT_COUNT; i++) {
        /* A worker is between reserving the slot and creating its file:
         * wait (up to about a second; workers never block in between) so
         * that a file it creates is removed too. */
        for (int waits = 0;
             atomic_load(&slot_state[i]) == SLOT_OPENING && waits < 1000;
             waits++) {
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
        }
        int expected = SLOT_ARMED;
        if (atomic_compare_exchange_strong(&slot_state[i], &expected,
                                           SLOT_CLAIMED))
            unlink(slot_path[i]);
    }
    /* Die of the same signal so the parent sees the true cause (a shell
     * shows 128 + the signal number: 130 SIGINT, 143 SIGTERM, 129 SIGHUP,
     * 131 SIGQUIT, 152 SIGXCPU, ...).
     * The signal is blocked while its handler runs, so it is delivered,
     * now with the default action, when the handler returns. */
    signal(sig, SIG_DFL);
    raise(sig);
    errno = saved;
}

/*
 * The signals the handler takes: every one whose default action ends the
 * process and that comes from outside it (kill, the terminal, a timer, a
 * resource limit), so that no way of being stopped leaves temporary files
 * behind.  SIGQUIT and SIGXCPU still dump core after the cleanup if core
 * dumps are on, as their default action does.  Not here: SIGKILL (cannot
 * be caught); SIGPIPE and SIGXFSZ, which main ignores so that they become
 * write errors of one file; the signals of a crash (SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS), after which nothing in the
 * process can be trusted, and which may leave temporary files, as SIGKILL
 * does.  The real-time signals are added at run time (SIGRTMIN is not a
 * constant).
 */
static const int fixed_signals[] = {
    SIGINT,    SIGTERM,   SIGHUP,  SIGQUIT, SIGALRM, SIGUSR1,
    SIGUSR2,   SIGVTALRM, SIGPROF, SIGXCPU, SIGIO,
#ifdef SIGPWR
    SIGPWR,
#endif
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
};

/* The handled signals, fixed ones first; returns how many (at most max). */
static int handled_signals(int *out, int max)
{
    int n = 0;
    for (size_t i = 0; i < sizeof fixed_signals / sizeof *fixed_signals; i++)
        if (n < max)
            out[n++] = fixed_signals[i];
#ifdef SIGRTMIN
    for (int sig = SIGRTMIN; sig <= SIGRTMAX && n < max; sig++)
        out[n++] = sig;
#endif
    return n;
}

void outfile_install_signal_cleanup(void)
{
    int signals[128];
    int n = handled_signals(signals, (int)(sizeof signals / sizeof *signals));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cleanup_handler;
    /* One cleanup at a time: a second signal waits for the first
     * handler, which ends the process anyway. */
    sigemptyset(&sa.sa_mask);
    for (int k = 0; k < n; k++)
        sigaddset(&sa.sa_mask, signals[k]);
    for (int i = 0; i < n; i++) {
        struct sigaction old;
        /* Only a signal still at its default action: one our parent
         * ignored (nohup, `&` in a non-interactive shell) stays ignored,
         * as it asked, and a handler a runtime installed before main (a
         * profiler's SIGPROF) stays its own. */
        if (sigaction(signals[i], NULL, &old) != 0 ||
            (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
            continue;
        sigaction(signals[i], &sa, NULL);
    }
}

/* Temporary-name suffix.  Only uniqueness matters (O_EXCL catches the rest),
 * so a mix of pid, clock and a counter is enough; it never reaches the
 * file's contents, which stay deterministic. */
static uint64_t next_random(void)
{
    static atomic_uint_fast64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)getpid() * 0x9E3779B97F4A7C15u ^
                 (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
                 atomic_fetch_add(&counter, 1) * 0xBF58476D1CE4E5B9u;
    /* splitmix64 finaliser */
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

/* The longest file name the temporary names are made to fit: NAME_MAX of
 * Linux's file systems (ext4, xfs, btrfs, tmpfs). */
enum { TMP_NAME_MAX = 255 };

static char *make_tmp_name(const char *path)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dir_len;
    size_t size = strlen(path) + sizeof ".tmp.XXXXXX" + 1;
    char *name = malloc(size);
    if (name == NULL)
        return NULL;
    uint64_t r = next_random();
    char suffix[7];
    for (int i = 0; i < 6; i++) {
        suffix[i] = alphabet[r % (sizeof alphabet - 1)];
        r /= sizeof alphabet - 1;
    }
    suffix[6] = '\0';
    /* The temporary name is 12 bytes longer than the final one; a final
     * name near the file system's limit (255 bytes on most) keeps only
     * as much of itself as fits, since uniqueness comes from the suffix
     * and O_EXCL. */
    const size_t added = strlen(".") + strlen(".tmp.XXXXXX");
    size_t keep = strlen(base);
    if (keep > TMP_NAME_MAX - added)
        keep = TMP_NAME_MAX - added;
    snprintf(name, size, "%.*s.%.*s.tmp.%s", (int)dir_len, path, (int)keep,
             base, suffix);
    return name;
}

int outfile_open(struct outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->slot = -1;
    o->final_path = strdup(path);
    if (o->final_path == NULL)
        return ENOMEM;

    for (int attempt = 0; attempt < 100; attempt++) {
        char *tmp = make_tmp_name(path);
        if (tmp == NULL)
            break;
        /* The slot is reserved before the file exists, so a signal at any
         * point after the open finds it (see the handler). */
        int slot = slot_reserve(tmp);
        if (slot == -2) {
            free(tmp);
            free(o->final_path);
            o->final_path = NULL;
            return EINTR;
        }
        int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        slot_opened(slot, fd >= 0);
        if (fd >= 0) {
            o->tmp_path = tmp;
            o->fd = fd;
            o->slot = slot;
            return 0;
        }
        int err = errno;
        free(tmp);
        if (err != EEXIST) {
            free(o->final_path);
            o->final_path = NULL;
            return err;
        }
    }
    free(o->final_path);
    o->final_path = NULL;
    return ENOMEM;
}

static void release(struct outfile *o)
{
    slot_release(o->slot);
    free(o->tmp_path);
    free(o->final_path);
    o->tmp_path = o->final_path = NULL;
    o->slot = -1;
}

void outfile_abort(struct outfile *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (o->tmp_path != NULL)
        unlink(o->tmp_path);
    release(o);
}

/* Without `replace`: an atomic "create only if absent", which fails with
 * EEXIST instead of replacing a file that appeared while we worked.
 * renameat2(RENAME_NOREPLACE) does it in one step; file systems (or
 * kernels) without it get link() + unlink(), and those without hard
 * links a check-then-rename. */
static int place_no_replace(const char *tmp, const char *final)
{
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno == EEXIST)
        return EEXIST;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP &&
        errno != EOPNOTSUPP)
        return errno;
#endif
    if (link(tmp, final) == 0) {
        unlink(tmp);
        return 0;
    }
    int err = errno;
    if (err == EEXIST)
        return EEXIST;
    if (err != EPERM && err != ENOTSUP && err != EOPNOTSUPP && err != EMLINK &&
        err != ENOSYS)
        return err;
    struct stat st;
    if (lstat(final, &st) == 0)
        return EEXIST;
    return rename(tmp, final) == 0 ? 0 : errno;
}

/* Makes the rename of an entry of `path`'s directory durable. */
static int sync_directory(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir =
        slash == NULL ? strdup(".") : strndup(path, (size_t)(slash - path) + 1);
    if (dir == NULL)
        return ENOMEM;
    int err = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        err = errno;
    /* Some file systems cannot sync a directory; the data is synced. */
    if (err == EINVAL || err == EBADF)
        err = 0;
    if (fd >= 0)
        close(fd);
    free(dir);
    return err;
}

int outfile_commit(struct outfile *o, int replace, int sync)
{
    int err = 0;
    if (sync && fsync(o->fd) != 0)
        err = errno;
    /* close() can report a delayed write error (NFS, quotas). */
    if (close(o->fd) != 0 && err == 0)
        err = errno;
    o->fd = -1;
    if (err == 0) {
        if (replace)
            err = rename(o->tmp_path, o->final_path) == 0 ? 0 : errno;
        else
            err = place_no_replace(o->tmp_path, o->final_path);
    }
    if (err != 0)
        unlink(o->tmp_path);
    else if (sync)
        err = sync_directory(o->final_path);
    release(o);
    return err;
}
