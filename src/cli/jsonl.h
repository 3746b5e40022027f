/*
 * jsonl.h -- `--report FILE`: one JSON line per job, appended to FILE.
 *
 * Each line is one JSON object (JSON Lines), written when the job is
 * reported (in input order):
 *
 *   {"input":STR, "output":STR,
 *    "status":"ok"|"failed"|"skipped"|"up-to-date",
 *    "error":STR|null, "about":STR|null,
 *    "settings":{"semitones":X, "pitch_ratio":X, "tempo":X|null,
 *                "duration":X|null, "stamp":STR},
 *    "frames_in":N|null, "frames_out":N|null, "rate":N|null,
 *    "channels":N|null, "audio_seconds":X|null, "output_seconds":X|null,
 *    "seconds":X|null, "shard":"K/N"|null}
 *
 * "error" is the reason ("exists (use --force to overwrite)") and "about"
 * the path it is about; both null unless failed or skipped.  "tempo" is
 * the speed factor the file got (with -D its own; null when -D could not
 * give it one); "stamp" the settings stamp stored in the output
 * (select.h).  Frame counts, rate and channels are those of a converted
 * file, "seconds" the time a worker spent on it; null otherwise.  Strings
 * are escaped as report_json_string does (any byte of a path is safe).
 *
 * Appending is atomic per line: the file is opened with O_APPEND and each
 * line goes out in one write(2), so several processes (shards) can append
 * to one file and their lines never interleave within a line (on a local
 * file system; NFS does not make O_APPEND atomic between hosts).  The file
 * is created (mode 0666 minus the umask) if missing, never truncated.
 * Main thread only.
 */
#ifndef TEMPITCH_CLI_JSONL_H
#define TEMPITCH_CLI_JSONL_H

#include "options.h"
#include "plan.h"

struct jsonl;

/* Opens (creates) `path` for appending.  Returns the handle, or NULL after
 * printing "tempitch: PATH: reason". */
struct jsonl *jsonl_open(const char *path);

/* Appends the line of the reported job *j.  Returns 0, or -1 after
 * printing "tempitch: PATH: write error: reason" (only for the first
 * failure; later lines are not attempted). */
int jsonl_job(struct jsonl *r, const struct cli_options *o,
              const struct job *j);

/* Closes the file; NULL is ignored.  Returns 0, or -1 after printing why
 * closing failed. */
int jsonl_close(struct jsonl *r);

#endif /* TEMPITCH_CLI_JSONL_H */
