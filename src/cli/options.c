/*
 * options.c -- command-line parsing for the tempitch command.
 */
#include "options.h"

#include <tempitch/stretch.h>

#include <sndfile.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TEMPITCH_VERSION
#define TEMPITCH_VERSION "unknown"
#endif

/* Frequency-ratio range equivalent to the engine's semitone range, so -f
 * and -p accept exactly the same shifts. */
#define RATIO_MIN exp2(TP_SEMITONES_MIN / 12.0)
#define RATIO_MAX exp2(TP_SEMITONES_MAX / 12.0)

enum { OPT_FORCE = 256 };

static const struct option long_options[] = {
    {"pitch", required_argument, NULL, 'p'},
    {"frequency", required_argument, NULL, 'f'},
    {"tempo", required_argument, NULL, 'T'},
    {"time", required_argument, NULL, 't'},
    {"output", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, OPT_FORCE},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Leading ':' makes getopt return ':' for a missing value, so the two
 * kinds of mistakes get different messages. */
static const char short_options[] = ":p:f:T:t:o:qhV";

static void print_help(void)
{
    /* One source line per output line, so the text reads as it prints. */
    /* clang-format off */
    printf(
"Usage: tempitch [OPTION]... INPUT -o OUTPUT\n"
"Change the pitch and the tempo of an audio file independently.\n"
"\n"
"  -p, --pitch=SEMITONES   pitch shift in semitones, fractional allowed\n"
"                          (%g..%g; default 0)\n"
"  -f, --frequency=RATIO   pitch shift as a frequency ratio (%g..%g;\n"
"                          2 = one octave up); another spelling of -p\n"
"  -T, --tempo=SPEED       tempo as a SPEED factor (%g..%g; default 1):\n"
"                          1.25 plays 25%% faster, so the output lasts\n"
"                          0.8 x as long\n"
"  -t, --time=X            tempo as a DURATION multiple (%g..%g), the\n"
"                          inverse of -T, as in rubberband: -t 0.8 is\n"
"                          the same as -T 1.25\n"
"  -o, --output=FILE       output file; its extension picks the format\n"
"                          (.wav .flac .ogg .aiff ...; unknown: WAV)\n"
"      --force             replace OUTPUT if it exists\n"
"  -q, --quiet             print nothing but errors\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show version information and exit\n"
"\n"
"The output keeps the input's sample rate, channel count and sample\n"
"format when the output format allows it.  Integer outputs are clipped\n"
"at full scale and the number of clipped samples is reported.\n"
"\n"
"Exit status: 0 success, 1 the file could not be processed, 2 usage error.\n",
        TP_SEMITONES_MIN, TP_SEMITONES_MAX, RATIO_MIN, RATIO_MAX,
        TP_TEMPO_MIN, TP_TEMPO_MAX, 1.0 / TP_TEMPO_MAX, 1.0 / TP_TEMPO_MIN);
    /* clang-format on */
}

static void print_version(void)
{
    printf("tempitch %s (engine %s, %s)\n", TEMPITCH_VERSION, tp_version(),
           sf_version_string());
}

/* Usage mistakes that are about syntax rather than values get a pointer
 * to --help; value errors already say the valid range.  `arg` may be NULL. */
static enum cli_parse_status usage_error(const char *msg, const char *arg)
{
    if (arg != NULL)
        fprintf(stderr, "tempitch: %s '%s'\n", msg, arg);
    else
        fprintf(stderr, "tempitch: %s\n", msg);
    fputs("Try 'tempitch --help' for more information.\n", stderr);
    return CLI_USAGE;
}

/* The option getopt just complained about, as the user spelt it.  A long
 * option always advances optind past its own word; a short one may sit in
 * a bundle ("-qx"), so it is rebuilt from optopt. */
static const char *offending_option(char **argv, char *buf, size_t size)
{
    const char *word = argv[optind - 1];
    if (optopt == 0 || strncmp(word, "--", 2) == 0) {
        snprintf(buf, size, "%.*s", (int)strcspn(word, "="), word);
    } else {
        snprintf(buf, size, "-%c", optopt);
    }
    return buf;
}

/* Strict number: the whole string must be consumed and the value finite
 * (strtod alone would accept "1.5x", "nan", "inf" and overflow to inf). */
static int parse_number(const char *text, double *value)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v))
        return -1;
    *value = v;
    return 0;
}

/* Parses `text` into *value, which must lie in [lo, hi].  On failure
 * prints "invalid WHAT 'TEXT' (expected KIND in LO..HI)" and returns -1. */
static int parse_ranged(const char *text, const char *what, const char *kind,
                        double lo, double hi, double *value)
{
    double v;
    if (parse_number(text, &v) == 0 && v >= lo && v <= hi) {
        *value = v;
        return 0;
    }
    fprintf(stderr, "tempitch: invalid %s '%s' (expected %s in %g..%g)\n", what,
            text, kind, lo, hi);
    return -1;
}

/* Two spellings of one setting (-T/-t, -p/-f) are refused together rather
 * than silently letting one win: a script mixing them is likely wrong. */
static int check_spelling(int *seen, int opt, const char *setting)
{
    if (*seen != 0 && *seen != opt) {
        fprintf(stderr,
                "tempitch: -%c and -%c both set the %s; give only one\n", *seen,
                opt, setting);
        return -1;
    }
    *seen = opt;
    return 0;
}

enum cli_parse_status options_parse(int argc, char **argv,
                                    struct cli_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->params.tempo = 1.0;
    opts->params.pitch = 0.0;
    opts->params.pitch_is_ratio = 0;

    int tempo_opt = 0; /* 'T' or 't' once given */
    int pitch_opt = 0; /* 'p' or 'f' once given */
    double v;
    char name[64];

    opterr = 0; /* we print our own messages, prefixed "tempitch:" */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) !=
           -1) {
        switch (c) {
        case 'p':
            if (check_spelling(&pitch_opt, c, "pitch") != 0 ||
                parse_ranged(optarg, "pitch", "semitones", TP_SEMITONES_MIN,
                             TP_SEMITONES_MAX, &v) != 0)
                return CLI_USAGE;
            opts->params.pitch = v;
            opts->params.pitch_is_ratio = 0;
            break;
        case 'f':
            if (check_spelling(&pitch_opt, c, "pitch") != 0 ||
                parse_ranged(optarg, "frequency ratio", "a ratio", RATIO_MIN,
                             RATIO_MAX, &v) != 0)
                return CLI_USAGE;
            opts->params.pitch = v;
            opts->params.pitch_is_ratio = 1;
            break;
        case 'T':
            if (check_spelling(&tempo_opt, c, "tempo") != 0 ||
                parse_ranged(optarg, "tempo", "a speed factor", TP_TEMPO_MIN,
                             TP_TEMPO_MAX, &v) != 0)
                return CLI_USAGE;
            opts->params.tempo = v;
            break;
        case 't':
            /* A duration multiple X is the speed factor 1/X; the range is
             * the tempo range inverted. */
            if (check_spelling(&tempo_opt, c, "tempo") != 0 ||
                parse_ranged(optarg, "time ratio", "a duration multiple",
                             1.0 / TP_TEMPO_MAX, 1.0 / TP_TEMPO_MIN, &v) != 0)
                return CLI_USAGE;
            opts->params.tempo = 1.0 / v;
            break;
        case 'o':
            if (optarg[0] == '\0')
                return usage_error("empty output file name", NULL);
            opts->output = optarg;
            break;
        case OPT_FORCE:
            opts->params.force = 1;
            break;
        case 'q':
            opts->quiet = 1;
            break;
        case 'h':
            print_help();
            return CLI_DONE;
        case 'V':
            print_version();
            return CLI_DONE;
        case ':':
            return usage_error("missing value for option",
                               offending_option(argv, name, sizeof name));
        default:
            return usage_error("unknown option",
                               offending_option(argv, name, sizeof name));
        }
    }

    int inputs = argc - optind;
    if (inputs == 0)
        return usage_error("no input file given", NULL);
    if (inputs > 1) {
        fprintf(stderr,
                "tempitch: exactly one input file is supported (got %d)\n",
                inputs);
        return CLI_USAGE;
    }
    if (argv[optind][0] == '\0')
        return usage_error("empty input file name", NULL);
    if (opts->output == NULL)
        return usage_error("no output file given (use -o FILE)", NULL);
    opts->input = argv[optind];
    return CLI_RUN;
}
