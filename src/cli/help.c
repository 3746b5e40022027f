/*
 * help.c -- the text of --help and --version.
 *
 * The option list is optable.c's, printed row by row, so it cannot drift
 * from what the parser accepts; the rest reads as it prints (one source
 * line per output line).
 */
#include "help.h"
#include "limiter.h"
#include "optable.h"

#include <tempitch/pool.h>
#include <tempitch/stretch.h>

#include <sndfile.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Where the text column of the option list starts. */
enum { TEXT_COLUMN = 26 };

/* One row of the option table: its label ("  -p, --pitch=SEMITONES")
 * padded to the text column (or on a line of its own when longer), then
 * its text, each further line indented to the column. */
static void print_row(const struct cli_option *row)
{
    char label[64], text[1024];
    if (row->kind == OPT_HELP && row->arg == NULL) {
        printf("%s\n", row->help); /* a heading */
        return;
    }
    if (row->kind == OPT_HELP)
        snprintf(label, sizeof label, "%s%s", *row->arg ? "  " : "", row->arg);
    else
        snprintf(label, sizeof label, "  %c%c%c --%s%s%s", row->key ? '-' : ' ',
                 row->key ? row->key : ' ', row->key ? ',' : ' ', row->name,
                 row->arg ? "=" : "", row->arg ? row->arg : "");
    double lo, hi;
    optable_range(row, &lo, &hi);
    snprintf(text, sizeof text, row->help, lo, hi, (double)tp_pool_cpu_count());
    int width = printf("%s", label);
    if (width > TEXT_COLUMN - 2) {
        putchar('\n');
        width = 0;
    }
    for (const char *line = text; *line != '\0';) {
        size_t n = strcspn(line, "\n");
        printf("%*s%.*s\n", TEXT_COLUMN - width, "", (int)n, line);
        width = 0;
        line += n + (line[n] == '\n');
    }
}

void help_print(void)
{
    /* One source line per output line, so the text reads as it prints. */
    /* clang-format off */
    fputs(
"Usage: tempitch [OPTION]... FILE... [-o OUTPUT]\n"
"       tempitch [OPTION]... -r DIR... [-o OUTDIR]\n"
"       tempitch [OPTION]... --manifest CSV [-o OUTDIR]\n"
"       tempitch --bench [OPTION]... [FILE]...\n"
"Change the pitch and the tempo of audio files independently, on a pool\n"
"of worker threads, and print how long each file took.\n"
"\n", stdout);
    for (size_t i = 0; i < optable_size; i++)
        print_row(&optable[i]);
    printf(
"\n"
"An output keeps its input's sample rate, channel count, sample format\n"
"and metadata strings (title, artist, ...) when the output's format\n"
"allows it; --format or the extension picks the format (.wav .flac .ogg\n"
".aiff ...; unknown: the input's).  Integer and lossy (MP3, Ogg)\n"
"outputs cannot hold more than full scale: where a peak would exceed\n"
"it, a look-ahead limiter lowers the gain smoothly from %g ms before\n"
"the peak, to put it at %g, holds it across gaps of up to %g ms\n"
"between peaks (the half-cycles of a low note) and lets it recover in\n"
"about %g ms after the last.  The number of limited samples is\n"
"reported; an output that never gets there is untouched.  --clip clips\n"
"instead, --normalize scales the whole output.  Input samples that are\n"
"NaN, infinite or beyond 1e12 are replaced by 0, with a warning.\n"
"Outputs are byte-identical whatever -j is.  Each is written to a\n"
"temporary file beside it and renamed into place when complete: an\n"
"error or a signal never leaves a partial output.\n"
"A progress line is shown on stderr when it is a terminal; the timing\n"
"table goes to stdout.  Errors read 'tempitch: FILE: reason'; a bad file\n"
"does not stop the others.\n"
"\n"
"Exit status: 0 every file done (or up to date with --newer), 1 some\n"
"file failed or was skipped (the others are still written), 2 usage\n"
"error (nothing written); killed by SIGINT, SIGTERM or SIGHUP: finished\n"
"outputs stay, no partial one, and the signal is the cause of death\n"
"(130, 143, 129 in a shell).\n",
        LIMITER_LOOKAHEAD_MS, CONVERT_LIMIT_CEILING, LIMITER_BRIDGE_MS,
        LIMITER_RELEASE_MS);
    /* clang-format on */
}

void help_print_version(void)
{
    printf("tempitch %s (engine %s, %s)\n", TP_VERSION_STRING, tp_version(),
           sf_version_string());
}
