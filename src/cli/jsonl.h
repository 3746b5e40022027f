/*
 * jsonl.h -- `--report FILE`: one JSON line per job, appended to FILE.
 *
 * Each line is one JSON object (JSON Lines), written when the job is
 * reported (in input order): {"schema":JSON_SCHEMA, then the members of
 * the job's object (json.h), the same as in --json's "files"}.
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
