/*
 * fuzz_convert.c -- libFuzzer target for the decode -> stretch -> encode
 * path, convert_file() in src/audio/convert.c.
 *
 * Byte layout:
 *   [0] tempo selector      [1] pitch selector (bit 0: as a ratio)
 *   [2] low nibble: input file extension, high nibble: output extension
 *   [3] flags: 0x01 convert again with the same converter and compare the
 *              bytes; 0x02 first convert with other settings (a converter
 *              that has seen another file); 0x04 the output exists
 *              already, 0x08 with --force; 0x10 normalize, 0x20 sync,
 *              0x40 clip (instead of the limiter)
 *   [4..] the input file, written to a private directory (in /dev/shm
 *         when there is one, or $FUZZ_TMPDIR)
 * so a seed is a 4-byte prefix followed by an audio file (`tail -c +5`
 * gives the file back; FUZZ_VERBOSE=1 prints the settings).
 *
 * Checked after every call:
 *   - the status is one of the three, a failure names one of the two
 *     paths and has a reason, and is never an engine error (a stall or a
 *     wrong length: convert_file checks the engine's promises itself);
 *   - on success the output exists, libsndfile reads it, it has the
 *     input's channels and rate, exactly round(frames_in / tempo) frames
 *     (both as reported and as read back), and every sample is finite;
 *   - an integer PCM output through the limiter (neither --normalize nor
 *     --clip) has no sample beyond the ceiling, to a 16-bit step;
 *   - nothing else is left in the directory (no temporary files), and a
 *     pre-existing output is replaced only on success with --force;
 *   - the same file converted twice gives byte-identical outputs.
 *
 * Known issue, tolerated unless FUZZ_STRICT=1 is set: an output in a
 * block-based codec (IMA/MS ADPCM, GSM 6.10, G.72x, ... -- chosen because
 * the input had it) is padded to a whole block, so libsndfile reads back
 * more frames than the engine produced (see padded_codec).
 *
 * Known issue, tolerated unless FUZZ_STRICT=1: an input that decodes to
 * zero frames gives an unreadable FLAC, Ogg Opus or MP3 output (libsndfile
 * writes a 0-byte or malformed file for an empty stream) that convert_file
 * reports as done.
 *
 * Until convert_file replaces non-finite and huge input samples
 * (CONVERT_INPUT_LIMIT in convert.h), outputs of inputs that have them are
 * allowed to be non-finite.
 *
 * Inputs over 64 KiB are ignored, and so are files whose header promises
 * too much audio (see too_big): convert_file has no frame limit, and a
 * 50-byte FLAC header can describe hours.
 */
#define _GNU_SOURCE
#include "convert.h"
#include "sfio.h"

#include <tempitch/stretch.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    MAX_FILE = 64 * 1024,
    MAX_IN_SAMPLES = 400000,  /* frames x channels read               */
    MAX_OUT_SAMPLES = 800000, /* frames x channels written            */
};
#define MAX_CHANNELS_X_RATE 3.1e6 /* e.g. 8 x 384 kHz, 64 x 48 kHz       */

#define FUZZ_NAME "fuzz_convert"
#include "fuzz_check.h"

static char dir[256];
static int verbose, strict;

/* ---- the private directory ------------------------------------------ */

static void path_in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

/* Removes every file in the directory; returns how many there were that
 * are not in keep[] (NULL-terminated). */
static int clean_dir(const char *const *keep, char *stray, size_t stray_size)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL, "opendir %s: %s", dir, strerror(errno));
    int strays = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int known = 0;
        for (size_t i = 0; keep != NULL && keep[i] != NULL; i++)
            known |= strcmp(e->d_name, keep[i]) == 0;
        if (!known && strays++ == 0 && stray != NULL)
            snprintf(stray, stray_size, "%s", e->d_name);
        char p[512];
        path_in_dir(p, sizeof p, e->d_name);
        unlink(p);
    }
    closedir(d);
    return strays;
}

static void remove_dir(void)
{
    if (dir[0] != '\0') {
        clean_dir(NULL, NULL, 0);
        rmdir(dir);
    }
}

/* A process that crashed (an abort is how a failed check is reported)
 * leaves its directory behind; the next one removes those of dead
 * processes, recognised by the pid in the name. */
static void remove_stale_dirs(const char *base)
{
    DIR *d = opendir(base);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        long pid;
        char tail[16];
        if (sscanf(e->d_name, "fuzz_convert.%ld.%15s", &pid, tail) != 2 ||
            pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char stale[512];
        snprintf(stale, sizeof stale, "%s/%s", base, e->d_name);
        DIR *sd = opendir(stale);
        struct dirent *f;
        while (sd != NULL && (f = readdir(sd)) != NULL) {
            char p[1024];
            snprintf(p, sizeof p, "%s/%s", stale, f->d_name);
            if (strcmp(f->d_name, ".") != 0 && strcmp(f->d_name, "..") != 0)
                unlink(p);
        }
        if (sd != NULL)
            closedir(sd);
        rmdir(stale);
    }
    if (d != NULL)
        closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    strict = getenv("FUZZ_STRICT") != NULL;
    const char *base = getenv("FUZZ_TMPDIR");
    struct stat st;
    if (base == NULL || base[0] == '\0')
        base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm"
                                                                 : "/tmp";
    remove_stale_dirs(base);
    snprintf(dir, sizeof dir, "%s/fuzz_convert.%ld.XXXXXX", base,
             (long)getpid());
    CHECK(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir, strerror(errno));
    atexit(remove_dir);
    return 0;
}

/* ---- settings from the prefix --------------------------------------- */

static double pick_tempo(uint8_t sel)
{
    /* 1.0 is the copy path; the slow tempos (long outputs) are rare. */
    static const double t[] = {1.25, 0.8, 1.0, 1.5,  2.0,  0.5,  0.9,  1.1,
                               3.0,  4.0, 20., 0.75, 1.33, 0.67, 1.01, 6.0};
    if (sel >= 0xFC) {
        static const double slow[] = {0.3, 0.2, 0.1, 0.05};
        return slow[sel - 0xFC];
    }
    return t[sel % (sizeof t / sizeof t[0])];
}

static double pick_pitch(uint8_t sel, int *is_ratio)
{
    static const double semis[] = {0,  3,   -3, 12,  -12, 0.5, 7,    -7,
                                   24, -24, 48, -48, 1,   -1,  0.01, 19};
    static const double ratios[] = {1.0,    2.0,   0.5,   16.0,
                                    0.0625, 1.001, 0.999, 1.5};
    *is_ratio = sel & 1;
    sel >>= 1;
    return *is_ratio ? ratios[sel % (sizeof ratios / sizeof ratios[0])]
                     : semis[sel % (sizeof semis / sizeof semis[0])];
}

/* Input names: libsndfile recognises most formats by their content, but
 * falls back to the extension for a few headerless ones (.au and .snd as
 * 8 kHz mu-law, .vox as 8 kHz ADPCM, .vox6 at 6 kHz, .gsm). */
static const char *const in_ext[16] = {
    "wav", "wav", "wav", "wav",  "aiff", "flac", "ogg", "caf",
    "au",  "snd", "vox", "vox6", "gsm",  "raw",  "w64", "bin"};

/* Output names pick the format; "" is no extension (WAV), "xyz" an
 * unknown one (WAV too).  Lossy encoders are slow, so they are rarer. */
static const char *const out_ext[16] = {
    "wav", "wav", "wav", "wav", "wav", "flac", "flac", "aiff",
    "au",  "caf", "w64", "",    "xyz", "ogg",  "opus", "mp3"};

/* ---- checks --------------------------------------------------------- */

/* Rejects inputs whose header promises more audio than one exec should
 * decode.  Unknown lengths (-1) are allowed: they come from streams that
 * cannot be longer than the bytes they are made of allow -- and if one
 * can, the run times out and we learn about it. */
static int too_big(const char *path, double tempo)
{
    struct sfio_header h;
    char reason[CONVERT_REASON_MAX];
    if (sfio_probe(path, &h, reason, sizeof reason) != 0)
        return 0; /* convert_file must refuse it: that is worth a run */
    /* The engine's memory and set-up time grow with channels x FFT size
     * (which follows the rate): 256 channels at 384 kHz take 300 MB and
     * seconds per file here, legitimately but too slowly for fuzzing. */
    if ((double)h.channels * h.rate > MAX_CHANNELS_X_RATE)
        return 1;
    if (h.channels < 1 || h.frames < 0)
        return 0;
    double in = (double)h.frames * h.channels;
    return in > MAX_IN_SAMPLES || in / tempo > MAX_OUT_SAMPLES;
}

/* Whether the input holds samples that are not audio: NaN, infinities or
 * magnitudes the engine cannot square in single precision.  Once
 * convert_file replaces them (CONVERT_INPUT_LIMIT) the output must be
 * finite whatever the input; before that, such inputs are exempt. */
static int invalid_input(const char *path)
{
#ifdef CONVERT_INPUT_LIMIT
    (void)path;
    return 0;
#else
    if (strict)
        return 0;
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    int invalid = 0;
    float buf[4096];
    sf_count_t per = (sf_count_t)(sizeof buf / sizeof buf[0]) / info.channels;
    sf_count_t n;
    while (f != NULL && !invalid && (n = sf_readf_float(f, buf, per)) > 0) {
        for (sf_count_t i = 0; i < n * info.channels; i++)
            invalid |= !isfinite(buf[i]) || fabsf(buf[i]) > 1e12f;
    }
    if (f != NULL)
        sf_close(f);
    return invalid;
#endif
}

/* Codecs that store whole blocks of samples: libsndfile pads the last
 * block, and reads the padding back as audio. */
static int padded_codec(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_IMA_ADPCM:
    case SF_FORMAT_MS_ADPCM:
    case SF_FORMAT_GSM610:
    case SF_FORMAT_VOX_ADPCM:
    case SF_FORMAT_G721_32:
    case SF_FORMAT_G723_24:
    case SF_FORMAT_G723_40:
    case SF_FORMAT_NMS_ADPCM_16:
    case SF_FORMAT_NMS_ADPCM_24:
    case SF_FORMAT_NMS_ADPCM_32:
        return 1;
    default:
        return 0;
    }
}

/* Checks the written file: shape, exact length, finite samples, and with
 * `normalized` no sample beyond full scale; with `limited`, none of integer
 * PCM beyond the limiter's ceiling (to the rounding of a 16-bit code). */
static void check_output(const char *path, const struct convert_result *r,
                         double tempo, int normalized, int limited,
                         const char *in_path)
{
    size_t expected = tp_output_length(r->frames_in, tempo);
    CHECK(r->frames_out == expected, "frames_out %zu, expected %zu (in %zu)",
          r->frames_out, expected, r->frames_in);
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    /* Known issue: libsndfile writes nothing readable for zero frames of
     * FLAC, Ogg Opus or MP3 (a 0-byte or malformed file). */
    if (f == NULL && expected == 0 && !strict)
        return;
    CHECK(f != NULL, "cannot read the output %s: %s", path, sf_strerror(NULL));
    CHECK(info.channels == r->channels && info.samplerate == r->rate,
          "output %d ch %d Hz, input %d ch %d Hz", info.channels,
          info.samplerate, r->channels, r->rate);
    size_t frames = (size_t)info.frames;
    int padded = !strict && padded_codec(info.format) && frames >= expected &&
                 frames - expected < 8192;
    CHECK(frames == expected || padded,
          "output has %lld frames, expected %zu (format 0x%x)",
          (long long)info.frames, expected, info.format);
    int lossless = (info.format & SF_FORMAT_SUBMASK) <= SF_FORMAT_DOUBLE;
    double peak = 0.0;
    size_t nonfinite = 0, first_bad = 0;
    float buf[4096];
    size_t per = sizeof buf / sizeof buf[0] / (size_t)info.channels;
    size_t total = 0;
    for (;;) {
        sf_count_t n = sf_readf_float(f, buf, (sf_count_t)per);
        if (n <= 0)
            break;
        for (size_t i = 0; i < (size_t)n * (size_t)info.channels; i++) {
            if (!isfinite(buf[i]) && nonfinite++ == 0)
                first_bad = total * (size_t)info.channels + i;
            peak = fabs(buf[i]) > peak ? fabs(buf[i]) : peak;
        }
        total += (size_t)n;
    }
    CHECK(total == frames, "read back %zu frames, header says %zu", total,
          frames);
    CHECK(nonfinite == 0 || invalid_input(in_path),
          "%zu output samples are not finite, the first is sample %zu",
          nonfinite, first_bad);
    sf_close(f);
    if (normalized && lossless)
        CHECK(peak <= 1.0, "normalized output peaks at %.9g", peak);
    int sub = info.format & SF_FORMAT_SUBMASK;
    if (limited && sub >= SF_FORMAT_PCM_S8 && sub <= SF_FORMAT_PCM_U8)
        CHECK(peak <= CONVERT_LIMIT_CEILING + 1.0 / 32768,
              "limited output peaks at %.9g (%zu samples limited)", peak,
              r->limited);
}

/* Checks what any call must satisfy; returns the status. */
static enum convert_status check_result(enum convert_status st,
                                        const struct convert_result *r,
                                        const char *in, const char *out)
{
    CHECK(st == r->status, "returned %d, result says %d", (int)st,
          (int)r->status);
    CHECK(st == CONVERT_OK || st == CONVERT_FAILED || st == CONVERT_EXISTS,
          "status %d", (int)st);
    if (st == CONVERT_OK)
        return st;
    CHECK(r->about == in || r->about == out, "about is neither path");
    CHECK(memchr(r->reason, '\0', sizeof r->reason) != NULL &&
              r->reason[0] != '\0',
          "empty or unterminated reason");
    /* convert_file turns an engine stall or a wrong output length into
     * this message: those are engine bugs, whatever the input. */
    CHECK(strstr(r->reason, "engine error") == NULL ||
              strstr(r->reason, "out of memory") != NULL,
          "%s: %s", r->about, r->reason);
    if (verbose)
        fprintf(stderr, "fuzz_convert: %s: %s\n", r->about, r->reason);
    return st;
}

static size_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* 1 when the two files have the same bytes. */
static int same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa != NULL && fb != NULL;
    while (same) {
        int ca = getc(fa), cb = getc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

static const char old_bytes[] = "an older output that must survive\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size - 4 > MAX_FILE)
        return -1;
    const uint8_t flags = data[3];
    struct convert_params p = {0};
    int is_ratio;
    settings_defaults(&p.settings);
    settings_set_tempo(&p.settings, 'T', pick_tempo(data[0]));
    double pitch = pick_pitch(data[1], &is_ratio);
    settings_set_pitch(&p.settings, is_ratio ? 'f' : 'p', pitch);
    p.policy.force = (flags & 0x08) != 0;
    int normalized = 0;
    p.policy.normalize = normalized = (flags & 0x10) != 0;
    p.policy.sync = (flags & 0x20) != 0;
    p.policy.clip = (flags & 0x40) != 0;
    int limited = !p.policy.normalize && !p.policy.clip;

    char in_name[32], out_name[32], out2_name[32];
    snprintf(in_name, sizeof in_name, "in.%s", in_ext[data[2] & 15]);
    const char *oe = out_ext[data[2] >> 4];
    snprintf(out_name, sizeof out_name, "out%s%s", *oe ? "." : "", oe);
    snprintf(out2_name, sizeof out2_name, "again%s%s", *oe ? "." : "", oe);
    char in[512], out[512], out2[512], warm[512];
    path_in_dir(in, sizeof in, in_name);
    path_in_dir(out, sizeof out, out_name);
    path_in_dir(out2, sizeof out2, out2_name);
    path_in_dir(warm, sizeof warm, "warm.wav");

    FILE *f = fopen(in, "wb");
    CHECK(f != NULL, "%s: %s", in, strerror(errno));
    CHECK(fwrite(data + 4, 1, size - 4, f) == size - 4, "write %s", in);
    CHECK(fclose(f) == 0, "close %s", in);
    if (verbose)
        fprintf(stderr,
                "fuzz_convert: %zu bytes as %s -> %s, tempo %g, pitch %g%s, "
                "flags 0x%02x\n",
                size - 4, in_name, out_name, p.settings.tempo, pitch,
                is_ratio ? " (ratio)" : " st", flags);
    if (too_big(in, p.settings.tempo)) {
        clean_dir(NULL, NULL, 0);
        return -1;
    }

    struct converter *c = converter_new();
    CHECK(c != NULL, "converter_new");
    struct convert_result r;
    enum convert_status st;
    char stray[256] = "";

    /* A converter that has already done a file with other settings must
     * give the same bytes as a fresh one (checked with 0x01 below). */
    if (flags & 0x02) {
        struct convert_params q = p;
        settings_set_tempo(&q.settings, 'T',
                           p.settings.tempo == 1.0 ? 1.25 : 1.0);
        double other = is_ratio ? 1.0 : pitch == 0 ? 2.0 : 0.0;
        settings_set_pitch(&q.settings, p.settings.pitch_opt, other);
        st = check_result(convert_file(c, in, warm, &q, &r), &r, in, warm);
        if (st == CONVERT_OK) {
            check_output(warm, &r, q.settings.tempo, normalized, limited, in);
            unlink(warm);
        }
    }

    int preexisting = (flags & 0x04) != 0;
    if (preexisting) {
        FILE *o = fopen(out, "wb");
        CHECK(o != NULL && fputs(old_bytes, o) >= 0 && fclose(o) == 0,
              "cannot create %s", out);
    }

    st = check_result(convert_file(c, in, out, &p, &r), &r, in, out);
    if (st == CONVERT_OK) {
        check_output(out, &r, p.settings.tempo, normalized, limited, in);
    } else if (preexisting) {
        /* Refused or failed: the old file is untouched. */
        CHECK(file_size(out) == sizeof old_bytes - 1,
              "a failed conversion changed the existing output");
        CHECK(st == (p.policy.force ? CONVERT_FAILED : CONVERT_EXISTS),
              "status %d with an existing output, force %d", (int)st,
              p.policy.force);
    } else {
        CHECK(!exists(out), "failed (%s) but the output exists", r.reason);
    }
    CHECK(st != CONVERT_EXISTS || preexisting, "EXISTS for a new output");

    if ((flags & 0x01) && st == CONVERT_OK) {
        struct convert_result r2;
        enum convert_status st2 =
            check_result(convert_file(c, in, out2, &p, &r2), &r2, in, out2);
        CHECK(st2 == CONVERT_OK, "second run failed: %s", r2.reason);
        CHECK(r2.frames_in == r.frames_in && r2.frames_out == r.frames_out &&
                  r2.clipped == r.clipped && r2.limited == r.limited,
              "second run: %zu/%zu/%zu/%zu frames in/out/clipped/limited, "
              "first %zu/%zu/%zu/%zu",
              r2.frames_in, r2.frames_out, r2.clipped, r2.limited, r.frames_in,
              r.frames_out, r.clipped, r.limited);
        CHECK(same_bytes(out, out2), "second run wrote different bytes");
    }
    converter_free(c);

    const char *keep[] = {in_name, out_name, out2_name, NULL};
    if (!(st == CONVERT_OK || preexisting))
        keep[1] = NULL;
    int strays = clean_dir(keep, stray, sizeof stray);
    CHECK(strays == 0, "%d stray file(s) left, e.g. %s", strays, stray);
    return 0;
}
