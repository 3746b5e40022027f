/*
 * options.h -- command-line parsing for the tempitch command.
 *
 * The command is a thin shim: parsing fills this struct, and everything
 * after that works from the struct alone.
 */
#ifndef TEMPITCH_CLI_OPTIONS_H
#define TEMPITCH_CLI_OPTIONS_H

#include "convert.h"

struct cli_options {
    struct convert_params params; /* tempo, pitch, force              */
    const char *input;            /* the one input file               */
    const char *output;           /* -o FILE                          */
    int quiet;                    /* -q: print nothing but errors     */
};

enum cli_parse_status {
    CLI_RUN,  /* *opts is filled; go and do the work          */
    CLI_DONE, /* --help or --version was printed; exit 0      */
    CLI_USAGE /* a usage error was printed on stderr; exit 2  */
};

/* Parses argv (which getopt_long may permute).  Every value is checked
 * strictly: a number must be consumed entirely, be finite and lie in the
 * engine's range (TP_* in tempitch/stretch.h).  Returns a
 * cli_parse_status; *opts is only meaningful for CLI_RUN. */
enum cli_parse_status options_parse(int argc, char **argv,
                                    struct cli_options *opts);

#endif /* TEMPITCH_CLI_OPTIONS_H */
