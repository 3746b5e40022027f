/*
 * template.h -- output-name templates (--name).
 *
 * A template is text with fields in braces, expanded once per job:
 *
 *   {stem}     the input's file name without its extension
 *   {ext}      the output's extension, without the dot ("" for none)
 *   {tag}      the change, as in default names: "p+3.T1.25", "copy"
 *   {pitch}    the pitch as given: semitones with a sign ("+3") for -p
 *              and manifest rows ("+0" when not given), the ratio for -f
 *   {tempo}    the tempo as given: the speed factor for -T and manifest
 *              rows (1 when not given), the multiple for -t, the
 *              seconds for -D
 *   {variant}  0-based index of the job's pitch/tempo combination
 *
 * "{{" and "}}" stand for one brace.  When {ext} expands to nothing, a '.'
 * just before it goes too, so "{stem}.{tag}.{ext}" names "noext" as
 * "noext.copy", not "noext.copy.".  A template may contain '/' to put
 * outputs in subdirectories (created as needed), but must stay relative
 * and below its directory: no leading '/', no empty, "." or ".."
 * component.
 *
 * Pure string functions: no file system access, no printing.
 */
#ifndef TEMPITCH_CLI_TEMPLATE_H
#define TEMPITCH_CLI_TEMPLATE_H

#include <stddef.h>

/* The built-in names (naming.h), as templates. */
#define TEMPLATE_TAGGED "{stem}.{tag}.{ext}"
#define TEMPLATE_KEEP "{stem}.{ext}"

struct template_fields {
    const char *stem;
    const char *ext;
    const char *tag;
    const char *pitch;
    const char *tempo;
    size_t variant;
};

/* Checks `t`.  Returns 0, or -1 with the reason in err[size] (always
 * terminated), e.g. "unknown field '{foo}'", "unbalanced '{'". */
int template_check(const char *t, char *err, size_t size);

/* 1 when `name` (an expansion) is a usable relative output name: not
 * empty, no leading '/', no empty, "." or ".." component. */
int template_name_ok(const char *name);

/* 1 when `t` (already checked) uses field `name` ("pitch", ...). */
int template_uses(const char *t, const char *name);

/* Returns a new string: `t` (already checked) with every field replaced
 * from *f.  NULL when out of memory.  An expansion may still end in an
 * unusable name (a stem of ".."); the plan refuses those per file. */
char *template_expand(const char *t, const struct template_fields *f);

#endif /* TEMPITCH_CLI_TEMPLATE_H */
