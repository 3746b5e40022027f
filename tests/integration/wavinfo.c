/*
 * wavinfo.c -- prints what the integration tests check about an audio
 * file, one "key=value" per line:
 *
 *   frames=132300  rate=44100  channels=2  major=0x010000
 *   subtype=0x0006 peak=0.912  nonfinite=0  hash=9f1c...
 *
 * (peak over the finite samples; nonfinite counts NaN and infinities; the
 * hash is of the float samples), then one "str_KEY=VALUE" line per
 * metadata string the file holds (str_title=..., str_artist=...).
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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: wavinfo FILE\n", stderr);
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
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *v = sf_get_string(f, keys[k].kind);
        if (v != NULL)
            printf("str_%s=%s\n", keys[k].key, v);
    }
    free(buf);
    sf_close(f);
    return 0;
}
