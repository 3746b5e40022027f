/*
 * json.h -- the command's JSON (RFC 8259): one string writer, one number
 * writer, and the one object that describes a job, which --json (its
 * "files") and --report (one line each) share.
 *
 * The object of a job (members in this order; X: a number, N: an
 * integer, S: a string):
 *
 *   "input":S, ["input_bytes":S,] "output":S, ["output_bytes":S,]
 *   "status":"ok"|"failed"|"skipped"|"up-to-date",
 *   "error":S|null, "about":S|null,
 *   "settings":{"semitones":X, "pitch_ratio":X, "tempo":X|null,
 *               "duration":X|null, "stamp":S},
 *   "frames_in":N|null, "frames_out":N|null, "rate":N|null,
 *   "channels":N|null, "audio_seconds":X|null, "output_seconds":X|null,
 *   "seconds":X|null, "realtime":X|null, "clipped":N, "limited":N,
 *   "limiter_gain_db":X|null, "invalid_samples":N, "gain_db":X|null,
 *   "shard":"K/N"|null
 *
 * "error" is the reason a file failed or was skipped ("exists (use
 * --force to overwrite)") and "about" the path it is about; both null
 * otherwise.  "tempo" is the speed factor the file got (with -D its own;
 * null when -D could not give it one).  Frame counts, rate, channels and
 * output_seconds are those of a converted file; audio_seconds is the
 * input's length (decoded when converted, else from its header, else
 * null); "seconds" the time a worker spent on it.  The man page
 * (JSON OUTPUT) documents the fields for users.
 *
 * Names are bytes, not always UTF-8: a name that is not valid UTF-8 is
 * written with U+FFFD in place of each bad byte, and then also as
 * "input_bytes" / "output_bytes", every byte of the name as two
 * lower-case hex digits, so that a program can find the file.
 *
 * JSON_SCHEMA numbers this layout; it is the "schema" member of a
 * --report line and of the --json object.  Main thread only.
 */
#ifndef TEMPITCH_CLI_JSON_H
#define TEMPITCH_CLI_JSON_H

#include "options.h"
#include "plan.h"

#include <stdio.h>

/* 1: 0.1.0's two layouts (--json "reason", --report "error", ...);
 * 2: one object for both, "schema", names kept as bytes. */
#define JSON_SCHEMA 2

/* `text` as a JSON string: quotes, backslashes and control characters
 * escaped, bytes that are not valid UTF-8 as U+FFFD. */
void json_string(FILE *out, const char *text);

/* A number in printf `format`, or null for a negative value (the command's
 * "unknown") and for one that is not finite. */
void json_number(FILE *out, double v, const char *format);

/* The members of a "settings" object both layouts share (without the
 * braces): "semitones" and "pitch_ratio" of *s, "tempo" (`tempo`, null
 * when negative: not known) and "duration" (-D's seconds, null when 0). */
void json_settings(FILE *out, const struct settings *s, double tempo,
                   double duration);

/* The members of the object of job *j (without the braces). */
void json_job_members(FILE *out, const struct cli_options *o,
                      const struct job *j);

/* The --report line of job *j: {"schema":JSON_SCHEMA, then its members},
 * and a newline, in a string the caller frees, its length (without the
 * terminator) in *len; NULL when out of memory.  jsonl.c writes it, and
 * tempitch's Python module returns it as each file's result. */
char *json_job_line(const struct cli_options *o, const struct job *j,
                    size_t *len);

#endif /* TEMPITCH_CLI_JSON_H */
