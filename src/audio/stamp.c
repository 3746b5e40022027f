/*
 * stamp.c -- the settings stamp in output files; see stamp.h.
 */
#include "stamp.h"
#include "sfio.h"

#include <string.h>

/* The string of major format `major` that holds the stamp: SOFTWARE
 * where libsndfile writes and reads it back, the ID3 comment for MP3
 * (where libsndfile accepts SOFTWARE and silently drops it), 0 for the
 * formats that keep none.  Listed rather than probed, for that reason. */
static int stamp_string(int major)
{
    switch (major) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
    case SF_FORMAT_RF64:
    case SF_FORMAT_AIFF:
    case SF_FORMAT_CAF:
    case SF_FORMAT_FLAC:
    case SF_FORMAT_OGG:
        return SF_STR_SOFTWARE;
    case SF_FORMAT_MPEG:
        return SF_STR_COMMENT;
    default:
        return 0;
    }
}

void stamp_write(SNDFILE *f, int format, const char *stamp)
{
    int kind = stamp_string(format & SF_FORMAT_TYPEMASK);
    if (stamp == NULL || stamp[0] == '\0' || kind == 0)
        return;
    sf_set_string(f, kind, stamp);
}

const char *stamp_stored(SNDFILE *f, int format)
{
    int kind = stamp_string(format & SF_FORMAT_TYPEMASK);
    return kind != 0 ? sf_get_string(f, kind) : NULL;
}

int stamp_is_tempitch(const char *software)
{
    static const char prefix[] = "tempitch ";
    return software != NULL &&
           strncmp(software, prefix, sizeof prefix - 1) == 0 &&
           software[sizeof prefix - 1] >= '0' &&
           software[sizeof prefix - 1] <= '9';
}

enum stamp_result stamp_check(const char *path, const char *stamp)
{
    char reason[256];
    SF_INFO info = {0};
    SNDFILE *f = sfio_open_read(path, &info, reason, sizeof reason);
    if (f == NULL)
        return STAMP_UNREADABLE;
    enum stamp_result r = STAMP_DIFFERENT;
    if (stamp_string(info.format & SF_FORMAT_TYPEMASK) == 0) {
        r = STAMP_UNKNOWN;
    } else {
        const char *s = stamp_stored(f, info.format);
        size_t n = strlen(stamp);
        /* Ours exactly, or ours with libsndfile's " (libsndfile-X)". */
        if (s != NULL && strncmp(s, stamp, n) == 0 &&
            (s[n] == '\0' || strncmp(s + n, " (", 2) == 0))
            r = STAMP_SAME;
    }
    sf_close(f);
    return r;
}
