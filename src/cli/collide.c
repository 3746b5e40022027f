/*
 * collide.c -- outputs that would collide; see collide.h.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include "collide.h"
#include "message.h"
#include "naming.h"

#include "convert.h"
#include "sfio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum plan_status out_of_memory(void)
{
    fputs("tempitch: out of memory\n", message_stream());
    return PLAN_FATAL;
}

int collide_same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* A job's output, spelt so that two spellings of one file compare equal:
 * the real path of its directory (when that exists) plus its name. */
struct out_key {
    char *key;
    size_t job;
};

/* The last directory canonical_output resolved: a batch usually writes
 * all its outputs into one directory, which is then resolved once, not
 * once per file (realpath walks and reads every component). */
struct dir_memo {
    char *dir;  /* as spelt in the output path */
    char *real; /* its real path, or NULL when it has none (yet) */
};

static char *canonical_output(const char *path, struct dir_memo *memo)
{
    const char *base = naming_base(path);
    size_t dir_len = (size_t)(base - path);
    char *dir = malloc(dir_len + 2);
    if (dir == NULL)
        return NULL;
    if (dir_len == 0) {
        strcpy(dir, ".");
    } else {
        memcpy(dir, path, dir_len);
        dir[dir_len] = '\0';
    }
    if (memo->dir == NULL || strcmp(memo->dir, dir) != 0) {
        free(memo->dir);
        free(memo->real);
        memo->dir = dir;
        memo->real = realpath(dir, NULL);
    } else {
        free(dir);
    }
    return naming_join(memo->real != NULL ? memo->real : memo->dir, base);
}

static int compare_keys(const void *a, const void *b)
{
    const struct out_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c != 0)
        return c;
    return x->job < y->job ? -1 : x->job > y->job;
}

/* " (variant K)", " (manifest line L)" or " (pair N)" when the input
 * alone does not say which job it is; "" otherwise. */
static const char *which_job(const struct plan *p, const struct job *j,
                             char *buf, size_t size)
{
    if (p->list.from_manifest)
        snprintf(buf, size, " (manifest line %lu)", j->entry->line);
    else if (p->list.from_pairs)
        snprintf(buf, size, " (pair %lu)", j->entry->line);
    else if (p->list.nvariants > 1)
        snprintf(buf, size, " (variant %zu)", j->entry->variant);
    else
        buf[0] = '\0';
    return buf;
}

enum plan_status collide_outputs(const struct plan *p)
{
    struct out_key *keys = calloc(p->njobs ? p->njobs : 1, sizeof *keys);
    if (keys == NULL)
        return out_of_memory();
    size_t n = 0;
    enum plan_status status = PLAN_OK;
    struct dir_memo memo = {NULL, NULL};
    for (size_t i = 0; i < p->njobs; i++) {
        if (!p->jobs[i].runs)
            continue;
        keys[n].key = canonical_output(p->jobs[i].output, &memo);
        keys[n].job = i;
        if (keys[n++].key == NULL) {
            status = out_of_memory();
            break;
        }
    }
    free(memo.dir);
    free(memo.real);
    if (status == PLAN_OK) {
        qsort(keys, n, sizeof *keys, compare_keys);
        /* Equal keys are adjacent, in job order: each later job of a
         * group is reported against the first. */
        for (size_t i = 1, first = 0; i < n; i++) {
            if (strcmp(keys[i].key, keys[first].key) != 0) {
                first = i;
                continue;
            }
            const struct job *a = &p->jobs[keys[first].job];
            const struct job *b = &p->jobs[keys[i].job];
            char wa[64], wb[64];
            message("tempitch: %s%s and %s%s would both be written to %s\n",
                    a->input, which_job(p, a, wa, sizeof wa), b->input,
                    which_job(p, b, wb, sizeof wb), b->output);
            status = PLAN_USAGE;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i].key);
    free(keys);
    return status;
}

enum plan_status collide_report(const struct cli_options *o,
                                const struct plan *p, const struct stat *st,
                                const int *st_ok)
{
    if (o->report_path == NULL)
        return PLAN_OK;
    struct stat rst;
    if (stat(o->report_path, &rst) == 0) {
        for (size_t i = 0; i < p->njobs; i++) {
            if (st_ok[i] && collide_same_file(&rst, &st[i])) {
                message("tempitch: %s: the --report file is the input %s "
                        "(refusing to write to it)\n",
                        o->report_path, p->jobs[i].input);
                return PLAN_USAGE;
            }
        }
    }
    struct dir_memo memo = {NULL, NULL};
    char *key = canonical_output(o->report_path, &memo);
    enum plan_status status = key == NULL ? out_of_memory() : PLAN_OK;
    for (size_t i = 0; status == PLAN_OK && i < p->njobs; i++) {
        if (!p->jobs[i].runs)
            continue;
        char *k = canonical_output(p->jobs[i].output, &memo);
        if (k == NULL) {
            status = out_of_memory();
        } else if (strcmp(k, key) == 0) {
            message("tempitch: %s: the --report file is the output of %s "
                    "(refusing to write to it)\n",
                    o->report_path, p->jobs[i].input);
            status = PLAN_USAGE;
        }
        free(k);
    }
    free(key);
    free(memo.dir);
    free(memo.real);
    return status;
}

enum plan_status collide_output_operand(const struct cli_options *o)
{
    if (o->output != NULL || o->manifest != NULL || o->outputs != NULL ||
        o->ninputs != 2)
        return PLAN_OK;
    const char *first = o->inputs[0], *last = o->inputs[1];
    struct stat st;
    if (convert_is_stdio(first) || convert_is_stdio(last) ||
        stat(first, &st) != 0)
        return PLAN_OK;
    const char *what;
    if (stat(last, &st) != 0) {
        if (errno != ENOENT)
            return PLAN_OK;
        what = "does not exist";
    } else {
        struct sfio_header h;
        char reason[CONVERT_REASON_MAX];
        if (!S_ISREG(st.st_mode) || o->include_outputs ||
            sfio_probe(last, &h, reason, sizeof reason) != 0 ||
            !h.by_tempitch)
            return PLAN_OK;
        what = "is an output of tempitch";
    }
    message("tempitch: %s %s: did you mean -o %s? (every operand is an "
            "input; the output is given with -o)\n",
            last, what, last);
    return PLAN_USAGE;
}
