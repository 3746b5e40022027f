/*
 * naming.h -- output file names, in one place:
 *   - with --name, the template's expansion (template.h);
 *   - in a -o directory, with one job per input and no manifest, an
 *     output keeps its input's file name;
 *   - otherwise, or when keeping it would name the input itself, the name
 *     gets a tag naming the change before the extension:
 *         song.wav -> song.p+3.T1.25.wav, song.f0.5.wav, song.t0.8.wav,
 *         song.D30.wav, and song.copy.wav when nothing changes.
 * The functions touch no file system: where the rules need to know
 * whether a name is the input, the caller answers (plan.c, by device and
 * inode).
 */
#ifndef TEMPITCH_CLI_NAMING_H
#define TEMPITCH_CLI_NAMING_H

#include "options.h"

#include <stddef.h>

/* Longest tag naming_tag can produce, with its terminator. */
enum { NAMING_TAG_MAX = 96 };

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

/* Writes the tag of one job's change into tag[NAMING_TAG_MAX]: one part
 * per setting the user gave, each as the option letter and the value as
 * given (%g; pitch in semitones signed), pitch first; settings at their
 * default (-p 0, -f 1, -T 1, -t 1) are left out; "copy" when nothing is
 * left. */
void naming_tag_of(const struct naming_change *c, char tag[NAMING_TAG_MAX]);

/* One job, as naming_output needs it. */
struct naming_job {
    const char *input;                  /* as given                    */
    const struct naming_change *change; /* its change, as spelt        */
    size_t variant;                     /* {variant} of templates      */
    const char *name_template;          /* --name, or NULL             */
    const char *format_ext;             /* --format's extension, or NULL */
    const char *dir;                    /* the output's directory is   */
    size_t dir_len;                     /* dir[0..dir_len) (0: none)   */
    int keep;                           /* the input's name may be kept */
};

/* The output path of *nj by the rules above (a new string; NULL when out
 * of memory).  is_input(path, arg), when not NULL, says whether a kept
 * name would be the input itself.  *bad is set when a --name template
 * gave a name that cannot be a file name (the path is then that name). */
char *naming_output(const struct naming_job *nj,
                    int (*is_input)(const char *path, void *arg), void *arg,
                    int *bad);

/* The {pitch} and {tempo} fields of name templates (template.h): the
 * values as given, pitch in semitones signed ("+3"); each buffer holds
 * NAMING_TAG_MAX bytes. */
void naming_values(const struct naming_change *c, char *pitch, char *tempo);

/* The file-name part of `path` (after the last '/'). */
const char *naming_base(const char *path);

/* Returns a new string "DIR/NAME" (no doubled '/'), or NULL when out of
 * memory; naming_join_n takes DIR as dir[0..dir_len) (0: NAME alone). */
char *naming_join_n(const char *dir, size_t dir_len, const char *name);
char *naming_join(const char *dir, const char *name);

#endif /* TEMPITCH_CLI_NAMING_H */
