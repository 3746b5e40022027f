/*
 * manifest.c -- the job list of --manifest; see manifest.h.
 *
 * The whole file is read into memory first: a manifest of 100 000 rows is
 * a few megabytes, and a parser over one buffer is simpler to get right
 * (and to fuzz) than one over a stream.
 */
#include "manifest.h"
#include "message.h"
#include "optread.h"

#include <tempitch/stretch.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum column { COL_INPUT, COL_OUTPUT, COL_PITCH, COL_TEMPO, NCOLUMNS };
static const char *const column_names[NCOLUMNS] = {"input", "output", "pitch",
                                                   "tempo"};

/* A manifest has at most this many columns (the four names, once each). */
enum { MAX_FIELDS = NCOLUMNS };

struct parser {
    const char *p, *end;
    unsigned long line; /* of p */
    unsigned long *err_line;
    char *err;
    size_t err_size;
    /* One record's fields, copied out (unquoted). */
    char *field[MAX_FIELDS];
    size_t nfields;
    int too_many; /* a record had more than MAX_FIELDS fields */
    size_t extra; /* how many more                               */
};

static int error_at(struct parser *ps, unsigned long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    *ps->err_line = line;
    vsnprintf(ps->err, ps->err_size, fmt, ap);
    va_end(ap);
    return -1;
}

static void clear_fields(struct parser *ps)
{
    for (size_t i = 0; i < ps->nfields; i++) {
        free(ps->field[i]);
        ps->field[i] = NULL;
    }
    ps->nfields = 0;
    ps->too_many = 0;
    ps->extra = 0;
}

/* At a line end (LF or CRLF)?  Returns its length, or 0. */
static size_t line_end(const struct parser *ps)
{
    if (ps->p < ps->end && ps->p[0] == '\n')
        return 1;
    if (ps->end - ps->p >= 2 && ps->p[0] == '\r' && ps->p[1] == '\n')
        return 2;
    return 0;
}

/* Skips blank and comment lines before a record.  Returns 1 if a record
 * starts at p, 0 at the end of the text. */
static int skip_to_record(struct parser *ps)
{
    for (;;) {
        if (ps->p >= ps->end)
            return 0;
        size_t n = line_end(ps);
        if (n > 0) {
            ps->p += n;
            ps->line++;
        } else if (ps->p[0] == '#') {
            while (ps->p < ps->end && ps->p[0] != '\n')
                ps->p++;
        } else {
            return 1;
        }
    }
}

/* Keeps one field (text[n], already unquoted). */
static int keep_field(struct parser *ps, const char *text, size_t n)
{
    if (ps->nfields == MAX_FIELDS) {
        ps->too_many = 1;
        ps->extra++;
        return 0;
    }
    char *s = malloc(n + 1);
    if (s == NULL)
        return 1;
    memcpy(s, text, n);
    s[n] = '\0';
    ps->field[ps->nfields++] = s;
    return 0;
}

/* Reads one record at p into ps->field.  Returns 0, 1 when out of
 * memory, -1 on a syntax error. */
static int read_record(struct parser *ps)
{
    for (;;) {
        const char *s = ps->p;
        if (s < ps->end && *s == '"') {
            /* Quoted: copied with "" turned into ". */
            unsigned long qline = ps->line;
            size_t cap;
            const char *q = s + 1;
            for (; q < ps->end; q++) {
                if (*q == '"') {
                    if (q + 1 < ps->end && q[1] == '"') {
                        q++;
                        continue;
                    }
                    break;
                }
            }
            if (q >= ps->end)
                return error_at(ps, qline, "unterminated quoted field");
            cap = (size_t)(q - s);
            char *buf = malloc(cap + 1);
            if (buf == NULL)
                return 1;
            size_t n = 0;
            for (const char *c = s + 1; c < q; c++) {
                if (*c == '\n')
                    ps->line++;
                buf[n++] = *c;
                if (*c == '"')
                    c++; /* the second quote of a pair */
            }
            ps->p = q + 1;
            int rc = keep_field(ps, buf, n);
            free(buf);
            if (rc != 0)
                return rc;
            if (ps->p < ps->end && *ps->p != ',' && line_end(ps) == 0)
                return error_at(ps, ps->line,
                                "text after the closing quote of a field");
        } else {
            const char *c = s;
            while (c < ps->end && *c != ',' && *c != '\n' &&
                   !(*c == '\r' && c + 1 < ps->end && c[1] == '\n')) {
                if (*c == '"')
                    return error_at(ps, ps->line,
                                    "'\"' inside an unquoted field (quote "
                                    "the whole field and double the '\"')");
                c++;
            }
            if (keep_field(ps, s, (size_t)(c - s)) != 0)
                return 1;
            ps->p = c;
        }
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        size_t n = line_end(ps);
        ps->p += n;
        if (n > 0)
            ps->line++;
        return 0;
    }
}

/* Strict number: all of `text`, finite (no "nan", "1x"), and, unlike
 * the command line's, no leading space: nothing in a field is trimmed. */
static int field_number(const char *text, double *v)
{
    if (isspace((unsigned char)text[0]))
        return -1; /* strtod would skip it */
    return parse_number(text, v);
}

static int parse_pitch(const char *text, double *v)
{
    return field_number(text, v) == 0 && *v >= TP_SEMITONES_MIN &&
                   *v <= TP_SEMITONES_MAX
               ? 0
               : -1;
}

/* A speed factor or X:Y BPM, as -T takes it. */
static int parse_tempo(const char *text, double *v)
{
    double t;
    if (parse_tempo_factor(text, field_number, &t) != 0 ||
        !(t >= TP_TEMPO_MIN && t <= TP_TEMPO_MAX))
        return -1;
    *v = t;
    return 0;
}

static int column_named(const char *s)
{
    for (int c = 0; c < NCOLUMNS; c++) {
        const char *n = column_names[c];
        size_t i = 0;
        while (n[i] != '\0' && tolower((unsigned char)s[i]) == n[i])
            i++;
        if (n[i] == '\0' && s[i] == '\0')
            return c;
    }
    return -1;
}

/* The header record: which column each field is. */
static int read_header(struct parser *ps, unsigned long line, int *cols,
                       size_t *ncols)
{
    int seen[NCOLUMNS] = {0};
    if (ps->too_many)
        return error_at(ps, line,
                        "%zu columns in the header (at most %d: input, "
                        "output, pitch, tempo)",
                        ps->nfields + ps->extra, NCOLUMNS);
    for (size_t i = 0; i < ps->nfields; i++) {
        int c = column_named(ps->field[i]);
        if (c < 0)
            return error_at(ps, line,
                            "unknown column '%.60s' in the header (expected "
                            "input, output, pitch, tempo)",
                            ps->field[i]);
        if (seen[c])
            return error_at(ps, line, "column '%s' given twice",
                            column_names[c]);
        seen[c] = 1;
        cols[i] = c;
    }
    if (!seen[COL_INPUT])
        return error_at(ps, line, "no 'input' column in the header");
    *ncols = ps->nfields;
    return 0;
}

/* One data record into *row. */
static int take_row(struct parser *ps, const int *cols, size_t ncols,
                    unsigned long line, struct manifest_row *row)
{
    size_t got = ps->nfields + ps->extra;
    if (got != ncols)
        return error_at(ps, line, "%zu field%s, the header has %zu", got,
                        got == 1 ? "" : "s", ncols);
    memset(row, 0, sizeof *row);
    row->line = line;
    for (size_t i = 0; i < ncols; i++) {
        char *f = ps->field[i];
        switch (cols[i]) {
        case COL_INPUT:
            if (f[0] == '\0')
                return error_at(ps, line, "empty input");
            break;
        case COL_OUTPUT:
            break;
        case COL_PITCH:
            if (f[0] != '\0') {
                if (parse_pitch(f, &row->pitch) != 0)
                    return error_at(ps, line,
                                    "invalid pitch '%.60s' (expected "
                                    "semitones in %g..%g)",
                                    f, TP_SEMITONES_MIN, TP_SEMITONES_MAX);
                row->has_pitch = 1;
            }
            break;
        case COL_TEMPO:
            if (f[0] != '\0') {
                if (parse_tempo(f, &row->tempo) != 0)
                    return error_at(ps, line,
                                    "invalid tempo '%.60s' (expected a "
                                    "speed factor in %g..%g, or X:Y BPM)",
                                    f, TP_TEMPO_MIN, TP_TEMPO_MAX);
                row->has_tempo = 1;
            }
            break;
        }
    }
    /* Ownership of the kept strings moves to the row. */
    for (size_t i = 0; i < ncols; i++) {
        if (cols[i] == COL_INPUT) {
            row->input = ps->field[i];
            ps->field[i] = NULL;
        } else if (cols[i] == COL_OUTPUT && ps->field[i][0] != '\0') {
            row->output = ps->field[i];
            ps->field[i] = NULL;
        }
    }
    return 0;
}

int manifest_parse(const char *text, size_t len, struct manifest *m,
                   unsigned long *line, char *err, size_t size)
{
    memset(m, 0, sizeof *m);
    struct parser ps = {.p = text,
                        .end = text + len,
                        .line = 1,
                        .err_line = line,
                        .err = err,
                        .err_size = size};
    *line = 0;
    err[0] = '\0';
    /* A UTF-8 byte order mark, as spreadsheets write ("CSV UTF-8"), is an
     * encoding marker, not part of the first column's name. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        ps.p += 3;
    const char *nul = len > 0 ? memchr(text, '\0', len) : NULL;
    if (nul != NULL) {
        unsigned long l = 1;
        for (const char *c = text; c < nul; c++)
            l += *c == '\n';
        return error_at(&ps, l, "NUL byte (not a text file)");
    }
    int cols[MAX_FIELDS];
    size_t ncols = 0, cap = 0;
    int rc = 0, have_header = 0;
    while (rc == 0 && skip_to_record(&ps)) {
        unsigned long start = ps.line;
        clear_fields(&ps);
        rc = read_record(&ps);
        if (rc != 0)
            break;
        if (!have_header) {
            rc = read_header(&ps, start, cols, &ncols);
            have_header = 1;
            continue;
        }
        if (m->nrows == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            struct manifest_row *r = realloc(m->rows, ncap * sizeof *r);
            if (r == NULL) {
                rc = 1;
                break;
            }
            m->rows = r;
            cap = ncap;
        }
        rc = take_row(&ps, cols, ncols, start, &m->rows[m->nrows]);
        if (rc == 0)
            m->nrows++;
    }
    clear_fields(&ps);
    if (rc == 0 && !have_header)
        rc = error_at(&ps, 0,
                      "no header line (expected e.g. "
                      "'input,output,pitch,tempo')");
    else if (rc == 0 && m->nrows == 0)
        rc = error_at(&ps, 0, "no rows after the header (nothing to do)");
    if (rc != 0)
        manifest_free(m);
    return rc;
}

/* Reads all of `f` into a new buffer.  Returns 0 or an errno value. */
static int slurp(FILE *f, char **text, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        return ENOMEM;
    for (;;) {
        if (n == cap) {
            char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                free(buf);
                return ENOMEM;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int err = errno ? errno : EIO;
        free(buf);
        return err;
    }
    *text = buf;
    *len = n;
    return 0;
}

int manifest_load(const char *path, struct manifest *m)
{
    memset(m, 0, sizeof *m);
    int from_stdin = strcmp(path, "-") == 0;
    const char *name = from_stdin ? "stdin" : path;
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        message("tempitch: %s: %s\n", name, strerror(errno));
        return -1;
    }
    char *text = NULL;
    size_t len = 0;
    int err = slurp(f, &text, &len);
    if (!from_stdin)
        fclose(f);
    if (err != 0) {
        message("tempitch: %s: %s\n", name, strerror(err));
        return -1;
    }
    char reason[256];
    unsigned long line = 0;
    int rc = manifest_parse(text, len, m, &line, reason, sizeof reason);
    free(text);
    if (rc == 1) {
        fputs("tempitch: out of memory\n", message_stream());
        return -1;
    }
    if (rc != 0) {
        if (line > 0)
            message("tempitch: %s:%lu: %s\n", name, line, reason);
        else
            message("tempitch: %s: %s\n", name, reason);
        return -1;
    }
    return 0;
}

void manifest_free(struct manifest *m)
{
    for (size_t i = 0; m->rows != NULL && i < m->nrows; i++) {
        free(m->rows[i].input);
        free(m->rows[i].output);
    }
    free(m->rows);
    memset(m, 0, sizeof *m);
}
