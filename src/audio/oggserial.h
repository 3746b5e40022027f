/*
 * oggserial.h -- deterministic Ogg stream serial numbers.
 *
 * libsndfile gives every Ogg stream it writes (Vorbis, Opus) a serial
 * number drawn from the clock, so two identical runs differ in those four
 * bytes of every page.  Outputs must be byte-identical from run to run, so
 * after libsndfile is done the serial is replaced by a hash of the stream's
 * own contents and each page CRC is recomputed.  Different contents still
 * get different serials, so concatenated (chained) files stay valid.
 *
 * Threads: safe on different descriptors at once (the page buffer is
 * thread-local).
 */
#ifndef TEMPITCH_AUDIO_OGGSERIAL_H
#define TEMPITCH_AUDIO_OGGSERIAL_H

/* Rewrites the serial number of every page of the single-stream Ogg file
 * open read-write on `fd`.  A file that does not parse as one Ogg logical
 * stream is left untouched.  Returns 0, or an errno value after an I/O
 * error (the file may then be damaged and must not be published). */
int ogg_fix_serial(int fd);

#endif /* TEMPITCH_AUDIO_OGGSERIAL_H */
