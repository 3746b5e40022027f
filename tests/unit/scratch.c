/*
 * scratch.c -- a scratch directory for the unit tests; see scratch.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "scratch.h"

#include <stdio.h>
#include <stdlib.h>

static char dir[256];

int scratch_make(const char *what)
{
    snprintf(dir, sizeof dir, "/tmp/tempitch-%s-XXXXXX", what);
    return mkdtemp(dir) == NULL ? -1 : 0;
}

const char *scratch_dir(void)
{
    return dir;
}

const char *scratch_path(const char *name)
{
    static char buf[4][320];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

int scratch_remove(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}
