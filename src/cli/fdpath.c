/*
 * fdpath.c -- names that are open file descriptors; see fdpath.h.
 */
#define _DEFAULT_SOURCE /* realpath, readlink */

#include "fdpath.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 when `dir` (a real path) is /proc/PID/fd or /proc/PID/task/TID/fd;
 * *pid is then PID. */
static int is_fd_directory(const char *dir, long *pid)
{
    char *end;
    if (strncmp(dir, "/proc/", 6) != 0)
        return 0;
    *pid = strtol(dir + 6, &end, 10);
    if (end == dir + 6)
        return 0;
    if (strcmp(end, "/fd") == 0)
        return 1;
    if (strncmp(end, "/task/", 6) != 0)
        return 0;
    const char *tid = end + 6;
    strtol(tid, &end, 10);
    return end != tid && strcmp(end, "/fd") == 0;
}

int fdpath_descriptor(const char *path, int *own)
{
    char cur[PATH_MAX], dir[PATH_MAX], real[PATH_MAX], link[PATH_MAX];
    if (snprintf(cur, sizeof cur, "%s", path) >= (int)sizeof cur)
        return -1;
    /* The directory part is resolved by realpath (/dev/fd -> /proc/self/fd
     * -> /proc/PID/fd); the last component is followed by hand, because
     * realpath would follow /proc/PID/fd/N on to the file it holds. */
    for (int hops = 0; hops < 40; hops++) {
        const char *slash = strrchr(cur, '/');
        const char *base = slash != NULL ? slash + 1 : cur;
        if (slash == NULL)
            snprintf(dir, sizeof dir, ".");
        else if (slash == cur)
            snprintf(dir, sizeof dir, "/");
        else
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - cur), cur);
        if (realpath(dir, real) == NULL)
            return -1;
        long pid;
        if (is_fd_directory(real, &pid)) {
            char *end;
            long fd = strtol(base, &end, 10);
            if (end == base || *end != '\0' || fd < 0 || fd > INT_MAX)
                return -1;
            *own = pid == (long)getpid();
            return (int)fd;
        }
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0)
            return -1; /* not a link (or absent): an ordinary name */
        link[n] = '\0';
        int len = link[0] == '/'
                      ? snprintf(cur, sizeof cur, "%s", link)
                      : snprintf(cur, sizeof cur, "%s/%s", real, link);
        if (len >= (int)sizeof cur)
            return -1;
    }
    return -1;
}
