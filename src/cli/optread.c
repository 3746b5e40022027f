/*
 * optread.c -- reading the values of options; see optread.h.
 */
#include "optread.h"
#include "help.h"
#include "message.h"
#include "sfformat.h"
#include "template.h"

#include <tempitch/stretch.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cli_parse_status usage_error(const char *msg, const char *arg)
{
    if (arg != NULL)
        message("tempitch: %s '%s'\n", msg, arg);
    else
        message("tempitch: %s\n", msg);
    fputs("Try 'tempitch --help' for more information.\n", message_stream());
    return CLI_USAGE;
}

/* strtod alone would accept "1.5x", "nan", "inf" and overflow to inf. */
int parse_number(const char *text, double *value)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v))
        return -1;
    *value = v;
    return 0;
}

int parse_ranged(const char *text, const char *what, const char *kind,
                 double lo, double hi, double *value)
{
    double v;
    if (parse_number(text, &v) == 0 && v >= lo && v <= hi) {
        *value = v;
        return 0;
    }
    message("tempitch: invalid %s '%s' (expected %s in %g..%g)\n", what, text,
            kind, lo, hi);
    return -1;
}

int parse_int(const char *text, const char *what, long lo, long hi, long *value)
{
    char *end = NULL;
    errno = 0;
    long v = 0;
    int ok = (isdigit((unsigned char)text[0]) ||
              ((text[0] == '-' || text[0] == '+') &&
               isdigit((unsigned char)text[1])));
    if (ok) {
        v = strtol(text, &end, 10);
        ok = *end == '\0' && errno == 0 && v >= lo && v <= hi;
    }
    if (!ok) {
        message("tempitch: invalid %s '%s' (expected an integer in %ld..%ld)\n",
                what, text, lo, hi);
        return -1;
    }
    *value = v;
    return 0;
}

int parse_tempo_factor(const char *text, int (*number)(const char *, double *),
                       double *factor)
{
    const char *colon = strchr(text, ':');
    double v;
    if (colon == NULL) {
        if (number(text, &v) != 0)
            return -1;
    } else {
        char from[64];
        size_t n = (size_t)(colon - text);
        double x, y;
        if (n >= sizeof from)
            return -1;
        memcpy(from, text, n);
        from[n] = '\0';
        if (number(from, &x) != 0 || number(colon + 1, &y) != 0 ||
            !(x > 0 && y > 0))
            return -1;
        v = y / x;
    }
    *factor = v;
    return 0;
}

/* -T takes a speed factor or X:Y in lo..hi.  Returns 0 with the factor in
 * *tempo, or -1 after a message that gives both forms and the range. */
static int parse_tempo(const char *text, double lo, double hi, double *tempo)
{
    double v = NAN;
    if (parse_tempo_factor(text, parse_number, &v) != 0)
        v = NAN;
    /* !(v >= lo) also catches NaN. */
    if (!(v >= lo && v <= hi)) {
        message("tempitch: invalid tempo '%s' (expected a speed factor in "
                "%g..%g, or X:Y BPM with Y/X in that range)\n",
                text, lo, hi);
        return -1;
    }
    *tempo = v;
    return 0;
}

/* Two spellings of one setting (-T/-t/-D, -p/-f) are refused together
 * rather than silently letting one win: a script mixing them is likely
 * wrong. */
static int check_spelling(int *seen, int opt, const char *setting)
{
    if (*seen != 0 && *seen != opt) {
        message("tempitch: -%c and -%c both set the %s; give only one\n", *seen,
                opt, setting);
        return -1;
    }
    *seen = opt;
    return 0;
}

/* One value of a -p -f -T -t list, by its row's range; -T also takes
 * X:Y.  Returns 0, or -1 after the message. */
static int list_value(const struct cli_option *row, const char *text, double *v)
{
    double lo, hi;
    optable_range(row, &lo, &hi);
    if (row->key == 'T')
        return parse_tempo(text, lo, hi, v);
    return parse_ranged(text, row->what, row->unit, lo, hi, v);
}

/* Whether a list that failed, such as "1,25", was more likely meant as a
 * number with a decimal comma: one comma with digits on both sides. */
static int decimal_comma(const char *text)
{
    const char *comma = strchr(text, ',');
    if (comma == NULL || strchr(comma + 1, ',') != NULL)
        return 0;
    const char *p = text + (text[0] == '-' || text[0] == '+');
    size_t left = strspn(p, "0123456789"), right = strspn(comma + 1, "0123456789");
    return left > 0 && p + left == comma && right > 0 && comma[1 + right] == '\0';
}

/* "A,B,C": each value as `row` reads it, at most CLI_VALUES_MAX (options.c
 * refuses the same option twice). */
static int parse_list(const char *text, const struct cli_option *row,
                      double *values, size_t *count)
{
    size_t n = 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (n == CLI_VALUES_MAX) {
            message("tempitch: too many values in '%s' (at most %d)\n", text,
                    CLI_VALUES_MAX);
            return -1;
        }
        char *piece = malloc(len + 1);
        if (piece == NULL) {
            fputs("tempitch: out of memory\n", message_stream());
            return -1;
        }
        memcpy(piece, p, len);
        piece[len] = '\0';
        int rc = list_value(row, piece, &values[n]);
        free(piece);
        if (rc != 0) {
            if (decimal_comma(text))
                message("tempitch: '%s' was read as a list of two values, "
                        "%.*s and %s (',' separates values); a decimal "
                        "point is written '.': %.*s.%s\n",
                        text, (int)strcspn(text, ","), text,
                        strchr(text, ',') + 1, (int)strcspn(text, ","), text,
                        strchr(text, ',') + 1);
            return -1;
        }
        n++;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    *count = n;
    return 0;
}

int read_list(struct option_parse *ps, const struct cli_option *row,
              const char *value)
{
    struct cli_options *o = ps->o;
    struct settings *s = &o->settings;
    int pitch = row->key == 'p' || row->key == 'f';
    double *values = pitch ? o->pitches : o->tempos;
    if (check_spelling(pitch ? &s->pitch_opt : &s->tempo_opt, row->key,
                       pitch ? "pitch" : "tempo") != 0 ||
        parse_list(value, row, values, pitch ? &o->npitch : &o->ntempo) != 0)
        return -1;
    if (pitch)
        settings_set_pitch(s, row->key, values[0]);
    else
        settings_set_tempo(s, row->key, values[0]);
    return 0;
}

int read_duration(struct option_parse *ps, const struct cli_option *row,
                  const char *value)
{
    struct cli_options *o = ps->o;
    double v;
    if (check_spelling(&o->settings.tempo_opt, row->key, "tempo") != 0)
        return -1;
    if (parse_number(value, &v) != 0 || !(v > 0)) {
        message("tempitch: invalid duration '%s' (expected seconds > 0)\n",
                value);
        return -1;
    }
    settings_set_tempo(&o->settings, row->key, v);
    return 0;
}

int read_threads(struct option_parse *ps, const struct cli_option *row,
                 const char *value)
{
    long n;
    if (parse_int(value, row->what, (long)row->lo, (long)row->hi, &n) != 0)
        return -1;
    ps->o->threads = (int)n;
    ps->threads_given = 1;
    return 0;
}

int read_verbosity(struct option_parse *ps, const struct cli_option *row,
                   const char *value)
{
    (void)value;
    ps->o->verbosity = row->key == 'q' ? VERBOSITY_QUIET : VERBOSITY_VERBOSE;
    return 0;
}

int read_formant_semitones(struct option_parse *ps,
                           const struct cli_option *row, const char *value)
{
    double v;
    if (parse_ranged(value, row->what, row->unit, row->lo, row->hi, &v) != 0)
        return -1;
    ps->o->settings.formant = 1;
    ps->o->settings.formant_semitones = v;
    return 0;
}

/* --fast and --fine together are a usage error, not "the last wins": a
 * script that appends one to a command that already has the other has a
 * bug worth seeing. */
/* --flac-level, --lossy-quality, --bitrate-mode: the encoder settings of
 * convert.h's struct convert_format, each marked as given. */
int read_encoder(struct option_parse *ps, const struct cli_option *row,
                 const char *value)
{
    struct convert_format *f = &ps->o->format;
    long n;
    if (strcmp(row->name, "bitrate-mode") == 0) {
        int mode = convert_bitrate_named(value);
        if (mode < 0) {
            message("tempitch: invalid bitrate mode '%s' (expected constant, "
                    "average or variable)\n",
                    value);
            return -1;
        }
        f->bitrate_mode = mode;
        f->set |= CONVERT_SET_BITRATE_MODE;
        return 0;
    }
    if (parse_int(value, row->what, (long)row->lo, (long)row->hi, &n) != 0)
        return -1;
    if (strcmp(row->name, "flac-level") == 0) {
        f->flac_level = (int)n;
        f->set |= CONVERT_SET_FLAC_LEVEL;
    } else {
        f->lossy_quality = (int)n;
        f->set |= CONVERT_SET_LOSSY_QUALITY;
    }
    return 0;
}

/* --dither MODE and --no-dither: one setting, so the two asking for
 * different modes are a usage error (--dither twice options.c refuses;
 * --no-dither may repeat, as options without a value may). */
int read_dither(struct option_parse *ps, const struct cli_option *row,
                const char *value)
{
    (void)row;
    int mode = value == NULL ? DITHER_NONE : dither_mode_named(value);
    if (mode < 0) {
        message("tempitch: invalid dither '%s' (expected tpdf, shaped or "
                "none)\n",
                value);
        return -1;
    }
    if (ps->dither_given && ps->o->policy.dither != (enum dither_mode)mode) {
        message("tempitch: --dither and --no-dither both set the dither; "
                "give only one\n");
        return -1;
    }
    ps->dither_given = 1;
    ps->o->policy.dither = (enum dither_mode)mode;
    return 0;
}

int read_quality(struct option_parse *ps, const struct cli_option *row,
                 const char *value)
{
    (void)value;
    struct settings *s = &ps->o->settings;
    enum tp_quality q =
        strcmp(row->name, "fast") == 0 ? TP_QUALITY_FAST : TP_QUALITY_FINE;
    if (s->quality != TP_QUALITY_BALANCED && s->quality != q) {
        message("tempitch: --fast and --fine both set the "
                "quality; give only one\n");
        return -1;
    }
    s->quality = q;
    return 0;
}

/* --format NAME: the major format, its implied subtype as a hint, and the
 * extension output names get. */
int read_format(struct option_parse *ps, const struct cli_option *row,
                const char *value)
{
    (void)row;
    const struct sfformat_name *f = sfformat_major_named(value);
    if (f == NULL) {
        message("tempitch: unknown format '%s' (expected one of: %s)\n", value,
                sfformat_major_names());
        return -1;
    }
    ps->o->format.major = f->format;
    ps->o->format.hint = f->subtype;
    ps->o->format_ext = f->ext;
    return 0;
}

int read_subtype(struct option_parse *ps, const struct cli_option *row,
                 const char *value)
{
    (void)row;
    const struct sfformat_name *f = sfformat_subtype_named(value);
    if (f == NULL) {
        message("tempitch: unknown subtype '%s' (expected one of: %s)\n", value,
                sfformat_subtype_names());
        return -1;
    }
    ps->o->format.subtype = f->format;
    return 0;
}

int read_name(struct option_parse *ps, const struct cli_option *row,
              const char *value)
{
    (void)row;
    char why[160];
    if (template_check(value, why, sizeof why) != 0) {
        message("tempitch: invalid --name '%s': %s\n", value, why);
        return -1;
    }
    ps->o->name_template = value;
    return 0;
}

/* "K/N": two strict decimal integers, 1 <= K <= N <= max. */
static int parse_shard(const char *text, unsigned long max, unsigned long *k,
                       unsigned long *n)
{
    char *end = NULL;
    unsigned long a = 0, b = 0;
    int ok = isdigit((unsigned char)text[0]);
    if (ok) {
        errno = 0;
        a = strtoul(text, &end, 10);
        ok = errno == 0 && *end == '/' && isdigit((unsigned char)end[1]);
    }
    if (ok) {
        const char *rest = end + 1;
        b = strtoul(rest, &end, 10);
        ok = errno == 0 && *end == '\0' && a >= 1 && a <= b && b <= max;
    }
    if (!ok) {
        message("tempitch: invalid shard '%s' (expected K/N with 1 <= K <= N "
                "<= %lu)\n",
                text, max);
        return -1;
    }
    *k = a;
    *n = b;
    return 0;
}

int read_shard(struct option_parse *ps, const struct cli_option *row,
               const char *value)
{
    return parse_shard(value, (unsigned long)row->hi, &ps->o->shard_k,
                       &ps->o->shard_n);
}

int read_bench_jobs(struct option_parse *ps, const struct cli_option *row,
                    const char *value)
{
    long n;
    if (parse_int(value, row->what, (long)row->lo, (long)row->hi, &n) != 0)
        return -1;
    ps->o->bench_opts.tasks = (size_t)n;
    return 0;
}

int read_help(struct option_parse *ps, const struct cli_option *row,
              const char *value)
{
    (void)ps, (void)row, (void)value;
    help_print();
    return 1;
}

int read_version(struct option_parse *ps, const struct cli_option *row,
                 const char *value)
{
    (void)ps, (void)row, (void)value;
    help_print_version();
    return 1;
}
