/*
 * wavinfo.c -- prints what the integration tests check about an audio
 * file, one "key=value" per line:
 *
 *   frames=132300  rate=44100  channels=2  major=0x010000
 *   subtype=0x0006 peak=0.912  nonfinite=0  hash=9f1c...
 *   fullscale=0
 *
 * (peak over the finite samples; nonfinite counts NaN and infinities; the
 * hash is of the float samples; fullscale, for integer PCM only, counts
 * the samples stored at full scale: the largest code, or the smallest or
 * the one above it, which is where clipped samples end up), then one
 * "str_KEY=VALUE" line per metadata string the file holds (str_title=...,
 * str_artist=...).  With a second file, also
 *
 *   maxdiff=0.600000
 *
 * the largest difference between the samples of the two (over the frames
 * both have; -1 when their channel counts differ).
 *
 * The hash lets tests compare sample data across containers or headers.
 */
#include <inttypes.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bits per sample of integer PCM, or 0. */
static int pcm_bits(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
        return 8;
    case SF_FORMAT_PCM_16:
        return 16;
    case SF_FORMAT_PCM_24:
        return 24;
    case SF_FORMAT_PCM_32:
        return 32;
    }
    return 0;
}

/* Samples of the open PCM file `f` at full scale.  libsndfile reads
 * integers left-justified in an int (a 16-bit 32767 as 0x7fff0000), so the
 * codes are compared exactly there, whatever the bit depth. */
static long long count_fullscale(SNDFILE *f, const SF_INFO *info, int bits)
{
    if (sf_seek(f, 0, SEEK_SET) != 0)
        return -1;
    int top = (int)((((uint32_t)1 << (bits - 1)) - 1) << (32 - bits));
    enum { BLOCK = 4096 };
    int *buf = malloc((size_t)BLOCK * (size_t)info->channels * sizeof *buf);
    if (buf == NULL)
        return -1;
    long long n = 0;
    sf_count_t got;
    while ((got = sf_readf_int(f, buf, BLOCK)) > 0)
        for (size_t i = 0; i < (size_t)got * (size_t)info->channels; i++)
            n += buf[i] >= top || buf[i] <= -top;
    free(buf);
    return n;
}

/* The largest difference between the samples of the files at `a` and
 * `b`, or -1 when they cannot be compared. */
static double max_diff(const char *a, const char *b)
{
    SF_INFO ia = {0}, ib = {0};
    SNDFILE *fa = sf_open(a, SFM_READ, &ia);
    SNDFILE *fb = sf_open(b, SFM_READ, &ib);
    enum { BLOCK = 4096 };
    float *xa = NULL, *xb = NULL;
    double worst = -1.0;
    if (fa == NULL || fb == NULL || ia.channels != ib.channels)
        goto out;
    size_t ch = (size_t)ia.channels;
    xa = malloc(BLOCK * ch * sizeof *xa);
    xb = malloc(BLOCK * ch * sizeof *xb);
    if (xa == NULL || xb == NULL)
        goto out;
    worst = 0.0;
    sf_count_t na, nb;
    while ((na = sf_readf_float(fa, xa, BLOCK)) > 0 &&
           (nb = sf_readf_float(fb, xb, BLOCK)) > 0) {
        size_t n = (size_t)(na < nb ? na : nb) * ch;
        for (size_t i = 0; i < n; i++)
            worst = fmax(worst, fabs((double)xa[i] - xb[i]));
    }
out:
    free(xa);
    free(xb);
    if (fa != NULL)
        sf_close(fa);
    if (fb != NULL)
        sf_close(fb);
    return worst;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fputs("usage: wavinfo FILE [OTHER]\n", stderr);
        return 2;
    }
    SF_INFO info = {0};
    SNDFILE *f = sf_open(argv[1], SFM_READ, &info);
    if (f == NULL) {
        fprintf(stderr, "wavinfo: %s: %s\n", argv[1], sf_strerror(NULL));
        return 1;
    }
    enum { BLOCK = 4096 };
    float *buf = malloc((size_t)BLOCK * (size_t)info.channels * sizeof *buf);
    if (buf == NULL)
        return 1;
    uint64_t hash = 0xcbf29ce484222325u; /* FNV-1a over the float bits */
    double peak = 0.0;
    long long nonfinite = 0;
    sf_count_t frames = 0, n;
    while ((n = sf_readf_float(f, buf, BLOCK)) > 0) {
        size_t samples = (size_t)n * (size_t)info.channels;
        for (size_t i = 0; i < samples; i++) {
            uint32_t bits;
            memcpy(&bits, &buf[i], sizeof bits);
            for (int b = 0; b < 4; b++) {
                hash ^= (bits >> (8 * b)) & 0xffu;
                hash *= 0x100000001b3u;
            }
            if (!isfinite(buf[i]))
                nonfinite++;
            else if (fabs(buf[i]) > peak)
                peak = fabs(buf[i]);
        }
        frames += n;
    }
    printf("frames=%" PRId64 "\nrate=%d\nchannels=%d\nmajor=0x%06x\n"
           "subtype=0x%04x\npeak=%.6f\nnonfinite=%lld\nhash=%016" PRIx64 "\n",
           (int64_t)frames, info.samplerate, info.channels,
           info.format & SF_FORMAT_TYPEMASK, info.format & SF_FORMAT_SUBMASK,
           peak, nonfinite, hash);
    static const struct {
        const char *key;
        int kind;
    } keys[] = {
        {"title", SF_STR_TITLE},
        {"copyright", SF_STR_COPYRIGHT},
        {"software", SF_STR_SOFTWARE},
        {"artist", SF_STR_ARTIST},
        {"comment", SF_STR_COMMENT},
        {"date", SF_STR_DATE},
        {"album", SF_STR_ALBUM},
        {"license", SF_STR_LICENSE},
        {"tracknumber", SF_STR_TRACKNUMBER},
        {"genre", SF_STR_GENRE},
    };
    int bits = pcm_bits(info.format);
    if (bits > 0)
        printf("fullscale=%lld\n", count_fullscale(f, &info, bits));
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *v = sf_get_string(f, keys[k].kind);
        if (v != NULL)
            printf("str_%s=%s\n", keys[k].key, v);
    }
    if (argc == 3)
        printf("maxdiff=%.6f\n", max_diff(argv[1], argv[2]));
    free(buf);
    sf_close(f);
    return 0;
}
