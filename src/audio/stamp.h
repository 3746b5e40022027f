/*
 * stamp.h -- the settings stamp: a text that says how an output was made,
 * stored in the output file itself.
 *
 * `tempitch --newer` must know whether an existing output was made with
 * the settings asked for now.  The output is the only record that travels
 * with it (a side file could be lost, copied or shared by several
 * processes), so the settings are written into it as libsndfile's
 * SF_STR_SOFTWARE string.  libsndfile appends its own version to that
 * string when it writes it: "STAMP (libsndfile-1.2.0)".
 *
 * Formats that keep the string (checked with libsndfile 1.2): WAV, WAVEX,
 * RF64, AIFF, CAF (an info chunk), FLAC, Ogg Vorbis and Ogg Opus (a
 * comment); MP3 keeps it as its ID3 comment instead (which then replaces
 * a comment copied from the input).  W64, AU and the others keep none:
 * for them nothing can tell (stamp_check says so, and --newer makes them
 * again).
 *
 * The stamp is plain text without a time or a host name, so an output
 * stays byte-identical from run to run.
 */
#ifndef TEMPITCH_AUDIO_STAMP_H
#define TEMPITCH_AUDIO_STAMP_H

#include <sndfile.h>

/* Stores `stamp` in `f`, opened for writing as `format` (SF_FORMAT_*) and
 * with no audio written yet (FLAC and Ogg write their comments with the
 * first audio).  An empty stamp, or a format that keeps no strings, stores
 * nothing; neither is an error.  Thread-safe for different handles. */
void stamp_write(SNDFILE *f, int format, const char *stamp);

/* The string of `f` (open for reading, of `format`) where a stamp is
 * kept, or NULL: none in the file, or the format keeps none. */
const char *stamp_stored(SNDFILE *f, int format);

enum stamp_result {
    STAMP_SAME,      /* the file holds exactly `stamp`                   */
    STAMP_DIFFERENT, /* the file holds strings, but not `stamp`: another
                        setting, another version, or another program     */
    STAMP_UNKNOWN,   /* the format keeps no strings: nothing to compare  */
    STAMP_UNREADABLE /* not an audio file libsndfile can open            */
};

/* Whether `software` (a file's SOFTWARE string, may be NULL) is a stamp
 * of tempitch's: "tempitch " and a version.  Such a file is an output of
 * tempitch, which a batch does not take as an input unless asked (its
 * --include-outputs). */
int stamp_is_tempitch(const char *software);

/* Compares the stamp stored in the audio file at `path` with `stamp`.
 * Opens the file through sfio (so it is safe beside workers), reads only
 * its header, and closes it. */
enum stamp_result stamp_check(const char *path, const char *stamp);

#endif /* TEMPITCH_AUDIO_STAMP_H */
