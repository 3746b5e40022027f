/*
 * help.h -- the text of `tempitch --help` and `--version` (stdout).
 */
#ifndef TEMPITCH_CLI_HELP_H
#define TEMPITCH_CLI_HELP_H

/* The usage, every option with its range and default, the exit status. */
void help_print(void);

/* "tempitch VERSION (engine VERSION, libsndfile-VERSION)". */
void help_print_version(void);

#endif /* TEMPITCH_CLI_HELP_H */
