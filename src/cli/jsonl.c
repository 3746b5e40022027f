/*
 * jsonl.c -- `--report FILE`: JSON Lines per job; see jsonl.h.
 *
 * A line is built in memory (json_job_line) and then written with a
 * single write(2): with O_APPEND the kernel places each write at the end
 * of the file as one piece, which is what lets concurrent shards share
 * the file.
 */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC */

#include "jsonl.h"
#include "json.h"
#include "message.h"

#include <errno.h>
#include <fcntl.h>
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
    size_t len;
    char *line = json_job_line(o, j, &len);
    int err = line != NULL ? write_all(r->fd, line, len) : ENOMEM;
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
