/*
 * sfio.c -- opening audio files with libsndfile from several threads; see
 * sfio.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "sfio.h"
#include "sfformat.h"

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

/* Room for libsndfile's log of one file (its own buffer is 2 KiB). */
enum { LOG_MAX = 8192 };

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

/* A regular file that will not be read: if it cannot even be opened,
 * the system's reason replaces reason[]; otherwise `why` does, when not
 * NULL.  Returns NULL. */
static SNDFILE *refuse_regular(const char *path, char *reason, size_t size,
                               const char *why)
{
    int probe = open(path, O_RDONLY | O_CLOEXEC);
    if (probe < 0) {
        snprintf(reason, size, "%s", strerror(errno));
        return NULL;
    }
    close(probe);
    if (why != NULL)
        snprintf(reason, size, "%s", why);
    return NULL;
}

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
    int known = stat(path, &st) == 0;
    if (known && S_ISDIR(st.st_mode)) {
        snprintf(reason, size, "is a directory");
        return NULL;
    }
    int regular = !known || S_ISREG(st.st_mode);
    if (regular && known && st.st_size == 0)
        return refuse_regular(path, reason, size,
                              "empty file (0 bytes, not audio)");
    if (!regular) {
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
        copy_reason(reason, size, sf_strerror(NULL));
    pthread_mutex_unlock(&open_lock);
    /* A file libsndfile could not even open is better described by the
     * system ("Permission denied") than by libsndfile's guess at it. */
    if (f == NULL && regular)
        refuse_regular(path, reason, size, NULL);
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

SNDFILE *sfio_open_stdin(SF_INFO *info, char *reason, size_t size)
{
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
    sf_close(f);
    return 0;
}

/* Bytes of audio data from which a length field is taken for a
 * placeholder: sox writes 0x7ffff000 to pipes, others 0xffffffff. */
#define PLACEHOLDER_BYTES 0x7FFF0000LL

/* A declared chunk size that only means "length unknown": streaming
 * writers (pipes) put 0 or a huge placeholder there. */
static int placeholder_size(long long bytes)
{
    return bytes <= 0 || bytes >= PLACEHOLDER_BYTES;
}

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

int sfio_truncated(SNDFILE *f, const SF_INFO *info, char *reason, size_t size)
{
    /* libsndfile notices a file shorter than its header says, notes it in
     * the file's log, and then quietly reads what is there.  The log is
     * the only place that says so; its wording is libsndfile's, so only
     * the lines known to mean "cut short" are recognised:
     *   WAV, AIFF:  "data : 88200 (should be 29956)" ("SSND" for AIFF)
     *   RF64:       "*** Calculated frame count M does not match value
     *               from 'ds64' chunk of N."
     *   Ogg:        "File ended unexpectedly without an End-Of-Stream..."
     * and, without a log line, an Ogg file (not a pipe) whose length
     * libsndfile cannot find: it takes it from the last page, and a file
     * cut short has none it accepts. */
    if ((info->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG &&
        info->seekable && info->frames == SF_COUNT_MAX) {
        snprintf(reason, size,
                 "truncated: the stream ends without its end mark");
        return 1;
    }
    char *log = malloc(LOG_MAX);
    if (log == NULL)
        return 0;
    sf_command(f, SFC_GET_LOG_INFO, log, LOG_MAX);
    log[LOG_MAX - 1] = '\0';
    int found = 0;
    int bytes = sfformat_sample_bytes(info->format) * info->channels;
    for (char *line = log; line != NULL && *line != '\0' && !found;) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        /* Most lines are header fields: only three kinds can matter. */
        if (strstr(line, "should be") == NULL &&
            strstr(line, "Calculated frame count") == NULL &&
            strstr(line, "File ended unexpectedly") == NULL) {
            line = next;
            continue;
        }
        long long said, has;
        char chunk[8];
        int scanned = sscanf(line, "%4s : %lld (should be %lld)", chunk, &said,
                             &has) == 3;
        /* An AIFF SSND chunk starts with 8 bytes of offset and block size. */
        if (scanned && strcmp(chunk, "SSND") == 0) {
            said -= 8;
            has -= 8;
        }
        if (scanned &&
            (strcmp(chunk, "data") == 0 || strcmp(chunk, "SSND") == 0) &&
            said > has && !placeholder_size(said) &&
            (bytes == 0 || said / bytes > (long long)info->frames)) {
            /* (A header off by less than one frame loses no audio.) */
            found = 1;
            if (bytes > 0)
                snprintf(reason, size,
                         "truncated: header says %lld frames, file holds %lld",
                         said / bytes, (long long)info->frames);
            else
                snprintf(reason, size,
                         "truncated: header says %lld bytes of audio, file "
                         "holds %lld",
                         said, has);
        } else if (sscanf(line,
                          "*** Calculated frame count %lld does not match "
                          "value from 'ds64' chunk of %lld",
                          &has, &said) == 2 &&
                   said > has) {
            found = 1;
            snprintf(reason, size,
                     "truncated: header says %lld frames, file holds %lld",
                     said, has);
        } else if (strstr(line, "File ended unexpectedly") != NULL) {
            found = 1;
            snprintf(reason, size,
                     "truncated: the stream ends without its end mark");
        }
        line = next;
    }
    free(log);
    return found;
}
