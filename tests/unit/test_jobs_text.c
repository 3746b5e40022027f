/*
 * test_jobs_text.c -- the text formats of the job list: the --manifest CSV
 * parser (src/cli/manifest.c) and --name templates (src/cli/template.c).
 *
 * Each test states the mistake it catches: quotes not undone, a comma
 * inside quotes taken as a separator, line numbers that count records
 * instead of lines, a '.' left before an empty {ext}, an unbalanced
 * brace accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest.h"
#include "template.h"

/* ---- manifest ------------------------------------------------------------ */

static int parse(const char *text, struct manifest *m, unsigned long *line,
                 char *err, size_t size)
{
    return manifest_parse(text, strlen(text), m, line, err, size);
}

/* RFC 4180 quoting: commas, doubled quotes and line breaks inside quotes;
 * CRLF line ends; comments and blank lines skipped; columns in any order;
 * empty fields mean "not given". */
static void manifest_quoting(void **state)
{
    (void)state;
    const char *text = "# jobs\r\n"
                       "tempo,INPUT,output,pitch\r\n"
                       "\r\n"
                       "1.25,\"a, b.wav\",\"say \"\"hi\"\".flac\",-2\r\n"
                       "# skipped\n"
                       ",\"two\nlines.wav\",,\n"
                       "120:150,plain.wav,out/x.wav,0.5";
    struct manifest m;
    unsigned long line = 99;
    char err[200];
    assert_int_equal(parse(text, &m, &line, err, sizeof err), 0);
    assert_int_equal(m.nrows, 3);

    assert_string_equal(m.rows[0].input, "a, b.wav");
    assert_string_equal(m.rows[0].output, "say \"hi\".flac");
    assert_true(m.rows[0].has_pitch);
    assert_true(m.rows[0].pitch == -2.0);
    assert_true(m.rows[0].has_tempo);
    assert_true(m.rows[0].tempo == 1.25);
    assert_int_equal(m.rows[0].line, 4);

    assert_string_equal(m.rows[1].input, "two\nlines.wav");
    assert_null(m.rows[1].output);
    assert_false(m.rows[1].has_pitch);
    assert_false(m.rows[1].has_tempo);
    assert_int_equal(m.rows[1].line, 6);

    /* The row after a quoted line break starts two lines later. */
    assert_int_equal(m.rows[2].line, 8);
    assert_true(m.rows[2].tempo == 1.25); /* 120:150 BPM */
    assert_string_equal(m.rows[2].output, "out/x.wav");
    manifest_free(&m);
}

/* Nothing is trimmed: a leading space is part of the path. */
static void manifest_no_trimming(void **state)
{
    (void)state;
    struct manifest m;
    unsigned long line;
    char err[200];
    assert_int_equal(parse("input\n a.wav \n", &m, &line, err, sizeof err), 0);
    assert_string_equal(m.rows[0].input, " a.wav ");
    manifest_free(&m);
}

struct bad_case {
    const char *text;
    unsigned long line;
    const char *reason;
};

/* Every error names the line it is on (the line a record starts on, or
 * where an unterminated quote opens) and says what is wrong. */
static void manifest_errors(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"", 0, "no header line"},
        {"# only a comment\n\n", 0, "no header line"},
        {"input,pitch\n", 0, "no rows after the header"},
        {"pitch,tempo\nx,1\n", 1, "no 'input' column in the header"},
        {"input,speed\n", 1, "unknown column 'speed' in the header"},
        {"input,input\n", 1, "column 'input' given twice"},
        {"input,output,pitch,tempo,input\n", 1, "5 columns in the header"},
        {"input,pitch\na.wav,1\n\nb.wav,x\n", 4, "invalid pitch 'x'"},
        {"input,pitch\na.wav,99\n", 2, "invalid pitch '99'"},
        {"input,pitch\na.wav, 1\n", 2, "invalid pitch ' 1'"},
        {"input,tempo\na.wav,0\n", 2, "invalid tempo '0'"},
        {"input,tempo\na.wav,120:0\n", 2, "invalid tempo '120:0'"},
        {"input,pitch\na.wav\n", 2, "1 field, the header has 2"},
        {"input\na.wav,b\n", 2, "2 fields, the header has 1"},
        {"input\na,b,c,d,e,f\n", 2, "6 fields, the header has 1"},
        {"input,pitch\n,1\n", 2, "empty input"},
        {"input\n\"a.wav\n\n", 2, "unterminated quoted field"},
        {"input\n\"a\"b\n", 2, "text after the closing quote"},
        {"input\na\"b\n", 2, "'\"' inside an unquoted field"},
        {"input\n\"a\nb\",x\n", 2, "2 fields, the header has 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct manifest m;
        unsigned long line = 12345;
        char err[200];
        int rc = parse(cases[i].text, &m, &line, err, sizeof err);
        if (rc != -1 || line != cases[i].line ||
            strstr(err, cases[i].reason) == NULL)
            fail_msg("case %zu: rc %d, line %lu, '%s'; expected line %lu, "
                     "'%s'",
                     i, rc, line, err, cases[i].line, cases[i].reason);
        assert_null(m.rows);
    }
}

/* A NUL byte means the file is not text. */
static void manifest_nul(void **state)
{
    (void)state;
    static const char text[] = "input\na.wav\nb\0.wav\n";
    struct manifest m;
    unsigned long line;
    char err[200];
    assert_int_equal(
        manifest_parse(text, sizeof text - 1, &m, &line, err, sizeof err), -1);
    assert_int_equal(line, 3);
    assert_non_null(strstr(err, "NUL byte"));
}

/* ---- templates ------------------------------------------------------------
 */

static char *expand(const char *t, const char *ext)
{
    struct template_fields f = {.stem = "song",
                                .ext = ext,
                                .tag = "p-2.T0.9",
                                .pitch = "-2",
                                .tempo = "0.9",
                                .variant = 3};
    char err[200];
    assert_int_equal(template_check(t, err, sizeof err), 0);
    return template_expand(t, &f);
}

static void template_fields(void **state)
{
    (void)state;
    struct {
        const char *t, *ext, *want;
    } cases[] = {
        {TEMPLATE_TAGGED, "wav", "song.p-2.T0.9.wav"},
        {TEMPLATE_KEEP, "flac", "song.flac"},
        /* No extension: no dangling dot, as the built-in names. */
        {TEMPLATE_TAGGED, "", "song.p-2.T0.9"},
        {"{stem}_{pitch}_{tempo}_{variant}.{ext}", "wav", "song_-2_0.9_3.wav"},
        {"aug/{variant}/{stem}.{ext}", "ogg", "aug/3/song.ogg"},
        {"{{literal}}-{stem}", "wav", "{literal}-song"},
        /* Only a literal dot right before {ext} goes. */
        {"{stem}{ext}", "", "song"},
        {"{stem}-{ext}", "", "song-"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = expand(cases[i].t, cases[i].ext);
        assert_non_null(s);
        if (strcmp(s, cases[i].want) != 0)
            fail_msg("'%s' -> '%s', expected '%s'", cases[i].t, s,
                     cases[i].want);
        free(s);
    }
}

static void template_errors(void **state)
{
    (void)state;
    struct {
        const char *t, *reason;
    } cases[] = {
        {"{stem", "unbalanced '{'"},
        {"{stem}}", "unbalanced '}'"},
        {"{st{em}", "unbalanced '{'"},
        {"a}b", "unbalanced '}'"},
        {"{name}.wav", "unknown field '{name}'"},
        {"{}", "unknown field '{}'"},
        {"", "empty template"},
        {"/tmp/{stem}", "relative"},
        {"../{stem}", "'..'"},
        {"a//{stem}", "empty"},
        {"./{stem}", "'.'"},
        {"{stem}/", "empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[200] = "";
        if (template_check(cases[i].t, err, sizeof err) != -1 ||
            strstr(err, cases[i].reason) == NULL)
            fail_msg("'%s': '%s', expected '%s'", cases[i].t, err,
                     cases[i].reason);
    }
    assert_true(template_uses("{stem}.{variant}", "variant"));
    assert_false(template_uses("{stem}.{{variant}}", "variant"));
    assert_true(template_name_ok("a/b.wav"));
    assert_false(template_name_ok("/x"));
    assert_false(template_name_ok("a/../b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(manifest_quoting),
        cmocka_unit_test(manifest_no_trimming),
        cmocka_unit_test(manifest_errors),
        cmocka_unit_test(manifest_nul),
        cmocka_unit_test(template_fields),
        cmocka_unit_test(template_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
