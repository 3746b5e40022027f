/*
 * sfio.c -- opening audio files with libsndfile from several threads; see
 * sfio.h.
 */
#define _GNU_SOURCE /* tee(2), to look at a pipe without reading it */

#include "sfio.h"
#include "extent.h"
#include "sfformat.h"
#include "stamp.h"

#include <tempitch/stretch.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Guards libsndfile's global "last open error".  Held only for the open
 * itself, never while audio is decoded. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

/* libsndfile's messages, made to read like the others on the line
 * ("tempitch: FILE: reason"): no "System error : " style prefix, no final
 * period, and the few that say little for a user said better. */
static void copy_reason(char *reason, size_t size, const char *text)
{
    static const struct {
        const char *libsndfile, *ours;
    } better[] = {
        {"Format not recognised.", "not an audio file (format not recognised)"},
        {"Too many channels specified.",
         "too many channels (supported: 1..%d)"},
        {"Internal error : SF_INFO struct incomplete.",
         "malformed header (no sample rate or no channels)"},
    };
    for (size_t i = 0; i < sizeof better / sizeof better[0]; i++) {
        if (strcmp(text, better[i].libsndfile) == 0) {
            snprintf(reason, size, better[i].ours, TP_CHANNELS_MAX);
            return;
        }
    }
    static const char *const prefixes[] = {
        "System error : ", "Error : ", "Internal error : "};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(text, prefixes[i], n) == 0) {
            text += n;
            break;
        }
    }
    size_t len = strlen(text);
    if (len > 0 && text[len - 1] == '.')
        len--;
    snprintf(reason, size, "%.*s", (int)len, text);
}

void sfio_reason(SNDFILE *f, char *reason, size_t size)
{
    /* Some codecs leave -1 as the handle's error, for which sf_strerror
     * prints "Not a valid error number" to standard output (which may be
     * the audio) and returns nothing useful. */
    int code = sf_error(f);
    if (code < 0)
        snprintf(reason, size, "libsndfile internal error %d", code);
    else
        copy_reason(reason, size, sf_strerror(f));
}

/* libsndfile keeps a path in a buffer of this size (SF_FILENAME_LEN) and
 * fails on longer ones. */
enum { SF_PATH_MAX = 1024 };

/* The checks before libsndfile sees the file open as fd (described by
 * *st): a directory, an empty file or one shorter than its container
 * declares (extent.h) is refused with the reason in reason[size].
 * Returns 0 when the file may be opened. */
static int refuse(int fd, const struct stat *st, char *reason, size_t size)
{
    if (S_ISDIR(st->st_mode)) {
        snprintf(reason, size, "is a directory");
        return -1;
    }
    if (!S_ISREG(st->st_mode))
        return 0;
    if (st->st_size == 0) {
        snprintf(reason, size, "empty file (0 bytes, not audio)");
        return -1;
    }
    /* A regular file read from where it starts (standard input may have
     * been read from already) can be held to its declared length. */
    if (lseek(fd, 0, SEEK_CUR) == 0 &&
        extent_truncated(fd, (long long)st->st_size, reason, size))
        return -1;
    return 0;
}

SNDFILE *sfio_open_read(const char *path, SF_INFO *info, char *reason,
                        size_t size)
{
    /* The file is opened here, not by libsndfile: the system's reason
     * ("Permission denied") beats libsndfile's guess at it, and the checks
     * look at this very file.  Opening a FIFO waits for its writer, which
     * may take forever, so it happens outside the lock.  libsndfile is
     * then given the name where it can take it: it also looks at the
     * extension, which it needs to recognise some headerless formats. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(reason, size, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (refuse(fd, &st, reason, size) != 0) {
        close(fd);
        return NULL;
    }
    int by_name = S_ISREG(st.st_mode) && strlen(path) < SF_PATH_MAX;
    if (by_name)
        close(fd);
    pthread_mutex_lock(&open_lock);
    /* With close_desc true libsndfile closes fd itself, also on failure. */
    SNDFILE *f = by_name ? sf_open(path, SFM_READ, info)
                         : sf_open_fd(fd, SFM_READ, info, SF_TRUE);
    if (f == NULL)
        copy_reason(reason, size, sf_strerror(NULL));
    pthread_mutex_unlock(&open_lock);
    /* Gone or changed between the two opens: the system says why. */
    if (f == NULL && by_name && access(path, R_OK) != 0)
        snprintf(reason, size, "%s", strerror(errno));
    return f;
}

SNDFILE *sfio_open_write_fd(int fd, SF_INFO *info, char *reason, size_t size)
{
    pthread_mutex_lock(&open_lock);
    SNDFILE *f = sf_open_fd(fd, SFM_WRITE, info, SF_FALSE);
    if (f == NULL)
        copy_reason(reason, size, sf_strerror(NULL));
    pthread_mutex_unlock(&open_lock);
    return f;
}

/* An Ogg Vorbis stream from a pipe that ends without its last page.  The
 * pipe cannot be read twice, so extent.h cannot look at it; libsndfile
 * reads such a stream to its end when opening it and records the missing
 * end-of-stream page in the handle's log, the only witness there is.
 * (Its Opus decoder records nothing: a cut Opus stream from a pipe is
 * read to where it stops.) */
static int stream_cut(SNDFILE *f, const SF_INFO *info)
{
    if ((info->format & SF_FORMAT_TYPEMASK) != SF_FORMAT_OGG)
        return 0;
    enum { LOG_MAX = 8192 }; /* libsndfile's own log holds 2 KiB */
    char *log = malloc(LOG_MAX);
    if (log == NULL)
        return 0;
    sf_command(f, SFC_GET_LOG_INFO, log, LOG_MAX);
    log[LOG_MAX - 1] = '\0';
    int cut = strstr(log, "File ended unexpectedly") != NULL;
    free(log);
    return cut;
}

/* The first bytes waiting in the pipe `fd`, copied into buf[n] without
 * taking them (Linux's tee(2) duplicates a pipe's contents into another
 * pipe).  Returns how many were copied; 0 when it cannot tell. */
static size_t peek_pipe(int fd, unsigned char *buf, size_t n)
{
#ifdef __linux__
    int p[2];
    if (pipe(p) != 0)
        return 0;
    ssize_t got = tee(fd, p[1], n, 0); /* waits for the writer's first bytes */
    ssize_t have = got > 0 ? read(p[0], buf, (size_t)got) : 0;
    close(p[0]);
    close(p[1]);
    return have > 0 ? (size_t)have : 0;
#else
    (void)fd, (void)buf, (void)n;
    return 0;
#endif
}

/* An MP3 stream: an ID3v2 tag or an MPEG audio frame header first. */
static int looks_mp3(const unsigned char *b, size_t n)
{
    if (n >= 3 && memcmp(b, "ID3", 3) == 0)
        return 1;
    return n >= 2 && b[0] == 0xff && (b[1] & 0xe0) == 0xe0 &&
           ((b[1] >> 1) & 3) != 0;
}

SNDFILE *sfio_open_stdin(SF_INFO *info, char *reason, size_t size)
{
    struct stat st;
    if (fstat(STDIN_FILENO, &st) == 0 &&
        refuse(STDIN_FILENO, &st, reason, size) != 0)
        return NULL;
    /* libsndfile 1.2 reads MP3 from a pipe past the end of its header
     * buffer (AddressSanitizer: heap-buffer-overflow under sf_open_fd, in
     * its reader for libmpg123); from a file it is fine.  So a pipe that
     * starts like MP3 is refused before libsndfile sees it. */
    unsigned char head[4];
    if (S_ISFIFO(st.st_mode) &&
        looks_mp3(head, peek_pipe(STDIN_FILENO, head, sizeof head))) {
        snprintf(reason, size,
                 "cannot decode MP3 from a pipe (libsndfile 1.2 reads past "
                 "its buffer there); give the file by name or redirect it "
                 "(< file.mp3)");
        return NULL;
    }
    pthread_mutex_lock(&open_lock);
    SNDFILE *f = sf_open_fd(STDIN_FILENO, SFM_READ, info, SF_FALSE);
    if (f == NULL) {
        const char *text = sf_strerror(NULL);
        /* libsndfile 1.2's FLAC decoder needs to seek: on a pipe it fails
         * with "flac decoder lost sync", which does not tell the user what
         * to do. */
        if (strstr(text, "flac decoder") != NULL)
            snprintf(reason, size,
                     "cannot decode FLAC from a pipe (libsndfile cannot); "
                     "decode it first (flac -dc) or give the file by name");
        else
            copy_reason(reason, size, text);
    }
    pthread_mutex_unlock(&open_lock);
    if (f != NULL && !info->seekable && stream_cut(f, info)) {
        snprintf(reason, size,
                 "truncated: the stream ends without its end mark");
        sf_close(f);
        return NULL;
    }
    return f;
}

SNDFILE *sfio_open_write_virtual(SF_VIRTUAL_IO *vio, void *user, SF_INFO *info,
                                 char *reason, size_t size)
{
    pthread_mutex_lock(&open_lock);
    SNDFILE *f = sf_open_virtual(vio, SFM_WRITE, info, user);
    if (f == NULL)
        copy_reason(reason, size, sf_strerror(NULL));
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
    h->frames = sfio_frames(&info);
    h->rate = info.samplerate;
    h->channels = info.channels;
    h->by_tempitch = stamp_is_tempitch(stamp_stored(f, info.format));
    sf_close(f);
    return 0;
}

/* Bytes of audio data from which a length field is taken for a
 * placeholder: sox writes 0x7ffff000 to pipes, others 0xffffffff. */
#define PLACEHOLDER_BYTES 0x7FFF0000LL

long long sfio_frames(const SF_INFO *info)
{
    if (info->frames < 0 || info->frames >= SF_COUNT_MAX)
        return -1;
    if (!info->seekable) {
        long long bytes = (long long)sfformat_sample_bytes(info->format) *
                          (info->channels > 0 ? info->channels : 1);
        if (info->frames >= PLACEHOLDER_BYTES / (bytes > 0 ? bytes : 1))
            return -1;
    }
    return (long long)info->frames;
}
