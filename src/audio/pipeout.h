/*
 * pipeout.h -- writing audio to a pipe (standard output) with libsndfile.
 *
 * libsndfile (1.2) refuses to write WAV to a descriptor it cannot seek
 * ("this file format does not support pipe write"): it writes the header
 * first and fills in the lengths at the end.  Here WAV is written through a
 * virtual file instead: libsndfile's own header is held back until the
 * first audio arrives, its length fields are set to the placeholders sox
 * writes to pipes ("length unknown", data size 0x7ffff000), and from then
 * on every byte goes straight to the descriptor; the final header rewrite
 * at sf_close is dropped.  So the bytes are exactly those of the same
 * output written to a file, apart from the length fields, and both sox
 * and libsndfile read the stream to its end.  The formats
 * libsndfile can stream itself (AU, FLAC) are handed to it directly.
 *
 * Memory: the held header plus one 64 KiB write buffer, whatever the
 * length of the stream.
 *
 * Threads: one struct pipeout per stream; different streams may be used
 * from different threads.
 */
#ifndef TEMPITCH_AUDIO_PIPEOUT_H
#define TEMPITCH_AUDIO_PIPEOUT_H

#include <sndfile.h>

#include <stddef.h>

/* The formats that can be written to a pipe, for messages. */
#define PIPEOUT_FORMATS "wav, au, flac"

/* WAV data size written to a pipe: sox's "unspecified length" value,
 * which sox reads as "until the end" (it warns about 0xffffffff).
 * libsndfile reads such a stream up to this many bytes of audio. */
#define PIPEOUT_WAV_DATA_BYTES 0x7ffff000u

enum { PIPEOUT_BUFFER = 65536 };

/* State of one stream.  Treat as opaque; it is public only so that it can
 * live on the caller's stack. */
struct pipeout {
    int fd;                   /* where the bytes go; stays the caller's  */
    int err;                  /* errno of the first failed write, or 0   */
    int via_virtual;          /* WAV through the virtual file            */
    int committed;            /* the header has been sent                */
    long long pos;            /* libsndfile's idea of the file position  */
    long long end;            /* bytes sent or buffered (the file size)  */
    unsigned char head[4096]; /* the held header                       */
    size_t head_len;
    unsigned char buf[PIPEOUT_BUFFER];
    size_t buf_len;
};

/* 1 when a file of libsndfile major format `major` can be written with
 * pipeout_open. */
int pipeout_writable(int major);

/* Starts writing audio shaped by *info (which names a writable format) to
 * `fd`, which stays the caller's.  Returns the handle to write to with
 * sf_write*, and to close with sf_close followed by pipeout_finish; or
 * NULL with the reason in reason[size].  SIGPIPE should be ignored, so
 * that a reader going away is a write error (EPIPE), not a death. */
SNDFILE *pipeout_open(struct pipeout *p, int fd, SF_INFO *info, char *reason,
                      size_t size);

/* After sf_close: sends what is still held or buffered.  Returns 0, or the
 * errno of the first failed write of the stream (EPIPE: the reader went
 * away). */
int pipeout_finish(struct pipeout *p);

/* The errno of the first failed write so far, or 0: what lies behind a
 * short sf_write*. */
int pipeout_error(const struct pipeout *p);

#endif /* TEMPITCH_AUDIO_PIPEOUT_H */
