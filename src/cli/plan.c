/*
 * plan.c -- the batch plan: input files -> jobs; see plan.h.
 *
 * Steps, in the order that makes a refused batch leave no trace:
 *   1. where outputs go (-o as a file, as a directory, or beside inputs);
 *   2. stat every input and name every output (no file is created);
 *   3. refuse the batch if two jobs would write the same file;
 *   4. create the output directory if needed;
 *   5. read each input's header (length, rate), work out -D tempos and
 *      refuse outputs that are inputs of this batch;
 *   6. select (select.h: settings stamps, --shard, --newer), then order
 *      the runnable jobs longest first.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include "plan.h"
#include "naming.h"
#include "select.h"
#include "sfio.h"

#include <tempitch/stretch.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum out_mode {
    OUT_BESIDE, /* no -o: next to each input, tagged name           */
    OUT_FILE,   /* -o names the one output file                      */
    OUT_DIR,    /* -o names a directory (existing or to be created)  */
    OUT_STDOUT  /* -o -: the one output goes to standard output      */
};

/* The plan's own verdict on a job that will not run. */
static void refuse(struct job *j, const char *about, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    j->runs = 0;
    j->result.status = CONVERT_FAILED;
    j->result.about = about;
    vsnprintf(j->result.reason, sizeof j->result.reason, fmt, ap);
    va_end(ap);
}

static enum plan_status out_of_memory(void)
{
    fputs("tempitch: out of memory\n", stderr);
    return PLAN_FATAL;
}

/* Step 1.  With several inputs -o must be a directory; with one it is a
 * directory only if it already is one or ends in '/'. */
static enum plan_status choose_mode(const struct cli_options *o,
                                    enum out_mode *mode)
{
    if (o->output == NULL) {
        *mode = OUT_BESIDE;
        return PLAN_OK;
    }
    /* options.c made sure that "-" comes with one input. */
    if (convert_is_stdio(o->output)) {
        *mode = OUT_STDOUT;
        return PLAN_OK;
    }
    struct stat st;
    int exists = stat(o->output, &st) == 0;
    int is_dir = exists && S_ISDIR(st.st_mode);
    size_t len = strlen(o->output);
    int trailing_slash = len > 0 && o->output[len - 1] == '/';
    if (o->ninputs == 1) {
        *mode = is_dir || trailing_slash ? OUT_DIR : OUT_FILE;
        if (*mode == OUT_DIR && convert_is_stdio(o->inputs[0])) {
            fprintf(stderr,
                    "tempitch: %s: is a directory (reading stdin needs -o "
                    "FILE or -o -)\n",
                    o->output);
            return PLAN_USAGE;
        }
        return PLAN_OK;
    }
    if (exists && !is_dir) {
        fprintf(stderr,
                "tempitch: %s: not a directory (with %zu input files, -o "
                "must name a directory)\n",
                o->output, o->ninputs);
        return PLAN_USAGE;
    }
    *mode = OUT_DIR;
    return PLAN_OK;
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Step 2 for one job.  `in_st` is the input's stat, or NULL if it failed.
 * Returns the output path (new string) or NULL when out of memory. */
static char *output_path(const struct cli_options *o, enum out_mode mode,
                         const char *tag, const char *input,
                         const struct stat *in_st)
{
    switch (mode) {
    case OUT_STDOUT:
    case OUT_FILE: {
        size_t n = strlen(o->output) + 1;
        char *s = malloc(n);
        if (s != NULL)
            memcpy(s, o->output, n);
        return s;
    }
    case OUT_DIR: {
        char *s = naming_join(o->output, naming_base(input));
        struct stat st;
        /* The directory is the input's own: keeping the name would be
         * the input itself, so the tagged name is used instead. */
        if (s != NULL && in_st != NULL && stat(s, &st) == 0 &&
            same_file(&st, in_st)) {
            free(s);
            s = naming_tagged(o->output, input, tag);
        }
        return s;
    }
    case OUT_BESIDE:
        break;
    }
    return naming_tagged(NULL, input, tag);
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

/* Step 3.  Jobs already refused (missing input, say) take no part: they
 * will write nothing.  Prints one line per clash. */
static enum plan_status check_duplicates(const struct plan *p)
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
            fprintf(stderr, "tempitch: %s and %s would both be written to %s\n",
                    a->input, b->input, b->output);
            status = PLAN_USAGE;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i].key);
    free(keys);
    return status;
}

/* Step 4: mkdir -p.  Returns 0 or an errno value. */
static int make_directories(const char *path)
{
    size_t len = strlen(path);
    char *s = malloc(len + 1);
    if (s == NULL)
        return ENOMEM;
    memcpy(s, path, len + 1);
    int err = 0;
    /* Each prefix ending before a '/', then the whole path. */
    for (size_t i = 1; i <= len && err == 0; i++) {
        if (i < len && s[i] != '/')
            continue;
        char saved = s[i];
        s[i] = '\0';
        if (mkdir(s, 0777) != 0 && errno != EEXIST)
            err = errno;
        s[i] = saved;
    }
    struct stat st;
    if (err == 0 && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        err = ENOTDIR;
    free(s);
    return err;
}

/* An input's identity, to find outputs that are inputs of the batch. */
struct input_id {
    dev_t dev;
    ino_t ino;
};

static int compare_ids(const void *a, const void *b)
{
    const struct input_id *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Step 5 for one job that still runs: header, -D, output identity. */
static void examine(const struct cli_options *o, struct job *j,
                    const struct stat *in_st, const struct input_id *ids,
                    size_t nids)
{
    int from_stdin = convert_is_stdio(j->input);
    if (S_ISREG(in_st->st_mode) && !from_stdin) {
        struct sfio_header h;
        if (sfio_probe(j->input, &h, j->result.reason,
                       sizeof j->result.reason) != 0) {
            j->runs = 0;
            j->result.status = CONVERT_FAILED;
            j->result.about = j->input;
            return;
        }
        if (h.frames >= 0 && h.rate > 0)
            j->seconds = (double)h.frames / h.rate;
    }
    /* FIFOs, devices and standard input (even a redirected file: reading
     * its header would move the offset the job starts from) are not
     * opened here: reading their header would consume it.  Their length
     * stays unknown. */

    if (o->duration > 0) {
        if (j->seconds < 0) {
            refuse(j, j->input, "length unknown, so -D cannot be applied");
            return;
        }
        double tempo = j->seconds / o->duration;
        if (!(tempo >= TP_TEMPO_MIN && tempo <= TP_TEMPO_MAX)) {
            refuse(j, j->input,
                   "%.3f s to %g s needs the speed factor %g, outside "
                   "%g..%g",
                   j->seconds, o->duration, tempo, TP_TEMPO_MIN, TP_TEMPO_MAX);
            return;
        }
        j->params.tempo = tempo;
    }

    struct stat out_st;
    if (convert_is_stdio(j->output) || stat(j->output, &out_st) != 0)
        return;
    if (same_file(&out_st, in_st)) {
        refuse(j, j->output, "is the input file (refusing to overwrite it)");
        return;
    }
    /* Replacing another job's input would make that job's result depend
     * on which ran first. */
    struct input_id id = {out_st.st_dev, out_st.st_ino};
    if (bsearch(&id, ids, nids, sizeof *ids, compare_ids) != NULL) {
        refuse(j, j->output,
               "is an input of this batch (refusing to overwrite it)");
        return;
    }
    /* Skipped here rather than in a worker, which would only find the
     * same (convert_file still checks, for outputs that appear later). */
    if (!o->params.force && !S_ISDIR(out_st.st_mode)) {
        refuse(j, j->output, "exists (use --force to overwrite)");
        j->result.status = CONVERT_EXISTS;
    }
}

struct start_key {
    double seconds;
    size_t job;
};

static int compare_start(const void *a, const void *b)
{
    const struct start_key *x = a, *y = b;
    if (x->seconds != y->seconds)
        return x->seconds > y->seconds ? -1 : 1;
    return x->job < y->job ? -1 : x->job > y->job;
}

/* Step 6.  Unknown lengths count as longest: a stream may be long, and
 * starting it early costs nothing if it is not. */
static enum plan_status order_jobs(struct plan *p)
{
    struct start_key *keys = malloc((p->njobs ? p->njobs : 1) * sizeof *keys);
    p->order = malloc((p->njobs ? p->njobs : 1) * sizeof *p->order);
    if (keys == NULL || p->order == NULL) {
        free(keys);
        return out_of_memory();
    }
    p->nrun = 0;
    for (size_t i = 0; i < p->njobs; i++) {
        if (p->jobs[i].runs) {
            double s = p->jobs[i].seconds;
            keys[p->nrun].seconds = s < 0 ? HUGE_VAL : s;
            keys[p->nrun++].job = i;
        }
    }
    qsort(keys, p->nrun, sizeof *keys, compare_start);
    for (size_t i = 0; i < p->nrun; i++)
        p->order[i] = keys[i].job;
    free(keys);
    return PLAN_OK;
}

/* Steps 2 to 6, with the input stats in st[]. */
static enum plan_status plan_jobs(const struct cli_options *o,
                                  enum out_mode mode, struct plan *p,
                                  struct stat *st, int *st_ok)
{
    char tag[NAMING_TAG_MAX];
    naming_tag(o, tag);
    for (size_t i = 0; i < p->njobs; i++) {
        struct job *j = &p->jobs[i];
        j->input = o->inputs[i];
        j->seconds = -1;
        j->params = o->params;
        j->runs = 1;
        j->took = -1;
        /* Standard input's identity is that of what it was redirected
         * from, so "tempitch - -o a.wav < a.wav" is caught like a.wav. */
        st_ok[i] = (convert_is_stdio(j->input) ? fstat(STDIN_FILENO, &st[i])
                                               : stat(j->input, &st[i])) == 0;
        if (!st_ok[i])
            refuse(j, j->input, "%s", strerror(errno));
        else if (S_ISDIR(st[i].st_mode))
            refuse(j, j->input, "is a directory");
        j->output =
            output_path(o, mode, tag, j->input, st_ok[i] ? &st[i] : NULL);
        if (j->output == NULL)
            return out_of_memory();
    }

    enum plan_status status = check_duplicates(p);
    if (status != PLAN_OK)
        return status;

    if (mode == OUT_DIR) {
        int err = make_directories(o->output);
        if (err != 0) {
            fprintf(stderr, "tempitch: %s: cannot create directory: %s\n",
                    o->output, strerror(err));
            return PLAN_FATAL;
        }
    }

    struct input_id *ids = malloc((p->njobs ? p->njobs : 1) * sizeof *ids);
    if (ids == NULL)
        return out_of_memory();
    size_t nids = 0;
    for (size_t i = 0; i < p->njobs; i++) {
        if (st_ok[i]) {
            ids[nids].dev = st[i].st_dev;
            ids[nids++].ino = st[i].st_ino;
        }
    }
    qsort(ids, nids, sizeof *ids, compare_ids);
    for (size_t i = 0; i < p->njobs; i++) {
        if (p->jobs[i].runs)
            examine(o, &p->jobs[i], &st[i], ids, nids);
    }
    free(ids);
    /* Over the final job list: stamps, --shard, --newer (select.h). */
    enum plan_status selected = select_jobs(o, p);
    if (selected != PLAN_OK)
        return selected;
    return order_jobs(p);
}

enum plan_status plan_build(const struct cli_options *o, struct plan *p)
{
    memset(p, 0, sizeof *p);
    enum out_mode mode;
    enum plan_status status = choose_mode(o, &mode);
    if (status != PLAN_OK)
        return status;
    p->out_dir = mode == OUT_DIR ? o->output : NULL;

    p->njobs = o->ninputs;
    p->jobs = calloc(p->njobs, sizeof *p->jobs);
    struct stat *st = malloc(p->njobs * sizeof *st);
    int *st_ok = malloc(p->njobs * sizeof *st_ok);
    if (p->jobs == NULL || st == NULL || st_ok == NULL)
        status = out_of_memory();
    else
        status = plan_jobs(o, mode, p, st, st_ok);
    free(st);
    free(st_ok);
    if (status != PLAN_OK)
        plan_free(p);
    return status;
}

void plan_free(struct plan *p)
{
    for (size_t i = 0; p->jobs != NULL && i < p->njobs; i++)
        free(p->jobs[i].output);
    free(p->jobs);
    free(p->order);
    memset(p, 0, sizeof *p);
}
