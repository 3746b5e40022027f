/*
 * stamp.c -- the settings stamp in output files; see stamp.h.
 */
#include "stamp.h"
#include "sfio.h"

#include <string.h>

/* Major formats whose SOFTWARE string libsndfile writes and reads back.
 * Listed rather than probed: for MP3 sf_set_string succeeds and the
 * string is silently dropped. */
static int keeps_strings(int major)
{
    switch (major) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
    case SF_FORMAT_RF64:
    case SF_FORMAT_AIFF:
    case SF_FORMAT_CAF:
    case SF_FORMAT_FLAC:
    case SF_FORMAT_OGG:
        return 1;
    default:
        return 0;
    }
}

void stamp_write(SNDFILE *f, const char *stamp)
{
    if (stamp == NULL || stamp[0] == '\0')
        return;
    /* Fails (harmlessly) for formats without strings. */
    sf_set_string(f, SF_STR_SOFTWARE, stamp);
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
    if (!keeps_strings(info.format & SF_FORMAT_TYPEMASK)) {
        r = STAMP_UNKNOWN;
    } else {
        const char *s = sf_get_string(f, SF_STR_SOFTWARE);
        size_t n = strlen(stamp);
        /* Ours exactly, or ours with libsndfile's " (libsndfile-X)". */
        if (s != NULL && strncmp(s, stamp, n) == 0 &&
            (s[n] == '\0' || strncmp(s + n, " (", 2) == 0))
            r = STAMP_SAME;
    }
    sf_close(f);
    return r;
}
