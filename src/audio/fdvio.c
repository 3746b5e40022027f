/*
 * fdvio.c -- libsndfile writing into a descriptor through virtual I/O;
 * see fdvio.h.
 *
 * The callbacks keep their own position and use pread/pwrite, so they do
 * what libsndfile's own file I/O does on a regular file (the bytes are the
 * same as with sf_open_fd) without relying on the descriptor's offset.
 */
#define _POSIX_C_SOURCE 200809L

#include "fdvio.h"
#include "sfio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fdvio_error(const struct fdvio *v)
{
    return v->err;
}

int fdvio_over_limit(const struct fdvio *v)
{
    return v->over_limit;
}

static sf_count_t vio_length(void *user)
{
    struct fdvio *v = user;
    struct stat st;
    return fstat(v->fd, &st) == 0 ? (sf_count_t)st.st_size : -1;
}

static sf_count_t vio_seek(sf_count_t offset, int whence, void *user)
{
    struct fdvio *v = user;
    sf_count_t base = whence == SEEK_CUR   ? v->pos
                      : whence == SEEK_END ? vio_length(user)
                                           : 0;
    if (base < 0 || base + offset < 0)
        return -1;
    v->pos = base + offset;
    return v->pos;
}

/* Some encoders read back what they wrote (FLAC's metadata at the end). */
static sf_count_t vio_read(void *ptr, sf_count_t count, void *user)
{
    struct fdvio *v = user;
    sf_count_t done = 0;
    while (done < count) {
        ssize_t n = pread(v->fd, (char *)ptr + done, (size_t)(count - done),
                          (off_t)(v->pos + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += n;
    }
    v->pos += done;
    return done;
}

static sf_count_t vio_write(const void *ptr, sf_count_t count, void *user)
{
    struct fdvio *v = user;
    /* After a failure nothing more is written: the file is lost anyway,
     * and the first errno is the one worth reporting. */
    if (v->err != 0 || count <= 0)
        return 0;
    if (v->max_bytes >= 0 && v->pos + count > v->max_bytes) {
        v->err = EFBIG;
        v->over_limit = 1;
        return 0;
    }
    sf_count_t done = 0;
    while (done < count) {
        /* A short write is followed by another, which then gives the
         * reason (ENOSPC). */
        ssize_t n = pwrite(v->fd, (const char *)ptr + done,
                           (size_t)(count - done), (off_t)(v->pos + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            v->err = errno;
            break;
        }
        done += n;
    }
    v->pos += done;
    return done;
}

static sf_count_t vio_tell(void *user)
{
    return ((struct fdvio *)user)->pos;
}

SNDFILE *fdvio_open(struct fdvio *v, int fd, long long max_bytes, SF_INFO *info,
                    char *reason, size_t size)
{
    memset(v, 0, sizeof *v);
    v->fd = fd;
    v->max_bytes = max_bytes;
    static SF_VIRTUAL_IO vio = {vio_length, vio_seek, vio_read, vio_write,
                                vio_tell};
    return sfio_open_write_virtual(&vio, v, info, reason, size);
}
