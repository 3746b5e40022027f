/*
 * sfio.h -- opening audio files with libsndfile from several threads.
 *
 * libsndfile keeps the error of a failed sf_open() in process-wide state
 * (read back with sf_strerror(NULL)), so two threads opening files at once
 * could report each other's errors.  Every open in tempitch goes through
 * these functions, which hold one lock across the open and the reading of
 * its error.  Everything else libsndfile does on an open SNDFILE is
 * per-handle state and needs no lock.  The lock is never held while
 * waiting for a FIFO's writer (see sfio_open_read); it is held while
 * libsndfile reads a header, which for a pipe whose writer stalls could
 * make other opens wait too.
 */
#ifndef TEMPITCH_AUDIO_SFIO_H
#define TEMPITCH_AUDIO_SFIO_H

#include <sndfile.h>

#include <stddef.h>

/* Opens `path` for reading and fills *info.  Returns the handle, or NULL
 * with the reason in reason[size] (always terminated): the errno text when
 * the file cannot be opened at all ("Permission denied"), "is a
 * directory", "empty file (...)", "truncated: ..." for a regular file
 * that holds less than its container declares (extent.h), or
 * libsndfile's own reason tidied up.  Paths of any length (libsndfile
 * takes names only below 1024 bytes; longer ones go by descriptor).
 * Thread-safe. */
SNDFILE *sfio_open_read(const char *path, SF_INFO *info, char *reason,
                        size_t size);

/* Opens standard input for reading and fills *info, as sfio_open_read
 * does for a path (a regular file redirected to it, read from its start,
 * is held to its declared length too).  Standard input stays open (sf_close does not close
 * it).  libsndfile 1.2 cannot decode FLAC from a pipe; that failure says
 * so.  Thread-safe. */
SNDFILE *sfio_open_stdin(SF_INFO *info, char *reason, size_t size);

/* Starts writing a file shaped by *info on the open descriptor `fd`, which
 * stays the caller's (sf_close does not close it).  Returns the handle, or
 * NULL with the reason in reason[size].  Thread-safe. */
SNDFILE *sfio_open_write_fd(int fd, SF_INFO *info, char *reason, size_t size);

/* Starts writing a file shaped by *info into the virtual file `vio`
 * (whose callbacks get `user`).  Returns the handle, or NULL with the
 * reason in reason[size].  Thread-safe. */
SNDFILE *sfio_open_write_virtual(SF_VIRTUAL_IO *vio, void *user, SF_INFO *info,
                                 char *reason, size_t size);

/* The length of the open file described by *info, in frames, or -1 when
 * it is not known: libsndfile says SF_COUNT_MAX when a stream does not
 * state it, and takes the length fields of a stream written to a pipe
 * (sox's 0x7ffff000 bytes, AU's 0xffffffff, ...) at their word, which
 * gives an absurd count rather than "unknown".  So the length of a
 * stream that cannot be seeked counts as unknown from 2 GiB of audio
 * data on (placeholders), and only then. */
long long sfio_frames(const SF_INFO *info);

/* libsndfile's reason for the last error on `f`, tidied up as
 * sfio_open_read does, into reason[size] ("libsndfile internal error -1"
 * for the negative codes some codecs leave, which sf_strerror would
 * print to standard output). */
void sfio_reason(SNDFILE *f, char *reason, size_t size);

/* What a header says about a file, without decoding any audio. */
struct sfio_header {
    long long frames; /* frames in the file, or -1 when it cannot tell */
    int rate;         /* sample rate, Hz                              */
    int channels;
    int by_tempitch;  /* it holds a stamp of tempitch's (stamp.h)    */
};

/* Reads the header of `path` (open, look, close).  Returns 0 and fills *h,
 * or -1 with the reason in reason[size].  Thread-safe. */
int sfio_probe(const char *path, struct sfio_header *h, char *reason,
               size_t size);

#endif /* TEMPITCH_AUDIO_SFIO_H */
