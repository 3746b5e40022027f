/*
 * optable.h -- the command's options, in one table (optable.c).
 *
 * A row says everything about one option: its long name and short
 * letter, how its value is read and where it is stored, which modes
 * accept it, and its lines in --help.  From the table come getopt_long's
 * option array and optstring and the mode checks (options.c) and the
 * option list of --help (help.c).  Rows without a long name are lines of
 * --help only (section headings, second spellings).
 */
#ifndef TEMPITCH_CLI_OPTABLE_H
#define TEMPITCH_CLI_OPTABLE_H

#include "options.h"

#include <stddef.h>

/* The modes an option means something in; an option given in a mode it
 * does not name is a usage error (options.c). */
enum {
    MODE_BATCH = 1, /* tempitch [OPTION]... FILE...                      */
    MODE_BENCH = 2, /* tempitch --bench ...                              */
    MODE_BOTH = MODE_BATCH | MODE_BENCH,
};

/* How a row's value is read and stored (at `at` in struct cli_options). */
enum opt_kind {
    OPT_HELP,   /* no option: a line of --help only                     */
    OPT_FLAG,   /* no value; the int at `at` becomes 1                 */
    OPT_NUMBER, /* a number in the row's range, into the double at `at` */
    OPT_INT,    /* an integer in the row's range, into the int at `at`  */
    OPT_TEXT,   /* a non-empty string, into the const char * at `at`    */
    OPT_CALL,   /* the row's `take` reads it (a value when `arg` is set) */
};

/* How the row's lo..hi become the range of its values (and of --help). */
enum opt_scale {
    SCALE_AS_IS,
    SCALE_RATIO,   /* lo..hi are semitones: the range is 2^(lo/12)..2^(hi/12) */
    SCALE_INVERSE, /* lo..hi are speed factors: the range is 1/hi..1/lo  */
};

struct option_parse;
struct cli_option;

/* Reads `value` (NULL for an option without one) for `row`.  Returns 0,
 * -1 after printing a usage error, or 1 when the command is done (--help,
 * --version printed). */
typedef int option_fn(struct option_parse *ps, const struct cli_option *row,
                      const char *value);

struct cli_option {
    const char *name; /* long name without "--"; NULL: --help only     */
    int key;          /* short letter, or 0 for none                  */
    enum opt_kind kind;
    unsigned modes;   /* MODE_*                                       */
    size_t at;        /* offsetof the field in struct cli_options     */
    option_fn *take;  /* OPT_CALL's reader                            */
    const char *what; /* "invalid WHAT 'x' (expected UNIT in LO..HI)"  */
    const char *unit; /* (OPT_TEXT: "empty WHAT name")                */
    double lo, hi;    /* range of OPT_NUMBER, OPT_INT and readers      */
    enum opt_scale scale;
    /* --help: "--name=ARG" (OPT_HELP: the whole label, NULL for a
     * heading) and the text beside it, a printf format given the range
     * (lo, hi) and the number of online CPUs, all as doubles; '\n' starts
     * another line in the text column. */
    const char *arg;
    const char *help;
};

/* The table, in --help's order, and its length. */
extern const struct cli_option optable[];
extern const size_t optable_size;

/* The range of row's values, scaled (see enum opt_scale). */
void optable_range(const struct cli_option *row, double *lo, double *hi);

/* The option as messages name it: "-x" when it has a short letter, else
 * "--name". */
const char *optable_spelling(const struct cli_option *row, char *buf,
                             size_t size);

#endif /* TEMPITCH_CLI_OPTABLE_H */
