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
        case 'm': {
            const char *eq = strchr(optarg, '=');
            size_t k = 0;
            while (eq != NULL && k < NKEYS &&
                   (strlen(string_keys[k].key) != (size_t)(eq - optarg) ||
                    strncmp(optarg, string_keys[k].key,
                            (size_t)(eq - optarg)) != 0))
                k++;
            if (eq == NULL || k == NKEYS)
                usage();
            strings[k] = eq + 1;
            break;
        }
        case 's':
            if (strcmp(optarg, "float") == 0)
                subtype = SF_FORMAT_FLOAT;
            else if (strcmp(optarg, "pcm16") == 0)
                subtype = SF_FORMAT_PCM_16;
            else if (strcmp(optarg, "pcm24") == 0)
                subtype = SF_FORMAT_PCM_24;
            else
                usage();
            break;
        default:
            usage();
        }
    }
    if (optind != argc - 1 || channels < 1 || rate < 1)
        usage();
    const char *path = argv[optind];
    long frames = frames_opt >= 0 ? frames_opt : lround(seconds * rate);

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

    static const double chord[] = {220.0, 277.1826, 329.6276};
    const long click_every = lround(rate * 0.5);
    const long click_len = lround(rate * 0.004);
    uint32_t seed = 12345u;
    /* Whole signal in memory so it can be scaled to an exact peak; test
     * signals are seconds long, so this is a few megabytes at most. */
    float *buf = malloc(((size_t)frames + 1) * (size_t)channels * sizeof *buf);
    if (buf == NULL) {
        fputs("gen_signal: out of memory\n", stderr);
        return 1;
    }
    double max = 0.0;
    for (long i = 0; i < frames; i++) {
        double t = (double)i / rate;
        double tone = 0.0;
        for (size_t k = 0; k < sizeof chord / sizeof chord[0]; k++) {
            for (int h = 1; h <= 4; h++)
                tone += sin(2.0 * PI * chord[k] * h * t) / (h * h);
        }
        long pos = i % click_every;
        double click = 0.0;
        if (pos < click_len)
            click = 3.0 * noise(&seed) * exp(-6.0 * (double)pos / click_len);
        double x = 0.6 * tone + 0.4 * click;
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
