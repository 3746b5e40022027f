/*
 * jobs.c -- the job list; see jobs.h.
 */
#include "jobs.h"
#include "message.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum jobs_status out_of_memory(void)
{
    message("tempitch: out of memory\n");
    return JOBS_FATAL;
}

/* Room for `more` entries.  Returns 0 or -1 (out of memory or overflow). */
static int reserve(struct job_list *l, size_t *cap, size_t more)
{
    if (more > ((size_t)-1 / sizeof *l->entries) - l->n)
        return -1;
    if (l->n + more <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < l->n + more)
        c *= 2;
    struct list_entry *s = realloc(l->entries, c * sizeof *s);
    if (s == NULL)
        return -1;
    l->entries = s;
    *cap = c;
    return 0;
}

/* The pitches and tempos one input runs with: the command line's lists,
 * or a manifest row's single values. */
struct lists {
    int pitch_opt, tempo_opt;
    const double *pitches, *tempos;
    size_t npitch, ntempo;
};

static struct lists command_line_lists(const struct cli_options *o)
{
    const struct settings *s = &o->settings;
    struct lists v = {s->pitch_opt, s->tempo_opt, o->pitches,
                      o->tempos,    o->npitch,    o->ntempo};
    if (s->tempo_opt == 'D') {
        /* -D is one value; the plan turns it into a tempo per file. */
        v.tempos = &s->tempo_given;
        v.ntempo = 1;
    }
    return v;
}

/* Appends one entry per combination of *v for `input`. */
static void add_combinations(const struct cli_options *o, struct job_list *l,
                             const struct lists *v, const char *input,
                             size_t root_len)
{
    size_t k = 0;
    for (size_t pi = 0; pi < v->npitch; pi++) {
        for (size_t ti = 0; ti < v->ntempo; ti++, k++) {
            struct list_entry *s = &l->entries[l->n++];
            memset(s, 0, sizeof *s);
            s->input = input;
            s->root_len = root_len;
            s->variant = k;
            s->settings = o->settings;
            settings_set_pitch(&s->settings, v->pitch_opt, v->pitches[pi]);
            settings_set_tempo(&s->settings, v->tempo_opt, v->tempos[ti]);
        }
    }
}

static enum jobs_status from_operands(const struct cli_options *o,
                                      const struct stat *skip,
                                      struct job_list *l)
{
    struct lists v = command_line_lists(o);
    size_t per = v.npitch * v.ntempo, cap = 0;
    for (size_t i = 0; i < o->ninputs; i++) {
        const char *in = o->inputs[i];
        struct stat st;
        if (!o->recursive || stat(in, &st) != 0 || !S_ISDIR(st.st_mode)) {
            /* Also a directory without -r: the plan refuses it, in its
             * place, as before. */
            if (reserve(l, &cap, per) != 0)
                return out_of_memory();
            add_combinations(o, l, &v, in, 0);
            continue;
        }
        size_t first = l->walked.n;
        if (walk_tree(in, skip, &l->walked) != 0)
            return out_of_memory();
        if (l->walked.n == first)
            message("tempitch: %s: no audio files found\n", in);
        char *root = naming_join(in, "");
        if (root == NULL)
            return out_of_memory();
        size_t root_len = strlen(root);
        free(root);
        for (size_t e = first; e < l->walked.n; e++) {
            const struct walk_entry *w = &l->walked.entries[e];
            size_t n = w->err != 0 ? 1 : per;
            if (reserve(l, &cap, n) != 0)
                return out_of_memory();
            if (w->err != 0) {
                /* One failing job for the directory, not one per
                 * combination: there is nothing to combine. */
                struct list_entry *s = &l->entries[l->n++];
                memset(s, 0, sizeof *s);
                s->input = w->path;
                s->settings = o->settings;
                s->err = w->err;
                continue;
            }
            add_combinations(o, l, &v, w->path, root_len);
        }
    }
    l->single = o->ninputs == 1 && l->walked.n == 0 && per == 1;
    return JOBS_OK;
}

/* The command line's rules for '-' (check_streams in options.c) applied
 * to a manifest's jobs: standard input is read by one job at most, which
 * must name its output (stdin has no name to derive one from) and cannot
 * be read twice (--normalize) or measured (-D); standard output cannot be
 * an output among other jobs, so no row may name it.  Prints
 * "tempitch: CSV:LINE: reason" and returns JOBS_USAGE on a breach. */
static enum jobs_status manifest_streams(const struct cli_options *o,
                                         const struct job_list *l)
{
    const struct list_entry *reader = NULL;
    for (size_t k = 0; k < l->n; k++) {
        const struct list_entry *s = &l->entries[k];
        const char *why = NULL;
        char buf[128];
        if (s->output != NULL && convert_is_stdio(s->output))
            why = "'-' (stdout) cannot be a manifest row's output (use -o - "
                  "with one input file)";
        else if (!convert_is_stdio(s->input))
            continue;
        else if (convert_is_stdio(o->manifest))
            why = "'-' (stdin) cannot be an input: the manifest itself is "
                  "read from stdin";
        else if (reader != NULL && reader->line == s->line)
            why = "'-' (stdin) would be read by several jobs of this row "
                  "(give it one pitch and one tempo)";
        else if (reader != NULL) {
            snprintf(buf, sizeof buf,
                     "'-' (stdin) is already the input of line %lu (stdin "
                     "can be read once)",
                     reader->line);
            why = buf;
        } else if (s->output == NULL)
            why = "'-' (stdin) needs an output in its row (stdin has no name "
                  "to derive one from)";
        else if (o->policy.normalize)
            why = CONVERT_REASON_NORMALIZE_STDIN;
        else if (settings_duration(&s->settings) > 0)
            why = CLI_REASON_DURATION_STDIN;
        if (why != NULL) {
            message("tempitch: %s:%lu: %s\n",
                    convert_is_stdio(o->manifest) ? "stdin" : o->manifest,
                    s->line, why);
            return JOBS_USAGE;
        }
        reader = s;
    }
    return JOBS_OK;
}

static enum jobs_status from_manifest(const struct cli_options *o,
                                      struct job_list *l)
{
    if (manifest_load(o->manifest, &l->manifest) != 0)
        return JOBS_USAGE;
    l->from_manifest = 1;
    struct lists cl = command_line_lists(o);
    size_t cap = 0;
    for (size_t i = 0; i < l->manifest.nrows; i++) {
        const struct manifest_row *r = &l->manifest.rows[i];
        struct lists v = cl;
        if (r->has_pitch) {
            v.pitch_opt = 'p';
            v.pitches = &r->pitch;
            v.npitch = 1;
        }
        if (r->has_tempo) {
            v.tempo_opt = 'T';
            v.tempos = &r->tempo;
            v.ntempo = 1;
        }
        size_t first = l->n;
        if (reserve(l, &cap, v.npitch * v.ntempo) != 0)
            return out_of_memory();
        add_combinations(o, l, &v, r->input, 0);
        for (size_t k = first; k < l->n; k++) {
            l->entries[k].output = r->output;
            l->entries[k].line = r->line;
        }
    }
    return manifest_streams(o, l);
}

/* Pairs name files: standard streams and empty names are refused as on
 * the command line, with the pair's number. */
static enum jobs_status from_pairs(const struct cli_options *o,
                                   struct job_list *l)
{
    size_t cap = 0;
    l->from_pairs = 1;
    l->nvariants = 1;
    if (reserve(l, &cap, o->ninputs) != 0)
        return out_of_memory();
    for (size_t i = 0; i < o->ninputs; i++) {
        const char *in = o->inputs[i], *out = o->outputs[i];
        const char *why = in[0] == '\0' || out[0] == '\0' ? "empty file name"
                          : convert_is_stdio(in) || convert_is_stdio(out)
                              ? "'-' (a standard stream to the command) cannot "
                                "be a pair's file: write ./- for a file of "
                                "that name"
                              : NULL;
        if (why != NULL) {
            message("tempitch: pair %zu: %s\n", i + 1, why);
            return JOBS_USAGE;
        }
        struct list_entry *s = &l->entries[l->n++];
        memset(s, 0, sizeof *s);
        s->input = in;
        s->output = out;
        s->line = (unsigned long)i + 1;
        s->settings = o->settings;
    }
    return JOBS_OK;
}

enum jobs_status jobs_build(const struct cli_options *o,
                            const struct stat *skip, struct job_list *l)
{
    memset(l, 0, sizeof *l);
    l->nvariants = o->npitch * (o->settings.tempo_opt == 'D' ? 1 : o->ntempo);
    enum jobs_status s = o->outputs != NULL    ? from_pairs(o, l)
                         : o->manifest != NULL ? from_manifest(o, l)
                                               : from_operands(o, skip, l);
    if (s != JOBS_OK)
        jobs_free(l);
    return s;
}

void jobs_free(struct job_list *l)
{
    free(l->entries);
    walk_free(&l->walked);
    manifest_free(&l->manifest);
    memset(l, 0, sizeof *l);
}
