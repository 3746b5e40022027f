/*
 * extent.h -- whether a file holds all the audio its container declares.
 *
 * A file cut short (a download that stopped, a copy onto a full disk)
 * still opens: libsndfile clamps the declared length to what is there
 * and reads on, so the output would be shorter and the run a success.
 * The container knows better.  This module reads the container's own
 * length fields, not libsndfile's log, and compares them with the bytes
 * the file holds:
 *
 *   WAV, RIFX, RF64/BW64, W64   the data chunk (RF64: the ds64 chunk)
 *   AIFF, AIFC                  the SSND chunk, less its 8-byte prefix
 *   AU (.snd)                   the header's data size
 *   CAF                         the data chunk, less its edit count
 *   MP3                         a Xing/Info or VBRI header's stream bytes
 *   Ogg (Vorbis, Opus, FLAC)    the page chain reaches a page marked
 *                               end-of-stream (and no second stream
 *                               follows: libsndfile reads only the first
 *                               of a chained file)
 *
 * Formats that declare no length (raw MP3 without a Xing header, FLAC,
 * whose STREAMINFO counts samples, not bytes) are checked after decoding
 * instead: fewer frames than declared is a truncation there (convert.c).
 *
 * Streaming writers that cannot seek back put a placeholder where the
 * length goes.  A 32-bit length counts as "unknown", never as a
 * truncation, when it is 0xffffffff or lies in the last 8 KiB below 2^31
 * (sox's 0x7ffff000, arecord's 0x7fffffff, tempitch's own -o - output),
 * or for AIFF is sox's 0x7f000000; 64-bit lengths when -1 (CAF) or
 * beyond 2^62.  A real file declaring exactly such a length and cut short
 * is read to its end: that is the price of reading saved pipes.
 *
 * Thread-safe: no state; the file is read with pread, so the descriptor's
 * offset does not move.
 */
#ifndef TEMPITCH_AUDIO_EXTENT_H
#define TEMPITCH_AUDIO_EXTENT_H

#include <stddef.h>

/* Checks the regular file open as `fd`, of `file_bytes` bytes.  Returns 1
 * when it holds less audio than its container declares, with the reason
 * in reason[size]: "truncated: header says N frames, file holds M" where
 * the container gives the size of a frame, "truncated: header says N
 * bytes of audio, file holds M" where it does not, "truncated: the stream
 * ends without its end mark" for Ogg; also 1 for a chained Ogg file
 * ("chained Ogg file (...): libsndfile would read only the first"), which
 * would be read short too.  Returns 0 when the file is whole,
 * declares no length, or is not a container listed above (libsndfile
 * then decides); a header too damaged to follow also gives 0 and is left
 * to libsndfile's own checks. */
int extent_truncated(int fd, long long file_bytes, char *reason, size_t size);

#endif /* TEMPITCH_AUDIO_EXTENT_H */
