/*
 * jsonl.c -- `--report FILE`: JSON Lines per job; see jsonl.h.
 *
 * A line is built in memory (open_memstream, so report.c's JSON string
 * writer serves here too) and then written with a single write(2): with
 * O_APPEND the kernel places each write at the end of the file as one
 * piece, which is what lets concurrent shards share the file.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "jsonl.h"
#include "message.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct jsonl {
    const char *path;
    int fd;
    int failed; /* a write failed: said once, no more lines */
};

struct jsonl *jsonl_open(const char *path)
{
    struct jsonl *r = malloc(sizeof *r);
    if (r == NULL) {
        message("tempitch: out of memory\n");
        return NULL;
    }
    r->path = path;
    r->failed = 0;
    r->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (r->fd < 0) {
        message("tempitch: %s: %s\n", path, strerror(errno));
        free(r);
        return NULL;
    }
    return r;
}

/* A number, or null for the "unknown" marker (negative) and non-finite. */
static void number(FILE *out, double v, const char *format)
{
    if (v < 0 || !isfinite(v))
        fputs("null", out);
    else
        fprintf(out, format, v);
}

static void string_or_null(FILE *out, const char *s)
{
    if (s == NULL)
        fputs("null", out);
    else
        report_json_string(out, s);
}

static void write_line(FILE *out, const struct cli_options *o,
                       const struct job *j)
{
    const struct convert_result *r = &j->result;
    int done = r->status == CONVERT_OK;
    int problem = r->status == CONVERT_FAILED || r->status == CONVERT_EXISTS;
    double semitones = j->params.pitch_is_ratio ? 12.0 * log2(j->params.pitch)
                                                : j->params.pitch;
    /* With -D a refused file never got its tempo. */
    int tempo_known =
        o->duration == 0 || done || r->status == CONVERT_UP_TO_DATE || j->runs;

    fputs("{\"input\":", out);
    report_json_string(out, j->input);
    fputs(",\"output\":", out);
    report_json_string(out, j->output);
    fprintf(out,
            ",\"status\":\"%s\",\"error\":", report_status_name(r->status));
    string_or_null(out, problem ? r->reason : NULL);
    fputs(",\"about\":", out);
    string_or_null(out, problem ? (r->about ? r->about : j->input) : NULL);
    fprintf(out, ",\"settings\":{\"semitones\":%.12g,\"pitch_ratio\":%.12g",
            semitones, exp2(semitones / 12.0));
    fputs(",\"tempo\":", out);
    number(out, tempo_known ? j->params.tempo : -1, "%.12g");
    fputs(",\"duration\":", out);
    number(out, o->duration > 0 ? o->duration : -1, "%.12g");
    fputs(",\"stamp\":", out);
    report_json_string(out, j->params.stamp);
    fputs("}", out);
    if (done)
        fprintf(out, ",\"frames_in\":%zu,\"frames_out\":%zu", r->frames_in,
                r->frames_out);
    else
        fputs(",\"frames_in\":null,\"frames_out\":null", out);
    fputs(",\"rate\":", out);
    number(out, r->rate > 0 ? r->rate : -1, "%.0f");
    fputs(",\"channels\":", out);
    number(out, r->channels > 0 ? r->channels : -1, "%.0f");
    fputs(",\"audio_seconds\":", out);
    number(out, done && r->rate > 0 ? (double)r->frames_in / r->rate : -1,
           "%.6f");
    fputs(",\"output_seconds\":", out);
    number(out, done && r->rate > 0 ? (double)r->frames_out / r->rate : -1,
           "%.6f");
    fputs(",\"seconds\":", out);
    number(out, j->took, "%.6f");
    fputs(",\"shard\":", out);
    if (o->shard_n > 0)
        fprintf(out, "\"%lu/%lu\"", o->shard_k, o->shard_n);
    else
        fputs("null", out);
    fputs("}\n", out);
}

/* One write(2) for the whole line; a short write (a full disk) is
 * finished with more, as nothing else can be done about it then. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int jsonl_job(struct jsonl *r, const struct cli_options *o, const struct job *j)
{
    if (r->failed)
        return -1;
    char *line = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&line, &len);
    int err = ENOMEM;
    if (out != NULL) {
        write_line(out, o, j);
        if (fclose(out) == 0 && line != NULL)
            err = write_all(r->fd, line, len);
    }
    free(line);
    if (err != 0) {
        message("tempitch: %s: write error: %s\n", r->path, strerror(err));
        r->failed = 1;
        return -1;
    }
    return 0;
}

int jsonl_close(struct jsonl *r)
{
    if (r == NULL)
        return 0;
    int rc = 0;
    if (close(r->fd) != 0) {
        message("tempitch: %s: %s\n", r->path, strerror(errno));
        rc = -1;
    }
    free(r);
    return rc;
}
