/*
 * naming.h -- output file names.
 *
 * Pure string functions (no file system access), so the naming rules can
 * be read, and changed, in one place:
 *   - in a directory an output keeps its input's file name;
 *   - otherwise, or when that would be the input itself, the name gets a
 *     tag naming the change before the extension:
 *         song.wav -> song.p+3.T1.25.wav, song.f0.5.wav, song.t0.8.wav,
 *         song.D30.wav, and song.copy.wav when nothing changes.
 */
#ifndef TEMPITCH_CLI_NAMING_H
#define TEMPITCH_CLI_NAMING_H

#include "options.h"

#include <stddef.h>

/* Longest tag naming_tag can produce, with its terminator. */
enum { NAMING_TAG_MAX = 96 };

/* Writes the tag for the change in *o into tag[NAMING_TAG_MAX]: one part
 * per setting the user gave, each as the option letter and the value as
 * given (%g; pitch in semitones signed), pitch first; settings at their
 * default (-p 0, -f 1, -T 1, -t 1) are left out; "copy" when nothing is
 * left. */
void naming_tag(const struct cli_options *o, char tag[NAMING_TAG_MAX]);

/* One job's change as the user spelt it (a variant of a list, or a
 * manifest row, which spells pitch as 'p' and tempo as 'T'). */
struct naming_change {
    int pitch_opt;      /* 0, 'p' or 'f'                              */
    double pitch;       /* semitones for 'p' (and 0), ratio for 'f'   */
    int tempo_opt;      /* 0, 'T', 't' or 'D'                         */
    double tempo_value; /* speed factor, multiple or seconds          */
    int formant;        /* -F given                                   */
    double formant_st;  /* --formant-semitones, 0 when not given      */
};

/* naming_tag for one job's change. */
void naming_tag_of(const struct naming_change *c, char tag[NAMING_TAG_MAX]);

/* The {pitch} and {tempo} fields of name templates (template.h): the
 * values as given, pitch in semitones signed ("+3"); each buffer holds
 * NAMING_TAG_MAX bytes. */
void naming_values(const struct naming_change *c, char *pitch, char *tempo);

/* The file-name part of `path` (after the last '/'). */
const char *naming_base(const char *path);

/* Returns a new string: `path` with ".TAG" inserted before the extension
 * of its file name ("dir/a.b.wav" -> "dir/a.b.TAG.wav"; a name without an
 * extension, or a dot-file like ".x", gets ".TAG" at the end).  If `dir`
 * is not NULL, the result is in `dir` instead of the input's directory.
 * NULL when out of memory. */
char *naming_tagged(const char *dir, const char *path, const char *tag);

/* Returns a new string "DIR/NAME" (no doubled '/'), or NULL when out of
 * memory. */
char *naming_join(const char *dir, const char *name);

#endif /* TEMPITCH_CLI_NAMING_H */
