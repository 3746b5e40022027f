/*
 * template.c -- output-name templates; see template.h.
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[] = {"stem",  "ext",   "tag",
                                          "pitch", "tempo", "variant"};
enum { NFIELDS = sizeof field_names / sizeof field_names[0] };

/* Index of the field spelt s[0..n), or -1. */
static int field_index(const char *s, size_t n)
{
    for (int i = 0; i < NFIELDS; i++) {
        if (strlen(field_names[i]) == n && strncmp(s, field_names[i], n) == 0)
            return i;
    }
    return -1;
}

/* Calls `visit` for each piece of `t` in order: literal text (field -1)
 * or a field.  Returns 0, or -1 with a reason when `t` is malformed. */
typedef void visit_fn(void *user, int field, const char *text, size_t n);

static int walk(const char *t, visit_fn *visit, void *user, char *err,
                size_t size)
{
    const char *p = t;
    while (*p != '\0') {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            visit(user, -1, p, 1);
            p += 2;
        } else if (*p == '{') {
            const char *close = strpbrk(p + 1, "{}");
            if (close == NULL || *close == '{') {
                snprintf(err, size, "unbalanced '{'");
                return -1;
            }
            size_t n = (size_t)(close - p - 1);
            int f = field_index(p + 1, n);
            if (f < 0) {
                snprintf(err, size,
                         "unknown field '{%.*s}' (fields: {stem} {ext} {tag} "
                         "{pitch} {tempo} {variant})",
                         (int)(n > 40 ? 40 : n), p + 1);
                return -1;
            }
            visit(user, f, p, n + 2);
            p = close + 1;
        } else if (*p == '}') {
            snprintf(err, size, "unbalanced '}'");
            return -1;
        } else {
            size_t n = strcspn(p, "{}");
            visit(user, -1, p, n);
            p += n;
        }
    }
    return 0;
}

static void ignore(void *user, int field, const char *text, size_t n)
{
    (void)user, (void)field, (void)text, (void)n;
}

/* Path rules on the literal parts: a component made only of literal
 * text must not be empty, "." or "..", and the name may not start with
 * '/'.  Components with a field are checked per file by the plan. */
static int check_path(const char *t, char *err, size_t size)
{
    if (t[0] == '\0') {
        snprintf(err, size, "empty template");
        return -1;
    }
    if (t[0] == '/') {
        snprintf(err, size, "must be a relative name (no leading '/')");
        return -1;
    }
    const char *c = t;
    for (;;) {
        size_t n = strcspn(c, "/");
        if (n == 0 || (n == 1 && c[0] == '.') ||
            (n == 2 && c[0] == '.' && c[1] == '.')) {
            snprintf(err, size,
                     "empty, '.' or '..' path component (outputs stay in "
                     "their directory)");
            return -1;
        }
        if (c[n] == '\0')
            return 0;
        c += n + 1;
    }
}

int template_name_ok(const char *name)
{
    char err[256];
    return check_path(name, err, sizeof err) == 0;
}

int template_check(const char *t, char *err, size_t size)
{
    if (check_path(t, err, size) != 0)
        return -1;
    return walk(t, ignore, NULL, err, size);
}

struct uses {
    int field, found;
};

static void note_use(void *user, int field, const char *text, size_t n)
{
    (void)text, (void)n;
    struct uses *u = user;
    if (field == u->field)
        u->found = 1;
}

int template_uses(const char *t, const char *name)
{
    struct uses u = {field_index(name, strlen(name)), 0};
    char err[256];
    if (u.field < 0 || walk(t, note_use, &u, err, sizeof err) != 0)
        return 0;
    return u.found;
}

/* Expansion in two passes over the same walk: measure, then write. */
struct expand {
    const struct template_fields *f;
    const char *t; /* the template, to look at what precedes a field */
    char *out;     /* NULL while measuring */
    size_t len;    /* bytes produced so far */
    char number[24];
};

static void put(struct expand *e, const char *s, size_t n)
{
    if (e->out != NULL)
        memcpy(e->out + e->len, s, n);
    e->len += n;
}

static void expand_piece(void *user, int field, const char *text, size_t n)
{
    struct expand *e = user;
    const char *v = NULL;
    switch (field) {
    case -1:
        put(e, text, n);
        return;
    case 0:
        v = e->f->stem;
        break;
    case 1:
        v = e->f->ext;
        /* No extension: no literal dot before it either. */
        if (v[0] == '\0' && e->len > 0 && text > e->t && text[-1] == '.')
            e->len--;
        break;
    case 2:
        v = e->f->tag;
        break;
    case 3:
        v = e->f->pitch;
        break;
    case 4:
        v = e->f->tempo;
        break;
    default:
        snprintf(e->number, sizeof e->number, "%zu", e->f->variant);
        v = e->number;
        break;
    }
    put(e, v, strlen(v));
}

char *template_expand(const char *t, const struct template_fields *f)
{
    struct expand e = {.f = f, .t = t};
    char err[256];
    walk(t, expand_piece, &e, err, sizeof err);
    char *s = malloc(e.len + 1);
    if (s == NULL)
        return NULL;
    e.out = s;
    e.len = 0;
    walk(t, expand_piece, &e, err, sizeof err);
    s[e.len] = '\0';
    return s;
}
