/*
 * naming.h -- output file names, in one place:
 *   - with --name, the template's expansion (template.h);
 *   - in a -o directory, with one job per input and no manifest, an
 *     output keeps its input's file name;
 *   - otherwise, or when keeping it would name the input itself, the name
 *     gets the tag of the job's settings (settings_tag) before the
 *     extension: song.wav -> song.p+3.T1.25.wav, song.f0.5.wav,
 *     song.t0.8.wav, song.D30.wav, and song.copy.wav when nothing changes.
 * The functions touch no file system: where the rules need to know
 * whether a name is the input, the caller answers (plan.c, by device and
 * inode).
 */
#ifndef TEMPITCH_CLI_NAMING_H
#define TEMPITCH_CLI_NAMING_H

#include "settings.h"

#include <stddef.h>

/* One job, as naming_output needs it. */
struct naming_job {
    const char *input;               /* as given                    */
    const struct settings *settings; /* its change, as spelt        */
    size_t variant;                  /* {variant} of templates      */
    const char *name_template;       /* --name, or NULL             */
    const char *format_ext;          /* --format's extension, or NULL */
    const char *dir;                 /* the output's directory is   */
    size_t dir_len;                  /* dir[0..dir_len) (0: none)   */
    int keep;                        /* the input's name may be kept */
};

/* The output path of *nj by the rules above (a new string; NULL when out
 * of memory).  is_input(path, arg), when not NULL, says whether a kept
 * name would be the input itself.  *bad is set when a --name template
 * gave a name that cannot be a file name (the path is then that name). */
char *naming_output(const struct naming_job *nj,
                    int (*is_input)(const char *path, void *arg), void *arg,
                    int *bad);

/* The file-name part of `path` (after the last '/'). */
const char *naming_base(const char *path);

/* Returns a new string "DIR/NAME" (no doubled '/'), or NULL when out of
 * memory; naming_join_n takes DIR as dir[0..dir_len) (0: NAME alone). */
char *naming_join_n(const char *dir, size_t dir_len, const char *name);
char *naming_join(const char *dir, const char *name);

#endif /* TEMPITCH_CLI_NAMING_H */
