/*
 * report.h -- what the command tells the user after the work.
 */
#ifndef TEMPITCH_CLI_REPORT_H
#define TEMPITCH_CLI_REPORT_H

#include "convert.h"

/* Prints the clipping warning (stderr) and the summary line (stdout) for
 * one converted file:
 *   IN -> OUT: 3.000 s -> 2.400 s in 0.041 s (73.2x realtime)
 * Prints nothing when `quiet`. */
void report_file(const char *in_path, const char *out_path,
                 const struct convert_result *r, int quiet);

#endif /* TEMPITCH_CLI_REPORT_H */
