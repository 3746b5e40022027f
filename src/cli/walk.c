/*
 * walk.c -- the audio files of a directory tree; see walk.h.
 */
#define _XOPEN_SOURCE 700 /* fstatat, dirfd */

#include "walk.h"
#include "naming.h"
#include "sfformat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/* The directories from the root down to the one being read. */
struct ancestor {
    dev_t dev;
    ino_t ino;
    const struct ancestor *up;
};

static int add(struct walk_list *l, char *path, int err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct walk_entry *e = realloc(l->entries, cap * sizeof *e);
        if (e == NULL) {
            free(path);
            return ENOMEM;
        }
        l->entries = e;
        l->cap = cap;
    }
    l->entries[l->n].path = path;
    l->entries[l->n++].err = err;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The visible names in `d`, sorted.  Returns 0 or an errno value. */
static int read_names(DIR *d, char ***names, size_t *count)
{
    size_t n = 0, cap = 0;
    char **v = NULL;
    int err = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **w = realloc(v, cap * sizeof *w);
            if (w == NULL) {
                err = ENOMEM;
                break;
            }
            v = w;
        }
        if ((v[n] = strdup(e->d_name)) == NULL) {
            err = ENOMEM;
            break;
        }
        n++;
        errno = 0;
    }
    if (err == 0 && errno != 0)
        err = errno;
    if (err != 0) {
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
        return err;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, compare_names);
    *names = v;
    *count = n;
    return 0;
}

static int is_ancestor(const struct ancestor *a, const struct stat *st)
{
    for (; a != NULL; a = a->up) {
        if (a->dev == st->st_dev && a->ino == st->st_ino)
            return 1;
    }
    return 0;
}

/* Walks directory `path` (stat in *st).  Returns 0 or ENOMEM; other
 * errors become entries. */
static int walk_dir(const char *path, const struct stat *st,
                    const struct stat *skip, const struct ancestor *up,
                    struct walk_list *l)
{
    struct ancestor me = {st->st_dev, st->st_ino, up};
    DIR *d = opendir(path);
    char **names = NULL;
    size_t count = 0;
    int err = d == NULL ? errno : read_names(d, &names, &count);
    if (err != 0) {
        if (d != NULL)
            closedir(d);
        if (err == ENOMEM)
            return ENOMEM;
        char *p = strdup(path);
        return p == NULL ? ENOMEM : add(l, p, err);
    }
    int fd = dirfd(d);
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        char *child = naming_join(path, names[i]);
        if (child == NULL) {
            rc = ENOMEM;
            break;
        }
        struct stat cst;
        int have = fstatat(fd, names[i], &cst, AT_SYMLINK_NOFOLLOW) == 0;
        if (have && S_ISDIR(cst.st_mode)) {
            int enter = !is_ancestor(&me, &cst) &&
                        !(skip != NULL && skip->st_dev == cst.st_dev &&
                          skip->st_ino == cst.st_ino);
            if (enter)
                rc = walk_dir(child, &cst, skip, &me, l);
            free(child);
            continue;
        }
        /* Only regular files, and links to them: a FIFO or device in a
         * tree would block or never end.  A broken link is taken and
         * fails later, with its reason. */
        int regular = have && S_ISREG(cst.st_mode);
        if (have && S_ISLNK(cst.st_mode)) {
            struct stat target;
            regular = fstatat(fd, names[i], &target, 0) != 0 ||
                      S_ISREG(target.st_mode);
        }
        if (regular && sfformat_is_audio_name(names[i]))
            rc = add(l, child, 0);
        else
            free(child);
    }
    closedir(d);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return rc;
}

int walk_tree(const char *root, const struct stat *skip, struct walk_list *list)
{
    struct stat st;
    int err = stat(root, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    if (err != 0) {
        char *p = strdup(root);
        return p == NULL ? ENOMEM : add(list, p, err);
    }
    return walk_dir(root, &st, skip, NULL, list);
}

void walk_free(struct walk_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->entries[i].path);
    free(list->entries);
    memset(list, 0, sizeof *list);
}
