/*
 * sfio.c -- opening audio files with libsndfile from several threads; see
 * sfio.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "sfio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Guards libsndfile's global "last open error".  Held only for the open
 * itself, never while audio is decoded. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

SNDFILE *sfio_open_read(const char *path, SF_INFO *info, char *reason,
                        size_t size)
{
    /* Opening a FIFO waits for its writer, which may take forever; that
     * wait must not hold the lock, or every other worker would wait too.
     * So other than regular files are opened first, outside the lock.
     * Regular files go by name: libsndfile then also knows the extension,
     * which it needs to recognise some headerless formats. */
    struct stat st;
    int fd = -1;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            snprintf(reason, size, "%s", strerror(errno));
            return NULL;
        }
    }
    pthread_mutex_lock(&open_lock);
    /* With close_desc true libsndfile closes fd itself, also on failure. */
    SNDFILE *f = fd >= 0 ? sf_open_fd(fd, SFM_READ, info, SF_TRUE)
                         : sf_open(path, SFM_READ, info);
    if (f == NULL)
        snprintf(reason, size, "%s", sf_strerror(NULL));
    pthread_mutex_unlock(&open_lock);
    return f;
}

SNDFILE *sfio_open_write_fd(int fd, SF_INFO *info, char *reason, size_t size)
{
    pthread_mutex_lock(&open_lock);
    SNDFILE *f = sf_open_fd(fd, SFM_WRITE, info, SF_FALSE);
    if (f == NULL)
        snprintf(reason, size, "%s", sf_strerror(NULL));
    pthread_mutex_unlock(&open_lock);
    return f;
}

int sfio_probe(const char *path, struct sfio_header *h, char *reason,
               size_t size)
{
    SF_INFO info = {0};
    SNDFILE *f = sfio_open_read(path, &info, reason, size);
    if (f == NULL)
        return -1;
    /* libsndfile says SF_COUNT_MAX when a stream does not state its
     * length. */
    h->frames = info.frames >= 0 && info.frames < SF_COUNT_MAX
                    ? (long long)info.frames
                    : -1;
    h->rate = info.samplerate;
    h->channels = info.channels;
    sf_close(f);
    return 0;
}
