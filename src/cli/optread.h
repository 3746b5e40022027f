/*
 * optread.h -- reading the values of options: the strict number
 * parsers and the readers (option_fn) of the rows that need more than
 * storing a value (optable.h).
 *
 * Every reader checks its value strictly (a number must be consumed
 * entirely, be finite and lie in its row's range) and prints the usage
 * error itself, with the valid range, prefixed "tempitch: ".
 */
#ifndef TEMPITCH_CLI_OPTREAD_H
#define TEMPITCH_CLI_OPTREAD_H

#include "optable.h"

/* The parser's state while it reads one command line. */
struct option_parse {
    struct cli_options *o;
    int threads_given; /* -j was given (--bench then takes it)          */
    int dither_given;  /* --dither or --no-dither was given             */
};

/* Prints "tempitch: MSG 'ARG'" (or "tempitch: MSG") and a pointer to
 * --help; for mistakes of syntax rather than of values.  Returns
 * CLI_USAGE. */
enum cli_parse_status usage_error(const char *msg, const char *arg);

/* Strict number: the whole of `text`, finite.  Returns 0 or -1 (nothing
 * printed). */
int parse_number(const char *text, double *value);

/* A tempo as -T and a manifest's tempo column spell it: a speed factor,
 * or X:Y, a change from X to Y BPM, which is the factor Y/X (X, Y > 0).
 * Each number is read with `number` (parse_number, or a stricter one).
 * Returns 0 with the factor in *factor (not range-checked), or -1 (nothing
 * printed). */
int parse_tempo_factor(const char *text, int (*number)(const char *, double *),
                       double *factor);

/* Strict number in [lo, hi], or -1 after "invalid WHAT 'TEXT' (expected
 * KIND in LO..HI)". */
int parse_ranged(const char *text, const char *what, const char *kind,
                 double lo, double hi, double *value);

/* Strict integer in [lo, hi] (digits, an optional sign), or -1 after
 * "invalid WHAT 'TEXT' (expected an integer in LO..HI)". */
int parse_int(const char *text, const char *what, long lo, long hi,
              long *value);

/* The readers of optable.c's OPT_CALL rows. */
/* -p -f: semitones or ratios; -T -t: speed factors (X:Y too) or
 * duration multiples; each a list A,B,C. */
option_fn read_list;
option_fn read_dither;
option_fn read_encoder;
option_fn read_duration;  /* -D SECONDS                               */
option_fn read_threads;   /* -j N                                     */
option_fn read_verbosity; /* -q -v: the last one wins                 */
option_fn read_formant_semitones;
option_fn read_quality; /* --fast --fine: one of them               */
option_fn read_format;  /* --format NAME                            */
option_fn read_subtype; /* --subtype NAME                           */
option_fn read_name;    /* --name TEMPLATE                          */
option_fn read_shard;   /* --shard K/N                              */
option_fn read_bench_jobs;
option_fn read_help;    /* -h: prints --help; done                  */
option_fn read_version; /* -V: prints the version; done             */

#endif /* TEMPITCH_CLI_OPTREAD_H */
