/*
 * report.h -- what the command tells the user: one report per file as it
 * completes (stderr), and the timing table or JSON after the batch
 * (stdout).
 *
 * Per file, on stderr, in input order (the caller guarantees the order):
 *   tempitch: FILE: reason                  a failure or a skip (always)
 *   tempitch: FILE: N invalid samples (...) replaced by 0      unless -q
 *   tempitch: OUT: N samples clipped        unless -q (--clip, --normalize)
 *   tempitch: OUT: limited N samples, max -X.X dB               unless -q
 *   IN -> OUT: 3.000 s -> 2.400 s in 0.041 s (73.2x realtime)   with -v
 *   IN -> OUT: up to date                   with -v (--newer)
 *
 * The table, on stdout (column "input"; control characters shown as '?'):
 *   input      audio s   time s  x realtime  status
 *   a.wav        3.000    0.041        73.2  ok, normalized -1.3 dB
 *   b.wav        1.000        -           -  failed: reason
 *   c.wav        2.000        -           -  skipped: exists
 *   d.wav        1.000        -           -  up to date
 *   files: 1 ok, 1 failed, 1 skipped, 1 up to date (4 in all)
 *   time: wall 0.045 s, sum of file times 0.041 s, speedup 1.82x on
 *         2 threads, parallel efficiency 91 %
 * (the last two lines are one line each).  On one thread (one file, -j 1)
 * there is no speedup to report; the last line is then
 *   time: wall 0.045 s, of which 0.041 s in the file (1 file, 1 thread)  The JSON object has the same
 * data; see report_json.
 */
#ifndef TEMPITCH_CLI_REPORT_H
#define TEMPITCH_CLI_REPORT_H

#include "options.h"
#include "plan.h"

#include <stdio.h>

/* The batch as a whole, for the summary. */
struct batch_stats {
    size_t ok, failed, skipped;
    size_t up_to_date; /* --newer found the output current (not an error) */
    int report_failed; /* --report could not be written (exit status 1)  */
    int stopped;       /* run_batch_until was told to stop               */
    double wall; /* seconds from the first job start to the last report  */
    double sum;  /* the per-file times added up: what one worker needed */
    int threads; /* worker threads used: min(-j, jobs that ran)          */
};

/* The status of a job as JSON names it: "ok", "failed", "skipped" (the
 * output exists) or "up-to-date" (--newer). */
const char *report_status_name(enum convert_status s);

/* What the lines, the table and the JSON say of a job: the input's length
 * in seconds (decoded frames once converted, else the header's, else -1),
 * the output's (-1 unless converted), x realtime (-1 unless converted),
 * the gain --normalize applied and the limiter's lowest gain, in dB (0
 * when none). */
double report_audio_seconds(const struct job *j);
double report_output_seconds(const struct job *j);
double report_realtime(const struct job *j);
double report_gain_db(const struct convert_result *r);
double report_limit_db(const struct convert_result *r);

/* 1 when report_file would print something for *j at this verbosity
 * (so a progress line can be erased first, and only then); 0 for every
 * job once stderr has failed (ferror): messages stop, the batch goes on. */
int report_file_prints(const struct job *j, enum cli_verbosity v);

/* Prints the per-file lines for the finished job *j on stderr (see
 * above). */
void report_file(const struct job *j, enum cli_verbosity v);

/* With -v: the settings of the batch, on stderr, before it runs. */
void report_settings(const struct cli_options *o, const struct plan *p,
                     int threads);

/* The timing table and its summary lines. */
void report_table(FILE *out, const struct plan *p,
                  const struct batch_stats *st);

/* The same data as one JSON object (RFC 8259), followed by a newline:
 *   {"schema":JSON_SCHEMA, "version":S,
 *    "settings":{"semitones":X, "pitch_ratio":X, "tempo":X|null,
 *                "duration":X|null, "semitones_list":[X...],
 *                "tempo_list":[X|null...], "threads":N (-j), "force":B,
 *                "normalize":B, "clip":B, "sync":B,
 *                "quality":"fast"|"balanced"|"fine"},
 *    "files":[the object of each job (json.h), ...],
 *    "summary":{"files":N, "ok":N, "failed":N, "skipped":N, "up_to_date":N,
 *               "wall_seconds":X, "sum_seconds":X, "speedup":X|null,
 *               "threads":N (used), "efficiency":X|null}}
 * "clipped" counts the samples clipped at full scale (with --clip or
 * --normalize; 0 when the limiter ran), "limited" the samples beyond the
 * ceiling the limiter brought down and "limiter_gain_db" the lowest gain
 * it applied (<= 0; null when it did nothing), "gain_db" the gain of
 * --normalize.  Numbers are always finite: undefined ratios are null. */
void report_json(FILE *out, const struct cli_options *o, const struct plan *p,
                 const struct batch_stats *st);

#endif /* TEMPITCH_CLI_REPORT_H */
