/*
 * naming.c -- output file names; see naming.h.
 */
#include "naming.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends ".PART" (or "PART" at the start) to tag. */
static void add_part(char *tag, const char *fmt, double value)
{
    size_t len = strlen(tag);
    if (len > 0 && len + 1 < NAMING_TAG_MAX)
        tag[len++] = '.';
    snprintf(tag + len, NAMING_TAG_MAX - len, fmt, value);
}

void naming_tag(const struct cli_options *o, char tag[NAMING_TAG_MAX])
{
    tag[0] = '\0';
    /* Compared with the values as given, so "-f 1" and "-p 0" (no change)
     * add nothing, while any real change, however small, shows. */
    if (o->pitch_opt == 'p' && o->params.pitch != 0.0)
        add_part(tag, "p%+g", o->params.pitch);
    else if (o->pitch_opt == 'f' && o->params.pitch != 1.0)
        add_part(tag, "f%g", o->params.pitch);

    if (o->tempo_opt == 'T' && o->tempo_value != 1.0)
        add_part(tag, "T%g", o->tempo_value);
    else if (o->tempo_opt == 't' && o->tempo_value != 1.0)
        add_part(tag, "t%g", o->tempo_value);
    else if (o->tempo_opt == 'D')
        add_part(tag, "D%g", o->tempo_value);

    /* Formants: only when they change the result or were moved. */
    if (o->params.formant_st != 0.0)
        add_part(tag, "F%+g", o->params.formant_st);
    else if (o->params.formant &&
             o->params.pitch != (o->pitch_opt == 'f' ? 1.0 : 0.0))
        add_part(tag, "F", 0.0);

    if (tag[0] == '\0')
        snprintf(tag, NAMING_TAG_MAX, "copy");
}

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

char *naming_tagged(const char *dir, const char *path, const char *tag)
{
    const char *base = naming_base(path);
    /* The extension starts at the last dot of the file name, but not at
     * its first character: ".profile" has no extension. */
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        dot = base + strlen(base);
    size_t prefix = (size_t)(dot - path); /* directory and stem */
    const char *stem = path;
    if (dir != NULL) {
        prefix = (size_t)(dot - base);
        stem = base;
    }
    size_t dl = dir != NULL ? strlen(dir) : 0;
    int slash = dir != NULL && dl > 0 && dir[dl - 1] != '/';
    size_t size =
        dl + (size_t)slash + prefix + 1 + strlen(tag) + strlen(dot) + 1;
    char *s = malloc(size);
    if (s != NULL)
        snprintf(s, size, "%s%s%.*s.%s%s", dir != NULL ? dir : "",
                 slash ? "/" : "", (int)prefix, stem, tag, dot);
    return s;
}
