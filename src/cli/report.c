/*
 * report.c -- what the command tells the user after the work.
 */
#include "report.h"

#include <stdio.h>

void report_file(const char *in_path, const char *out_path,
                 const struct convert_result *r, int quiet)
{
    if (quiet)
        return;
    if (r->clipped > 0)
        fprintf(stderr, "tempitch: %s: %zu samples clipped\n", out_path,
                r->clipped);
    double in_s = r->rate > 0 ? (double)r->frames_in / r->rate : 0.0;
    double out_s = r->rate > 0 ? (double)r->frames_out / r->rate : 0.0;
    /* A tiny file can finish within the clock's resolution. */
    double took = r->seconds > 1e-6 ? r->seconds : 1e-6;
    printf("%s -> %s: %.3f s -> %.3f s in %.3f s (%.1fx realtime)\n", in_path,
           out_path, in_s, out_s, r->seconds, in_s / took);
}
