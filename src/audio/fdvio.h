/*
 * fdvio.h -- libsndfile writing into a descriptor through virtual I/O, so
 * that every write error is seen.
 *
 * libsndfile does not report every failed write: its lossy encoders (MP3,
 * Opus, Vorbis) flush at sf_close and drop the result, so a full disk gave
 * a truncated file and a success; and where it does report one, the Ogg
 * encoders lose errno ("Unspecified internal error").  Here each write
 * goes through our own callback, which writes all of it or records the
 * errno of the first failure; once one write failed the file is bad
 * whatever libsndfile says afterwards.
 *
 * The callback also refuses to write past a size limit (the largest file
 * the container's header can describe, sfformat_max_bytes), so an output
 * that grows beyond it fails at that point instead of being published with
 * sizes that wrapped.
 *
 * Threads: one struct fdvio per file; different files may be written from
 * different threads.
 */
#ifndef TEMPITCH_AUDIO_FDVIO_H
#define TEMPITCH_AUDIO_FDVIO_H

#include <sndfile.h>

#include <stddef.h>

/* State of one file.  Treat as opaque; public so it can live on the
 * caller's stack. */
struct fdvio {
    int fd;              /* the file, positioned by us; stays the caller's */
    int err;             /* errno of the first failed write, or 0         */
    long long pos;       /* libsndfile's file position                    */
    long long max_bytes; /* no byte may be written at or past this; <0: none */
    int over_limit;      /* the first failure was a write past max_bytes  */
};

/* Starts writing a file shaped by *info into `fd` (a regular file, open
 * read-write, empty or to be overwritten from offset 0), never writing at
 * or beyond byte `max_bytes` (-1: no limit).  Returns the handle, to close
 * with sf_close, or NULL with the reason in reason[size].  Thread-safe. */
SNDFILE *fdvio_open(struct fdvio *v, int fd, long long max_bytes, SF_INFO *info,
                    char *reason, size_t size);

/* The errno of the first failed write so far (EFBIG when the size limit
 * was reached), or 0.  Check after sf_close too: a nonzero value means the
 * file is incomplete whatever sf_close returned. */
int fdvio_error(const struct fdvio *v);

/* 1 when the first failure was a write past the size limit. */
int fdvio_over_limit(const struct fdvio *v);

#endif /* TEMPITCH_AUDIO_FDVIO_H */
