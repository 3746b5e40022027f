/*
 * naming.c -- output file names; see naming.h.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "naming.h"
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *naming_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

char *naming_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] != '/';
    size_t size = dl + (size_t)slash + strlen(name) + 1;
    char *s = malloc(size);
    if (s != NULL)
        snprintf(s, size, "%s%s%s", dir, slash ? "/" : "", name);
    return s;
}

/* The input's file name split for templates: stem and extension (after
 * the last dot, not a leading one: ".profile" has none). */
struct stem_ext {
    char *stem;
    const char *ext;
};

static int split_name(const char *input, struct stem_ext *se)
{
    const char *base = naming_base(input);
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        dot = base + strlen(base);
    size_t n = (size_t)(dot - base);
    se->stem = malloc(n + 1);
    if (se->stem == NULL)
        return -1;
    memcpy(se->stem, base, n);
    se->stem[n] = '\0';
    se->ext = *dot == '.' ? dot + 1 : dot;
    return 0;
}

char *naming_join_n(const char *dir, size_t dir_len, const char *name)
{
    if (dir_len == 0)
        return strdup(name);
    char *d = malloc(dir_len + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, dir, dir_len);
    d[dir_len] = '\0';
    char *s = naming_join(d, name);
    free(d);
    return s;
}

/* The name of job *nj by template `t`, in its directory. */
static char *named(const struct naming_job *nj, const char *t)
{
    struct stem_ext se;
    if (split_name(nj->input, &se) != 0)
        return NULL;
    char tag[SETTINGS_TAG_MAX], pitch[SETTINGS_TAG_MAX];
    char tempo[SETTINGS_TAG_MAX];
    settings_tag(nj->settings, tag);
    settings_name_fields(nj->settings, pitch, tempo);
    struct template_fields f = {
        .stem = se.stem,
        .ext = nj->format_ext != NULL ? nj->format_ext : se.ext,
        .tag = tag,
        .pitch = pitch,
        .tempo = tempo,
        .variant = nj->variant,
    };
    char *name = template_expand(t, &f);
    free(se.stem);
    if (name == NULL)
        return NULL;
    char *s = naming_join_n(nj->dir, nj->dir_len, name);
    free(name);
    return s;
}

char *naming_output(const struct naming_job *nj,
                    int (*is_input)(const char *path, void *arg), void *arg,
                    int *bad)
{
    *bad = 0;
    if (nj->name_template != NULL) {
        char *s = named(nj, nj->name_template);
        if (s != NULL && !template_name_ok(s + nj->dir_len))
            *bad = 1;
        return s;
    }
    if (!nj->keep)
        return named(nj, TEMPLATE_TAGGED);
    char *s = named(nj, TEMPLATE_KEEP);
    /* The directory is the input's own: keeping the name would be the
     * input itself, so the tagged name is used instead. */
    if (s != NULL && is_input != NULL && is_input(s, arg)) {
        free(s);
        s = named(nj, TEMPLATE_TAGGED);
    }
    return s;
}
