/*
 * plan.c -- the batch plan: input files -> jobs; see plan.h.
 *
 * Steps, in the order that makes a refused batch leave no trace:
 *   0. the job list (jobs.h: operands, -r trees, manifest, variants);
 *   1. where outputs go (-o as a file, as a directory, or beside inputs);
 *   2. stat every input and name every output (no file is created);
 *   3. refuse the batch if two jobs would write the same file;
 *   4. create the output directory, and the subdirectories outputs need;
 *   5. read each input's header (length, rate), work out -D tempos and
 *      refuse outputs that are inputs of this batch;
 *   6. select (select.h: settings stamps, --shard, --newer), then order
 *      the runnable jobs longest first.
 */
#define _POSIX_C_SOURCE 200809L

#include "plan.h"
#include "collide.h"
#include "message.h"
#include "fdpath.h"
#include "naming.h"
#include "select.h"
#include "sfio.h"
#include "template.h"

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
    fputs("tempitch: out of memory\n", message_stream());
    return PLAN_FATAL;
}

/* Step 1.  With several jobs -o must be a directory; with one it is a
 * directory only if it already is one or ends in '/'. */
static enum plan_status choose_mode(const struct cli_options *o,
                                    const struct job_list *l,
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
    if (l->single) {
        *mode = is_dir || trailing_slash ? OUT_DIR : OUT_FILE;
        if (*mode == OUT_DIR && convert_is_stdio(o->inputs[0])) {
            message("tempitch: %s: is a directory (reading stdin needs -o "
                    "FILE or -o -)\n",
                    o->output);
            return PLAN_USAGE;
        }
        return PLAN_OK;
    }
    if (exists && !is_dir) {
        if (o->ninputs > 1 && l->nvariants == 1 && l->walked.n == 0)
            message("tempitch: %s: not a directory (with %zu input files, "
                    "-o must name a directory)\n",
                    o->output, o->ninputs);
        else
            message("tempitch: %s: not a directory (with %zu jobs, -o must "
                    "name a directory)\n",
                    o->output, l->n);
        return PLAN_USAGE;
    }
    *mode = OUT_DIR;
    return PLAN_OK;
}

/* naming_output's test of whether keeping the input's name would give
 * the input itself: `arg` is the input's stat. */
static int names_input(const char *path, void *arg)
{
    struct stat st;
    return stat(path, &st) == 0 && collide_same_file(&st, arg);
}

/* Step 2 for one job.  `in_st` is the input's stat, or NULL if it failed.
 * Returns the output path (new string) or NULL when out of memory; sets
 * *bad when --name gave an unusable name (the path is then that name). */
static char *output_path(const struct cli_options *o, const struct plan *p,
                         enum out_mode mode, const struct list_entry *entry,
                         const struct stat *in_st, int *bad)
{
    *bad = 0;
    if (entry->output != NULL)
        return strdup(entry->output);
    if (mode == OUT_FILE || mode == OUT_STDOUT)
        return strdup(o->output);

    /* Where: the -o directory (mirroring the walked tree), or the
     * input's own directory. */
    char *dir_buf = NULL;
    const char *dir;
    size_t dir_len;
    if (mode == OUT_DIR) {
        const char *below = entry->input + entry->root_len;
        size_t below_len =
            entry->root_len ? (size_t)(naming_base(below) - below) : 0;
        dir_buf = naming_join_n(o->output, strlen(o->output), "");
        if (dir_buf == NULL)
            return NULL;
        if (below_len > 0) {
            char *d = naming_join_n(below, below_len, "");
            char *full = d ? naming_join(dir_buf, d) : NULL;
            free(d);
            free(dir_buf);
            if (full == NULL)
                return NULL;
            dir_buf = full;
        }
        dir = dir_buf;
        dir_len = strlen(dir_buf);
    } else {
        dir = entry->input;
        dir_len = (size_t)(naming_base(entry->input) - entry->input);
    }

    struct naming_job nj = {
        .input = entry->input,
        .settings = &entry->settings,
        .variant = entry->variant,
        .name_template = o->name_template,
        .format_ext = o->format_ext,
        .dir = dir,
        .dir_len = dir_len,
        /* In a directory, one job per input and no manifest: the name
         * is kept where it can be. */
        .keep = mode == OUT_DIR && p->list.nvariants == 1 &&
                !p->list.from_manifest,
    };
    char *s = naming_output(&nj, in_st != NULL ? names_input : NULL,
                            (void *)in_st, bad);
    free(dir_buf);
    return s;
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

/* Whether the input of job i is a stream (a pipe, FIFO, socket or
 * device: /dev/stdin, <(...), a named pipe) that an earlier job already
 * reads.  A stream gives its bytes once; the second reader would get
 * what the first left, or nothing. */
static int read_before(const struct plan *p, const struct stat *st,
                       const int *st_ok, size_t i)
{
    mode_t m = st[i].st_mode;
    if (!(S_ISFIFO(m) || S_ISCHR(m) || S_ISSOCK(m)))
        return 0;
    for (size_t k = 0; k < i; k++)
        if (st_ok[k] && p->jobs[k].runs && collide_same_file(&st[k], &st[i]))
            return 1;
    return 0;
}

/* Step 5 for one job that still runs, first part: its input's header
 * (length, stamp).  `prev` is the job before, whose header is reused when
 * it is the same input (the combinations of one input follow each
 * other). */
static void read_header(const struct cli_options *o, struct job *j,
                        const struct job *prev, const struct stat *in_st)
{
    int from_stdin = convert_is_stdio(j->input), ours = 0;
    if (prev != NULL && prev->input == j->input && prev->seconds >= 0) {
        j->seconds = prev->seconds;
        ours = prev->result.status == CONVERT_OURS;
    } else if (S_ISREG(in_st->st_mode) && !from_stdin) {
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
        ours = h.by_tempitch && !o->include_outputs && o->output == NULL &&
               j->entry->output == NULL;
    }
    /* Without -o the outputs are written beside the inputs, so a second
     * run would take the first one's outputs as inputs (song.p+2.p+2.wav).
     * With -o they go elsewhere, and an input is what the user named; so
     * with a manifest row or a pair that names its output. */
    if (ours) {
        refuse(j, j->input, "%s", CONVERT_REASON_OURS);
        j->result.status = CONVERT_OURS;
    }
    /* FIFOs, devices and standard input (even a redirected file: reading
     * its header would move the offset the job starts from) are not
     * opened here: reading their header would consume it.  Their length
     * stays unknown. */
}

/* Step 5, second part, for a job whose header was read: -D, output
 * identity.  ids[nids] are the inputs the batch reads. */
static void examine(const struct cli_options *o, struct job *j,
                    const struct stat *in_st, const struct input_id *ids,
                    size_t nids)
{
    double duration = settings_duration(&j->entry->settings);

    if (duration > 0) {
        if (j->seconds < 0) {
            refuse(j, j->input, "length unknown, so -D cannot be applied");
            return;
        }
        double tempo = j->seconds / duration;
        if (!(tempo >= TP_TEMPO_MIN && tempo <= TP_TEMPO_MAX)) {
            refuse(j, j->input,
                   "%.3f s to %g s needs the speed factor %g, outside "
                   "%g..%g",
                   j->seconds, duration, tempo, TP_TEMPO_MIN, TP_TEMPO_MAX);
            return;
        }
        j->params.settings.tempo = tempo;
    }

    int own;
    if (!convert_is_stdio(j->output) &&
        fdpath_descriptor(j->output, &own) >= 0) {
        /* the rename would replace the link (fdpath.h) */
        refuse(j, j->output, "names an open file descriptor, not a file");
        return;
    }
    struct stat out_st;
    if (convert_is_stdio(j->output) || stat(j->output, &out_st) != 0)
        return;
    if (collide_same_file(&out_st, in_st)) {
        refuse(j, j->output, "%s", CONVERT_REASON_IS_INPUT);
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
    if (!o->policy.force && !S_ISDIR(out_st.st_mode)) {
        refuse(j, j->output, "%s", CONVERT_REASON_EXISTS);
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

/* Step 4 for the subdirectories: the directory of each output that runs
 * (mirrored trees, --name with '/', manifest and pair outputs).  A
 * directory that cannot be made fails its jobs only. */
static enum plan_status make_parents(struct plan *p)
{
    char *last = NULL; /* the last directory made: outputs come in runs */
    int last_err = 0;
    for (size_t i = 0; i < p->njobs; i++) {
        struct job *j = &p->jobs[i];
        if (!j->runs)
            continue;
        const char *base = naming_base(j->output);
        size_t n = (size_t)(base - j->output);
        if (n == 0)
            continue;
        if (last == NULL || strlen(last) != n ||
            strncmp(last, j->output, n) != 0) {
            free(last);
            last = malloc(n + 1);
            if (last == NULL)
                return out_of_memory();
            memcpy(last, j->output, n);
            last[n] = '\0';
            last_err = make_directories(last);
        }
        if (last_err != 0)
            refuse(j, j->output, "cannot create its directory: %s",
                   strerror(last_err));
    }
    free(last);
    return PLAN_OK;
}

/* Step 2: the stat of every input (in st[], valid where st_ok[]) and the
 * name of every output.  Sets *needs_parents when an output is in a
 * subdirectory of its own. */
static enum plan_status name_outputs(const struct cli_options *o,
                                     enum out_mode mode, struct plan *p,
                                     struct stat *st, int *st_ok,
                                     int *needs_parents)
{
    for (size_t i = 0; i < p->njobs; i++) {
        struct job *j = &p->jobs[i];
        const struct list_entry *entry = &p->list.entries[i];
        j->entry = entry;
        j->input = entry->input;
        j->seconds = -1;
        j->params = (struct convert_params){
            .settings = entry->settings,
            .policy = o->policy,
            .format = o->format,
        };
        j->runs = 1;
        j->took = -1;
        int same_input = i > 0 && entry->input == p->list.entries[i - 1].input;
        if (same_input) {
            st_ok[i] = st_ok[i - 1];
            st[i] = st[i - 1];
        } else {
            /* Standard input's identity is that of what it was
             * redirected from, so "tempitch - -o a.wav < a.wav" is
             * caught like a.wav. */
            st_ok[i] = entry->err == 0 && (convert_is_stdio(j->input)
                                               ? fstat(STDIN_FILENO, &st[i])
                                               : stat(j->input, &st[i])) == 0;
        }
        if (entry->err != 0)
            refuse(j, j->input, "%s", strerror(entry->err));
        else if (!st_ok[i] && same_input)
            refuse(j, j->input, "%s", p->jobs[i - 1].result.reason);
        else if (!st_ok[i])
            refuse(j, j->input, "%s", strerror(errno));
        else if (S_ISDIR(st[i].st_mode))
            refuse(j, j->input, "is a directory");
        int bad = 0;
        j->output =
            output_path(o, p, mode, entry, st_ok[i] ? &st[i] : NULL, &bad);
        if (j->output == NULL)
            return out_of_memory();
        if (bad && j->runs)
            refuse(j, j->input, "--name gives the unusable name %s", j->output);
        *needs_parents |= naming_base(j->output) != j->output;
    }
    return PLAN_OK;
}

/* Step 5 over the jobs that still run. */
static enum plan_status examine_all(const struct cli_options *o, struct plan *p,
                                    const struct stat *st, const int *st_ok)
{
    struct input_id *ids = malloc((p->njobs ? p->njobs : 1) * sizeof *ids);
    if (ids == NULL)
        return out_of_memory();
    for (size_t i = 0; i < p->njobs; i++) {
        if (p->jobs[i].runs && st_ok[i] && read_before(p, st, st_ok, i))
            refuse(&p->jobs[i], p->jobs[i].input,
                   "a pipe or device can be read only once, and an earlier "
                   "job reads it (save it to a file for several outputs)");
        if (p->jobs[i].runs)
            read_header(o, &p->jobs[i], i > 0 ? &p->jobs[i - 1] : NULL, &st[i]);
    }
    /* The inputs the batch reads: not those skipped as tempitch's own
     * outputs, which a job may then replace (with --force). */
    size_t nids = 0;
    for (size_t i = 0; i < p->njobs; i++) {
        if (st_ok[i] && p->jobs[i].result.status != CONVERT_OURS) {
            ids[nids].dev = st[i].st_dev;
            ids[nids++].ino = st[i].st_ino;
        }
    }
    qsort(ids, nids, sizeof *ids, compare_ids);
    for (size_t i = 0; i < p->njobs; i++)
        if (p->jobs[i].runs)
            examine(o, &p->jobs[i], &st[i], ids, nids);
    free(ids);
    return PLAN_OK;
}

/* Steps 2 to 6, with the input stats in st[]. */
static enum plan_status plan_jobs(const struct cli_options *o,
                                  enum out_mode mode, struct plan *p,
                                  struct stat *st, int *st_ok)
{
    int needs_parents = 0;
    enum plan_status status =
        name_outputs(o, mode, p, st, st_ok, &needs_parents);
    if (status != PLAN_OK)
        return status;
    status = collide_outputs(p);
    if (status != PLAN_OK) {
        if (o->name_template != NULL)
            message("tempitch: --name '%s' gives several jobs the same "
                    "output (use fields that tell them apart: {stem}, "
                    "{tag}, {variant}, ...)\n",
                    o->name_template);
        return status;
    }
    status = collide_report(o, p, st, st_ok);
    if (status != PLAN_OK)
        return status;

    if (mode == OUT_DIR) {
        int err = make_directories(o->output);
        if (err != 0) {
            message("tempitch: %s: cannot create directory: %s\n", o->output,
                    strerror(err));
            return PLAN_FATAL;
        }
    }
    if (needs_parents && (mode == OUT_DIR || o->name_template != NULL ||
                          p->list.from_manifest || p->list.from_pairs)) {
        status = make_parents(p);
        if (status != PLAN_OK)
            return status;
    }
    status = examine_all(o, p, st, st_ok);
    if (status != PLAN_OK)
        return status;
    /* Over the final job list: stamps, --shard, --newer (select.h). */
    status = select_jobs(o, p);
    if (status != PLAN_OK)
        return status;
    return order_jobs(p);
}

enum plan_status plan_build(const struct cli_options *o, struct plan *p)
{
    memset(p, 0, sizeof *p);
    if (collide_output_operand(o) != PLAN_OK)
        return PLAN_USAGE;
    /* Walks do not enter the output directory: a second run would
     * otherwise take the first run's outputs as inputs. */
    struct stat out_st;
    const struct stat *skip = NULL;
    if (o->output != NULL && stat(o->output, &out_st) == 0 &&
        S_ISDIR(out_st.st_mode))
        skip = &out_st;
    switch (jobs_build(o, skip, &p->list)) {
    case JOBS_OK:
        break;
    case JOBS_USAGE:
        return PLAN_USAGE;
    case JOBS_FATAL:
        return PLAN_FATAL;
    }
    p->show_outputs = p->list.nvariants > 1 || p->list.from_manifest;

    enum out_mode mode;
    enum plan_status status = choose_mode(o, &p->list, &mode);
    if (status != PLAN_OK) {
        plan_free(p);
        return status;
    }
    p->out_dir = mode == OUT_DIR ? o->output : NULL;

    p->njobs = p->list.n;
    size_t n = p->njobs ? p->njobs : 1;
    p->jobs = calloc(n, sizeof *p->jobs);
    struct stat *st = malloc(n * sizeof *st);
    int *st_ok = malloc(n * sizeof *st_ok);
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
    jobs_free(&p->list);
    memset(p, 0, sizeof *p);
}
