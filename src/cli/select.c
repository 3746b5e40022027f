/*
 * select.c -- the settings stamp, --shard and --newer; see select.h.
 */
#define _POSIX_C_SOURCE 200809L /* st_mtim */

#include "select.h"
#include "hash.h"
#include "message.h"
#include "naming.h"
#include "stamp.h"

#include <tempitch/stretch.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

unsigned long select_share(const char *key, unsigned long n)
{
    uint64_t h = hash_text(key);
    /* FNV's low bits follow the last bytes closely (names that differ
     * only in a digit before ".wav"); a final mix (MurmurHash3's fmix64)
     * spreads every bit over the residue mod N. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return (unsigned long)(h % n);
}

/* The shard key of job *j (see select.h): a pointer into its output or
 * input path. */
static const char *shard_key(const struct plan *p, const struct job *j)
{
    if (p->out_dir != NULL) {
        size_t n = strlen(p->out_dir);
        if (strncmp(j->output, p->out_dir, n) == 0 &&
            (j->output[n] == '/' || (n > 0 && p->out_dir[n - 1] == '/'))) {
            const char *k = j->output + n;
            while (*k == '/')
                k++;
            return k;
        }
    }
    const char *k = j->input;
    while (k[0] == '.' && k[1] == '/') {
        k += 2;
        while (*k == '/')
            k++;
    }
    return k;
}

/* --shard: keeps the jobs of share K, in order. */
static void take_shard(const struct cli_options *o, struct plan *p)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->njobs; i++) {
        struct job *j = &p->jobs[i];
        if (select_share(shard_key(p, j), o->shard_n) == o->shard_k - 1)
            p->jobs[kept++] = *j;
        else
            free(j->output);
    }
    p->njobs = kept;
}

/* a is not older than b. */
static int not_older(const struct stat *a, const struct stat *b)
{
    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
        return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
    return a->st_mtim.tv_nsec >= b->st_mtim.tv_nsec;
}

/* --newer: whether job *j's existing output is current.  One in a format
 * that keeps no stamp (W64, AU, ...) cannot be shown to be, and counts in
 * *unknown. */
static int is_current(const struct job *j, size_t *unknown)
{
    struct stat in_st, out_st;
    if (stat(j->input, &in_st) != 0 || stat(j->output, &out_st) != 0 ||
        !S_ISREG(in_st.st_mode) || !S_ISREG(out_st.st_mode))
        return 0;
    if (!not_older(&out_st, &in_st))
        return 0;
    enum stamp_result r = stamp_check(j->output, j->params.stamp);
    if (r == STAMP_UNKNOWN)
        *unknown += 1;
    return r == STAMP_SAME;
}

static void take_newer(const struct cli_options *o, struct job *j,
                       size_t *unknown)
{
    int exists = !j->runs && j->result.status == CONVERT_EXISTS;
    int forced = j->runs && o->policy.force;
    if (!exists && !forced)
        return; /* no output to judge, or refused for another reason */
    if (is_current(j, unknown)) {
        j->runs = 0;
        memset(&j->result, 0, sizeof j->result);
        j->result.status = CONVERT_UP_TO_DATE;
        j->result.about = j->output;
        snprintf(j->result.reason, sizeof j->result.reason, "up to date");
        j->result.gain = 1.0;
    } else if (exists) {
        /* Stale: --newer replaces it, as Make remakes a stale target. */
        j->runs = 1;
        j->params.policy.force = 1;
        memset(&j->result, 0, sizeof j->result);
        j->result.status = CONVERT_OK;
        j->result.gain = 1.0;
    }
}

enum plan_status select_jobs(const struct cli_options *o, struct plan *p)
{
    if (o->shard_n > 0)
        take_shard(o, p);
    size_t unknown = 0;
    for (size_t i = 0; i < p->njobs; i++) {
        struct job *j = &p->jobs[i];
        settings_stamp(&j->params.settings, &j->params.policy,
                       &j->params.format, j->params.stamp);
        if (o->newer)
            take_newer(o, j, &unknown);
    }
    /* Keeping them would keep the stale ones silently. */
    if (unknown > 0)
        message("tempitch: --newer: %zu output%s in a format that keeps no "
                "settings stamp (W64, AU, ...): made again, as nothing "
                "tells whether %s current\n",
                unknown, unknown == 1 ? "" : "s",
                unknown == 1 ? "it is" : "they are");
    return PLAN_OK;
}
