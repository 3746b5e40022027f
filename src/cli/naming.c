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

void naming_tag_of(const struct naming_change *c, char tag[NAMING_TAG_MAX])
{
    tag[0] = '\0';
    /* Compared with the values as given, so "-f 1" and "-p 0" (no change)
     * add nothing, while any real change, however small, shows. */
    if (c->pitch_opt == 'p' && c->pitch != 0.0)
        add_part(tag, "p%+g", c->pitch);
    else if (c->pitch_opt == 'f' && c->pitch != 1.0)
        add_part(tag, "f%g", c->pitch);

    if (c->tempo_opt == 'T' && c->tempo_value != 1.0)
        add_part(tag, "T%g", c->tempo_value);
    else if (c->tempo_opt == 't' && c->tempo_value != 1.0)
        add_part(tag, "t%g", c->tempo_value);
    else if (c->tempo_opt == 'D')
        add_part(tag, "D%g", c->tempo_value);

    /* Formants: only when they change the result or were moved. */
    if (c->formant_st != 0.0)
        add_part(tag, "F%+g", c->formant_st);
    else if (c->formant && c->pitch != (c->pitch_opt == 'f' ? 1.0 : 0.0))
        add_part(tag, "F", 0.0);

    if (tag[0] == '\0')
        snprintf(tag, NAMING_TAG_MAX, "copy");
}

void naming_tag(const struct cli_options *o, char tag[NAMING_TAG_MAX])
{
    struct naming_change c = {o->pitch_opt,      o->params.pitch,
                              o->tempo_opt,      o->tempo_value,
                              o->params.formant, o->params.formant_st};
    if (o->tempo_opt == 0)
        c.tempo_value = 1.0;
    naming_tag_of(&c, tag);
}

void naming_values(const struct naming_change *c, char *pitch, char *tempo)
{
    snprintf(pitch, NAMING_TAG_MAX, c->pitch_opt == 'f' ? "%g" : "%+g",
             c->pitch);
    snprintf(tempo, NAMING_TAG_MAX, "%g", c->tempo_opt ? c->tempo_value : 1.0);
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
