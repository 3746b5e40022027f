/*
 * manifest.h -- the job list of --manifest: CSV, one job per row.
 *
 * Format (RFC 4180 style):
 *   - the first line that is not blank or a comment is the header: column
 *     names from input, output, pitch, tempo (any order, case ignored);
 *     input is required, each name at most once, nothing else allowed;
 *   - then one row per job, with as many fields as the header;
 *   - fields are separated by ','; a field that holds ',', '"' or a line
 *     break is written in double quotes, a '"' inside doubled ("");
 *     nothing is trimmed, so " a.wav" names a file starting with a space;
 *   - lines are ended by LF or CRLF; blank lines and lines whose first
 *     character is '#' are skipped (quote a path that starts with '#');
 *   - input: the input file (never empty); output: the output path, used
 *     as written (relative to the current directory, not to -o);
 *     pitch: semitones (like -p); tempo: a speed factor or X:Y BPM (like
 *     -T).  An empty output, pitch or tempo takes what the command line
 *     says for it.
 * Paths are relative to the current directory, as on the command line.
 */
#ifndef TEMPITCH_CLI_MANIFEST_H
#define TEMPITCH_CLI_MANIFEST_H

#include <stddef.h>

struct manifest_row {
    char *input;        /* never empty                                  */
    char *output;       /* NULL when the field is empty or absent       */
    int has_pitch;      /* the row gives a pitch ...                    */
    double pitch;       /* ... in semitones                             */
    int has_tempo;      /* the row gives a tempo ...                    */
    double tempo;       /* ... as a speed factor (X:Y already divided)  */
    unsigned long line; /* line the row starts on, from 1             */
};

struct manifest {
    struct manifest_row *rows;
    size_t nrows;
};

/* Parses text[len] (which need not be terminated) into *m.  Returns 0
 * (*m then holds at least one row and must be freed with manifest_free),
 * 1 when out of memory, or -1 with *line the line the error is on (0 when
 * it is about the whole text) and the reason in err[size], always
 * terminated.  *m holds nothing unless 0 is returned. */
int manifest_parse(const char *text, size_t len, struct manifest *m,
                   unsigned long *line, char *err, size_t size);

/* Reads the manifest at `path` ("-": standard input) and parses it.
 * Prints "tempitch: PATH:LINE: reason" (or "tempitch: PATH: reason", with
 * "stdin" for "-") and returns -1 on any error; 0 on success. */
int manifest_load(const char *path, struct manifest *m);

/* Frees what a successful parse allocated; safe on a zeroed manifest. */
void manifest_free(struct manifest *m);

#endif /* TEMPITCH_CLI_MANIFEST_H */
