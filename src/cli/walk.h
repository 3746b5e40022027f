/*
 * walk.h -- the audio files of a directory tree (-r).
 *
 * Rules, chosen so a folder conversion is predictable and cannot hang:
 *   - entries are visited in byte order of their names (strcmp, not the
 *     locale), depth first, so the job list is the same on every machine;
 *   - names starting with '.' are skipped: hidden files and directories,
 *     and tempitch's own temporary outputs (.NAME.tmp.XXXXXX);
 *   - a file is taken when its extension names a format libsndfile knows
 *     (sfformat_is_audio_name): no file is opened to decide, and a broken
 *     song.wav is reported as failing rather than silently left out;
 *   - only regular files are taken (a FIFO or device in a tree would block
 *     or never end), and symbolic links to them (a broken link is taken,
 *     and fails with its reason); links to directories are not followed
 *     (so links cannot make a loop), nor is a directory that is one of its
 *     own ancestors (bind mounts) or the directory `skip` (the output
 *     directory, when it lies inside the tree).
 */
#ifndef TEMPITCH_CLI_WALK_H
#define TEMPITCH_CLI_WALK_H

#include <stddef.h>
#include <sys/stat.h>

struct walk_entry {
    char *path; /* root + '/' + the path below it; owned            */
    int err;    /* 0: an audio file; else errno for a directory of
                   the tree that could not be read (path names it)  */
};

struct walk_list {
    struct walk_entry *entries;
    size_t n, cap;
};

/* Appends the audio files under directory `root` to *list, in order;
 * `skip` (may be NULL) is a directory not to enter.  Returns 0, or ENOMEM
 * (the list then holds what was found so far, still to be freed). */
int walk_tree(const char *root, const struct stat *skip,
              struct walk_list *list);

/* Frees every entry and the array; safe on a zeroed list. */
void walk_free(struct walk_list *list);

#endif /* TEMPITCH_CLI_WALK_H */
