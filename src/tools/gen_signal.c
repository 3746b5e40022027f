/*
 * gen_signal.c -- writes a short deterministic test signal with libsndfile.
 *
 * Used by scripts/demo and the integration tests so that neither needs sox
 * or downloaded audio.  The signal is an A major chord (three partials with
 * a few harmonics each) plus a click every half second, so both tonal and
 * transient behaviour can be heard.  Channel k is the same signal at a
 * slightly lower level, which keeps channels distinguishable.  The whole
 * signal is scaled so that its largest sample is exactly PEAK (default
 * 0.5; above 1 makes a float file that clips when stored as integers).
 *
 *   gen_signal [-d SECONDS | -n FRAMES] [-r RATE] [-c CHANNELS]
 *              [-s float|pcm16|pcm24] [-a PEAK] [-m KEY=VALUE]... OUTPUT.wav
 *
 * -m stores a metadata string (KEY: title, artist, album, comment, date,
 * genre, copyright, tracknumber), for the metadata tests.
 *
 * OUTPUT "-" streams the WAV to stdout instead, block by block in constant
 * memory, for tests of long pipes: the header is written here with sox's
 * "unknown length" placeholders (libsndfile cannot write WAV to a pipe),
 * and the signal is scaled by a bound of its peak rather than its peak,
 * so its largest sample is at most PEAK.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PI 3.14159265358979323846

/* Largest magnitude the mix below can reach: the partials' harmonics at
 * full amplitude together (3 x (1 + 1/4 + 1/9 + 1/16)) and a click of 3. */
#define SIGNAL_BOUND (0.6 * 3.0 * (1.0 + 0.25 + 1.0 / 9.0 + 0.0625) + 0.4 * 3.0)

/* sox's placeholder for the data size of a WAV written to a pipe. */
#define PIPE_DATA_BYTES 0x7ffff000u

static void usage(void)
{
    fputs("usage: gen_signal [-d SECONDS | -n FRAMES] [-r RATE] "
          "[-c CHANNELS] [-s float|pcm16|pcm24] [-a PEAK] [-m KEY=VALUE]... "
          "OUTPUT.wav\n",
          stderr);
    exit(2);
}

static double number(const char *text)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v) || v < 0)
        usage();
    return v;
}

/* Tiny deterministic noise for the click bursts (no rand(): its sequence
 * differs between C libraries). */
static double noise(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return (double)(*state >> 8) / (double)(1u << 23) - 1.0;
}

/* The signal's state: the clicks' noise runs on, so samples must be asked
 * for in order. */
struct gen {
    double rate;
    long click_every, click_len;
    uint32_t seed;
};

static double sample_at(struct gen *g, long i)
{
    static const double chord[] = {220.0, 277.1826, 329.6276};
    double t = (double)i / g->rate;
    double tone = 0.0;
    for (size_t k = 0; k < sizeof chord / sizeof chord[0]; k++) {
        for (int h = 1; h <= 4; h++)
            tone += sin(2.0 * PI * chord[k] * h * t) / (h * h);
    }
    long pos = i % g->click_every;
    double click = 0.0;
    if (pos < g->click_len)
        click = 3.0 * noise(&g->seed) * exp(-6.0 * (double)pos / g->click_len);
    return 0.6 * tone + 0.4 * click;
}

static void le(unsigned char *b, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

/* OUTPUT "-": a WAV header for an unknown length, then the samples in
 * blocks through libsndfile's RAW writer (which can write to a pipe). */
static int stream_stdout(struct gen *g, long frames, int channels, int subtype,
                         double peak)
{
    int bytes = subtype == SF_FORMAT_PCM_16   ? 2
                : subtype == SF_FORMAT_PCM_24 ? 3
                                              : 4;
    uint32_t align = (uint32_t)(bytes * channels);
    uint32_t data = PIPE_DATA_BYTES - PIPE_DATA_BYTES % align;
    unsigned char h[44];
    memcpy(h, "RIFF", 4);
    le(h + 4, data + 36, 4);
    memcpy(h + 8, "WAVEfmt ", 8);
    le(h + 16, 16, 4);
    le(h + 20, subtype == SF_FORMAT_FLOAT ? 3 : 1, 2);
    le(h + 22, (uint32_t)channels, 2);
    le(h + 24, (uint32_t)g->rate, 4);
    le(h + 28, (uint32_t)g->rate * align, 4);
    le(h + 32, align, 2);
    le(h + 34, (uint32_t)(8 * bytes), 2);
    memcpy(h + 36, "data", 4);
    le(h + 40, data, 4);
    if (fwrite(h, 1, sizeof h, stdout) != sizeof h || fflush(stdout) != 0) {
        perror("gen_signal: -");
        return 1;
    }
    /* Samples by hand, little-endian: libsndfile would take a stdout
     * redirected to a file, now at offset 44, for an embedded file. */
    enum { BLOCK = 4096 };
    unsigned char *buf = malloc((size_t)BLOCK * align);
    if (buf == NULL)
        return 1;
    double gain = peak / SIGNAL_BOUND;
    double full = bytes == 2 ? 32767.0 : 8388607.0;
    int rc = 0;
    for (long done = 0; done < frames && rc == 0;) {
        long n = frames - done < BLOCK ? frames - done : BLOCK;
        unsigned char *at = buf;
        for (long i = 0; i < n; i++) {
            double x = sample_at(g, done + i) * gain;
            for (int ch = 0; ch < channels; ch++, at += bytes) {
                double y = x * (1.0 - 0.2 * ch / channels);
                if (subtype == SF_FORMAT_FLOAT) {
                    float v = (float)y;
                    uint32_t bits;
                    memcpy(&bits, &v, sizeof bits);
                    le(at, bits, 4);
                } else {
                    y = y > 1.0 ? 1.0 : y < -1.0 ? -1.0 : y;
                    le(at, (uint32_t)(int32_t)lround(y * full), bytes);
                }
            }
        }
        if (fwrite(buf, align, (size_t)n, stdout) != (size_t)n) {
            perror("gen_signal: -");
            rc = 1;
        }
        done += n;
    }
    free(buf);
    if (rc == 0 && fflush(stdout) != 0) {
        perror("gen_signal: -");
        rc = 1;
    }
    return rc;
}

static const struct {
    const char *key;
    int kind;
} string_keys[] = {
    {"title", SF_STR_TITLE},         {"artist", SF_STR_ARTIST},
    {"album", SF_STR_ALBUM},         {"comment", SF_STR_COMMENT},
    {"date", SF_STR_DATE},           {"genre", SF_STR_GENRE},
    {"copyright", SF_STR_COPYRIGHT}, {"tracknumber", SF_STR_TRACKNUMBER},
};
enum { NKEYS = sizeof string_keys / sizeof string_keys[0] };

/* -m KEY=VALUE: the metadata string for KEY (string_keys). */
static void take_string(const char *arg, const char *strings[NKEYS])
{
    const char *eq = strchr(arg, '=');
    size_t k = 0;
    while (eq != NULL && k < NKEYS &&
           (strlen(string_keys[k].key) != (size_t)(eq - arg) ||
            strncmp(arg, string_keys[k].key, (size_t)(eq - arg)) != 0))
        k++;
    if (eq == NULL || k == NKEYS)
        usage();
    strings[k] = eq + 1;
}

/* -s NAME: float, pcm16 or pcm24. */
static int parse_subtype(const char *arg)
{
    if (strcmp(arg, "float") == 0)
        return SF_FORMAT_FLOAT;
    if (strcmp(arg, "pcm16") == 0)
        return SF_FORMAT_PCM_16;
    if (strcmp(arg, "pcm24") == 0)
        return SF_FORMAT_PCM_24;
    usage();
    return 0;
}

/* Writes `frames` of the signal to the WAV file `path`, scaled to `peak`,
 * with the given metadata strings.  Returns the exit status. */
static int write_file(struct gen *g, const char *path, long frames,
                      int channels, int subtype, double rate, double peak,
                      const char *const strings[NKEYS])
{
    SF_INFO info = {.samplerate = (int)rate,
                    .channels = channels,
                    .format = SF_FORMAT_WAV | subtype};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (f == NULL) {
        fprintf(stderr, "gen_signal: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    sf_command(f, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    for (size_t k = 0; k < NKEYS; k++) {
        if (strings[k] != NULL &&
            sf_set_string(f, string_keys[k].kind, strings[k]) != 0) {
            fprintf(stderr, "gen_signal: %s: cannot store %s\n", path,
                    string_keys[k].key);
            return 1;
        }
    }

    /* Whole signal in memory so it can be scaled to an exact peak; test
     * signals are seconds long, so this is a few megabytes at most. */
    float *buf = malloc(((size_t)frames + 1) * (size_t)channels * sizeof *buf);
    if (buf == NULL) {
        fputs("gen_signal: out of memory\n", stderr);
        return 1;
    }
    double max = 0.0;
    for (long i = 0; i < frames; i++) {
        double x = sample_at(g, i);
        for (int ch = 0; ch < channels; ch++) {
            double y = x * (1.0 - 0.2 * ch / channels);
            buf[(size_t)i * channels + ch] = (float)y;
            max = fabs(y) > max ? fabs(y) : max;
        }
    }
    double gain = max > 0.0 ? peak / max : 0.0;
    for (size_t i = 0; i < (size_t)frames * channels; i++)
        buf[i] = (float)(buf[i] * gain);
    if (sf_writef_float(f, buf, frames) != frames) {
        fprintf(stderr, "gen_signal: %s: %s\n", path, sf_strerror(f));
        return 1;
    }
    free(buf);
    if (sf_close(f) != 0) {
        fprintf(stderr, "gen_signal: %s: write error\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *strings[NKEYS] = {0};
    double seconds = 3.0, rate = 44100.0, peak = 0.5;
    long frames_opt = -1;
    int channels = 2;
    int subtype = SF_FORMAT_FLOAT;
    int c;
    while ((c = getopt(argc, argv, "d:n:r:c:s:a:m:")) != -1) {
        switch (c) {
        case 'd':
            seconds = number(optarg);
            break;
        case 'n':
            frames_opt = (long)number(optarg);
            break;
        case 'r':
            rate = number(optarg);
            break;
        case 'c':
            channels = (int)number(optarg);
            break;
        case 'a':
            peak = number(optarg);
            break;
        case 'm':
            take_string(optarg, strings);
            break;
        case 's':
            subtype = parse_subtype(optarg);
            break;
        default:
            usage();
        }
    }
    if (optind != argc - 1 || channels < 1 || rate < 1)
        usage();
    const char *path = argv[optind];
    long frames = frames_opt >= 0 ? frames_opt : lround(seconds * rate);
    struct gen g = {.rate = rate,
                    .click_every = lround(rate * 0.5),
                    .click_len = lround(rate * 0.004),
                    .seed = 12345u};
    if (strcmp(path, "-") == 0)
        return stream_stdout(&g, frames, channels, subtype, peak);

    return write_file(&g, path, frames, channels, subtype, rate, peak, strings);
}
